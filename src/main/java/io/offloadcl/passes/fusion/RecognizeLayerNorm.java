package io.offloadcl.passes.fusion;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
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
 * Recognizes the decomposed layer normalization of BERT-style exports and replaces it by one
 * LayerNormalization node (opset 17):
 * <pre>
 *   m = ReduceMean(x, trailing axes); d = Sub(x, m); v = ReduceMean(Pow(d, 2) | Mul(d, d), same axes)
 *   n = Div(d, Sqrt(Add(v, eps))); y = Add(Mul(n, gamma), beta)        (Mul and Add optional)
 * </pre>
 * The reduced axes must be the trailing ones (LayerNormalization normalizes from {@code axis} to the end), with
 * keepdims; gamma and beta must have the normalized shape. Every intermediate must stay inside the pattern.
 */
public final class RecognizeLayerNorm implements Pass {
  @Override
  public String name() {
    return "RecognizeLayerNorm";
  }

  @Override
  public boolean run(Graph g, PassContext ctx) {
    if (!ctx.supports("LayerNormalization") || OpCatalog.find("LayerNormalization") == null) {
      return false;
    }
    boolean changed = false;
    for (Node mean : new ArrayList<>(g.nodes())) {
      if (g.node(mean.name()) == mean && Rewrites.is(mean, "ReduceMean")) {
        changed |= tryMatch(g, mean);
      }
    }
    if (changed) {
      g.sortTopologically();
    }
    return changed;
  }

  private static boolean tryMatch(Graph g, Node mean) {
    Value x = mean.input(0);
    int k = trailingAxes(mean, x);
    if (k <= 0) {
      return false;
    }
    List<Node> matched = new ArrayList<>();
    matched.add(mean);
    Node sub = single(g, mean.output(0), "Sub");
    if (sub == null || sub.input(0) != x || sub.input(1) != mean.output(0)) {
      return false;
    }
    matched.add(sub);
    Value d = sub.output(0);
    if (g.isOutput(d)) {
      return false;
    }
    Node sq = null;
    Node div = null;
    for (Node u : d.consumers()) {
      if ((Rewrites.is(u, "Pow") && u.input(0) == d && Rewrites.isScalar(u.input(1), 2))
          || (Rewrites.is(u, "Mul") && u.input(0) == d && u.input(1) == d)) {
        sq = u;
      } else if (Rewrites.is(u, "Div") && u.input(0) == d && u.input(1) != d) {
        div = u;
      } else {
        return false;
      }
    }
    if (sq == null || div == null || d.uses().size() != (Rewrites.is(sq, "Mul") ? 3 : 2)) {
      return false;
    }
    matched.add(sq);
    Node var = single(g, sq.output(0), "ReduceMean");
    if (var == null || trailingAxes(var, sq.output(0)) != k) {
      return false;
    }
    matched.add(var);
    Node addEps = single(g, var.output(0), "Add");
    if (addEps == null) {
      return false;
    }
    Value epsV = addEps.input(0) == var.output(0) ? addEps.input(1) : addEps.input(0);
    Double eps = Rewrites.scalar(epsV);
    if (eps == null) {
      return false;
    }
    matched.add(addEps);
    Node sqrt = single(g, addEps.output(0), "Sqrt");
    if (sqrt == null || FusionGuards.soleUser(sqrt.output(0)) != div || div.input(1) != sqrt.output(0)
        || g.isOutput(sqrt.output(0))) {
      return false;
    }
    matched.add(sqrt);
    matched.add(div);
    Node root = div;
    Value gamma = null;
    Value beta = null;
    Node mul = single(g, div.output(0), "Mul");
    if (mul != null) {
      gamma = mul.input(0) == div.output(0) ? mul.input(1) : mul.input(0);
      if (!normalizedShape(gamma, x, k)) {
        return false;
      }
      matched.add(mul);
      root = mul;
      Node add = single(g, mul.output(0), "Add");
      if (add != null) {
        Value b = add.input(0) == mul.output(0) ? add.input(1) : add.input(0);
        if (normalizedShape(b, x, k)) {
          beta = b;
          matched.add(add);
          root = add;
        }
      }
    }
    if (gamma == null) {
      long[] dims = x.type().shape().dims();
      long[] nd = Arrays.copyOfRange(dims, dims.length - k, dims.length);
      TensorData ones = TensorData.zeros(x.type().dtype(), nd);
      for (int i = 0; i < ones.size(); i++) {
        ones.setDouble(i, 1);
      }
      gamma = Rewrites.constant(g, mean.name() + "_ln_scale", ones);
    }
    Attributes a = new Attributes().setInt("axis", -k).setFloat("epsilon", eps.floatValue());
    List<Value> ins = beta == null ? List.of(x, gamma) : List.of(x, gamma, beta);
    Node ln = Rewrites.onnxNode(g, "LayerNormalization", 17, mean.name() + "_layernorm", ins, a);
    ln.output(0).setType(root.output(0).type());
    Rewrites.replace(g, root.output(0), ln.output(0), matched);
    return true;
  }

  /** The only user of {@code v} when it is op {@code type} and v is not a graph output, else null. */
  private static Node single(Graph g, Value v, String type) {
    Node u = FusionGuards.soleUser(v);
    return Rewrites.is(u, type) && !g.isOutput(v) ? u : null;
  }

  /** How many trailing axes a keepdims ReduceMean reduces (attribute or, from opset 18, input), or -1. */
  private static int trailingAxes(Node mean, Value x) {
    TensorType t = x == null ? null : x.type();
    if (t == null || !t.hasRank() || mean.attributes().getInt("keepdims", 1) == 0) {
      return -1;
    }
    int r = t.shape().rank();
    long[] axes = mean.attributes().getInts("axes", null);
    if (axes == null && mean.input(1) != null) {
      if (!mean.input(1).isConstant()) {
        return -1;
      }
      axes = mean.input(1).constant().toLongArray();
    }
    if (axes == null || axes.length == 0 || axes.length > r) {
      return -1;
    }
    long[] norm = new long[axes.length];
    for (int i = 0; i < axes.length; i++) {
      norm[i] = axes[i] < 0 ? axes[i] + r : axes[i];
    }
    Arrays.sort(norm);
    for (int i = 0; i < norm.length; i++) {
      if (norm[i] != r - norm.length + i) {
        return -1;
      }
    }
    return norm.length;
  }

  /** {@code v} has exactly the last {@code k} dims of {@code x}. */
  private static boolean normalizedShape(Value v, Value x, int k) {
    if (v == null || v.type() == null || !v.type().isStatic() || !x.type().hasRank()) {
      return false;
    }
    long[] vd = v.type().shape().dims();
    long[] xd = x.type().shape().dims();
    int lead = 0; // the kernels take gamma/beta of exactly the normalized shape
    if (vd.length - lead != k) {
      return false;
    }
    for (int i = 0; i < k; i++) {
      if (vd[lead + i] != xd[xd.length - k + i] || xd[xd.length - k + i] < 0) {
        return false;
      }
    }
    return true;
  }
}
