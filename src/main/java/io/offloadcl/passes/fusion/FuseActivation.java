package io.offloadcl.passes.fusion;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.FusedExpr;
import io.offloadcl.passes.FusionGuards;
import io.offloadcl.passes.Pass;
import io.offloadcl.passes.PassContext;
import io.offloadcl.passes.Rewrites;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * Turns {@code act(Conv|Gemm|MatMul(...))} into FusedConv/FusedGemm/FusedMatMul with {@code activation} and
 * {@code activation_params} attributes, so the activation runs in the heavy kernel's store instead of a
 * second pass over memory. Any one-operand function of the fused vocabulary qualifies (Relu, Clip, LeakyRelu,
 * Sigmoid, HardSigmoid, HardSwish, Tanh, Gelu, ...). One activation per node: a second one is left to
 * FuseElementwiseChains.
 */
public final class FuseActivation implements Pass {
  @Override
  public String name() {
    return "FuseActivation";
  }

  @Override
  public boolean run(Graph g, PassContext ctx) {
    boolean changed = false;
    for (Node act : new ArrayList<>(g.nodes())) {
      if (g.node(act.name()) != act) {
        continue;
      }
      String token = ScalarOps.token(act);
      if (token == null) {
        continue;
      }
      String[] parts = token.split(":");
      if (!FusedExpr.isActivation(parts[0])) {
        continue;
      }
      Value v = act.input(0);
      Node heavy = v == null ? null : v.producer();
      String type = EpilogueTargets.fusedType(heavy);
      if (type == null || !ctx.supports(type) || !FusionGuards.canMerge(g, v, act, false)
          || !FusionGuards.floatValue(v)) {
        continue;
      }
      if (heavy.domain().equals(Rewrites.FUSED_DOMAIN) && EpilogueTargets.hasActivation(heavy)) {
        continue;
      }
      Node f = EpilogueTargets.fusedFrom(g, heavy);
      float[] params = new float[parts.length - 1];
      for (int i = 0; i < params.length; i++) {
        params[i] = Float.parseFloat(parts[i + 1]);
      }
      f.attributes().setString("activation", parts[0]);
      if (params.length > 0) {
        f.attributes().setFloats("activation_params", params);
      } else {
        f.attributes().remove("activation_params");
      }
      Rewrites.replace(g, act.output(0), f.output(0), Arrays.asList(act, heavy));
      changed = true;
    }
    if (changed) {
      g.sortTopologically();
    }
    return changed;
  }
}
