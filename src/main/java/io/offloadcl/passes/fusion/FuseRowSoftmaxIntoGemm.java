package io.offloadcl.passes.fusion;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.passes.FusionGuards;
import io.offloadcl.passes.Pass;
import io.offloadcl.passes.PassContext;
import io.offloadcl.passes.Rewrites;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Locale;

/**
 * Turns {@code Softmax|LogSoftmax(Gemm|FusedGemm(...))} over the rows of the 2-D product into one FusedGemm with
 * {@code row_op} ("softmax" or "logsoftmax"), applied after its epilogue: the kernel computes a whole row in
 * private memory and normalizes it before the store, so the classifier head of a small model (tribuo's MNIST CNN:
 * FusedGemm 50->10 then LogSoftmax) is one launch instead of two. Only where the op normalizes each row of the
 * product alone (the last axis; before opset 13 the op flattens from {@code axis}, which for a 2-D input is the
 * same only at axis 1) and rows have at most {@link #MAX_ROW} columns, so a row fits in a work-item's private
 * memory. Nothing joins the epilogue afterwards (EpilogueTargets refuses nodes with a row op).
 */
public final class FuseRowSoftmaxIntoGemm implements Pass {
  /** Longest row (columns N) that fuses: the kernel keeps a row in private memory, one work-item per row. */
  public static final long MAX_ROW = io.offloadcl.ops.FusedOps.ROW_OP_MAX_N;

  /**
   * Largest product (M·K·N multiply-adds) that fuses: the row kernel has no register tiling and reads B once per
   * row, so a large Gemm keeps gemm_cpu and a separate Softmax. Not measured beyond tribuo's 1×50×10 head (500);
   * set an order of magnitude below the smallest product where gemm_cpu's tiles pay (MaxPool fusion's 1 M).
   */
  public static final long MAX_MACS = 1L << 16;

  @Override
  public String name() {
    return "FuseRowSoftmaxIntoGemm";
  }

  @Override
  public boolean run(Graph g, PassContext ctx) {
    boolean changed = false;
    for (Node sm : new ArrayList<>(g.nodes())) {
      if (g.node(sm.name()) != sm || !(Rewrites.is(sm, "Softmax") || Rewrites.is(sm, "LogSoftmax"))
          || sm.input(0) == null) {
        continue;
      }
      Value y = sm.input(0);
      Node gemm = y.producer();
      boolean plain = gemm != null && Rewrites.is(gemm, "Gemm");
      boolean fused = gemm != null && gemm.domain().equals(Rewrites.FUSED_DOMAIN)
          && gemm.opType().equals("FusedGemm") && !gemm.attributes().has("row_op");
      if (!(plain || fused) || !ctx.supports("FusedGemm") || !FusionGuards.canMerge(g, y, sm, false)
          || !FusionGuards.floatValue(y) || !FusionGuards.sameDType(y, sm.output(0)) || !rowWise(sm, y.type())
          || !small(gemm)) {
        continue;
      }
      Node f = EpilogueTargets.fusedFrom(g, gemm);
      f.attributes().setString("row_op", sm.opType().toLowerCase(Locale.ROOT));
      Rewrites.replace(g, sm.output(0), f.output(0), Arrays.asList(sm, gemm));
      changed = true;
    }
    if (changed) {
      g.sortTopologically();
    }
    return changed;
  }

  /** Whether the product has a static size of at most MAX_MACS multiply-adds. */
  private static boolean small(Node gemm) {
    io.offloadcl.ir.TensorType a = gemm.input(0).type();
    io.offloadcl.ir.TensorType y = gemm.output(0).type();
    if (a == null || y == null || !a.isStatic() || !y.isStatic() || a.shape().rank() != 2) {
      return y != null && y.hasRank() && y.shape().rank() == 2 && y.shape().dim(0) < 0
          && a != null && a.hasRank() && a.shape().dim(1) >= 0 && y.shape().dim(1) >= 0
          && a.shape().dim(1) * y.shape().dim(1) <= MAX_MACS; // a dynamic batch: one row's work
    }
    long k = gemm.attributes().getInt("transA", 0) != 0 ? a.shape().dim(0) : a.shape().dim(1);
    return y.shape().dim(0) * k * y.shape().dim(1) <= MAX_MACS;
  }

  /**
   * Whether the op normalizes each row of a 2-D input with a static row length of at most MAX_ROW. From opset 13
   * it normalizes along {@code axis} (default -1); before, it flattens to [prod(d[..axis)), prod(d[axis..))]
   * (default axis 1): either way the rows of the last axis exactly when the axis is the last one.
   */
  private static boolean rowWise(Node sm, TensorType t) {
    if (t == null || !t.hasRank() || t.shape().rank() != 2) {
      return false;
    }
    int rank = 2;
    boolean legacy = sm.opsetVersion() > 0 && sm.opsetVersion() < 13;
    long axis = sm.attributes().getInt("axis", legacy ? 1 : -1);
    if (axis < 0) {
      axis += rank;
    }
    long n = t.shape().dim(1);
    return axis == rank - 1 && n >= 1 && n <= MAX_ROW;
  }
}
