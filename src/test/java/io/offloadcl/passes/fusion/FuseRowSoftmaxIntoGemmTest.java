package io.offloadcl.passes.fusion;

import static io.offloadcl.passes.PassTesting.assertKinds;
import static io.offloadcl.passes.PassTesting.graph;
import static io.offloadcl.passes.PassTesting.input;
import static io.offloadcl.passes.PassTesting.op;
import static io.offloadcl.passes.PassTesting.optimize;
import static io.offloadcl.passes.PassTesting.weights;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Value;
import io.offloadcl.passes.DefaultPipeline;
import io.offloadcl.passes.DeviceCapabilities;
import io.offloadcl.passes.PassTesting;
import org.junit.jupiter.api.Test;

class FuseRowSoftmaxIntoGemmTest {
  /** x[m, k] -> Gemm(transB 1, bias) -> Relu -> op(axis attrs) -> output, under {@code opset}. */
  private static PassTesting.Outcome head(String opType, Attributes smAttrs, int opset, long m, long k, long n) {
    return optimize(() -> {
      Graph g = graph("gemm-" + opType);
      g.opsetImports().put("", opset);
      Value x = input(g, "x", m, k);
      Value y = op(g, "Gemm", "g", new Attributes().setInt("transB", 1), x, weights(g, "w", 3, n, k),
          weights(g, "b", 4, n));
      g.addOutput(op(g, opType, "y", smAttrs, op(g, "Relu", "r", y)));
      return g;
    }, DeviceCapabilities.ALL, new FuseMatMulAdd(), new FuseActivation(), new FuseRowSoftmaxIntoGemm());
  }

  private static Node only(Graph g, String type) {
    return g.nodes().stream().filter(n -> n.opType().equals(type)).findFirst().orElseThrow();
  }

  @Test
  void softmaxAndLogSoftmaxAfterAFusedGemmBecomeItsRowOp() {
    PassTesting.Outcome log = head("LogSoftmax", new Attributes().setInt("axis", 1), 17, 3, 50, 10);
    assertKinds("Gemm=1 LogSoftmax=1 Relu=1", "FusedGemm=1", log);
    Node f = only(log.after, "FusedGemm");
    assertEquals("logsoftmax", f.attributes().getString("row_op", ""));
    assertEquals("Relu", f.attributes().getString("activation", ""));
    assertEquals("y", log.after.outputs().get(0).name());
    PassTesting.Outcome soft = head("Softmax", new Attributes(), 17, 1, 13, 256);
    assertKinds("Gemm=1 Relu=1 Softmax=1", "FusedGemm=1", soft);
    assertEquals("softmax", only(soft.after, "FusedGemm").attributes().getString("row_op", ""));
    // before opset 13 axis 1 (its default) of a 2-D input flattens nothing: the same per-row op
    assertKinds("Gemm=1 Relu=1 Softmax=1", "FusedGemm=1", head("Softmax", new Attributes(), 11, 2, 8, 1));
    assertKinds("Gemm=1 LogSoftmax=1 Relu=1", "FusedGemm=1",
        head("LogSoftmax", new Attributes().setInt("axis", -1), 11, 2, 8, 5));
  }

  @Test
  void otherAxesAndLongRowsStay() {
    // axis 0 normalizes columns (opset 13+) or the whole matrix (before 13)
    assertKinds("Gemm=1 Relu=1 Softmax=1", "FusedGemm=1 Softmax=1",
        head("Softmax", new Attributes().setInt("axis", 0), 17, 3, 8, 10));
    assertKinds("Gemm=1 LogSoftmax=1 Relu=1", "FusedGemm=1 LogSoftmax=1",
        head("LogSoftmax", new Attributes().setInt("axis", 0), 11, 3, 8, 10));
    assertKinds("Gemm=1 LogSoftmax=1 Relu=1", "FusedGemm=1 LogSoftmax=1",
        head("LogSoftmax", new Attributes().setInt("axis", -2), 17, 3, 8, 10));
    assertKinds("Gemm=1 Relu=1 Softmax=1", "FusedGemm=1 Softmax=1",
        head("Softmax", new Attributes(), 17, 2, 8, FuseRowSoftmaxIntoGemm.MAX_ROW + 1));
    // a large product keeps gemm_cpu's register tiles: 512 x 256 x 64 multiply-adds, above MAX_MACS
    assertKinds("Gemm=1 Relu=1 Softmax=1", "FusedGemm=1 Softmax=1", head("Softmax", new Attributes(), 17, 512, 256, 64));
  }

