package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.api.GraphOptimizer;
import io.offloadcl.codegen.DeviceClass;
import io.offloadcl.ir.Graph;
import io.offloadcl.testing.Requirements;
import java.nio.file.Path;
import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.runtime.cpu.CpuKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * FusedConv with {@code pool_kernel} (conv + epilogue + non-overlapping max pool in one kernel) against its
 * runtime.cpu reference, on the CPU device class (conv.cl conv_pool_cpu where it applies, conv_pool elsewhere)
 * and the GPU class (conv_pool): one and several input channels, channel counts that do not fill the last
 * channel block, odd and non-square sizes, an odd number of pooled rows under the two-row tile, padding (the
 * gathered path), batch 2, a non-monotone activation (the max must follow it) and pools of 3 rows or columns.
 */
@Tag("opencl")
class ConvPoolClTest {
  // {ci, co, k, h, w, pad, pool h, pool w, batch, activation index, conv stride}
  private static final long[][] CASES = {
      {1, 10, 5, 28, 28, 0, 2, 2, 1, 1, 1}, // tribuo's first conv: 8 pooled columns a tile, 5 channels a block
      {10, 20, 5, 12, 12, 0, 2, 2, 1, 1, 1}, // its second: 4-wide pooled rows, two rows a tile
      {3, 7, 3, 13, 11, 0, 2, 2, 2, 2, 1}, // 11x9 -> 5x4: odd pooled rows, 7 = 4 + 3 channels
      {2, 6, 3, 9, 9, 1, 2, 2, 2, 3, 1}, // padded: gathered lanes
      {2, 4, 3, 40, 40, 0, 2, 2, 1, 0, 1}, // 19 pooled columns: shifted last tile, odd-lane loads at the row end
      {4, 9, 3, 20, 17, 0, 3, 2, 1, 4, 1}, // 3-row windows
      {2, 5, 3, 14, 14, 0, 3, 3, 2, 1, 1}, // 3-column windows: conv_pool
      {3, 4, 3, 15, 15, 1, 2, 2, 1, 1, 2}, // strided conv: conv_pool
  };
  private static final Object[][] ACTS = {{"", new float[0]}, {"Relu", new float[0]}, {"Sigmoid", new float[0]},
      {"HardSwish", new float[0]}, {"LeakyRelu", new float[] {0.1f}}};

  private static void check(DeviceClass dc) {
    OpGraph g = new OpGraph(77);
    List<Value> outs = new ArrayList<>();
    for (long[] c : CASES) {
      Value x = g.input(c[8], c[0], c[3], c[4]);
      Value w = g.input(c[1], c[0], c[2], c[2]);
      Value b = c[9] % 2 == 1 ? g.input(c[1]) : null;
      Attributes at = new Attributes().setInts("kernel_shape", c[2], c[2]).setInts("pads", c[5], c[5], c[5], c[5])
          .setInts("strides", c[10], c[10]).setInts("pool_kernel", c[6], c[7]);
      Object[] act = ACTS[(int) c[9]];
      if (!((String) act[0]).isEmpty()) {
        at.setString("activation", (String) act[0]).setFloats("activation_params", (float[]) act[1]);
      }
      Node n = g.graph.addNode("FusedConv", "offloadcl", 17, "pooled_" + outs.size(), Arrays.asList(x, w, b),
          List.of("y" + outs.size()), at);
      outs.add(n.output(0));
    }
    io.offloadcl.ops.ShapeInference.run(g.graph);
    for (Value y : outs) {
      Node n = y.producer();
      TensorData[] ins = new TensorData[n.inputs().size()];
      for (int i = 0; i < ins.length; i++) {
        ins[i] = n.input(i) == null ? null : g.feedOf(n.input(i));
      }
      g.expect(y, CpuKernels.find("FusedConv").run(n, ins)[0]);
    }
    ClDevice d = OpenClTestSupport.requireDevice();
    try (ClContext ctx = ClContext.open(d); ProgramCache cache = new ProgramCache(ctx, null);
        OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, cache, new OpenClExecutor.Options(true, dc, null))) {
      assertTrue(ex.fallbacks().isEmpty(), ex.fallbacks().toString());
      assertEquals(outs.size(), ex.kernelSources().size(), "one kernel per node");
      long cpuKernels = ex.kernelSources().stream().filter(k -> k.source().contains("conv_pool_cpu")).count();
      // the first six cases fit conv_pool_cpu; the 3-column pool and the strided conv do not
      assertEquals(dc == DeviceClass.CPU ? 6 : 0, cpuKernels, "kernels from section conv_pool_cpu");
      Map<String, TensorData> got = ex.run(g.feeds);
      g.check(got, 1e-4, 1e-4, false);
    }
  }

  @Test
  void tribuoCnnRunsItsPoolsInsideTheConvsAndReproducesTestDataSet0() {
    Path dir = Requirements.sharedTestData("models/tribuo-cnn-mnist");
    OpenClTestSupport.requireDevice();
    Graph g = GraphOptimizer.load(dir.resolve("model.onnx"));
    GraphOptimizer.optimize(g);
    long pooled = g.nodes().stream().filter(n -> n.attributes().has("pool_kernel")).count();
    assertEquals(2, pooled, "FusedConvs with pool_kernel in\n" + g);
    assertTrue(g.nodes().stream().noneMatch(n -> n.opType().equals("MaxPool")), g.toString());
    OpenClTestSupport.assertOpenClSessionReproducesTestDataSet0(dir, g.inputs().get(0).name());
  }

  @Test
  void pooledConvMatchesTheReferenceOnTheCpuClass() {
    check(DeviceClass.CPU);
  }

  @Test
  void pooledConvMatchesTheReferenceOnTheGpuClass() {
    check(DeviceClass.GPU);
  }
}
