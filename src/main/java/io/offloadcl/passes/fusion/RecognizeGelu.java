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
import java.util.List;

/**
 * Recognizes the erf form of GELU, {@code x * 0.5 * (1 + erf(x / sqrt 2))}, and replaces it by one Gelu node
 * (opset 20). Starts at each Erf: its input is {@code x / sqrt 2} or {@code x * (1 / sqrt 2)}, its only user
 * adds 1, and the sum is multiplied by x and 0.5 in one of the exporters' associations:
 * {@code (x*0.5)*s}, {@code (x*s)*0.5}, {@code (0.5*s)*x} (operands in either order).
 */
public final class RecognizeGelu implements Pass {
  private static final double SQRT2 = Math.sqrt(2);

  @Override
  public String name() {
    return "RecognizeGelu";
  }

  @Override
  public boolean run(Graph g, PassContext ctx) {
    if (!ctx.supports("Gelu") || OpCatalog.find("Gelu") == null) {
      return false;
    }
    boolean changed = false;
    for (Node erf : new ArrayList<>(g.nodes())) {
      if (g.node(erf.name()) != erf || !Rewrites.is(erf, "Erf")) {
        continue;
      }
      List<Node> matched = new ArrayList<>();
      Value x = scaledInput(g, erf, matched);
      if (x == null) {
        continue;
      }
      Node root = product(g, erf, x, matched);
      if (root == null) {
        continue;
      }
      Node gelu = Rewrites.onnxNode(g, "Gelu", 20, root.name() + "_gelu", List.of(x), new Attributes());
      gelu.output(0).setType(root.output(0).type());
      Rewrites.replace(g, root.output(0), gelu.output(0), matched);
      changed = true;
    }
    if (changed) {
      g.sortTopologically();
    }
    return changed;
  }

  /** x from {@code Div(x, sqrt 2)} or {@code Mul(x, 1/sqrt 2)} feeding the Erf. */
  private static Value scaledInput(Graph g, Node erf, List<Node> matched) {
    Value in = erf.input(0);
    Node p = in == null ? null : in.producer();
    if (p == null || !FusionGuards.canMerge(g, in, erf, false)) {
      return null;
    }
    Value x = null;
    if (Rewrites.is(p, "Div") && near(p.input(1), SQRT2)) {
      x = p.input(0);
    } else if (Rewrites.is(p, "Mul")) {
      x = near(p.input(1), 1 / SQRT2) ? p.input(0) : near(p.input(0), 1 / SQRT2) ? p.input(1) : null;
    }
    if (x != null) {
      matched.add(p);
    }
    return x;
  }

  private static Node product(Graph g, Node erf, Value x, List<Node> matched) {
    Node add = FusionGuards.soleUser(erf.output(0));
    if (!Rewrites.is(add, "Add") || g.isOutput(erf.output(0))) {
      return null;
    }
    int erfSlot = add.input(0) == erf.output(0) ? 0 : 1;
    if (!Rewrites.isScalar(Rewrites.other(add, erfSlot), 1)) {
      return null;
    }
    Value s = add.output(0);
    Node m1 = FusionGuards.soleUser(s);
    if (!Rewrites.is(m1, "Mul") || g.isOutput(s)) {
      return null;
    }
    Value o1 = m1.input(0) == s ? m1.input(1) : m1.input(0);
    matched.add(erf);
    matched.add(add);
    matched.add(m1);
    Node half = o1 == null ? null : Rewrites.producedBy(o1, "Mul");
    if (half != null && FusionGuards.soleUser(o1) == m1 && !g.isOutput(o1)
        && RecognizeHardSwish.isOperandOf(half, x, otherOf(half, x)) && near(otherOf(half, x), 0.5)) {
      matched.add(half);
      return m1;
    }
    Node m2 = FusionGuards.soleUser(m1.output(0));
    if (!Rewrites.is(m2, "Mul") || g.isOutput(m1.output(0))) {
      return null;
    }
    Value o2 = m2.input(0) == m1.output(0) ? m2.input(1) : m2.input(0);
    if ((o1 == x && near(o2, 0.5)) || (near(o1, 0.5) && o2 == x)) {
      matched.add(m2);
      return m2;
    }
    return null;
  }

  private static Value otherOf(Node n, Value v) {
    return n.input(0) == v ? n.input(1) : n.input(1) == v ? n.input(0) : null;
  }

  private static boolean near(Value v, double want) {
    Double d = Rewrites.scalar(v);
    return d != null && Math.abs(d - want) <= 1e-4 * Math.abs(want);
  }
}