  @Test
  void gemmOutputWithASecondReaderOrAsGraphOutputStays() {
    for (boolean asOutput : new boolean[] {false, true}) {
      PassTesting.Outcome o = optimize(() -> {
        Graph g = graph("gemm-two-readers");
        Value y = op(g, "Gemm", "g", new Attributes().setInt("transB", 1), input(g, "x", 2, 16),
            weights(g, "w", 3, 10, 16));
        g.addOutput(op(g, "Softmax", "s", y));
        g.addOutput(asOutput ? y : op(g, "Sigmoid", "t", y));
        return g;
      }, DeviceCapabilities.ALL, new FuseRowSoftmaxIntoGemm());
      assertKinds(asOutput ? "Gemm=1 Softmax=1" : "Gemm=1 Sigmoid=1 Softmax=1",
          asOutput ? "Gemm=1 Softmax=1" : "Gemm=1 Sigmoid=1 Softmax=1", o);
    }
  }

  @Test
  void aRankThreeSoftmaxAfterAMatMulStays() {
    // before opset 13, axis 1 of a 3-D input normalizes over both trailing axes: not a per-row op, and not a Gemm
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("matmul-softmax");
      g.opsetImports().put("", 11);
      Value y = op(g, "MatMul", "mm", input(g, "x", 2, 3, 8), weights(g, "w", 3, 8, 4));
      g.addOutput(op(g, "Softmax", "s", y));
      return g;
    }, DeviceCapabilities.ALL, new FuseRowSoftmaxIntoGemm());
    assertKinds("MatMul=1 Softmax=1", "MatMul=1 Softmax=1", o);
  }

  @Test
  void noEpilogueJoinsTheGemmAfterItsRowOp() {
    // Gemm -> Softmax -> Relu: the Relu must run after the softmax, so it stays out of the gemm's epilogue
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("gemm-softmax-relu");
      Value y = op(g, "Gemm", "g", new Attributes().setInt("transB", 1), input(g, "x", 2, 16),
          weights(g, "w", 3, 10, 16));
      Value s = op(g, "Softmax", "s", y);
      g.addOutput(op(g, "Add", "y", op(g, "Sigmoid", "r", s), input(g, "z", 2, 10)));
      return g;
    }, DeviceCapabilities.ALL, new FuseRowSoftmaxIntoGemm(), new FuseResidualAdd(), new FuseActivation(),
        new FuseElementwiseChains());
    Node f = only(o.after, "FusedGemm");
    assertEquals("softmax", f.attributes().getString("row_op", ""));
    assertEquals("", f.attributes().getString("activation", ""));
    assertEquals(0, f.attributes().getInt("residual", 0));
  }

  @Test
  void defaultPipelineFusesTheClassifierHead() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("classifier");
      Value x = input(g, "x", -1, 50);
      Value y = op(g, "Gemm", "g", new Attributes().setInt("transB", 1), x, weights(g, "w", 3, 10, 50),
          weights(g, "b", 4, 10));
      g.addOutput(op(g, "LogSoftmax", "y", new Attributes().setInt("axis", 1), op(g, "Relu", "r", y)));
      return g;
    }, DeviceCapabilities.ALL, DefaultPipeline.create());
    assertKinds("Gemm=1 LogSoftmax=1 Relu=1", "FusedGemm=1", o);
    assertEquals("logsoftmax", only(o.after, "FusedGemm").attributes().getString("row_op", ""));
  }
}
