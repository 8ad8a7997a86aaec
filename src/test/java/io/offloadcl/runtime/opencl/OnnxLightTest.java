package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.onnx.OnnxImporter;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Realistic graphs from onnx-light on OpenCL, compared with the Java reference executor (their outputs are
 * degenerate, so this checks structure and plumbing more than numerics), with compile and run times printed.
 */
@Tag("opencl")
class OnnxLightTest {
  /**
   * squeezenet by default; {@code -Doffloadcl.light=all} runs all nine onnx-light models (minutes of cold POCL
   * compilation, so not in the default run), or a comma-separated list of names.
   */
  static Stream<String> models() {
    String sel = System.getProperty("offloadcl.light", "squeezenet");
    List<String> all = List.of("bvlc_alexnet", "densenet121", "inception_v1", "inception_v2", "resnet50",
        "shufflenet", "squeezenet", "vgg19", "zfnet512");
    return sel.equals("all") ? all.stream() : Stream.of(sel.split(","));
  }

  @ParameterizedTest
  @MethodSource("models")
  void runsAndMatchesTheReference(String model) {
    String env = System.getenv("OFFLOADCL_SHARED");
    Path file = (env != null ? Paths.get(env) : Paths.get("..", "shared"))
        .resolve("testdata/onnx-light/light_" + model + ".onnx");
    io.offloadcl.testing.Requirements.assumeOrFailInCi(Files.exists(file), "onnx-light model " + file);
    ClDevice d = OpenClTestSupport.requireDevice();
    Graph g = OnnxImporter.load(file);
    Map<String, TensorData> feeds = new LinkedHashMap<>();
    for (Value in : g.inputs()) {
      long[] dims = in.type().shape().dims();
      for (int i = 0; i < dims.length; i++) {
        dims[i] = dims[i] == Shape.DYNAMIC ? 1 : dims[i];
      }
      TensorData t = TensorData.zeros(in.type().dtype(), dims);
      for (int i = 0; i < t.size(); i++) {
        t.setDouble(i, (double) i / t.size());
      }
      feeds.put(in.name(), t);
    }
    try (ClContext ctx = ClContext.open(d); ProgramCache cache = new ProgramCache(ctx, null);
        OpenClModel m = new OpenClModel(g, ctx, cache, OpenClExecutor.Options.defaults())) {
      long t0 = System.nanoTime();
      OpenClExecutor ex = m.executorFor(feeds);
      long t1 = System.nanoTime();
      Map<String, TensorData> got = ex.run(feeds);
      long t2 = System.nanoTime();
      ex.run(feeds);
      long t3 = System.nanoTime();
      Map<String, TensorData> want = new ReferenceExecutor(g).run(feeds);
      long t4 = System.nanoTime();
      System.out.printf("%s: %d kernels, fallbacks %s; compile %.0f ms, first run %.0f ms, second run %.0f ms,"
          + " Java reference %.0f ms; %s%n", model, ex.kernelSources().size(), ex.fallbacks().keySet(),
          (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6, ex.memoryPlan());
      assertTrue(ex.memoryPlan().peakBytes() < ex.memoryPlan().intermediateBytes());
      for (Map.Entry<String, TensorData> e : want.entrySet()) {
        TensorData w = e.getValue();
        TensorData h = got.get(e.getKey());
        assertEquals(w.size(), h.size());
        for (int i = 0; i < w.size(); i++) {
          assertTrue(Math.abs(h.getDouble(i) - w.getDouble(i)) <= 1e-4 + 1e-3 * Math.abs(w.getDouble(i)),
              model + " " + e.getKey() + "[" + i + "]: reference " + w.getDouble(i) + ", OpenCL " + h.getDouble(i));
        }
      }
    }
  }
}
