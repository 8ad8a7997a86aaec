package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.codegen.DeviceClass;
import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.passes.DefaultPipeline;
import io.offloadcl.passes.PassContext;
import io.offloadcl.passes.lower.LowerConvToIm2ColGemm;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The CPU GEMM's shifted edge tiles and the Im2Col + pointwise-conv lowering, on OpenCL against plain-loop
 * references: products whose M and N are not multiples of the 6 x 16 register tile (shifted tiles), smaller than
 * a tile (scalar path), batched and broadcast; convolutions with strides, asymmetric pads, dilation, batch 2,
 * 7x7 stems and strided pointwise convs, lowered by the pass first; a lowered conv carrying a residual and a
 * ReLU through the whole pipeline; and depthwise convs (the CPU's conv_dw_cpu, the GPU's conv_direct) with
 * strides 1 and 2, dilation, asymmetric pads and widths that are and are not multiples of 8; and the CPU's
 * direct conv_cpu (COB channels x 16 columns, the last tile shifted back) unlowered: widths that are and are not
 * multiples of the tile or narrower than it, asymmetric pads, dilation, stride 2, groups whose channel count is a
 * multiple of 4 but not 8, batch 2, and a FusedConv carrying bias, residual and ReLU. Products over GemmGen's
 * rows-first size run with row tiles first, in work-groups split evenly with surplus items. The CPU's
 * shifted-view conv (conv_shift_cpu, unit-stride unpadded convs, padded ones behind a padding copy): column counts
 * at and off the tile, 1x3, 3x1, 5x5, dilation, batch 2, the scalar path, and bias + residual + ReLU through the
 * whole pipeline.
 */
