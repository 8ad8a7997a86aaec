package io.offloadcl.passes.fold;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.passes.FusionGuards;
import io.offloadcl.passes.Pass;
import io.offloadcl.passes.PassContext;
import io.offloadcl.passes.Rewrites;
import java.util.ArrayList;
import java.util.List;

/**
 * Folds an inference BatchNormalization into the weights of the Conv, Gemm or 2-D MatMul before it:
 * with {@code s = scale / sqrt(var + eps)}, BN(y) = s·y + (bias − s·mean), so the weights' output channel m
 * scales by s[m] and the bias becomes s·(b − mean) + bias. A MatMul has no bias input, so it gets an Add that
 * FuseMatMulAdd later merges. Requires constant weights and BN parameters, and that the producer's output goes
 * only to the BN; new weight constants are created (the old ones may be shared).
 */
public final class FoldBatchNormIntoConv implements Pass {
  @Override
  public String name() {
    return "FoldBatchNormIntoConv";
  }

  @Override
  public boolean run(Graph g, PassContext ctx) {
    boolean changed = false;
    for (Node bn : new ArrayList<>(g.nodes())) {
      if (g.node(bn.name()) != bn || !Rewrites.is(bn, "BatchNormalization") || !trainingOutputsUnused(bn)) {
        continue;
      }
      Value y = bn.input(0);
      if (!FusionGuards.canMerge(g, y, bn, false)) {
        continue;
      }
      double[] s = bnScale(bn);
      if (s == null) {
        continue;
      }
      double[] shift = bnShift(bn, s);
      Node p = y.producer();
      if (Rewrites.is(p, "Conv")) {
        changed |= foldConv(g, p, bn, s, shift);
      } else if (Rewrites.is(p, "Gemm")) {
        changed |= foldGemm(g, p, bn, s, shift);
      } else if (Rewrites.is(p, "MatMul")) {
        changed |= foldMatMul(g, p, bn, s, shift);
      }
    }
    return changed;
  }

  private static boolean trainingOutputsUnused(Node bn) {
    if (bn.attributes().getInt("training_mode", 0) != 0) {
      return false;
    }
    for (int i = 1; i < bn.outputs().size(); i++) {
      if (bn.output(i) != null && !bn.output(i).uses().isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** s[m] = scale / sqrt(var + eps), or null when a parameter is not constant. */
  private static double[] bnScale(Node bn) {
    for (int i = 1; i <= 4; i++) {
      if (bn.input(i) == null || !bn.input(i).isConstant()) {
        return null;
      }
    }
    TensorData scale = bn.input(1).constant();
    TensorData var = bn.input(4).constant();
    if (scale.size() != var.size()) {
      return null;
    }
    double eps = bn.attributes().getFloat("epsilon", 1e-5f);
    double[] s = new double[scale.size()];
    for (int m = 0; m < s.length; m++) {
      s[m] = scale.getDouble(m) / Math.sqrt(var.getDouble(m) + eps);
    }
    return s;
  }

  /** bias − s·mean per channel. */
  private static double[] bnShift(Node bn, double[] s) {
    TensorData bias = bn.input(2).constant();
    TensorData mean = bn.input(3).constant();
    double[] r = new double[s.length];
    for (int m = 0; m < s.length; m++) {
      r[m] = bias.getDouble(m) - s[m] * mean.getDouble(m);
    }
    return r;
  }

  private static boolean foldConv(Graph g, Node conv, Node bn, double[] s, double[] shift) {
    Value w = conv.input(1);
    if (ChannelMath.convChannels(conv) != s.length) {
      return false;
    }
    double[] b = ChannelMath.bias(conv.input(2), s.length);
    if (b == null) {
      return false;
    }
    for (int m = 0; m < s.length; m++) {
      b[m] = s[m] * b[m] + shift[m];
    }
    TensorData wd = w.constant();
    TensorData scaled = ChannelMath.scaleRows(wd, s);
    g.setInput(conv, 1, Rewrites.constant(g, w.name() + "_bn", scaled));
    g.setInput(conv, 2, Rewrites.constant(g, conv.name() + "_bias_bn", ChannelMath.vector(wd, b)));
    Rewrites.replace(g, bn.output(0), conv.output(0), List.of(bn));
    return true;
  }

  private static boolean foldGemm(Graph g, Node gemm, Node bn, double[] s, double[] shift) {
    Value w = gemm.input(1);
    if (w == null || !w.isConstant() || w.constant().rank() != 2) {
      return false;
    }
    boolean transB = gemm.attributes().getInt("transB", 0) != 0;
    TensorData wd = w.constant();
    if ((transB ? wd.dim(0) : wd.dim(1)) != s.length) {
      return false;
    }
    double beta = gemm.attributes().getFloat("beta", 1f);
    Value c = gemm.input(2);
    double[] cv = c == null ? new double[s.length] : ChannelMath.perChannel(c, 2, 1, s.length);
    if (cv == null) {
      return false;
    }
    double[] nc = new double[s.length];
    for (int m = 0; m < s.length; m++) {
      nc[m] = s[m] * beta * cv[m] + shift[m];
    }
    TensorData nw = transB ? ChannelMath.scaleRows(wd, s) : ChannelMath.scaleColumns(wd, s);
    g.setInput(gemm, 1, Rewrites.constant(g, w.name() + "_bn", nw));
    g.setInput(gemm, 2, Rewrites.constant(g, gemm.name() + "_bias_bn", ChannelMath.vector(wd, nc)));
    gemm.attributes().setFloat("beta", 1f);
    Rewrites.replace(g, bn.output(0), gemm.output(0), List.of(bn));
    return true;
  }

  private static boolean foldMatMul(Graph g, Node mm, Node bn, double[] s, double[] shift) {
    Value w = mm.input(1);
    if (w == null || !w.isConstant() || w.constant().rank() != 2 || w.constant().dim(1) != s.length
        || ChannelMath.rank(mm.output(0)) != 2) {
      return false;
    }
    TensorData wd = w.constant();
    g.setInput(mm, 1, Rewrites.constant(g, w.name() + "_bn", ChannelMath.scaleColumns(wd, s)));
    Value bias = Rewrites.constant(g, mm.name() + "_bias_bn", ChannelMath.vector(wd, shift));
    Node add = Rewrites.onnxNode(g, "Add", mm.name() + "_bn_add", List.of(mm.output(0), bias), new Attributes());
    add.output(0).setType(bn.output(0).type());
    Rewrites.replace(g, bn.output(0), add.output(0), List.of(bn));
    return true;
  }
}
