package io.offloadcl.passes.lower;

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
import io.offloadcl.ops.ShapeInference;
import io.offloadcl.passes.DefaultPipeline;
import io.offloadcl.passes.DeviceCapabilities;
import io.offloadcl.passes.PassTesting;
import org.junit.jupiter.api.Test;

class LoweringPassesTest {
  /** An accelerator with matrix units and simple vector ops but no convolution or Gemm unit. */
  static final DeviceCapabilities MATMUL_ONLY = DeviceCapabilities.only("MatMul", "Im2Col", "Reshape", "Add", "Mul",
      "Transpose", "Relu", "FusedMatMul", "FusedElementwise");

  static Graph convNet(boolean bias, long stride) {
    Graph g = graph("convnet");
    Value x = input(g, "x", 2, 3, 7, 7);
    Attributes a = new Attributes().setInts("pads", 1, 0, 2, 1).setInts("strides", stride, stride)
        .setInts("kernel_shape", 3, 2);
    Value w = weights(g, "w", 1, 4, 3, 3, 2);
    Value c = bias ? op(g, "Conv", "c", a, x, w, weights(g, "b", 2, 4)) : op(g, "Conv", "c", a, x, w);
    g.addOutput(op(g, "Relu", "y", c));
    return g;
  }

  @Test
  void convLowersToIm2ColMatMulOnAMatMulOnlyDevice() {
    PassTesting.Outcome o = optimize(() -> convNet(true, 2), MATMUL_ONLY, new LowerConvToIm2ColMatMul());
    assertKinds("Conv=1 Relu=1", "Add=1 Im2Col=1 MatMul=1 Relu=1 Reshape=1", o);
    PassTesting.Outcome nb = optimize(() -> convNet(false, 1), MATMUL_ONLY, new LowerConvToIm2ColMatMul());
    assertKinds("Conv=1 Relu=1", "Im2Col=1 MatMul=1 Relu=1 Reshape=1", nb);
  }

  @Test
  void convStaysWhereTheDeviceHasIt() {
    PassTesting.Outcome o = optimize(() -> convNet(true, 1), DeviceCapabilities.ALL, new LowerConvToIm2ColMatMul());
    assertKinds("Conv=1 Relu=1", "Conv=1 Relu=1", o);
  }

