package io.offloadcl.placement;

import static io.offloadcl.placement.TestDevices.VEC;
import static io.offloadcl.placement.TestDevices.binary;
import static io.offloadcl.placement.TestDevices.cpu;
import static io.offloadcl.placement.TestDevices.gpu;
import static io.offloadcl.placement.TestDevices.unary;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.device.DeviceKind;
import io.offloadcl.device.DeviceProfile;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Pins, support and memory capacity. */
class PlacementConstraintsTest {
  private static DeviceProfile reluOnlyGpu() {
    return DeviceProfile.builder("relu-gpu", DeviceKind.ACCELERATOR).link(1, 0).peakGflops(100)
        .memoryBandwidthGBs(100).launchOverheadUs(0).supportedOps(Set.of("Relu")).build();
  }

  private static Graph chain() {
    Graph g = new Graph("chain");
    Node a = unary(g, "Relu", "a", g.addInput("x", VEC));
    Node b = unary(g, "Sigmoid", "b", a.output(0));
    Node c = unary(g, "Relu", "c", b.output(0));
    g.addOutput(c.output(0));
    return g;
  }

  @Test
  void pinsByNameAndTypeAreHonouredByEveryStrategy() {
    Graph g = chain();
    List<DeviceProfile> devs = List.of(cpu("cpu"), gpu("gpu"));
    for (String s : List.of("greedy", "heft", "optimal")) {
      Placement pl = Placer.place(g, devs, s, Map.of("Relu", "cpu", "b", "gpu"));
      assertEquals(Map.of("a", "cpu", "b", "gpu", "c", "cpu"), pl.assignment(), s);
      assertTrue(pl.explain("a").reason().contains("op type 'Relu'"), pl.explain("a").reason());
      assertTrue(pl.explain("b").reason().contains("op name 'b'"), pl.explain("b").reason());
      ScheduleChecks.assertValid(pl, g);
    }
  }

  @Test
  void nameBeatsTypePin() {
    Placement pl = Placer.place(chain(), List.of(cpu("cpu"), gpu("gpu")), "heft", Map.of("Relu", "gpu", "c", "cpu"));
    assertEquals("gpu", pl.assignment().get("a"));
    assertEquals("cpu", pl.assignment().get("c"));
  }

  @Test
  void badPinsAreRefusedWithAReason() {
    List<DeviceProfile> devs = List.of(cpu("cpu"), gpu("gpu"));
    PlacementException e = assertThrows(PlacementException.class,
        () -> Placer.place(chain(), devs, "heft", Map.of("a", "tpu")));
    assertTrue(e.getMessage().contains("'tpu'") && e.getMessage().contains("names no device"), e.getMessage());
    e = assertThrows(PlacementException.class, () -> Placer.place(chain(), devs, "heft", Map.of("Conv", "cpu")));
    assertTrue(e.getMessage().contains("'Conv' matches no op"), e.getMessage());
    List<DeviceProfile> withNpu = List.of(cpu("cpu"), reluOnlyGpu());
    e = assertThrows(PlacementException.class, () -> Placer.place(chain(), withNpu, "heft", Map.of("b", "relu-gpu")));
    assertTrue(e.getMessage().contains("op 'b' (Sigmoid)") && e.getMessage().contains("relu-gpu does not support Sigmoid"),
        e.getMessage());
  }

  @Test
  void unsupportedOpsGoElsewhereAndSingleDeviceIsRefused() {
    Graph g = chain();
    List<DeviceProfile> devs = List.of(cpu("cpu"), reluOnlyGpu());
    for (String s : List.of("greedy", "heft", "optimal")) {
      Placement pl = Placer.place(g, devs, s, Map.of());
      assertEquals("cpu", pl.assignment().get("b"), s);
      ScheduleChecks.assertValid(pl, g);
      assertEquals("relu-gpu does not support Sigmoid", pl.explain("b").candidates().get(1).refusal());
    }
    PlacementException e = assertThrows(PlacementException.class, () -> Placer.place(g, devs, "only:relu-gpu", Map.of()));
    assertTrue(e.getMessage().contains("op 'b' (Sigmoid) cannot run on relu-gpu"), e.getMessage());
    e = assertThrows(PlacementException.class, () -> Placer.place(g, devs, "gpu-only", Map.of()));
    assertTrue(e.getMessage().contains("Sigmoid"), e.getMessage());
  }

  @Test
  void opNoDeviceSupportsIsRefusedNamingOpAndDevices() {
    Graph g = chain();
    List<DeviceProfile> devs = List.of(reluOnlyGpu());
    PlacementException e = assertThrows(PlacementException.class, () -> Placer.place(g, devs, "heft", Map.of()));
    assertTrue(e.getMessage().contains("op 'b' (Sigmoid) cannot be placed on any of [relu-gpu]"), e.getMessage());
  }

  @Test
  void memoryCapacityIsRespected() {
    // A GPU holding 10 KB: two 4000-byte values fill most of it, so a three-op chain cannot all go there.
    Graph g = new Graph("cap");
    var x = g.addInput("x", VEC);
    Node a = unary(g, "Relu", "a", x);
    Node b = unary(g, "Relu", "b", a.output(0));
    Node c = unary(g, "Relu", "c", b.output(0));
    Node d = binary(g, "Add", "d", c.output(0), a.output(0));
    g.addOutput(d.output(0));
    DeviceProfile small = DeviceProfile.builder("small", DeviceKind.GPU).link(1, 0).peakGflops(100)
        .memoryBandwidthGBs(100).launchOverheadUs(0).memoryCapacityBytes(10_000).build();
    List<DeviceProfile> devs = List.of(cpu("cpu"), small);
    for (String s : List.of("greedy", "heft", "optimal")) {
      Placement pl = Placer.place(g, devs, s, Map.of());
      ScheduleChecks.assertValid(pl, g);
      assertTrue(pl.memoryBytes().get("small") <= 10_000, s + " " + pl.memoryBytes());
      // x and the four outputs need 20 KB: at most x and one output fit, so the CPU must take ops (optimal
      // takes all four: a alone on the GPU costs 4 + 0.08 + 4 µs against 8 µs on the CPU)
      assertTrue(pl.assignment().containsValue("cpu"), s + " " + pl.assignment());
    }
    // all on the CPU: 8 + 8 + 8 µs, and 12 µs for the Add (8000 bytes in, 4000 out)
    assertEquals(0.036, Placer.place(g, devs, "optimal", Map.of()).makespanMs(), 1e-9);
    DeviceProfile roomy = DeviceProfile.builder("small", DeviceKind.GPU).link(1, 0).peakGflops(100)
        .memoryBandwidthGBs(100).launchOverheadUs(0).build();
    assertEquals(Map.of("a", "small", "b", "small", "c", "small", "d", "small"),
        Placer.place(g, List.of(cpu("cpu"), roomy), "greedy", Map.of()).assignment());
    PlacementException e = assertThrows(PlacementException.class, () -> Placer.place(g, devs, "only:small", Map.of()));
    assertTrue(e.getMessage().contains("exceed") && e.getMessage().contains("small"), e.getMessage());
  }

  @Test
  void theGraphIsNotChanged() {
    Graph g = RandomDags.generate(30, 4, 7);
    String before = g.toString();
    Placer.place(g, List.of(cpu("cpu"), gpu("gpu")), "optimal", Map.of());
    assertEquals(before, g.toString());
  }
}
