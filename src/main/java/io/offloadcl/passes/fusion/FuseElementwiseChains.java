package io.offloadcl.passes.fusion;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.passes.FusionGuards;
import io.offloadcl.passes.Pass;
import io.offloadcl.passes.PassContext;
import io.offloadcl.passes.Rewrites;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Merges a tree of elementwise ops into one FusedElementwise node whose postfix program (see
 * {@link io.offloadcl.ops.FusedOps}) computes the whole tree per output element: intermediates stay in
 * registers instead of making a round trip through memory each.
 *
 * <p>Grouping: nodes are visited from the last to the first; an unclaimed eligible node starts a group (its
 * root) and the group grows upwards through inputs whose producer is eligible, passes {@link FusionGuards}
 * (all uses inside the consuming member; {@code Mul(t, t)} becomes {@code t dup Mul}), and has the root's
 * static shape (so no element is computed twice under broadcasting). Eligible: the catalog gives the op
 * kind ELEMWISE or BROADCAST, it has a fused-vocabulary token, and computes float32. Growth stops at
 * {@link PassContext#maxFusedElementwiseOps()} nodes. One-element constants are inlined as literals; other
 * operands become the fused node's inputs, each once.
 */
public final class FuseElementwiseChains implements Pass {
  private static final int MAX_INPUTS = 8;

  @Override
  public String name() {
    return "FuseElementwiseChains";
  }

  @Override
  public boolean run(Graph g, PassContext ctx) {
    if (!ctx.supports("FusedElementwise")) {
      return false;
    }
    boolean changed = false;
    List<Node> order = new ArrayList<>(g.nodes());
    Set<Node> claimed = new java.util.HashSet<>();
    for (int i = order.size() - 1; i >= 0; i--) {
      Node root = order.get(i);
      if (claimed.contains(root) || !eligible(root)) {
        continue;
      }
      Set<Node> group = grow(g, root, ctx.maxFusedElementwiseOps());
      if (group.size() < 2) {
        continue;
      }
      List<Value> externals = new ArrayList<>();
      List<String> program = new ArrayList<>();
      emit(root.output(0), group, externals, program);
      if (externals.size() > MAX_INPUTS || externals.isEmpty()) {
        continue;
      }
      claimed.addAll(group);
      Attributes a = new Attributes();
      a.set("expr", program.toArray(new String[0]));
      Node f = Rewrites.fusedNode(g, "FusedElementwise", root.opsetVersion(), root.name() + "_fused", externals, a);
      f.output(0).setType(root.output(0).type());
      Rewrites.replace(g, root.output(0), f.output(0), group);
      changed = true;
    }
    if (changed) {
      g.sortTopologically();
    }
    return changed;
  }

  private static boolean eligible(Node n) {
    if (n.outputs().size() != 1 || n.output(0) == null) {
      return false;
    }
    TensorType t = n.output(0).type();
    return t != null && t.dtype() == DType.FLOAT32 && t.isStatic() && ScalarOps.token(n) != null
        && ScalarOps.elementwiseKind(n) && operandsFloat(n);
  }

  /** Every operand is float32 (an int exponent of Pow would need a conversion the program cannot express). */
  private static boolean operandsFloat(Node n) {
    int k = ScalarOps.operands(n);
    for (int i = 0; i < k; i++) {
      Value v = n.input(i);
      if (v == null || v.type() == null || v.type().dtype() != DType.FLOAT32) {
        return false;
      }
    }
    return true;
  }

  private static Set<Node> grow(Graph g, Node root, int max) {
    Set<Node> group = new LinkedHashSet<>();
    group.add(root);
    List<Node> work = new ArrayList<>(List.of(root));
    while (!work.isEmpty() && group.size() < max) {
      Node m = work.remove(work.size() - 1);
      for (int i = 0; i < ScalarOps.operands(m) && group.size() < max; i++) {
        Value v = m.input(i);
        Node p = v.producer();
        if (p == null || group.contains(p) || !eligible(p) || !FusionGuards.canMerge(g, v, m, true)
            || !FusionGuards.sameStaticShape(v, root.output(0))) {
          continue;
        }
        group.add(p);
        work.add(p);
      }
    }
    return group;
  }

  private static void emit(Value v, Set<Node> group, List<Value> externals, List<String> program) {
    Node p = v.producer();
    if (p != null && group.contains(p)) {
      int k = ScalarOps.operands(p);
      if (k == 2 && p.input(0) == p.input(1)) {
        emit(p.input(0), group, externals, program);
        program.add("dup");
      } else {
        for (int i = 0; i < k; i++) {
          emit(p.input(i), group, externals, program);
        }
      }
      program.add(ScalarOps.token(p));
      return;
    }
    Double s = v.isConstant() && v.constant().dtype() == DType.FLOAT32 ? Rewrites.scalar(v) : null;
    if (s != null) {
      program.add("const:" + Float.toString(s.floatValue()));
      return;
    }
    int idx = externals.indexOf(v);
    if (idx < 0) {
      externals.add(v);
      idx = externals.size() - 1;
    }
    program.add("in:" + idx);
  }
}
