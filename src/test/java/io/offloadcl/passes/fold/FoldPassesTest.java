package io.offloadcl.passes.fold;

import static io.offloadcl.passes.PassTesting.assertKinds;
import static io.offloadcl.passes.PassTesting.graph;
import static io.offloadcl.passes.PassTesting.input;
import static io.offloadcl.passes.PassTesting.longs;
import static io.offloadcl.passes.PassTesting.op;
import static io.offloadcl.passes.PassTesting.optimize;
import static io.offloadcl.passes.PassTesting.positive;
import static io.offloadcl.passes.PassTesting.scalar;
import static io.offloadcl.passes.PassTesting.weights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.passes.DeviceCapabilities;
import io.offloadcl.passes.PassContext;
import io.offloadcl.passes.PassTesting;
import io.offloadcl.passes.cleanup.EliminateDeadNodes;
import org.junit.jupiter.api.Test;

class FoldPassesTest {
  /** The exporter idiom: reshape x to [batch, -1] through Shape → Gather → Unsqueeze → Concat → Reshape. */
  @Test
  void shapeGatherConcatReshapeChainFolds() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("shape-chain");
      Value x = input(g, "x", 2, 3, 4);
      Value s = op(g, "Shape", "s", x);
      Value n = op(g, "Gather", "n", new Attributes().setInt("axis", 0), s,
          g.addConstant("zero", TensorData.scalarLong(0)));
      Value nu = op(g, "Unsqueeze", "nu", n, longs(g, "ax0", 0));
      Value shape = op(g, "Concat", "shape", new Attributes().setInt("axis", 0), nu, longs(g, "minus1", -1));
      Value r = op(g, "Reshape", "r", x, shape);
      g.addOutput(op(g, "Relu", "y", r));
      return g;
    }, DeviceCapabilities.ALL, new FoldConstants(), new EliminateDeadNodes());
    assertKinds("Concat=1 Gather=1 Relu=1 Reshape=1 Shape=1 Unsqueeze=1", "Relu=1 Reshape=1", o);
    assertTrue(o.only("Reshape").input(1).isConstant(), "Reshape's target shape is now a constant");
  }

  @Test
  void shapeFoldsWithoutAnEvaluator() {
    Graph g = graph("no-eval");
    Value x = input(g, "x", 5, 7);
    g.addOutput(op(g, "Shape", "s", x));
    io.offloadcl.ops.ShapeInference.run(g);
    boolean changed = new FoldConstants().run(g, io.offloadcl.passes.PassContext.defaults());
    assertTrue(changed);
    assertTrue(g.outputs().get(0).isConstant() && g.outputs().get(0).name().equals("s"));
    org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {5, 7}, g.outputs().get(0).constant().longs());
  }

  @Test
  void constantArithmeticFoldsAndGraphOutputKeepsName() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("const");
      Value x = input(g, "x", 4);
      Value w = weights(g, "w", 1, 4);
      Value w2 = op(g, "Mul", "w2", w, scalar(g, "two", 2f));
      Value w3 = op(g, "Exp", "w3", w2);
      g.addOutput(op(g, "Add", "y", x, w3));
      g.addOutput(w3);
      return g;
    }, DeviceCapabilities.ALL, new FoldConstants(), new EliminateDeadNodes());
    assertKinds("Add=1 Exp=1 Mul=1", "Add=1", o);
    assertTrue(o.after.value("w3").isConstant(), "the folded graph output is a constant named w3");
  }

  static Value conv(Graph g, Value x, long cin, long cout, boolean bias, String name) {
    Value w = weights(g, name + "_w", 7, cout, cin, 3, 3);
    Attributes a = new Attributes().setInts("pads", 1, 1, 1, 1).setInts("kernel_shape", 3, 3);
    return bias ? op(g, "Conv", name, a, x, w, weights(g, name + "_b", 8, cout)) : op(g, "Conv", name, a, x, w);
  }

  static Value batchNorm(Graph g, Value y, long c, String name) {
    return op(g, "BatchNormalization", name, new Attributes().setFloat("epsilon", 1e-3f), y,
        positive(g, name + "_scale", 11, c), weights(g, name + "_bias", 12, c), weights(g, name + "_mean", 13, c),
        positive(g, name + "_var", 14, c));
  }

  @Test
  void batchNormFoldsIntoConvWithAndWithoutBias() {
    for (boolean bias : new boolean[] {true, false}) {
      PassTesting.Outcome o = optimize(() -> {
        Graph g = graph("conv-bn");
        Value x = input(g, "x", 1, 3, 6, 6);
        g.addOutput(op(g, "Relu", "y", batchNorm(g, conv(g, x, 3, 4, bias, "conv"), 4, "bn")));
        return g;
      }, DeviceCapabilities.ALL, new FoldBatchNormIntoConv(), new EliminateDeadNodes());
      assertKinds("BatchNormalization=1 Conv=1 Relu=1", "Conv=1 Relu=1", o);
    }
  }

  @Test
  void batchNormThatIsAGraphOutputOfConvStaysWhenConvIsAlsoAnOutput() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("conv-bn-out");
      Value x = input(g, "x", 1, 2, 4, 4);
      Value c = conv(g, x, 2, 2, true, "conv");
      g.addOutput(batchNorm(g, c, 2, "bn"));
      g.addOutput(c);
      return g;
    }, DeviceCapabilities.ALL, new FoldBatchNormIntoConv());
    assertKinds("BatchNormalization=1 Conv=1", "BatchNormalization=1 Conv=1", o);
  }

  @Test
  void batchNormFoldsIntoGemmAndMatMul() {
    PassTesting.Outcome gemm = optimize(() -> {
      Graph g = graph("gemm-bn");
      Value x = input(g, "x", 3, 5);
      Value y = op(g, "Gemm", "gemm", new Attributes().setInt("transB", 1).setFloat("alpha", 0.5f)
          .setFloat("beta", 2f), x, weights(g, "w", 3, 4, 5), weights(g, "c", 4, 4));
      g.addOutput(batchNorm(g, y, 4, "bn"));
      return g;
    }, DeviceCapabilities.ALL, new FoldBatchNormIntoConv(), new EliminateDeadNodes());
    assertKinds("BatchNormalization=1 Gemm=1", "Gemm=1", gemm);
    PassTesting.Outcome mm = optimize(() -> {
      Graph g = graph("matmul-bn");
      Value x = input(g, "x", 3, 5);
      Value y = op(g, "MatMul", "mm", x, weights(g, "w", 3, 5, 4));
      g.addOutput(batchNorm(g, y, 4, "bn"));
      return g;
    }, DeviceCapabilities.ALL, new FoldBatchNormIntoConv(), new EliminateDeadNodes());
    assertKinds("BatchNormalization=1 MatMul=1", "Add=1 MatMul=1", mm);
  }

  @Test
  void perChannelScaleAndShiftFoldIntoConv() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("conv-scale");
      Value x = input(g, "x", 1, 3, 5, 5);
      Value c = conv(g, x, 3, 4, false, "conv");
      Value m = op(g, "Mul", "m", weights(g, "s", 21, 4, 1, 1), c);
      Value a = op(g, "Add", "a", m, weights(g, "t", 22, 1, 4, 1, 1));
      Value d = op(g, "Div", "d", a, scalar(g, "three", 3f));
      g.addOutput(op(g, "Sub", "y", d, weights(g, "u", 23, 4, 1, 1)));
      return g;
    }, DeviceCapabilities.ALL, new FoldScaleIntoConv(), new EliminateDeadNodes());
    assertKinds("Add=1 Conv=1 Div=1 Mul=1 Sub=1", "Conv=1", o);
  }

  @Test
  void spatiallyVaryingScaleDoesNotFold() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("conv-scale-spatial");
      Value x = input(g, "x", 1, 2, 3, 3);
      Value c = conv(g, x, 2, 2, true, "conv");
      g.addOutput(op(g, "Mul", "y", c, weights(g, "s", 21, 1, 3, 3)));
      return g;
    }, DeviceCapabilities.ALL, new FoldScaleIntoConv());
    assertKinds("Conv=1 Mul=1", "Conv=1 Mul=1", o);
  }

  /** Conv weights generated by ConstantOfShape (how the onnx-light models carry theirs). */
  private static Value splatWeights(Graph g, String name, float value, long... dims) {
    return op(g, "ConstantOfShape", name, new Attributes().set("value", TensorData.ofFloats(new long[] {1}, value)),
        longs(g, name + "_shape", dims));
  }

  private static Value convWith(Graph g, Value x, Value w, String name) {
    Attributes a = new Attributes().setInts("pads", 1, 1, 1, 1).setInts("kernel_shape", 3, 3);
    return op(g, "Conv", name, a, x, w);
  }

  @Test
  void batchNormScalesFoldedConstantOfShapeWeightsAsRowFillsWithoutMakingAnArray() {
    PassTesting.Outcome single = optimize(() -> {
      Graph g = graph("cos-conv-bn");
      Value x = input(g, "x", 1, 3, 5, 5);
      g.addOutput(batchNorm(g, convWith(g, x, splatWeights(g, "w", 0.25f, 4, 3, 3, 3), "conv"), 4, "bn"));
      return g;
    }, DeviceCapabilities.ALL, new FoldConstants(), new FoldBatchNormIntoConv(), new EliminateDeadNodes());
    assertKinds("BatchNormalization=1 ConstantOfShape=1 Conv=1", "Conv=1", single);
    // the folded weights are a fill of one value per output channel: no array was made for them
    Graph own = graph("cos-conv-bn-fill");
    Value in = input(own, "x", 1, 3, 5, 5);
    own.addOutput(batchNorm(own, convWith(own, in, splatWeights(own, "w", 0.25f, 4, 3, 3, 3), "conv"), 4, "bn"));
    io.offloadcl.ops.ShapeInference.run(own);
    PassContext ctx = PassTesting.context(DeviceCapabilities.ALL);
    new FoldConstants().run(own, ctx);
    Node conv = own.nodes().stream().filter(n -> n.opType().equals("Conv")).findFirst().orElseThrow();
    assertArrayEquals(new float[] {0.25f}, conv.input(1).constant().rowValues());
    new FoldBatchNormIntoConv().run(own, ctx);
    assertTrue(own.nodes().stream().noneMatch(n -> n.opType().equals("BatchNormalization")), "BN not folded");
    Node fused = own.nodes().stream().filter(n -> n.opType().equals("Conv")).findFirst().orElseThrow();
    float[] rows = fused.input(1).constant().rowValues();
    assertNotNull(rows, "BN folding turned a fill into an array");
    assertEquals(4, rows.length);
    for (int i = 0; i < 4 * 27; i++) {
      assertEquals(rows[i / 27], (float) fused.input(1).constant().getDouble(i), 0f);
    }
    // two convs on one weight, each with its own BN, and a folded Reshape sharing the array: every reader must
    // still see the unscaled weights (the outcome check compares numbers with the unoptimized graph)
    PassTesting.Outcome shared = optimize(() -> {
      Graph g = graph("cos-shared");
      Value x = input(g, "x", 1, 3, 5, 5);
      Value w = splatWeights(g, "w", 0.5f, 4, 3, 3, 3);
      g.addOutput(batchNorm(g, convWith(g, x, w, "c1"), 4, "bn1"));
      g.addOutput(batchNorm(g, convWith(g, x, w, "c2"), 4, "bn2"));
      Value v = splatWeights(g, "v", -0.75f, 4, 27);
      Value vr = op(g, "Reshape", "vr", v, longs(g, "vr_shape", 4, 3, 3, 3));
      g.addOutput(batchNorm(g, convWith(g, x, vr, "c3"), 4, "bn3"));
      g.addOutput(op(g, "MatMul", "mv", input(g, "lhs", 2, 4), v));
      return g;
    }, DeviceCapabilities.ALL, new FoldConstants(), new FoldBatchNormIntoConv(), new EliminateDeadNodes());
    assertKinds("BatchNormalization=3 ConstantOfShape=2 Conv=3 MatMul=1 Reshape=1", "Conv=3 MatMul=1", shared);
  }

  @Test
  void scalingRowsKeepsAFillWhoseRowsAreTheChannelsAndCopiesAnyOther() {
    double[] s = {2, -1, 0.5, 4};
    TensorData perChannel = ChannelMath.scaleRows(TensorData.filledRows(new long[] {4, 2, 3, 3},
        new float[] {1, 2, 3, 4}), s);
    assertArrayEquals(new float[] {2, -2, 1.5f, 16}, perChannel.rowValues());
    // two fill rows over four channels: no fill of channel rows describes the result, so it is an array
    TensorData halves = ChannelMath.scaleRows(TensorData.filledRows(new long[] {4, 2, 3, 3}, new float[] {1, 3}), s);
    assertEquals(null, halves.rowValues());
    for (int i = 0; i < 72; i++) {
      assertEquals((i < 36 ? 1 : 3) * s[i / 18], halves.getDouble(i), 0, "element " + i);
    }
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> ChannelMath.scaleRows(TensorData.filled(new long[] {5, 3}, 1f), s));
  }

  @Test
  void batchNormOnACopyOfAFoldedGraphLeavesTheOriginalsWeightsAlone() {
    // BN folding makes new weights today (fills are scaled into new fills); this guards against a return of
    // rescaling in place, which once shared arrays with graph copies
    Graph g = graph("cos-copy");
    Value x = input(g, "x", 1, 3, 5, 5);
    g.addOutput(batchNorm(g, convWith(g, x, splatWeights(g, "w", 0.25f, 4, 3, 3, 3), "conv"), 4, "bn"));
    io.offloadcl.ops.ShapeInference.run(g);
    new io.offloadcl.passes.PassManager(new io.offloadcl.passes.Pipeline().add(new FoldConstants(), "under test"))
        .run(g, PassTesting.context(DeviceCapabilities.ALL));
    Graph copy = g.copy(); // shares the folded weights' array with g
    new io.offloadcl.passes.PassManager(new io.offloadcl.passes.Pipeline().add(new FoldBatchNormIntoConv(), "under test"))
        .run(copy, PassTesting.context(DeviceCapabilities.ALL));
    assertTrue(copy.nodes().stream().noneMatch(n -> n.opType().equals("BatchNormalization")), "the copy's BN folded");
    float[] w = g.node("conv_node").input(1).constant().floats();
    for (int i = 0; i < w.length; i++) {
      assertTrue(w[i] == 0.25f, "original weight " + i + " changed to " + w[i]);
    }
  }
}
