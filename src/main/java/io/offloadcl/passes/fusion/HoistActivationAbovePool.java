package io.offloadcl.passes.fusion;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Value;
import io.offloadcl.passes.FusionGuards;
import io.offloadcl.passes.Pass;
import io.offloadcl.passes.PassContext;
import io.offloadcl.passes.Rewrites;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites {@code act(MaxPool(conv))} as {@code MaxPool(act(conv))} so FuseActivation can put the activation
 * into the conv's epilogue (Conv → MaxPool → Relu, as in tribuo's CNN). Exact because a max commutes with a
 * non-decreasing function: Relu, Clip, Sigmoid, Tanh, and LeakyRelu/HardSigmoid with a non-negative slope.
 * Fires only when the pool's input comes from a conv/gemm/matmul the activation can then join.
 */
public final class HoistActivationAbovePool implements Pass {
  @Override
  public String name() {
    return "HoistActivationAbovePool";
  }

  @Override
  public boolean run(Graph g, PassContext ctx) {
    boolean changed = false;
    for (Node act : new ArrayList<>(g.nodes())) {
      if (g.node(act.name()) != act || !monotone(act)) {
        continue;
      }
      Value p = act.input(0);
      Node pool = Rewrites.producedBy(p, "MaxPool");
      if (pool == null || !FusionGuards.canMerge(g, p, act, false) || (pool.output(1) != null
          && (!pool.output(1).uses().isEmpty() || g.isOutput(pool.output(1))))) {
        continue;
      }
      Value y = pool.input(0);
      Node heavy = y.producer();
      String type = EpilogueTargets.fusedType(heavy);
      if (type == null || !ctx.supports(type) || !FusionGuards.canMerge(g, y, pool, false)
          || (heavy.domain().equals(Rewrites.FUSED_DOMAIN) && EpilogueTargets.hasActivation(heavy))) {
        continue;
      }
      List<Value> ins = new ArrayList<>(act.inputs());
      ins.set(0, y);
      Node moved = g.addNode(act.opType(), act.domain(), act.opsetVersion(), g.freshNodeName(act.name() + "_hoisted"),
          ins, List.of(g.freshValueName(y.name() + "_act")), new Attributes(act.attributes()));
      moved.output(0).setType(y.type());
      g.setInput(pool, 0, moved.output(0));
      Rewrites.replace(g, act.output(0), pool.output(0), List.of(act));
      changed = true;
    }
    if (changed) {
      g.sortTopologically();
    }
    return changed;
  }

  private static boolean monotone(Node n) {
    switch (n.opType()) {
      case "Relu":
      case "Sigmoid":
      case "Tanh":
        return Rewrites.is(n, n.opType());
      case "Clip":
        return Rewrites.is(n, "Clip") && ScalarOps.token(n) != null;
      case "LeakyRelu":
        return Rewrites.is(n, "LeakyRelu") && n.attributes().getFloat("alpha", 0.01f) >= 0;
      case "HardSigmoid":
        return Rewrites.is(n, "HardSigmoid") && n.attributes().getFloat("alpha", 0.2f) >= 0;
      default:
        return false;
    }
  }
}
