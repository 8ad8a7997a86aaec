package io.offloadcl.passes.lower;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.passes.Pass;
import io.offloadcl.passes.PassContext;
import io.offloadcl.passes.Rewrites;
import java.util.ArrayList;
import java.util.List;

/**
 * For devices without Gemm: {@code Gemm(A, B, C; alpha, beta, transA, transB)} becomes
 * {@code Add(MatMul(A', B'), C')}. Constant operands are transposed and scaled here (alpha goes into a constant
 * B, beta into a constant C); otherwise Transpose and Mul nodes do it. Fires when the device lacks Gemm and has
 * MatMul (and Add, Transpose, Mul where they are needed).
 */
public final class DecomposeGemm implements Pass {
  @Override
  public String name() {
    return "DecomposeGemm";
  }

  @Override
  public boolean run(Graph g, PassContext ctx) {
    if (ctx.supports("Gemm") || !ctx.supports("MatMul")) {
      return false;
    }
    boolean changed = false;
    for (Node gemm : new ArrayList<>(g.nodes())) {
      if (Rewrites.is(gemm, "Gemm")) {
        changed |= decompose(g, gemm, ctx);
      }
    }
    if (changed) {
      g.sortTopologically();
    }
    return changed;
  }

  private static boolean decompose(Graph g, Node gemm, PassContext ctx) {
    Attributes at = gemm.attributes();
    float alpha = at.getFloat("alpha", 1f);
    float beta = at.getFloat("beta", 1f);
    boolean ta = at.getInt("transA", 0) != 0;
    boolean tb = at.getInt("transB", 0) != 0;
    Value a = gemm.input(0);
    Value b = gemm.input(1);
    Value c = gemm.input(2);
    boolean bConst = b.isConstant() && b.constant().rank() == 2;
    boolean cConst = c == null || c.isConstant();
    boolean needTranspose = (ta && !(a.isConstant() && a.constant().rank() == 2)) || (tb && !bConst);
    boolean needMul = (alpha != 1f && !bConst) || (c != null && beta != 1f && !cConst);
    if ((needTranspose && !ctx.supports("Transpose")) || (needMul && !ctx.supports("Mul"))
        || (c != null && !ctx.supports("Add"))) {
      return false;
    }
    String base = gemm.name();
    Value a2 = ta ? transposed(g, a, base + "_At", 1f) : a;
    Value b2;
    boolean alphaDone = false;
    if (bConst) {
      b2 = tb || alpha != 1f ? Rewrites.constant(g, b.name() + "_gemm", transpose(b.constant(), tb, alpha)) : b;
      alphaDone = true;
    } else {
      b2 = tb ? transposed(g, b, base + "_Bt", 1f) : b;
    }
    Value y = Rewrites.onnxNode(g, "MatMul", base + "_matmul", List.of(a2, b2), new Attributes()).output(0);
    if (alpha != 1f && !alphaDone) {
      Value s = Rewrites.constant(g, base + "_alpha", scalarLike(a, alpha));
      y = Rewrites.onnxNode(g, "Mul", base + "_alpha_mul", List.of(y, s), new Attributes()).output(0);
    }
    if (c != null) {
      Value c2 = c;
      if (beta != 1f) {
        if (c.isConstant()) {
          TensorData cd = c.constant().copy();
          for (int i = 0; i < cd.size(); i++) {
            cd.setDouble(i, cd.getDouble(i) * beta);
          }
          c2 = Rewrites.constant(g, c.name() + "_beta", cd);
        } else {
          Value s = Rewrites.constant(g, base + "_beta", scalarLike(a, beta));
          c2 = Rewrites.onnxNode(g, "Mul", base + "_beta_mul", List.of(c, s), new Attributes()).output(0);
        }
      }
      y = Rewrites.onnxNode(g, "Add", base + "_bias", List.of(y, c2), new Attributes()).output(0);
    }
    y.setType(gemm.output(0).type());
    Rewrites.replace(g, gemm.output(0), y, List.of(gemm));
    return true;
  }

  private static Value transposed(Graph g, Value v, String base, float scale) {
    if (v.isConstant() && v.constant().rank() == 2) {
      return Rewrites.constant(g, v.name() + "_t", transpose(v.constant(), true, scale));
    }
    return Rewrites.onnxNode(g, "Transpose", base, List.of(v), new Attributes().setInts("perm", 1, 0)).output(0);
  }

  /** A 2-D constant, transposed when asked, every element times {@code scale}. */
  private static TensorData transpose(TensorData t, boolean trans, float scale) {
    int r = (int) t.dim(0);
    int c = (int) t.dim(1);
    TensorData out = TensorData.zeros(t.dtype(), trans ? new long[] {c, r} : new long[] {r, c});
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < c; j++) {
        out.setDouble(trans ? j * r + i : i * c + j, t.getDouble(i * c + j) * scale);
      }
    }
    return out;
  }

  private static TensorData scalarLike(Value like, float v) {
    TensorData d = TensorData.zeros(like.type() == null ? io.offloadcl.ir.DType.FLOAT32 : like.type().dtype());
    d.setDouble(0, v);
    return d;
  }
}
