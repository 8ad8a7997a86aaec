package io.offloadcl.passes.fusion;

import io.offloadcl.ir.Attributes;
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
import java.util.List;

/**
 * Turns {@code Add(MatMul(A, B), bias)} into {@code Gemm(A, B, bias)} when A and B are 2-D (Gemm's C
 * broadcasts one way, so the bias may not grow the product), else into {@code FusedMatMul(A, B, bias)} for
 * batched products such as transformer projections. The bias is any value, not only a constant.
 */
public final class FuseMatMulAdd implements Pass {
  @Override
  public String name() {
    return "FuseMatMulAdd";
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
        Value bias = Rewrites.other(add, slot);
        Node mm = Rewrites.producedBy(v, "MatMul");
        if (mm == null || bias == null || bias == v || !FusionGuards.canMerge(g, v, add, false)
            || !FusionGuards.floatValue(v) || !FusionGuards.sameDType(v, bias) || !keepsShape(v.type(), bias.type())) {
          continue;
        }
        Node f;
        if (rank(mm.input(0)) == 2 && rank(mm.input(1)) == 2 && ctx.supports("Gemm")
            && g.opsetImports().getOrDefault("", 13) >= 7) {
          f = Rewrites.onnxNode(g, "Gemm", mm.name() + "_gemm", List.of(mm.input(0), mm.input(1), bias),
              new Attributes());
        } else if (ctx.supports("FusedMatMul")) {
          f = Rewrites.fusedNode(g, "FusedMatMul", mm.opsetVersion(), mm.name() + "_fused", List.of(mm.input(0), mm.input(1), bias),
              new Attributes());
        } else {
          continue;
        }
        f.output(0).setType(add.output(0).type());
        Rewrites.replace(g, add.output(0), f.output(0), Arrays.asList(add, mm));
        changed = true;
        break;
      }
    }
    if (changed) {
      g.sortTopologically();
    }
    return changed;
  }

  private static int rank(Value v) {
    TensorType t = v == null ? null : v.type();
    return t == null || !t.hasRank() ? -1 : t.shape().rank();
  }

  /** Broadcasting {@code bias} against {@code out} leaves {@code out}'s shape as it is. */
  private static boolean keepsShape(TensorType out, TensorType bias) {
    if (out == null || bias == null || !out.hasRank() || !bias.hasRank() || bias.shape().rank() > out.shape().rank()) {
      return false;
    }
    long[] o = out.shape().dims();
    long[] b = bias.shape().dims();
    for (int i = 0; i < b.length; i++) {
      long od = o[o.length - b.length + i];
      if (b[i] != 1 && b[i] != od) {
        return false;
      }
    }
    return true;
  }
}
