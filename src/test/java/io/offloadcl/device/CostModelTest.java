package io.offloadcl.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ops.FusionKind;
import io.offloadcl.ops.OpCost;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CostModelTest {
  private static final double EPS = 1e-15;

  private static DeviceProfile dev() {
    return DeviceProfile.builder("d", DeviceKind.GPU).peakGflops(100).memoryBandwidthGBs(10).launchOverheadUs(5)
        .link(2, 3).efficiency(FusionKind.OUT_ELEMWISE_FUSABLE, 0.5).defaultEfficiency(1.0).build();
  }

  @Test
  void launchPlusTheSlowerOfComputeAndMemory() {
    CostModel m = CostModel.DEFAULT;
    // compute-bound: 1e9 flops / (100e9 · 0.5) = 20 ms; memory 1e6 B / 10e9 = 0.1 ms
    assertEquals(5e-6 + 0.02, m.opSeconds(new OpCost(1_000_000_000L, 500_000, 500_000),
        FusionKind.OUT_ELEMWISE_FUSABLE, false, dev()), EPS);
    // memory-bound: 1e6 flops / 100e9 = 10 µs; 1e8 B / 10e9 = 10 ms
    assertEquals(5e-6 + 0.01, m.opSeconds(new OpCost(1_000_000, 50_000_000, 50_000_000), FusionKind.ELEMWISE,
        false, dev()), EPS);
    // unknown cost: launch only
    assertEquals(5e-6, m.opSeconds(OpCost.UNKNOWN, FusionKind.ELEMWISE, false, dev()), EPS);
  }

  @Test
  void transfersGoThroughTheHostOverEachLink() {
    CostModel m = CostModel.DEFAULT;
    DeviceProfile gpu = dev();
    DeviceProfile host = DeviceProfile.builder("j", DeviceKind.CPU).hostResident().peakGflops(1)
        .memoryBandwidthGBs(1).build();
    // one leg: 3 µs + 2e6 B / 2e9 B/s = 1.003 ms
    assertEquals(3e-6 + 1e-3, m.transferSeconds(2_000_000, gpu, host), EPS);
    assertEquals(3e-6 + 1e-3, m.transferSeconds(2_000_000, null, gpu), EPS);
    assertEquals(2 * (3e-6 + 1e-3), m.transferSeconds(2_000_000, gpu, dev()), EPS);
    assertEquals(0, m.transferSeconds(2_000_000, host, null), EPS);
    assertEquals(0, m.transferSeconds(2_000_000, gpu, gpu), EPS);
  }

  @Test
  void nodeCostFromTypesAndUnsupportedIsInfinite() {
    Graph g = new Graph("g");
    var x = g.addInput("x", TensorType.of(DType.FLOAT32, 64, 128));
    var w = g.addConstant("w", TensorData.zeros(DType.FLOAT32, 128, 32));
    Node mm = g.addNode("MatMul", "mm", List.of(x, w), List.of("y"), new Attributes());
    mm.output(0).setType(TensorType.of(DType.FLOAT32, 64, 32));
    OpCost c = OpEstimates.cost(mm);
    assertEquals(2L * 64 * 32 * 128, c.flops());
    assertEquals(4L * (64 * 128 + 128 * 32), c.bytesRead());
    assertEquals(4L * 64 * 32, c.bytesWritten());
    DeviceProfile d = dev();
    assertTrue(CostModel.DEFAULT.opSeconds(mm, d) > 5e-6);
    DeviceProfile noMatMul = DeviceProfile.builder("n", DeviceKind.ACCELERATOR).peakGflops(1).memoryBandwidthGBs(1)
        .link(1, 1).unsupportedOps(Set.of("MatMul")).build();
    assertEquals(Double.POSITIVE_INFINITY, CostModel.DEFAULT.opSeconds(mm, noMatMul));
  }
}
