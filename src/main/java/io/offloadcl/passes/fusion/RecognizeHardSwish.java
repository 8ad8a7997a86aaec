package io.offloadcl.passes.fusion;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.OpCatalog;
import io.offloadcl.passes.FusionGuards;
import io.offloadcl.passes.Pass;
import io.offloadcl.passes.PassContext;
import io.offloadcl.passes.Rewrites;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Recognizes the decomposed HardSwish exporters emit and replaces it by one HardSwish node (opset 14):
 * {@code x * HardSigmoid(x)} with alpha 1/6 and beta 1/2, and {@code x * Clip(x + 3, 0, 6) / 6} in its
 * associations {@code (x*c)/6}, {@code x*(c/6)}, {@code (x*c)*(1/6)}, {@code x*(c*(1/6))}.
 */
public final class RecognizeHardSwish implements Pass {
  @Override
  public String name() {
    return "RecognizeHardSwish";
  }

  @Override
  public boolean run(Graph g, PassContext ctx) {
    if (!ctx.supports("HardSwish") || OpCatalog.find("HardSwish") == null) {
      return false;
    }
    boolean changed = false;
    for (Node n : new ArrayList<>(g.nodes())) {
      if (g.node(n.name()) != n) {
        continue;
      }
      Match m = Rewrites.is(n, "HardSigmoid") ? fromHardSigmoid(g, n) : Rewrites.is(n, "Clip") ? fromClip(g, n) : null;
      if (m == null) {
        continue;
      }
      Node hs = Rewrites.onnxNode(g, "HardSwish", 14, m.root.name() + "_hardswish", List.of(m.x), new Attributes());
      hs.output(0).setType(m.root.output(0).type());
      Rewrites.replace(g, m.root.output(0), hs.output(0), m.nodes);
      changed = true;
    }
    if (changed) {
      g.sortTopologically();
    }
    return changed;
  }

  private static final class Match {
    final Value x;
    final Node root;
    final List<Node> nodes;

    Match(Value x, Node root, Node... nodes) {
      this.x = x;
      this.root = root;
      this.nodes = Arrays.asList(nodes);
    }
  }

  private static Match fromHardSigmoid(Graph g, Node hsig) {
    Value x = hsig.input(0);
    if (Math.abs(hsig.attributes().getFloat("alpha", 0.2f) - 1.0 / 6) > 1e-6
        || Math.abs(hsig.attributes().getFloat("beta", 0.5f) - 0.5) > 1e-6) {
      return null;
    }
    Node mul = FusionGuards.soleUser(hsig.output(0));
    if (!Rewrites.is(mul, "Mul") || g.isOutput(hsig.output(0)) || !isOperandOf(mul, x, hsig.output(0))) {
      return null;
    }
    return new Match(x, mul, mul, hsig);
  }

  private static Match fromClip(Graph g, Node clip) {
    if (!"Clip:0.0:6.0".equals(ScalarOps.token(clip))) {
      return null;
    }
    Node add = clip.input(0) == null ? null : Rewrites.producedBy(clip.input(0), "Add");
    if (add == null || !FusionGuards.canMerge(g, clip.input(0), clip, false)) {
      return null;
    }
    Value x = Rewrites.isScalar(add.input(1), 3) ? add.input(0) : Rewrites.isScalar(add.input(0), 3) ? add.input(1) : null;
    Value c = clip.output(0);
    Node u = FusionGuards.soleUser(c);
    if (x == null || u == null || g.isOutput(c)) {
      return null;
    }
    if (isSixth(u, c)) {
      Node w = FusionGuards.soleUser(u.output(0));
      if (Rewrites.is(w, "Mul") && !g.isOutput(u.output(0)) && isOperandOf(w, x, u.output(0))) {
        return new Match(x, w, w, u, clip, add);
      }
    } else if (Rewrites.is(u, "Mul") && isOperandOf(u, x, c)) {
      Node w = FusionGuards.soleUser(u.output(0));
      if (w != null && !g.isOutput(u.output(0)) && isSixth(w, u.output(0))) {
        return new Match(x, w, w, u, clip, add);
      }
    }
    return null;
  }

  /** {@code n} is {@code Div(v, 6)} or {@code Mul(v, 1/6)}. */
  private static boolean isSixth(Node n, Value v) {
    if (Rewrites.is(n, "Div")) {
      return n.input(0) == v && Rewrites.isScalar(n.input(1), 6);
    }
    if (Rewrites.is(n, "Mul")) {
      return (n.input(0) == v && Rewrites.isScalar(n.input(1), 1.0 / 6))
          || (n.input(1) == v && Rewrites.isScalar(n.input(0), 1.0 / 6));
    }
    return false;
  }

  /** A two-input node whose operands are exactly {@code a} and {@code b} (either order). */
  static boolean isOperandOf(Node n, Value a, Value b) {
    return n.inputs().size() == 2 && ((n.input(0) == a && n.input(1) == b) || (n.input(0) == b && n.input(1) == a));
  }
}
