package io.offloadcl.passes.lower;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.passes.Pass;
import io.offloadcl.passes.PassContext;
import io.offloadcl.passes.Rewrites;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites the 2-D group-1 convolutions whose direct kernel is slow into forms the register-blocked GEMM runs:
 * strided (and some narrow unit-stride) ones as {@code Conv1x1(Reshape(Im2Col(X), [N, C*kh*kw, OH, OW]), W as
 * [M, C*kh*kw, 1, 1], B)}, and unit-stride kxk ones as {@code Conv(padded X, W, B)} with pads 0, which codegen
 * runs on CPUs as a GEMM over shifted views of the input (conv.cl conv_shift_cpu: the weights times the input read
 * at offset ci*H*W + kh*W + kw for reduction row (ci, kh, kw), outputs computed over the padded width and the
 * junk columns not stored), with no column matrix. Either result is still a Conv, so the residual and activation
 * fusers that follow treat it as before; the intermediate values are ordinary ones the memory planner places.
 *
 * <p>The padding copy is an Im2Col with a 1x1 window and the conv's pads (then a free Reshape to [N, C, H', W']),
 * not an ONNX Pad: the same values, but im2col_cpu copies whole rows per work-item with vector loads and stores,
 * where the generic Pad kernel moves one per work-item with an index division chain: 0.016-0.08 ms against
 * 0.05-0.35 ms per resnet50 / squeezenet conv (medians of 4 alternated runs, 2026-11-24).
 *
 * <p>Which convolutions: measured on POCL (2 Zen4 cores, loaded) with {@code io.offloadcl.bench.ConvShapes} and
 * {@code bench --profile}. Im2col + GEMM beats the direct kernel on every strided group-1 conv of resnet50 and
 * squeezenet. For unit-stride kxk convs the shifted view beats im2col where the column matrix is large, i.e. most
 * of resnet50 (ConvShapes compare, padded, with an ONNX Pad as the copy then; im2col / shifted time: 64ch at 56
 * wide 1.41-1.44, 128 at 28 1.19-1.31, 256 at 14 1.19-1.39, 512 at 7 0.87-1.01), and ties at squeezenet's 55 and
 * 27 (0.97-1.13, 0.91-1.07); it loses where its junk columns add column tiles: squeezenet's 13-wide rows compute
 * 193 columns (7 tiles of 32) for im2col's 169 (6 tiles), 0.82-0.94. So the rule: unit-stride kxk (not 1x1) with
 * an output row narrower than {@link #WIDE_ROW} and at most 10% more column tiles than im2col (see
 * {@link #shifts}) -> shifted view; otherwise strided, or unit-stride narrower than WIDE_ROW -> im2col; otherwise
 * direct. In whole models (jars alternated, medians of the per-node profile; docs/benchmarks.md "Shifted-view
 * convolution (2026-11-24)"), im2col + GEMM -> padding copy + shifted view: resnet50's 13 unit-stride 3x3s
 * 45.0 -> 36.4 ms (4 rounds) and 41.2 -> 33.4 ms (3 rounds), squeezenet's four 55/27-wide 3x3s 4.39 -> 2.51 and
 * 2.99 -> 2.49 ms, vgg19's twelve 56/28/14-wide 3x3s 565 -> 346 ms. Rows of 112 and 224 (vgg19) stay direct:
 * shifted measured 0.94-1.08x at 112, 0.98-1.0x at 224 and 0.61-0.89x on the 3-channel first layer (K = 27,
 * store-bound). Convs that already have no padding need no rewrite (codegen picks the shifted view itself for rows
 * narrower than 64); auto_pad SAME_* is left as it is (direct kernel). Limits: constant weights, explicit or VALID
 * padding, static shapes.
 */
public final class LowerConvToIm2ColGemm implements Pass {
  /**
   * Output rows at least this wide keep the direct kernel when the stride is 1. Rechecked after conv_cpu's 8 x 16
   * tiles: a tie at 56 and 112 wide, mixed at 28, the lowered GEMM still ahead at 27 and below (threshold 48).
   * Rechecked again after the GEMM went rows-first for every size: lowering every width took squeezenet's kernels
   * 7.67 / 6.48 / 5.75 -> 7.42 / 6.18 / 5.61 ms (jars alternated) and its 55-wide 3x3s from 83-106 to 150+
   * GFLOP/s, so 55 and 56 now lower; 112 and 224 stay direct, where the column matrix would reach 29-115 MB
   * (vgg19 measured the same either way).
   */
  static final long WIDE_ROW = 64;

  /**
   * The column tile of the CPU GEMM and of the shifted-view kernel (codegen's GemmGen: 4 float8 vectors); both
   * compute whole tiles, so junk columns cost what they add in tiles.
   */
  static final long TILE_COLUMNS = 32;

  private final boolean shiftedViews;

  /** The measured rule: unit-stride kxk convs as a padding copy + shifted views, strided ones as im2col. */
  public LowerConvToIm2ColGemm() {
    this(true);
  }

  /**
   * With {@code shiftedViews} false, the rule before shifted views (unit-stride kxk convs narrower than
   * {@link #WIDE_ROW} as im2col, the rest direct): kept so benchmarks can put the two side by side.
   */
  public LowerConvToIm2ColGemm(boolean shiftedViews) {
    this.shiftedViews = shiftedViews;
  }

  @Override
  public String name() {
    return "LowerConvToIm2ColGemm";
  }

  @Override
  public boolean run(Graph g, PassContext ctx) {
    if (!ctx.supports("Conv") || !ctx.supports("Im2Col") || !ctx.supports("Reshape")) {
      return false;
    }
    boolean changed = false;
    for (Node conv : new ArrayList<>(g.nodes())) {
      if (Rewrites.is(conv, "Conv")) {
        changed |= lower(g, conv, shiftedViews);
      }
    }
    if (changed) {
      g.sortTopologically();
    }
    return changed;
  }

  /** The im2col rule above, on the conv's kernel, strides and output width. */
  static boolean pays(long kh, long kw, long sh, long sw, long[] pads, long ow) {
    boolean pointwise = kh == 1 && kw == 1 && sh == 1 && sw == 1 && pads[0] == 0 && pads[1] == 0 && pads[2] == 0
        && pads[3] == 0;
    if (pointwise) {
      return false;
    }
    return sh > 1 || sw > 1 || ow < WIDE_ROW;
  }

  /**
   * The shifted-view rule above: a unit-stride kxk (not 1x1) conv with an output row narrower than
   * {@link #WIDE_ROW} whose junk columns cost at most 10%: the shifted product computes
   * {@code (OH-1)*W + OW} columns (W the padded input width, {@code spanW = (kw-1)*dw}) where im2col computes
   * {@code OH*OW}, both in whole tiles of {@link #TILE_COLUMNS}.
   */
  static boolean shifts(long kh, long kw, long sh, long sw, long oh, long ow, long spanW) {
    if (sh != 1 || sw != 1 || (kh == 1 && kw == 1) || ow >= WIDE_ROW) {
      return false;
    }
    long shifted = ceilDiv((oh - 1) * (ow + spanW) + ow, TILE_COLUMNS);
    long im2col = ceilDiv(oh * ow, TILE_COLUMNS);
    return shifted * 10 <= im2col * 11;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  private static boolean lower(Graph g, Node conv, boolean shiftedViews) {
    Im2ColConv c = Im2ColConv.of(conv);
    if (c == null) {
      return false;
    }
    long[] p = c.pads();
    boolean unpadded = p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0;
    long dw = conv.attributes().getInts("dilations", new long[] {1, 1})[1];
    if (shiftedViews && shifts(c.kernel()[0], c.kernel()[1], c.strides()[0], c.strides()[1], c.outputDims()[2],
        c.outputDims()[3], (c.kernel()[1] - 1) * dw)) {
      return !unpadded && pad(g, conv, c);
    }
    if (!pays(c.kernel()[0], c.kernel()[1], c.strides()[0], c.strides()[1], c.pads(), c.outputDims()[3])) {
      return false;
    }
    Value cols = c.addColumns(g, conv);
    long[] yd = c.outputDims();
    long[] grid = {c.inputDims()[0], c.k(), yd[2], yd[3]};
    Value shape = Rewrites.constant(g, conv.name() + "_cols_shape", TensorData.ofLongs(new long[] {4}, grid));
    Node view = Rewrites.onnxNode(g, "Reshape", conv.name() + "_cols", List.of(cols, shape), new Attributes());
    view.output(0).setType(new TensorType(c.x().type().dtype(), Shape.of(grid)));
    Value wm = Rewrites.constant(g, c.w().name() + "_cols", c.weights().reshape(c.m(), c.k(), 1, 1));
    List<Value> ins = new ArrayList<>(List.of(view.output(0), wm));
    if (c.bias() != null) {
      ins.add(c.bias());
    }
    Attributes pa = new Attributes().setInts("kernel_shape", 1, 1).setInt("group", 1);
    Node pw = Rewrites.onnxNode(g, "Conv", conv.name() + "_gemm", ins, pa);
    pw.output(0).setType(c.y().type());
    Rewrites.replace(g, c.y(), pw.output(0), List.of(conv));
    return true;
  }

  /**
   * {@code Conv(X, pads)} -> {@code Conv(Reshape(Im2Col1x1(X, pads)), pads = 0)}: the padding as a copy (see
   * above for why Im2Col and not Pad), the conv in the form codegen runs as shifted views.
   */
  private static boolean pad(Graph g, Node conv, Im2ColConv c) {
    long[] p = c.pads();
    if (p[0] < 0 || p[1] < 0 || p[2] < 0 || p[3] < 0) {
      return false;
    }
    long[] xd = c.inputDims();
    long[] padded = {xd[0], xd[1], xd[2] + p[0] + p[2], xd[3] + p[1] + p[3]};
    Attributes ia = new Attributes().setInts("kernel_shape", 1, 1).setInts("pads", p).setInts("strides", 1, 1)
        .setInts("dilations", 1, 1);
    Node cols = Rewrites.fusedNode(g, "Im2Col", conv.opsetVersion(), conv.name() + "_pad", List.of(c.x()), ia);
    cols.output(0).setType(new TensorType(c.x().type().dtype(), Shape.of(xd[0], xd[1], padded[2] * padded[3])));
    Value shape = Rewrites.constant(g, conv.name() + "_pad_shape", TensorData.ofLongs(new long[] {4}, padded));
    Node view = Rewrites.onnxNode(g, "Reshape", conv.name() + "_padded", List.of(cols.output(0), shape),
        new Attributes());
    view.output(0).setType(new TensorType(c.x().type().dtype(), Shape.of(padded)));
    List<Value> ins = new ArrayList<>(List.of(view.output(0), c.w()));
    if (c.bias() != null) {
      ins.add(c.bias());
    }
    Attributes ca = new Attributes(conv.attributes());
    ca.remove("auto_pad");
    ca.setInts("pads", 0, 0, 0, 0);
    Node shifted = Rewrites.onnxNode(g, "Conv", conv.name() + "_shift", ins, ca);
    shifted.output(0).setType(c.y().type());
    Rewrites.replace(g, c.y(), shifted.output(0), List.of(conv));
    return true;
  }
}
