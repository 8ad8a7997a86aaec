package io.offloadcl.placement;

import static io.offloadcl.placement.TestDevices.unary;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.device.DeviceKind;
import io.offloadcl.device.DeviceProfile;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorType;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code fastest-single}: the whole graph on the one device with the shortest simulated makespan. The two devices
 * are shaped like POCL's basic (a run's fixed cost is low, compute is slow) and pthread (the reverse) devices.
 */
class FastestSingleStrategyTest {
  /** Low fixed cost: 5 us per transfer leg, 1 us per launch; 10 GFLOP/s, 10 GB/s. */
  private static DeviceProfile quickStart() {
    return DeviceProfile.builder("quick-start", DeviceKind.CPU).link(10, 5).sharedMemory(true).peakGflops(10)
        .memoryBandwidthGBs(10).launchOverheadUs(1).build();
  }

  /** High fixed cost: 50 us per leg, 2 us per launch; 10x the compute and bandwidth. */
  private static DeviceProfile fastCompute() {
    return DeviceProfile.builder("fast-compute", DeviceKind.CPU).link(10, 50).sharedMemory(true).peakGflops(100)
        .memoryBandwidthGBs(100).launchOverheadUs(2).build();
  }

  private static Graph reluChain(long elements, String... ops) {
    Graph g = new Graph("chain" + elements);
    TensorType t = TensorType.of(DType.FLOAT32, elements);
    Node n = unary(g, ops[0], "op0", g.addInput("x", t));
    for (int i = 1; i < ops.length; i++) {
      n = unary(g, ops[i], "op" + i, n.output(0));
    }
    g.addOutput(n.output(0));
    return g;
  }

  private static String deviceOfAll(Placement p) {
    Set<String> used = new HashSet<>(p.assignment().values());
    assertEquals(1, used.size(), "one device for every op: " + p.assignment());
    return used.iterator().next();
  }

  @Test
  void smallGraphsGoWhereARunStartsQuicklyLargeOnesWhereComputeIsFast() {
    List<DeviceProfile> devs = List.of(fastCompute(), quickStart());
    Placement small = Placer.place(reluChain(1000, "Relu", "Sigmoid", "Relu"), devs, "fastest-single", Map.of());
    assertEquals("quick-start", deviceOfAll(small));
    Placement large = Placer.place(reluChain(10_000_000, "Relu", "Sigmoid", "Relu"), devs, "fastest-single",
        Map.of());
    assertEquals("fast-compute", deviceOfAll(large));
    // the pick is the only:X placement with the shortest makespan, and the reason shows both predictions
    for (Graph g : List.of(reluChain(1000, "Relu"), reluChain(10_000_000, "Relu"))) {
      Placement p = Placer.place(g, devs, "fastest-single", Map.of());
      double a = Placer.place(g, devs, "only:fast-compute", Map.of()).makespanMs();
      double b = Placer.place(g, devs, "only:quick-start", Map.of()).makespanMs();
      assertEquals(Math.min(a, b), p.makespanMs(), 1e-12);
      String reason = p.explain("op0").reason();
      assertTrue(reason.contains("fast-compute") && reason.contains("quick-start") && reason.contains(" ms"), reason);
    }
  }

  @Test
  void aTieGoesToTheFirstDevice() {
    DeviceProfile one = DeviceProfile.builder("one", DeviceKind.CPU).link(10, 5).peakGflops(10)
        .memoryBandwidthGBs(10).launchOverheadUs(1).build();
    DeviceProfile two = DeviceProfile.builder("two", DeviceKind.CPU).link(10, 5).peakGflops(10)
        .memoryBandwidthGBs(10).launchOverheadUs(1).build();
    assertEquals("one", deviceOfAll(Placer.place(reluChain(1000, "Relu"), List.of(one, two), "fastest-single",
        Map.of())));
    assertEquals("two", deviceOfAll(Placer.place(reluChain(1000, "Relu"), List.of(two, one), "fastest-single",
        Map.of())));
  }

  @Test
  void aDeviceThatCannotRunEveryOpIsPassedOver() {
    DeviceProfile reluOnly = DeviceProfile.builder("relu-only", DeviceKind.CPU).link(10, 5).peakGflops(10)
        .memoryBandwidthGBs(10).launchOverheadUs(1).supportedOps(Set.of("Relu")).build();
    Graph g = reluChain(1000, "Relu", "Sigmoid");
    assertEquals("fast-compute", deviceOfAll(Placer.place(g, List.of(reluOnly, fastCompute()), "fastest-single",
        Map.of())));
    PlacementException e = assertThrows(PlacementException.class,
        () -> Placer.place(g, List.of(reluOnly), "fastest-single", Map.of()));
    assertTrue(e.getMessage().contains("relu-only") && e.getMessage().contains("Sigmoid"), e.getMessage());
  }

  @Test
  void isANamedStrategy() {
    assertTrue(Strategies.NAMES.contains("fastest-single"));
    assertEquals("fastest-single", Strategies.byName("fastest-single").name());
  }
}
