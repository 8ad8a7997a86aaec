package io.offloadcl.passes.fusion;

import static io.offloadcl.passes.PassTesting.assertKinds;
import static io.offloadcl.passes.PassTesting.graph;
import static io.offloadcl.passes.PassTesting.input;
import static io.offloadcl.passes.PassTesting.op;
import static io.offloadcl.passes.PassTesting.optimize;
import static io.offloadcl.passes.PassTesting.weights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Value;
import io.offloadcl.passes.DefaultPipeline;
import io.offloadcl.passes.DeviceCapabilities;
import io.offloadcl.passes.PassTesting;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class FuseMaxPoolIntoConvTest {
  private static Value conv(Graph g, Value x, long cin, long cout, long k, String name) {
    return op(g, "Conv", name, new Attributes().setInts("kernel_shape", k, k), x,
        weights(g, name + "_w", 7, cout, cin, k, k), weights(g, name + "_b", 8, cout));
  }

  private static Attributes pool(long k, long s) {
    return new Attributes().setInts("kernel_shape", k, k).setInts("strides", s, s);
  }

  /** Conv -> Relu -> MaxPool(attrs) -> output, optimized by the activation fuser and this pass. */
  private static PassTesting.Outcome convReluPool(Attributes poolAttrs, long h) {
    return optimize(() -> {
      Graph g = graph("conv-relu-pool");
      Value x = input(g, "x", 2, 3, h, h);
      Value r = op(g, "Relu", "r", conv(g, x, 3, 4, 3, "conv"));
      g.addOutput(op(g, "MaxPool", "y", poolAttrs, r));
      return g;
    }, DeviceCapabilities.ALL, new FuseActivation(), new FuseMaxPoolIntoConv());
  }

  private static Node only(Graph g, String type) {
    return g.nodes().stream().filter(n -> n.opType().equals(type)).findFirst().orElseThrow();
  }

  @Test
  void nonOverlappingPoolAfterConvAndReluBecomesOnePooledFusedConv() {
    PassTesting.Outcome o = convReluPool(pool(2, 2), 10);
    assertKinds("Conv=1 MaxPool=1 Relu=1", "FusedConv=1", o);
    Node f = only(o.after, "FusedConv");
    assertArrayEquals(new long[] {2, 2}, f.attributes().getInts("pool_kernel", null));
    assertEquals("Relu", f.attributes().getString("activation", ""));
    assertArrayEquals(new long[] {2, 4, 4, 4}, f.output(0).type().shape().dims());
    assertEquals("y", o.after.outputs().get(0).name());
  }

  @Test
  void plainConvWithoutActivationAndOddConvOutputFuses() {
    // 9x9 input, 3x3 conv -> 7x7, floor-pooled to 3x3: the last conv row and column are dropped
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("conv-pool");
      Value x = input(g, "x", 1, 2, 9, 9);
      g.addOutput(op(g, "MaxPool", "y", pool(2, 2), conv(g, x, 2, 3, 3, "conv")));
      return g;
    }, DeviceCapabilities.ALL, new FuseMaxPoolIntoConv());
    assertKinds("Conv=1 MaxPool=1", "FusedConv=1", o);
    assertArrayEquals(new long[] {1, 3, 3, 3}, only(o.after, "FusedConv").output(0).type().shape().dims());
  }

  @Test
  void overlappingPaddedDilatedOrCeilPoolsStay() {
    assertKinds("Conv=1 MaxPool=1 Relu=1", "FusedConv=1 MaxPool=1", convReluPool(pool(3, 2), 11));
    assertKinds("Conv=1 MaxPool=1 Relu=1", "FusedConv=1 MaxPool=1",
        convReluPool(pool(2, 2).setInts("pads", 1, 1, 1, 1), 10));
    assertKinds("Conv=1 MaxPool=1 Relu=1", "FusedConv=1 MaxPool=1",
        convReluPool(new Attributes().setInts("kernel_shape", 2, 2), 10));
    assertKinds("Conv=1 MaxPool=1 Relu=1", "FusedConv=1 MaxPool=1",
        convReluPool(pool(2, 2).setInts("dilations", 2, 2), 10));
    // ceil rounding adds a partial window on a 7-wide conv output, and none on an 8-wide one
    assertKinds("Conv=1 MaxPool=1 Relu=1", "FusedConv=1 MaxPool=1", convReluPool(pool(2, 2).setInt("ceil_mode", 1), 9));
    assertKinds("Conv=1 MaxPool=1 Relu=1", "FusedConv=1", convReluPool(pool(2, 2).setInt("ceil_mode", 1), 10));
  }

  @Test
  void convOutputWithASecondReaderOrAsGraphOutputStays() {
    Function<Boolean, PassTesting.Outcome> twoReaders = asOutput -> optimize(() -> {
      Graph g = graph("conv-two-readers");
      Value x = input(g, "x", 1, 2, 8, 8);
      Value c = op(g, "Relu", "r", conv(g, x, 2, 3, 3, "conv"));
      g.addOutput(op(g, "MaxPool", "y", pool(2, 2), c));
      if (asOutput) {
        g.addOutput(c);
      } else {
        g.addOutput(op(g, "Sigmoid", "s", c));
      }
      return g;
    }, DeviceCapabilities.ALL, new FuseActivation(), new FuseMaxPoolIntoConv());
    assertKinds("Conv=1 MaxPool=1 Relu=1 Sigmoid=1", "FusedConv=1 MaxPool=1 Sigmoid=1", twoReaders.apply(false));
    assertKinds("Conv=1 MaxPool=1 Relu=1", "FusedConv=1 MaxPool=1", twoReaders.apply(true));
    // one pool reading the conv twice over one value is fine; two pools over it are two readers
    PassTesting.Outcome twoPools = optimize(() -> {
      Graph g = graph("conv-two-pools");
      Value x = input(g, "x", 1, 2, 8, 8);
      Value c = conv(g, x, 2, 3, 3, "conv");
      g.addOutput(op(g, "MaxPool", "y1", pool(2, 2), c));
      g.addOutput(op(g, "MaxPool", "y2", pool(3, 3), c));
      return g;
    }, DeviceCapabilities.ALL, new FuseMaxPoolIntoConv());
    assertKinds("Conv=1 MaxPool=2", "Conv=1 MaxPool=2", twoPools);
  }

  @Test
  void residualConvsGroupedConvsUsedIndicesAndBigConvsStay() {
    PassTesting.Outcome residual = optimize(() -> {
      Graph g = graph("conv-add-pool");
      Value x = input(g, "x", 1, 3, 8, 8);
      Value a = op(g, "Add", "a", conv(g, x, 3, 3, 3, "conv"), input(g, "z", 1, 3, 6, 6));
      g.addOutput(op(g, "MaxPool", "y", pool(2, 2), a));
      return g;
    }, DeviceCapabilities.ALL, new FuseResidualAdd(), new FuseMaxPoolIntoConv());
    assertKinds("Add=1 Conv=1 MaxPool=1", "FusedConv=1 MaxPool=1", residual);
    PassTesting.Outcome grouped = optimize(() -> {
      Graph g = graph("grouped");
      Value x = input(g, "x", 1, 4, 8, 8);
      Value c = op(g, "Conv", "conv", new Attributes().setInts("kernel_shape", 3, 3).setInt("group", 2), x,
          weights(g, "w", 7, 4, 2, 3, 3));
      g.addOutput(op(g, "MaxPool", "y", pool(2, 2), c));
      return g;
    }, DeviceCapabilities.ALL, new FuseMaxPoolIntoConv());
    assertKinds("Conv=1 MaxPool=1", "Conv=1 MaxPool=1", grouped);
    // over MAX_MACS: 16 -> 16 channels, 3x3, 128x128 output (37.7 M multiply-adds)
    PassTesting.Outcome big = optimize(() -> {
      Graph g = graph("big");
      Value x = input(g, "x", 1, 16, 130, 130);
      g.addOutput(op(g, "MaxPool", "y", pool(2, 2), conv(g, x, 16, 16, 3, "conv")));
      return g;
    }, DeviceCapabilities.ALL, new FuseMaxPoolIntoConv());
    assertKinds("Conv=1 MaxPool=1", "Conv=1 MaxPool=1", big);
  }

  @Test
  void paddedStridedAndPointwiseConvsAndThreeWidePoolsStay() {
    Function<Attributes, PassTesting.Outcome> withConv = convAttrs -> optimize(() -> {
      Graph g = graph("conv-variants");
      Value x = input(g, "x", 1, 2, 13, 13);
      long k = convAttrs.getInts("kernel_shape", null)[0];
      Value c = op(g, "Conv", "conv", convAttrs, x, weights(g, "w", 7, 4, 2, k, k));
      g.addOutput(op(g, "MaxPool", "y", pool(2, 2), c));
      return g;
    }, DeviceCapabilities.ALL, new FuseMaxPoolIntoConv());
    assertKinds("Conv=1 MaxPool=1", "FusedConv=1",
        withConv.apply(new Attributes().setInts("kernel_shape", 3, 3)));
    assertKinds("Conv=1 MaxPool=1", "Conv=1 MaxPool=1",
        withConv.apply(new Attributes().setInts("kernel_shape", 3, 3).setInts("pads", 1, 1, 1, 1)));
    assertKinds("Conv=1 MaxPool=1", "Conv=1 MaxPool=1",
        withConv.apply(new Attributes().setInts("kernel_shape", 3, 3).setString("auto_pad", "SAME_UPPER")));
    assertKinds("Conv=1 MaxPool=1", "Conv=1 MaxPool=1",
        withConv.apply(new Attributes().setInts("kernel_shape", 3, 3).setInts("strides", 2, 2)));
    assertKinds("Conv=1 MaxPool=1", "Conv=1 MaxPool=1", withConv.apply(new Attributes().setInts("kernel_shape", 1, 1)));
    assertKinds("Conv=1 MaxPool=1 Relu=1", "FusedConv=1 MaxPool=1", convReluPool(pool(3, 3), 11));
  }

  @Test
  void noEpilogueJoinsAPooledConvAfterwards() {
    // Conv -> MaxPool -> Sigmoid: fused after the pool, a Sigmoid would run before the max, so it stays
    // (exact either way here, as Sigmoid is monotone, but not for a residual or Abs)
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("conv-pool-abs");
      Value x = input(g, "x", 1, 2, 8, 8);
      Value p = op(g, "MaxPool", "p", pool(2, 2), conv(g, x, 2, 3, 3, "conv"));
      g.addOutput(op(g, "Abs", "y", p));
      return g;
    }, DeviceCapabilities.ALL, new FuseMaxPoolIntoConv(), new FuseActivation(), new FuseElementwiseChains());
    assertTrue(o.after.nodes().stream().anyMatch(n -> n.opType().equals("Abs")
        || n.opType().equals("FusedElementwise")), "the Abs stays a node of its own");
    assertKinds("Abs=1 Conv=1 MaxPool=1", "Abs=1 FusedConv=1", o);
  }

  @Test
  void defaultPipelineFusesThePoolAfterTheActivation() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("conv-pool-relu");
      // batch dynamic, as in tribuo's CNN: the im2col lowering (static shapes only) leaves the conv as it is
      Value x = input(g, "x", -1, 1, 28, 28);
      Value p = op(g, "MaxPool", "p", pool(2, 2), conv(g, x, 1, 10, 5, "conv"));
      g.addOutput(op(g, "Relu", "y", p));
      return g;
    }, DeviceCapabilities.ALL, DefaultPipeline.create());
    assertKinds("Conv=1 MaxPool=1 Relu=1", "FusedConv=1", o);
    Node f = only(o.after, "FusedConv");
    assertEquals("Relu", f.attributes().getString("activation", ""));
    assertArrayEquals(new long[] {2, 2}, f.attributes().getInts("pool_kernel", null));
  }
}