  @Test
  void gemmDecomposesWithTransposesAndScales() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("gemm");
      Value a = input(g, "a", 5, 3);
      Value c = input(g, "c", 4);
      Value y = op(g, "Gemm", "y", new Attributes().setInt("transA", 1).setInt("transB", 1).setFloat("alpha", 0.5f)
          .setFloat("beta", 2f), a, weights(g, "w", 1, 4, 5), c);
      g.addOutput(y);
      return g;
    }, MATMUL_ONLY, new DecomposeGemm());
    assertKinds("Gemm=1", "Add=1 MatMul=1 Mul=1 Transpose=1", o);
    assertEquals("y", o.after.outputs().get(0).name());
  }

  @Test
  void wholePipelineOnTheMatMulOnlyDeviceLeavesOnlyItsOps() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = convNet(true, 1);
      return g;
    }, MATMUL_ONLY, DefaultPipeline.create());
    for (Node n : o.after.nodes()) {
      assertEquals(true, MATMUL_ONLY.supports(n.opType()), n + " is not supported by the device\n" + o.after);
    }
  }

  /** The device vetoes Conv through its profile file: the bundled matmul-npu profile, not a hand-made set. */
  @Test
  void theMatmulNpuProfileGetsItsConvLowered() {
    io.offloadcl.device.DeviceProfile npu = io.offloadcl.device.DeviceProfiles.bundled("matmul-npu");
    DeviceCapabilities caps = npu::supports;
    PassTesting.Outcome o = optimize(() -> convNet(false, 1), caps, new LowerConvToIm2ColMatMul());
    assertKinds("Conv=1 Relu=1", "Im2Col=1 MatMul=1 Relu=1 Reshape=1", o);
    for (io.offloadcl.ir.Node n : o.after.nodes()) {
      org.junit.jupiter.api.Assertions.assertTrue(npu.supports(n.opType()), n + " is not supported by " + npu.id());
    }
  }

  static Graph convOf(long[] xd, long[] wd, Attributes a, boolean bias) {
    Graph g = graph("conv");
    Value x = input(g, "x", xd);
    Value w = weights(g, "w", 3, wd);
    Value c = bias ? op(g, "Conv", "c", a, x, w, weights(g, "b", 4, wd[0])) : op(g, "Conv", "c", a, x, w);
    g.addOutput(op(g, "Relu", "y", c));
    return g;
  }

  @Test
  void stridedAndNarrowConvsBecomeIm2ColAndAPointwiseConv() {
    // strided, asymmetric pads, batch 2, with bias
    PassTesting.Outcome o = optimize(() -> convNet(true, 2), DeviceCapabilities.ALL, new LowerConvToIm2ColGemm());
    assertKinds("Conv=1 Relu=1", "Conv=1 Im2Col=1 Relu=1 Reshape=1", o);
    // narrow output row, unit stride, dilation, no bias: as shifted views it would compute 113 columns (4 tiles)
    // where im2col computes 81 (3 tiles), so it stays im2col
    PassTesting.Outcome d = optimize(() -> convOf(new long[] {1, 5, 9, 9}, new long[] {6, 5, 3, 3},
        new Attributes().setInts("pads", 2, 2, 2, 2).setInts("dilations", 2, 2), false), DeviceCapabilities.ALL,
        new LowerConvToIm2ColGemm());
    assertKinds("Conv=1 Relu=1", "Conv=1 Im2Col=1 Relu=1 Reshape=1", d);
    // a strided pointwise conv too: the GEMM reads the gathered columns
    PassTesting.Outcome p = optimize(() -> convOf(new long[] {2, 4, 60, 60}, new long[] {3, 4, 1, 1},
        new Attributes().setInts("strides", 2, 2), true), DeviceCapabilities.ALL, new LowerConvToIm2ColGemm());
    assertKinds("Conv=1 Relu=1", "Conv=1 Im2Col=1 Relu=1 Reshape=1", p);
    for (Node n : p.after.nodes()) {
      if (n.opType().equals("Conv")) {
        assertEquals(1, n.input(1).constant().dim(2), "the remaining conv is pointwise: " + n);
      }
    }
  }

  @Test
  void aConvWhoseColumnMatrixWouldOutgrowIntIndicesStaysDirect() {
    // 256 channels x 3x3 taps x 1024x1024 positions = 2.4e9 column elements (> Integer.MAX_VALUE): the kernels
    // index with int, so the lowering must leave it; the same conv at a quarter of the size is lowered
    Attributes s2 = new Attributes().setInts("pads", 1, 1, 1, 1).setInts("strides", 2, 2);
    Graph big = convOf(new long[] {1, 256, 2048, 2048}, new long[] {4, 256, 3, 3}, s2, false);
    ShapeInference.run(big);
    assertEquals(false, new LowerConvToIm2ColGemm().run(big, PassTesting.context(DeviceCapabilities.ALL)));
    Graph fits = convOf(new long[] {1, 256, 1024, 1024}, new long[] {4, 256, 3, 3}, s2, false);
    ShapeInference.run(fits);
    assertEquals(true, new LowerConvToIm2ColGemm().run(fits, PassTesting.context(DeviceCapabilities.ALL)));
  }

  @Test
  void wideUnitStrideGroupedAndPointwiseConvsStayDirect() {
    Attributes same = new Attributes().setInts("pads", 1, 1, 1, 1);
    PassTesting.Outcome wide = optimize(() -> convOf(new long[] {1, 2, 5, 70}, new long[] {3, 2, 3, 3}, same, true),
        DeviceCapabilities.ALL, new LowerConvToIm2ColGemm());
    assertKinds("Conv=1 Relu=1", "Conv=1 Relu=1", wide);
    PassTesting.Outcome grouped = optimize(() -> convOf(new long[] {1, 4, 7, 7}, new long[] {4, 2, 3, 3},
        new Attributes().setInts("pads", 1, 1, 1, 1).setInt("group", 2), true), DeviceCapabilities.ALL,
        new LowerConvToIm2ColGemm());
    assertKinds("Conv=1 Relu=1", "Conv=1 Relu=1", grouped);
    PassTesting.Outcome pw = optimize(() -> convOf(new long[] {1, 4, 7, 7}, new long[] {5, 4, 1, 1},
        new Attributes(), true), DeviceCapabilities.ALL, new LowerConvToIm2ColGemm());
    assertKinds("Conv=1 Relu=1", "Conv=1 Relu=1", pw);
  }

  @Test
  void theLoweredConvStillTakesTheResidualAndActivationInThePipeline() {
    // 6 wide: padding copy (a 1x1 Im2Col) + shifted-view conv; 13 wide (7 column tiles shifted, 6 as im2col):
    // Im2Col + pointwise conv
    PassTesting.Outcome o = optimize(() -> residualNet(6), DeviceCapabilities.ALL, DefaultPipeline.create());
    assertKinds("Add=1 Conv=1 Relu=1", "FusedConv=1 Im2Col=1 Reshape=1", o);
    assertEquals(3, o.after.nodes().stream().filter(n -> n.opType().equals("FusedConv")).findFirst().orElseThrow()
        .input(1).type().shape().dims()[3], "the fused conv is the 3x3 itself, unpadded:\n" + o.after);
    PassTesting.Outcome i = optimize(() -> residualNet(13), DeviceCapabilities.ALL, DefaultPipeline.create());
    assertKinds("Add=1 Conv=1 Relu=1", "FusedConv=1 Im2Col=1 Reshape=1", i);
  }

  private static Graph residualNet(long hw) {
    Graph g = graph("res");
    Value x = input(g, "x", 1, 4, hw, hw);
    Value c = op(g, "Conv", "c", new Attributes().setInts("pads", 1, 1, 1, 1), x, weights(g, "w", 5, 4, 4, 3, 3),
        weights(g, "b", 6, 4));
    g.addOutput(op(g, "Relu", "y", op(g, "Add", "r", c, x)));
    return g;
  }

  @Test
  void paddedUnitStrideConvsBecomeAPaddingCopyAndAnUnpaddedConv() {
    // {H, W, KH, KW, dilation, pad top, left, bottom, right}: 3x3 at 56 wide, 1x3 and 3x1 with one-sided pads,
    // 5x5, dilation 2, asymmetric pads at 7 wide; outputs equal through the reference executor (optimize checks)
    long[][] cases = {{56, 56, 3, 3, 1, 1, 1, 1, 1}, {9, 30, 1, 3, 1, 0, 1, 0, 1}, {14, 14, 3, 1, 1, 1, 0, 1, 0},
        {56, 56, 5, 5, 1, 2, 2, 2, 2}, {30, 56, 3, 3, 2, 2, 2, 2, 2}, {7, 7, 3, 3, 1, 0, 1, 2, 1}};
    for (long[] c : cases) {
      Attributes a = new Attributes().setInts("pads", c[5], c[6], c[7], c[8]).setInts("dilations", c[4], c[4]);
      PassTesting.Outcome o = optimize(() -> convOf(new long[] {2, 3, c[0], c[1]}, new long[] {5, 3, c[2], c[3]}, a,
          true), DeviceCapabilities.ALL, new LowerConvToIm2ColGemm());
      assertKinds("Conv=1 Relu=1", "Conv=1 Im2Col=1 Relu=1 Reshape=1", o);
      for (Node n : o.after.nodes()) {
        if (n.opType().equals("Conv")) {
          assertEquals("[0, 0, 0, 0]", java.util.Arrays.toString(n.attributes().getInts("pads", null)), n.toString());
          assertEquals("[2, 3, " + (c[0] + c[5] + c[7]) + ", " + (c[1] + c[6] + c[8]) + "]",
              java.util.Arrays.toString(n.input(0).type().shape().dims()), n.toString());
          assertEquals(c[3], n.input(1).type().shape().dims()[3], "the conv keeps its kernel: " + n);
        }
        if (n.opType().equals("Im2Col")) {
          assertEquals("[1, 1]", java.util.Arrays.toString(n.attributes().getInts("kernel_shape", null)), n.toString());
          assertEquals(java.util.Arrays.toString(new long[] {c[5], c[6], c[7], c[8]}),
              java.util.Arrays.toString(n.attributes().getInts("pads", null)), n.toString());
        }
      }
    }
  }

  @Test
  void unpaddedSamePaddedAndWideConvsAreLeftAlone() {
    // already unpadded: codegen runs it as shifted views as it is
    PassTesting.Outcome valid = optimize(() -> convOf(new long[] {1, 3, 30, 30}, new long[] {4, 3, 3, 3},
        new Attributes(), true), DeviceCapabilities.ALL, new LowerConvToIm2ColGemm());
    assertKinds("Conv=1 Relu=1", "Conv=1 Relu=1", valid);
    // auto_pad SAME_UPPER is left as it is (direct kernel)
    PassTesting.Outcome same = optimize(() -> convOf(new long[] {1, 3, 14, 14}, new long[] {4, 3, 3, 3},
        new Attributes().setString("auto_pad", "SAME_UPPER"), true), DeviceCapabilities.ALL,
        new LowerConvToIm2ColGemm());
    assertKinds("Conv=1 Relu=1", "Conv=1 Relu=1", same);
    // 112 wide: the direct kernel (measured no better shifted)
    PassTesting.Outcome wide = optimize(() -> convOf(new long[] {1, 2, 4, 112}, new long[] {3, 2, 3, 3},
        new Attributes().setInts("pads", 1, 1, 1, 1), true), DeviceCapabilities.ALL, new LowerConvToIm2ColGemm());
    assertKinds("Conv=1 Relu=1", "Conv=1 Relu=1", wide);
    // and the rule from before shifted views, on request
    PassTesting.Outcome old = optimize(() -> convOf(new long[] {1, 3, 14, 14}, new long[] {4, 3, 3, 3},
        new Attributes().setInts("pads", 1, 1, 1, 1), true), DeviceCapabilities.ALL, new LowerConvToIm2ColGemm(false));
    assertKinds("Conv=1 Relu=1", "Conv=1 Im2Col=1 Relu=1 Reshape=1", old);
  }

  @Test
  void shiftedViewsWhereTheirJunkColumnsCostAtMostATenthInTiles() {
    // {OH = OW, KW}: resnet50's and squeezenet's 3x3 rows; 13 computes 193 columns (7 tiles) for 169 (6)
    assertEquals(true, LowerConvToIm2ColGemm.shifts(3, 3, 1, 1, 56, 56, 2));
    assertEquals(true, LowerConvToIm2ColGemm.shifts(3, 3, 1, 1, 55, 55, 2));
    assertEquals(true, LowerConvToIm2ColGemm.shifts(3, 3, 1, 1, 28, 28, 2));
    assertEquals(true, LowerConvToIm2ColGemm.shifts(3, 3, 1, 1, 27, 27, 2));
    assertEquals(true, LowerConvToIm2ColGemm.shifts(3, 3, 1, 1, 14, 14, 2));
    assertEquals(false, LowerConvToIm2ColGemm.shifts(3, 3, 1, 1, 13, 13, 2));
    assertEquals(true, LowerConvToIm2ColGemm.shifts(3, 3, 1, 1, 7, 7, 2));
    assertEquals(false, LowerConvToIm2ColGemm.shifts(3, 3, 1, 1, 112, 112, 2));
    assertEquals(false, LowerConvToIm2ColGemm.shifts(3, 3, 2, 2, 28, 28, 2));
    assertEquals(false, LowerConvToIm2ColGemm.shifts(1, 1, 1, 1, 28, 28, 0));
  }
}
