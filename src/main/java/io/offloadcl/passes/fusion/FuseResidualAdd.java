package io.offloadcl.passes.fusion;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Value;
import io.offloadcl.passes.FusionGuards;
import io.offloadcl.passes.Pass;
import io.offloadcl.passes.PassContext;
import io.offloadcl.passes.Rewrites;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * Turns {@code Add(Conv|Gemm|MatMul(...), z)} (or a two-input Sum, as some ResNet exports write it) with {@code z} of the output's shape into a fused node with
 * {@code residual=1} and {@code z} as input 3 (ResNet's shortcut add). Runs before FuseActivation, because the
 * epilogue adds the residual before the activation. The other operand must be a different value: in
 * {@code Add(t, t)} the fused node would read its own output.
 */
public final class FuseResidualAdd implements Pass {
  @Override
  public String name() {
    return "FuseResidualAdd";
  }

  @Override
  public boolean run(Graph g, PassContext ctx) {
    boolean changed = false;
    for (Node add : new ArrayList<>(g.nodes())) {
      if (!Rewrites.isLiveTwoOperandAdd(g, add)) {
        continue;
      }
      for (int slot = 0; slot < 2; slot++) {
        Value v = add.input(slot);
        Value z = Rewrites.other(add, slot);
        Node heavy = v == null ? null : v.producer();
        String type = EpilogueTargets.fusedType(heavy);
        if (type == null || z == null || z == v || !ctx.supports(type) || !FusionGuards.canMerge(g, v, add, false)
            || !FusionGuards.floatValue(v) || !FusionGuards.sameDType(v, z) || !FusionGuards.sameStaticShape(v, z)) {
          continue;
        }
        if (heavy.domain().equals(Rewrites.FUSED_DOMAIN)
            && (EpilogueTargets.hasActivation(heavy) || EpilogueTargets.hasResidual(heavy))) {
          continue;
        }
        Node f = EpilogueTargets.fusedFrom(g, heavy);
        g.setInput(f, 3, z);
        f.attributes().setInt("residual", 1);
        Rewrites.replace(g, add.output(0), f.output(0), Arrays.asList(add, heavy));
        changed = true;
        break;
      }
    }
    if (changed) {
      g.sortTopologically();
    }
    return changed;
  }
}
