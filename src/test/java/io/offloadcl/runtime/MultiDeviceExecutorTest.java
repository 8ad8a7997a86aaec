package io.offloadcl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.device.DeviceProfile;
import io.offloadcl.device.DeviceProfiles;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.onnx.NamedTensor;
import io.offloadcl.onnx.OnnxImporter;
import io.offloadcl.onnx.OnnxTensors;
import io.offloadcl.placement.Placement;
import io.offloadcl.placement.Placer;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import io.offloadcl.runtime.opencl.OpenClPlatforms;
import io.offloadcl.testing.Requirements;
import io.offloadcl.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Multi-device runs equal single-device (reference) outputs: Java CPU + POCL, and two POCL devices (run with
 * {@code POCL_DEVICES="pthread pthread"}; with one POCL device that pair is skipped). Each model runs under
 * HEFT and under a placement pinned to alternate devices op by op, so that values cross devices many times.
 */
@Tag("opencl")
class MultiDeviceExecutorTest {

  private static List<DeviceProfile> profiles(String pair) {
    List<DeviceProfile> l = new ArrayList<>();
    for (String id : pair.split("\\+")) {
      l.add(DeviceProfiles.resolve(id));
    }
    return MultiDeviceExecutor.distinctIds(l);
  }

  private static void requireDevices(List<DeviceProfile> ps) {
    Requirements.assumeOrFailInCi(!OpenClPlatforms.devices().isEmpty(), "an OpenCL platform (POCL)");
    long cl = ps.stream().filter(p -> !p.match().isJavaCpu()).count();
    Requirements.assumeOrFailInCi(OpenClPlatforms.devices().size() >= cl,
        cl + " OpenCL devices needed; run with POCL_DEVICES=\"pthread pthread\"");
  }

  private static Map<String, String> alternatingPins(Graph g, List<DeviceProfile> ps) {
    Map<String, String> pins = new LinkedHashMap<>();
    int i = 0;
    for (Node n : g.nodes()) {
      pins.put(n.name(), ps.get(i++ % ps.size()).id());
    }
    return pins;
  }

  private static void assertClose(Map<String, TensorData> want, Map<String, TensorData> have, String what) {
    assertEquals(want.keySet(), have.keySet(), what);
    for (String k : want.keySet()) {
      TensorData w = want.get(k);
      TensorData h = have.get(k);
      assertEquals(w.size(), h.size(), what + " " + k);
      for (int i = 0; i < w.size(); i++) {
        double a = w.getDouble(i);
        double b = h.getDouble(i);
        assertTrue(Math.abs(a - b) <= 1e-5 + 1e-3 * Math.abs(a), what + " " + k + "[" + i + "]: " + a + " vs " + b);
      }
    }
  }

  private static void check(Graph g, Map<String, TensorData> feeds, String pair, boolean print) {
    List<DeviceProfile> ps = profiles(pair);
    requireDevices(ps);
    List<MultiDeviceExecutor.Binding> bs = MultiDeviceExecutor.bind(ps);
    if (bs.stream().filter(b -> b.device() != null).count() == 2) {
      assertNotEquals(bs.get(0).device().index(), bs.get(1).device().index(), "two profiles bound one device");
    }
    Map<String, TensorData> want = new ReferenceExecutor(g).run(feeds);
    for (boolean alternate : new boolean[] {false, true}) {
      Placement p = Placer.place(g, ps, "heft", alternate ? alternatingPins(g, ps) : Map.of());
      try (MultiDeviceExecutor ex = new MultiDeviceExecutor(p, bs, null)) {
        Map<String, TensorData> got = ex.run(feeds);
        got = ex.run(feeds);
        assertClose(want, got, g.name() + " on " + pair + (alternate ? " alternating" : " heft"));
        if (alternate) {
          assertTrue(ex.segmentCount() >= Math.min(2, g.nodes().size()), "alternating pins give several segments");
        }
        if (print) {
          System.out.println(RunReport.of(ex).table());
        }
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"java-cpu+pocl-cpu", "pocl-cpu+pocl-cpu"})
  void builtInCodeModelMatchesReference(String pair) {
    Graph g = OnnxImporter.fromBytes(TestModels.gemmSoftmax(), null);
    Map<String, TensorData> feeds = new LinkedHashMap<>();
    Random r = new Random(7);
    for (Value in : g.inputs()) {
      long[] dims = in.type().shape().dims();
      TensorData t = TensorData.zeros(in.type().dtype(), dims);
      for (int i = 0; i < t.size(); i++) {
        t.setDouble(i, r.nextGaussian());
      }
      feeds.put(in.name(), t);
    }
    check(g, feeds, pair, false);
  }

  @ParameterizedTest
  @CsvSource({"mnist-8-opt,java-cpu+pocl-cpu", "mnist-8-opt,pocl-cpu+pocl-cpu",
      "tribuo-cnn-mnist,java-cpu+pocl-cpu", "tribuo-cnn-mnist,pocl-cpu+pocl-cpu"})
  void sharedModelMatchesReference(String model, String pair) throws Exception {
    Path dir = Requirements.sharedTestData("models/" + model);
    Requirements.assumeOrFailInCi(Files.isDirectory(dir), "shared model " + dir);
    Graph g = OnnxImporter.load(dir.resolve("model.onnx"));
    Map<String, TensorData> feeds = new LinkedHashMap<>();
    for (int i = 0; i < g.inputs().size(); i++) {
      NamedTensor t = OnnxTensors.read(dir.resolve("test_data_set_0/input_" + i + ".pb"));
      feeds.put(g.inputs().get(i).name(), t.data());
    }
    check(g, feeds, pair, true);
  }

  @Test
  void unboundProfileIsRefusedWithItsName() {
    Requirements.assumeOrFailInCi(!OpenClPlatforms.devices().isEmpty(), "an OpenCL platform (POCL)");
    List<DeviceProfile> many = new ArrayList<>();
    for (int i = 0; i <= OpenClPlatforms.devices().size(); i++) {
      many.add(DeviceProfiles.bundled("pocl-cpu"));
    }
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(io.offloadcl.ir.DeviceException.class,
        () -> MultiDeviceExecutor.bind(MultiDeviceExecutor.distinctIds(many)));
    assertTrue(e.getMessage().contains("pocl-cpu#"), e.getMessage());
  }
}