@Tag("opencl")
class ConvGemmKernelsTest extends ClFixture {
  private static void runAndCheck(OpGraph g, DeviceClass dc) {
    try (OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, cache, new OpenClExecutor.Options(true, dc, null))) {
      assertTrue(ex.fallbacks().isEmpty(), ex.fallbacks().toString());
      g.check(ex.run(g.feeds), 1e-4, 1e-4, false);
    }
  }

  @Test
  void matMulTilesAtEveryEdgeOnBothDeviceClasses() {
    long[][][] cases = {{{6, 5}, {5, 16}, {6, 16}}, {{7, 5}, {5, 17}, {7, 17}}, {{13, 300}, {300, 49}, {13, 49}},
        {{3, 13, 9}, {9, 49}, {3, 13, 49}}, {{2, 1, 8, 3}, {4, 3, 33}, {2, 4, 8, 33}}, {{5, 8}, {8, 40}, {5, 40}},
        {{20, 4}, {4, 15}, {20, 15}}, {{64, 64}, {64, 196}, {64, 196}}};
    for (DeviceClass dc : DeviceClass.values()) {
      OpGraph g = new OpGraph(5);
      for (long[][] c : cases) {
        Value a = g.input(c[0]);
        Value b = g.input(c[1]);
        g.expect(g.node("MatMul", null, c[2], a, b), Ref.matmul(g.feedOf(a), g.feedOf(b), c[2]));
      }
      runAndCheck(g, dc);
    }
  }

  @Test
  void largeProductsWalkingRowTilesFirstKeepEdgesBatchAndEpilogue() {
    // Large products (every product ranges rows-first now; these are the ones once above the old 2 MiB rule): M not
    // a multiple of 6, N not of 32; 1705 rows are 285 row tiles, split into two work-groups of 143 with one surplus.
    OpGraph g = new OpGraph(9);
    long[][][] mms = {{{2, 301, 1500}, {1500, 70}, {2, 301, 70}}, {{1705, 400}, {400, 40}, {1705, 40}}};
    for (long[][] c : mms) {
      Value a = g.input(c[0]);
      Value b = g.input(c[1]);
      g.expect(g.node("MatMul", null, c[2], a, b), Ref.matmul(g.feedOf(a), g.feedOf(b), c[2]));
    }
    Value a = g.input(400, 1705);
    Value b = g.input(45, 400);
    Value col = g.input(1705, 1);
    g.expect(g.node("Gemm", new Attributes().setInt("transA", 1).setInt("transB", 1).setFloat("alpha", 0.5f)
        .setFloat("beta", 2f), new long[] {1705, 45}, a, b, col),
        Ref.gemm(g.feedOf(a), g.feedOf(b), g.feedOf(col), true, true, 0.5, 2));
    runAndCheck(g, DeviceClass.CPU);
  }

  @Test
  void wideTileProductsAtEdgesTransposedBatchedAndWithEpilogues() {
    // Shapes GemmGen gives the 4 x 48 tile (KernelGeneratorTest checks the choice): M and N not multiples of it
    // (13 rows: the last row tile shifted back; 140 columns: the last column tile shifted back), K = 1, a batch of
    // 3 broadcasting B, Gemm with transposed B (the dot path over 48 columns) and with a C row, and a pointwise
    // FusedConv with bias + residual + ReLU over batch 2; plus a shifted-view 3x3 conv of 16 and 13 channels.
    OpGraph g = new OpGraph(29);
    long[][][] mms = {{{13, 1}, {1, 140}, {13, 140}}, {{13, 37}, {37, 140}, {13, 140}}, {{8, 300}, {300, 100}, {8, 100}},
        {{3, 16, 5}, {5, 96}, {3, 16, 96}}};
    for (long[][] c : mms) {
      Value a = g.input(c[0]);
      Value b = g.input(c[1]);
      g.expect(g.node("MatMul", null, c[2], a, b), Ref.matmul(g.feedOf(a), g.feedOf(b), c[2]));
    }
    Value a = g.input(16, 40);
    Value bt = g.input(140, 40);
    Value row = g.input(1, 140);
    g.expect(g.node("Gemm", new Attributes().setInt("transB", 1).setFloat("beta", 0.5f), new long[] {16, 140}, a, bt,
        row), Ref.gemm(g.feedOf(a), g.feedOf(bt), g.feedOf(row), false, true, 1, 0.5));
    for (long co : new long[] {16, 13}) {
      conv(g, new long[] {2, 9, 14, 14}, new long[] {co, 9, 3, 3}, new long[] {2, co, 12, 12}, true, new int[] {1, 1},
          new int[] {1, 1}, new long[] {0, 0, 0, 0});
    }
    runAndCheck(g, DeviceClass.CPU);
    OpGraph r = new OpGraph(31);
    long[] xd = {2, 16, 12, 12};
    Value x = r.input(xd);
    Value w = weights(r, 5, 16, 16, 1, 1);
    Value bias = weights(r, 6, 16);
    Value c = r.node("Conv", new Attributes(), xd, x, w, bias);
    Value y = r.node("Relu", null, xd, r.node("Add", null, xd, c, x));
    TensorData want = Ref.conv(r.feedOf(x), r.feedOf(w), r.feedOf(bias), xd, 1, new int[] {1, 1}, new int[] {1, 1},
        new int[] {0, 0});
    for (int i = 0; i < want.size(); i++) {
      want.setDouble(i, Math.max(0, want.getDouble(i) + r.feedOf(x).getDouble(i)));
    }
    r.expect(y, want);
    DefaultPipeline.optimize(r.graph, PassContext.defaults());
    assertTrue(r.graph.nodes().stream().anyMatch(n -> n.opType().equals("FusedConv")
        && n.attributes().getInt("residual", 0) != 0), "bias, residual and ReLU fused:\n" + r.graph);
    runAndCheck(r, DeviceClass.CPU);
  }

  private static Value weights(OpGraph g, long seed, long... dims) {
    Random r = new Random(seed);
    TensorData d = TensorData.zeros(DType.FLOAT32, dims);
    for (int i = 0; i < d.size(); i++) {
      d.setDouble(i, r.nextDouble() - 0.5);
    }
    return g.constant(d);
  }

  private static void conv(OpGraph g, long[] xd, long[] wd, long[] out, boolean bias, int[] s, int[] d, long[] pads) {
    Value x = g.input(xd);
    Value w = weights(g, xd[1] * 31 + wd[0], wd);
    Value b = bias ? weights(g, wd[0], wd[0]) : null;
    Attributes a = new Attributes().setInts("strides", s[0], s[1]).setInts("dilations", d[0], d[1])
        .setInts("pads", pads);
    Value y = bias ? g.node("Conv", a, out, x, w, b) : g.node("Conv", a, out, x, w);
    g.expect(y, Ref.conv(g.feedOf(x), g.feedOf(w), bias ? g.feedOf(b) : null, out, 1, s, d,
        new int[] {(int) pads[0], (int) pads[1]}));
  }

  @Test
  void loweredConvolutionsMatchTheReference() {
    OpGraph g = new OpGraph(7);
    conv(g, new long[] {2, 5, 11, 13}, new long[] {7, 5, 3, 3}, new long[] {2, 7, 6, 7}, true, new int[] {2, 2},
        new int[] {1, 1}, new long[] {1, 1, 1, 1});
    conv(g, new long[] {1, 3, 23, 23}, new long[] {16, 3, 7, 7}, new long[] {1, 16, 12, 12}, true,
        new int[] {2, 2}, new int[] {1, 1}, new long[] {3, 3, 3, 3});
    conv(g, new long[] {1, 8, 9, 9}, new long[] {6, 8, 3, 3}, new long[] {1, 6, 9, 9}, false, new int[] {1, 1},
        new int[] {2, 2}, new long[] {2, 2, 2, 2});
    conv(g, new long[] {2, 16, 15, 15}, new long[] {20, 16, 1, 1}, new long[] {2, 20, 8, 8}, true,
        new int[] {2, 2}, new int[] {1, 1}, new long[] {0, 0, 0, 0});
    conv(g, new long[] {1, 4, 10, 10}, new long[] {18, 4, 3, 2}, new long[] {1, 18, 11, 10}, true,
        new int[] {1, 1}, new int[] {1, 1}, new long[] {1, 0, 2, 1});
    conv(g, new long[] {1, 32, 7, 7}, new long[] {40, 32, 3, 3}, new long[] {1, 40, 7, 7}, true,
        new int[] {1, 1}, new int[] {1, 1}, new long[] {1, 1, 1, 1});
    new LowerConvToIm2ColGemm(false).run(g.graph, PassContext.defaults());
    long lowered = g.graph.nodes().stream().filter(n -> n.opType().equals("Im2Col")).count();
    assertEquals(6, lowered, "every case is lowered:\n" + g.graph);
    runAndCheck(g, DeviceClass.CPU);
  }

  @Test
  void shiftedViewConvolutionsAtTileEdgesOnTheCpu() {
    // {N, CI, H, W, CO, KH, KW, dilation, pad top, pad left, pad bottom, pad right, bias}: CPU conv_shift_cpu on
    // an unpadded conv, padded ones built here as an ONNX Pad + conv with pads 0 (passes.lower makes the padding
    // copy with a 1x1 Im2Col instead; that rewrite and its rule are tested in LoweringPassesTest and below).
    // Columns (OH-1)*W+OW not multiples of 32 and under 32 (narrow tile), CO under, at and not a multiple of 6,
    // reductions of 3 to 1152 taps, 1x3, 3x1, 5x5, dilation 2, batch 2 and products smaller than one tile (scalar
    // path).
    int[][] cases = {{1, 5, 9, 13, 8, 3, 3, 1, 0, 0, 0, 0, 1}, {2, 3, 12, 45, 16, 3, 3, 1, 1, 1, 1, 1, 0},
        {1, 128, 9, 9, 20, 3, 3, 1, 1, 1, 1, 1, 1}, {1, 4, 7, 21, 7, 1, 3, 1, 0, 1, 0, 1, 1},
        {1, 6, 11, 17, 12, 3, 1, 1, 1, 0, 1, 0, 1}, {2, 7, 15, 19, 9, 5, 5, 1, 2, 2, 2, 2, 1},
        {1, 6, 13, 20, 6, 3, 3, 2, 2, 2, 2, 2, 1}, {1, 3, 4, 5, 4, 3, 3, 1, 0, 0, 0, 0, 1},
        {1, 1, 30, 60, 3, 3, 3, 1, 0, 1, 2, 0, 0}, {2, 16, 7, 7, 13, 3, 3, 1, 0, 0, 0, 0, 1},
        {1, 2, 3, 3, 5, 3, 3, 1, 0, 0, 0, 0, 1}};
    OpGraph g = new OpGraph(19);
    for (int[] c : cases) {
      long ph = c[2] + c[8] + c[10];
      long pw = c[3] + c[9] + c[11];
      long[] out = {c[0], c[4], ph - c[7] * (c[5] - 1), pw - c[7] * (c[6] - 1)};
      Value x = g.input(c[0], c[1], c[2], c[3]);
      Value w = weights(g, c[1] * 5 + c[4], c[4], c[1], c[5], c[6]);
      Value b = c[12] != 0 ? weights(g, c[4] + 400, c[4]) : null;
      Value xp = x;
      if (c[8] + c[9] + c[10] + c[11] > 0) {
        Value pads = g.constant(TensorData.ofLongs(new long[] {8}, new long[] {0, 0, c[8], c[9], 0, 0, c[10], c[11]}));
        xp = g.node("Pad", null, new long[] {c[0], c[1], ph, pw}, x, pads);
      }
      Attributes a = new Attributes().setInts("dilations", c[7], c[7]).setInts("pads", 0, 0, 0, 0);
      Value y = b != null ? g.node("Conv", a, out, xp, w, b) : g.node("Conv", a, out, xp, w);
      g.expect(y, Ref.conv(g.feedOf(x), g.feedOf(w), b != null ? g.feedOf(b) : null, out, 1, new int[] {1, 1},
          new int[] {c[7], c[7]}, new int[] {c[8], c[9]}));
    }
    runAndCheck(g, DeviceClass.CPU);
  }

  @Test
  void shiftedViewConvsKeepTheirBiasResidualAndActivationEpilogue() {
    // Through the whole pipeline (padding copy + conv_shift_cpu with the residual and ReLU fused): rows of 40 (vector
    // stores, rows crossing tiles) and 7 (every vector crosses a row), batch 2, and a product under one tile.
    for (long[] xd : new long[][] {{2, 8, 9, 40}, {1, 12, 7, 7}, {1, 6, 2, 3}}) {
      OpGraph g = residualConv(xd, 1, 23, 7);
      assertTrue(g.graph.nodes().stream().map(Node::opType).anyMatch("FusedConv"::equals), g.graph.toString());
      assertTrue(g.graph.nodes().stream().filter(n -> n.opType().equals("FusedConv"))
          .allMatch(n -> n.input(1).type().shape().dims()[3] == 3), "the 3x3 conv itself, unpadded:\n" + g.graph);
      runAndCheck(g, DeviceClass.CPU);
    }
  }

  @Test
  void aLoweredConvKeepsItsResidualAndActivationEpilogue() {
    // 13 wide: the shifted view would compute 7 column tiles where im2col computes 6, so it stays im2col
    OpGraph g = new OpGraph(9);
    long[] xd = {1, 12, 13, 13};
    Value x = g.input(xd);
    Value w = weights(g, 3, 12, 12, 3, 3);
    Value b = weights(g, 4, 12);
    Value c = g.node("Conv", new Attributes().setInts("pads", 1, 1, 1, 1), xd, x, w, b);
    Value y = g.node("Relu", null, xd, g.node("Add", null, xd, c, x));
    TensorData want = Ref.conv(g.feedOf(x), g.feedOf(w), g.feedOf(b), xd, 1, new int[] {1, 1}, new int[] {1, 1},
        new int[] {1, 1});
    for (int i = 0; i < want.size(); i++) {
      want.setDouble(i, Math.max(0, want.getDouble(i) + g.feedOf(x).getDouble(i)));
    }
    g.expect(y, want);
    DefaultPipeline.optimize(g.graph, PassContext.defaults());
    assertTrue(g.graph.nodes().stream().map(Node::opType).anyMatch("FusedConv"::equals), g.graph.toString());
    assertTrue(g.graph.nodes().stream().map(Node::opType).anyMatch("Im2Col"::equals), g.graph.toString());
    runAndCheck(g, DeviceClass.CPU);
  }

  @Test
  void depthwiseConvolutionsOnBothDeviceClasses() {
    // {N, C, H, W, K, stride, dilation, pad top, pad left, pad bottom, pad right, bias}
    int[][] cases = {{1, 8, 19, 21, 3, 1, 1, 1, 1, 1, 1, 1}, {2, 5, 17, 40, 3, 2, 1, 1, 1, 1, 1, 0},
        {1, 3, 9, 30, 5, 1, 2, 4, 4, 4, 4, 1}, {1, 4, 7, 7, 3, 1, 1, 0, 1, 2, 0, 1}, {1, 6, 33, 33, 3, 2, 1, 0, 0, 1, 1, 1}};
    for (DeviceClass dc : DeviceClass.values()) {
      OpGraph g = new OpGraph(11);
      for (int[] c : cases) {
        int k = c[4];
        int span = c[6] * (k - 1) + 1;
        long oh = (c[2] + c[7] + c[9] - span) / c[5] + 1;
        long ow = (c[3] + c[8] + c[10] - span) / c[5] + 1;
        long[] out = {c[0], c[1], oh, ow};
        Value x = g.input(c[0], c[1], c[2], c[3]);
        Value w = weights(g, c[1] + 100, c[1], 1, k, k);
        Value b = c[11] != 0 ? weights(g, c[1] + 200, c[1]) : null;
        Attributes a = new Attributes().setInt("group", c[1]).setInts("strides", c[5], c[5])
            .setInts("dilations", c[6], c[6]).setInts("pads", c[7], c[8], c[9], c[10]);
        Value y = b != null ? g.node("Conv", a, out, x, w, b) : g.node("Conv", a, out, x, w);
        g.expect(y, Ref.conv(g.feedOf(x), g.feedOf(w), b != null ? g.feedOf(b) : null, out, c[1],
            new int[] {c[5], c[5]}, new int[] {c[6], c[6]}, new int[] {c[7], c[8]}));
      }
      runAndCheck(g, dc);
    }
  }

  @Test
  void directConvolutionsAtTileEdgesOnTheCpu() {
    // {N, CI, H, W, CO, KH, KW, stride, dilation, pad top, pad left, pad bottom, pad right, group, bias}
    int[][] cases = {{1, 5, 9, 56, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, {2, 3, 6, 50, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0},
        {1, 4, 7, 21, 8, 3, 3, 1, 1, 0, 1, 2, 0, 1, 1}, {1, 6, 8, 17, 4, 3, 3, 1, 2, 2, 2, 2, 2, 1, 1},
        {1, 3, 5, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 2, 4, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0},
        {1, 8, 9, 40, 24, 3, 3, 1, 1, 1, 1, 1, 1, 2, 1}, {2, 6, 7, 33, 8, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1},
        {1, 4, 6, 19, 8, 5, 3, 1, 1, 2, 1, 2, 1, 1, 1}, {1, 9, 6, 48, 12, 3, 3, 1, 1, 1, 1, 1, 1, 3, 1}};
    OpGraph g = new OpGraph(13);
    for (int[] c : cases) {
      int spanH = c[8] * (c[5] - 1) + 1;
      int spanW = c[8] * (c[6] - 1) + 1;
      long oh = (c[2] + c[9] + c[11] - spanH) / c[7] + 1;
      long ow = (c[3] + c[10] + c[12] - spanW) / c[7] + 1;
      long[] out = {c[0], c[4], oh, ow};
      Value x = g.input(c[0], c[1], c[2], c[3]);
      Value w = weights(g, c[1] * 7 + c[4], c[4], c[1] / c[13], c[5], c[6]);
      Value b = c[14] != 0 ? weights(g, c[4] + 300, c[4]) : null;
      Attributes a = new Attributes().setInt("group", c[13]).setInts("strides", c[7], c[7])
          .setInts("dilations", c[8], c[8]).setInts("pads", c[9], c[10], c[11], c[12]);
      Value y = b != null ? g.node("Conv", a, out, x, w, b) : g.node("Conv", a, out, x, w);
      g.expect(y, Ref.conv(g.feedOf(x), g.feedOf(w), b != null ? g.feedOf(b) : null, out, c[13],
          new int[] {c[7], c[7]}, new int[] {c[8], c[8]}, new int[] {c[9], c[10]}));
    }
    runAndCheck(g, DeviceClass.CPU);
  }

  @Test
  void directConvsKeepTheirBiasResidualAndActivationEpilogue() {
    // A wide row (shifted last tile) and, grouped so it is not lowered, a row narrower than one tile.
    fusedDirectConv(new long[] {2, 8, 5, 69}, 1);
    fusedDirectConv(new long[] {1, 8, 3, 7}, 2);
  }

  private static void fusedDirectConv(long[] xd, int group) {
    OpGraph g = residualConv(xd, group, 17, 5);
    assertTrue(g.graph.nodes().stream().map(Node::opType).anyMatch("FusedConv"::equals), g.graph.toString());
    assertTrue(g.graph.nodes().stream().map(Node::opType).noneMatch("Im2Col"::equals), g.graph.toString());
    runAndCheck(g, DeviceClass.CPU);
  }

  /**
   * {@code Relu(X + Conv(X, W, B))}, 3x3 with 'same' padding, expected from the loop reference, then optimized by
   * the default pipeline (which fuses the residual and the activation into the conv).
   */
  private static OpGraph residualConv(long[] xd, int group, long graphSeed, long weightSeed) {
    OpGraph g = new OpGraph(graphSeed);
    Value x = g.input(xd);
    Value w = weights(g, weightSeed, xd[1], xd[1] / group, 3, 3);
    Value b = weights(g, weightSeed + 1, xd[1]);
    Value c = g.node("Conv", new Attributes().setInts("pads", 1, 1, 1, 1).setInt("group", group), xd, x, w, b);
    Value y = g.node("Relu", null, xd, g.node("Add", null, xd, x, c));
    TensorData want = Ref.conv(g.feedOf(x), g.feedOf(w), g.feedOf(b), xd, group, new int[] {1, 1},
        new int[] {1, 1}, new int[] {1, 1});
    for (int i = 0; i < want.size(); i++) {
      want.setDouble(i, Math.max(0, want.getDouble(i) + g.feedOf(x).getDouble(i)));
    }
    g.expect(y, want);
    DefaultPipeline.optimize(g.graph, PassContext.defaults());
    return g;
  }
}
