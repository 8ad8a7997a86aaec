package io.offloadcl.passes.fold;

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
 * Folds a per-channel constant affine step after a Conv into its weights and bias: {@code Mul(conv, c)} and
 * {@code Div(conv, c)} scale both, {@code Add(conv, c)} and {@code Sub(conv, c)} shift the bias. The constant
 * must vary at most along the channel axis (shape [M,1,1], [1,M,1,1], scalar, ...) so the folded conv gives the
 * same output shape.
 */
public final class FoldScaleIntoConv implements Pass {
  @Override
  public String name() {
    return "FoldScaleIntoConv";
  }

  @Override
  public boolean run(Graph g, PassContext ctx) {
    boolean changed = false;
    for (Node op : new ArrayList<>(g.nodes())) {
      if (g.node(op.name()) == op && (Rewrites.is(op, "Mul") || Rewrites.is(op, "Add") || Rewrites.is(op, "Div")
          || Rewrites.is(op, "Sub"))) {
        changed |= tryFold(g, op);
      }
    }
    return changed;
  }

  private static boolean tryFold(Graph g, Node op) {
    boolean commutative = op.opType().equals("Mul") || op.opType().equals("Add");
    for (int slot = 0; slot < (commutative ? 2 : 1); slot++) {
      Value y = op.input(slot);
      Node conv = y == null ? null : y.producer();
      if (!Rewrites.is(conv, "Conv") || !FusionGuards.canMerge(g, y, op, false)) {
        continue;
      }
      long m = ChannelMath.convChannels(conv);
      int rank = ChannelMath.rank(y);
      double[] c = m < 0 || rank < 3 ? null : ChannelMath.perChannel(Rewrites.other(op, slot), rank, 1, m);
      double[] b = c == null ? null : ChannelMath.bias(conv.input(2), m);
      if (b == null) {
        continue;
      }
      TensorData w = conv.input(1).constant();
      switch (op.opType()) {
        case "Mul":
        case "Div":
          double[] s = new double[c.length];
          for (int i = 0; i < c.length; i++) {
            s[i] = op.opType().equals("Mul") ? c[i] : 1 / c[i];
            b[i] *= s[i];
          }
          g.setInput(conv, 1, Rewrites.constant(g, conv.input(1).name() + "_scaled", ChannelMath.scaleRows(w, s)));
          break;
        default:
          for (int i = 0; i < c.length; i++) {
            b[i] += op.opType().equals("Add") ? c[i] : -c[i];
          }
      }
      g.setInput(conv, 2, Rewrites.constant(g, conv.name() + "_bias_folded", ChannelMath.vector(w, b)));
      Rewrites.replace(g, op.output(0), conv.output(0), List.of(op));
      return true;
    }
    return false;
  }
}
