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
 * Rewrites a 2-D Conv whose direct kernel is slow as {@code Conv1x1(Reshape(Im2Col(X), [N, C*kh*kw, OH, OW]),
 * W as [M, C*kh*kw, 1, 1], B)}: the pointwise conv runs as the register-blocked GEMM, and it is still a Conv, so
 * the residual and activation fusers that follow treat it as before. The intermediate column matrix is an
 * ordinary value the memory planner places and reuses.
 *
 * <p>Which convolutions: measured on POCL (2 Zen4 cores) with {@code io.offloadcl.bench.ConvShapes}, im2col +
 * GEMM beats the direct kernel on every group-1 kxk or strided conv of resnet50 and squeezenet except the
 * unit-stride ones with a wide output row, where the direct kernel's unit-stride row loads are as fast and the
 * column matrix (9x the input) costs memory traffic; so the rule is: group 1, not already a unit-stride pointwise
 * conv, and either strided or with an output row narrower than {@link #WIDE_ROW}. Figures: docs/benchmarks.md
 * ("Conv kernels"). Limits: constant weights, explicit or VALID padding, static shapes.
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

  /** Unit-stride kxk convs with output rows up to this wide go Pad + shifted-view conv instead (see above). */
  static final long SHIFT_MAX_ROW = Long.MAX_VALUE;

  /** Pad with its pads as an input (opset 11); older Pad took them as an attribute. */
  private static final int PAD_OPSET = 11;

  @Override
  public String name() {
    return "LowerConvToIm2ColGemm";
  }

  @Override
  public boolean run(Graph g, PassContext ctx) {
    if (!ctx.supports("Conv") || !ctx.supports("Im2Col") || !ctx.supports("Reshape")) {
      return false;
    }
    boolean canPad = ctx.supports("Pad");
    boolean changed = false;
    for (Node conv : new ArrayList<>(g.nodes())) {
      if (Rewrites.is(conv, "Conv")) {
        changed |= lower(g, conv, canPad);
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

  /** The shifted-view rule above: a unit-stride kxk (not 1x1) conv whose output row is at most SHIFT_MAX_ROW. */
  static boolean shifts(long kh, long kw, long sh, long sw, long ow) {
    return sh == 1 && sw == 1 && (kh > 1 || kw > 1) && ow <= SHIFT_MAX_ROW;
  }

  private static boolean lower(Graph g, Node conv, boolean canPad) {
    Im2ColConv c = Im2ColConv.of(conv);
    if (c == null) {
      return false;
    }
    long[] p = c.pads();
    boolean unpadded = p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0;
    if (shifts(c.kernel()[0], c.kernel()[1], c.strides()[0], c.strides()[1], c.outputDims()[3])
        && (unpadded || canPad)) {
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
   * {@code Conv(X, pads)} -> {@code Conv(Pad(X, pads), pads = 0)}, the form codegen runs as shifted views; a conv
   * without padding is already in it and stays as it is.
   */
  private static boolean pad(Graph g, Node conv, Im2ColConv c) {
    long[] p = c.pads();
    if (p[0] < 0 || p[1] < 0 || p[2] < 0 || p[3] < 0) {
      return false;
    }
    long[] xd = c.inputDims();
    long[] padded = {xd[0], xd[1], xd[2] + p[0] + p[2], xd[3] + p[1] + p[3]};
    Value pads = Rewrites.constant(g, conv.name() + "_pads",
        TensorData.ofLongs(new long[] {8}, new long[] {0, 0, p[0], p[1], 0, 0, p[2], p[3]}));
    Node pad = Rewrites.onnxNode(g, "Pad", PAD_OPSET, conv.name() + "_pad", List.of(c.x(), pads),
        new Attributes().setString("mode", "constant"));
    pad.output(0).setType(new TensorType(c.x().type().dtype(), Shape.of(padded)));
    Attributes ca = new Attributes(conv.attributes());
    ca.remove("auto_pad");
    ca.setInts("pads", 0, 0, 0, 0);
    List<Value> ins = new ArrayList<>(List.of(pad.output(0), c.w()));
    if (c.bias() != null) {
      ins.add(c.bias());
    }
    Node shifted = Rewrites.onnxNode(g, "Conv", conv.name() + "_shift", ins, ca);
    shifted.output(0).setType(c.y().type());
    Rewrites.replace(g, c.y(), shifted.output(0), List.of(conv));
    return true;
  }
}
