package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.api.GraphOptimizer;
import io.offloadcl.codegen.DeviceClass;
import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.runtime.cpu.CpuKernels;
import io.offloadcl.testing.Requirements;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * FusedGemm with {@code row_op} (gemm.cl gemm_rows: product, epilogue and row Softmax/LogSoftmax in one kernel)
 * against its runtime.cpu reference on the CPU and GPU device classes: one and several rows, rows of 1, 10 and
 * 256 columns, reductions shorter than a float8 and not a multiple of 8, B transposed and not, bias absent, per
 * column and per element, alpha and beta, an activation, and a NaN in one row.
 */
@Tag("opencl")
class RowSoftmaxGemmClTest {
  // {M, K, N, transB, bias (0 none, 1 [N], 2 [M, N]), relu, log}
  private static final long[][] CASES = {
      {1, 50, 10, 1, 1, 1, 1}, // tribuo's head
      {3, 50, 10, 1, 0, 0, 0},
      {1, 13, 10, 0, 1, 0, 1}, // B row-major: one float8 run and a 2-column tail
      {3, 20, 256, 0, 2, 1, 0},
      {3, 20, 256, 1, 1, 0, 1},
      {2, 5, 1, 1, 1, 0, 1}, // K < 8 with B transposed: the scalar path; a 1-column row is all 0 (log) or 1
      {1, 7, 1, 0, 0, 1, 0},
      {3, 64, 24, 0, 1, 1, 1}, // N a multiple of 8, no tail
      {1, 9, 3, 0, 2, 0, 0}, // N < 8, B row-major: the scalar path
  };

  private static void check(DeviceClass dc) {
    OpGraph g = new OpGraph(91);
    List<Value> outs = new ArrayList<>();
    for (int ci = 0; ci < CASES.length; ci++) {
      long[] c = CASES[ci];
      Value a = g.input(c[0], c[1]);
      Value b = c[3] == 1 ? g.input(c[2], c[1]) : g.input(c[1], c[2]);
      Value bias = c[4] == 1 ? g.input(c[2]) : c[4] == 2 ? g.input(c[0], c[2]) : null;
      Attributes at = new Attributes().setInt("transB", (int) c[3]).setString("row_op", c[6] == 1 ? "logsoftmax"
          : "softmax");
      if (ci == 1) {
        at.setFloat("alpha", 0.5f).setFloat("beta", 2f);
      }
      if (c[5] == 1) {
        at.setString("activation", "Relu");
      }
      Node n = g.graph.addNode("FusedGemm", "offloadcl", 17, "rows_" + ci, Arrays.asList(a, b, bias),
          List.of("y" + ci), at);
      outs.add(n.output(0));
    }
    // a NaN in row 1 of case 1: that row is NaN everywhere, the others stay finite
    g.feedOf(outs.get(1).producer().input(0)).setDouble(50 + 7, Double.NaN);
    io.offloadcl.ops.ShapeInference.run(g.graph);
    for (Value y : outs) {
      Node n = y.producer();
      TensorData[] ins = new TensorData[n.inputs().size()];
      for (int i = 0; i < ins.length; i++) {
        ins[i] = n.input(i) == null ? null : g.feedOf(n.input(i));
      }
      TensorData want = CpuKernels.find("FusedGemm").run(n, ins)[0];
      g.expect(y, want);
    }
    TensorData nanCase = g.expected.get(outs.get(1).name());
    assertTrue(Double.isNaN(nanCase.getDouble(10)) && !Double.isNaN(nanCase.getDouble(0)), "reference NaN row");
    ClDevice d = OpenClTestSupport.requireDevice();
    try (ClContext ctx = ClContext.open(d); ProgramCache cache = new ProgramCache(ctx, null);
        OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, cache, new OpenClExecutor.Options(true, dc, null))) {
      assertTrue(ex.fallbacks().isEmpty(), ex.fallbacks().toString());
      assertEquals(outs.size(), ex.kernelSources().size(), "one kernel per node");
      long rows = ex.kernelSources().stream().filter(k -> k.source().contains("gemm_rows")).count();
      assertEquals(outs.size(), rows, "kernels from section gemm_rows");
      Map<String, TensorData> got = ex.run(g.feeds);
      g.check(got, 1e-4, 1e-5, false);
    }
  }

  @Test
  void rowSoftmaxGemmMatchesTheReferenceOnTheCpuClass() {
    check(DeviceClass.CPU);
  }

  @Test
  void rowSoftmaxGemmMatchesTheReferenceOnTheGpuClass() {
    check(DeviceClass.GPU);
  }

  @Test
  void tribuoCnnRunsItsLogSoftmaxInsideTheLastGemmAndReproducesTestDataSet0() {
    Path dir = Requirements.sharedTestData("models/tribuo-cnn-mnist");
    OpenClTestSupport.requireDevice();
    Graph g = GraphOptimizer.load(dir.resolve("model.onnx"));
    GraphOptimizer.optimize(g);
    assertTrue(g.nodes().stream().noneMatch(n -> n.opType().equals("LogSoftmax")), g.toString());
    assertEquals(1, g.nodes().stream().filter(n -> n.opType().equals("FusedGemm")
        && n.attributes().getString("row_op", "").equals("logsoftmax")).count(), g.toString());
    OpenClTestSupport.assertOpenClSessionReproducesTestDataSet0(dir, g.inputs().get(0).name());
  }
}
