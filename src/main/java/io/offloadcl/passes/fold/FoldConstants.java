package io.offloadcl.passes.fold;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.passes.ConstantEvaluator;
import io.offloadcl.passes.Pass;
import io.offloadcl.passes.PassContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Replaces nodes whose inputs are all constants by their results. {@code Shape} and {@code Size} of a value
 * with a static shape fold without running anything, which is what unlocks the
 * Shape → Gather → Concat → Reshape chains exporters emit: once Shape is a constant, the caller's
 * {@link ConstantEvaluator} computes Gather and Concat, and Reshape sees a constant target shape. Walks in
 * topological order so a whole constant chain folds in one run. Random ops are never folded, and results
 * above {@value #MAX_ELEMENTS} elements are left to run time.
 */
public final class FoldConstants implements Pass {
  static final int MAX_ELEMENTS = 1 << 24;
  private static final Set<String> NONDETERMINISTIC = Set.of("RandomNormal", "RandomUniform", "RandomNormalLike",
      "RandomUniformLike", "Multinomial", "Bernoulli");

  @Override
  public String name() {
    return "FoldConstants";
  }

  @Override
  public boolean run(Graph g, PassContext ctx) {
    boolean changed = false;
    for (Node n : new ArrayList<>(g.nodes())) {
      if (g.node(n.name()) != n) {
        continue;
      }
      TensorData[] results = shapeOf(n);
      if (results == null && ctx.evaluator() != null && allInputsConstant(n) && !NONDETERMINISTIC.contains(n.opType())
          && !hasSubgraph(n) && outputsSmall(n)) {
        results = evaluate(n, ctx);
      }
      if (results == null) {
        continue;
      }
      replaceByConstants(g, n, results);
      changed = true;
    }
    return changed;
  }

  /** Shape/Size of a static-shape input, else null. */
  private static TensorData[] shapeOf(Node n) {
    if (!(n.domain().isEmpty() || n.domain().equals("ai.onnx")) || n.input(0) == null) {
      return null;
    }
    TensorType t = n.input(0).type();
    if (t == null || !t.isStatic()) {
      return null;
    }
    long[] dims = t.shape().dims();
    if (n.opType().equals("Shape")) {
      int r = dims.length;
      long start = n.attributes().getInt("start", 0);
      long end = n.attributes().getInt("end", r);
      start = Math.max(0, Math.min(r, start < 0 ? start + r : start));
      end = Math.max(0, Math.min(r, end < 0 ? end + r : end));
      long[] s = new long[(int) Math.max(0, end - start)];
      System.arraycopy(dims, (int) start, s, 0, s.length);
      return new TensorData[] {TensorData.ofLongs(new long[] {s.length}, s)};
    }
    if (n.opType().equals("Size")) {
      return new TensorData[] {TensorData.scalarLong(t.shape().numElements())};
    }
    return null;
  }

  private static boolean allInputsConstant(Node n) {
    for (Value v : n.inputs()) {
      if (v != null && !v.isConstant()) {
        return false;
      }
    }
    return true;
  }

  private static boolean outputsSmall(Node n) {
    for (Value o : n.outputs()) {
      if (o != null && o.type() != null && o.type().isStatic() && o.type().shape().numElements() > MAX_ELEMENTS) {
        return false;
      }
    }
    return true;
  }

  private static boolean hasSubgraph(Node n) {
    for (Object v : n.attributes().asMap().values()) {
      if (v instanceof Graph || v instanceof Graph[]) {
        return true;
      }
    }
    return false;
  }

  private static TensorData[] evaluate(Node n, PassContext ctx) {
    TensorData[] args = new TensorData[n.inputs().size()];
    for (int i = 0; i < args.length; i++) {
      args[i] = n.input(i) == null ? null : n.input(i).constant();
    }
    TensorData[] r;
    try {
      r = ctx.evaluator().evaluate(n, args);
    } catch (RuntimeException e) {
      // a node that fails now fails the same way at run time, where the error names the inputs; leave it
      ctx.log("FoldConstants: cannot evaluate " + n + ": " + e.getMessage());
      return null;
    }
    if (r == null) {
      return null;
    }
    for (int i = 0; i < n.outputs().size(); i++) {
      if (n.output(i) != null && (i >= r.length || r[i] == null || r[i].size() > MAX_ELEMENTS)) {
        return null;
      }
    }
    return r;
  }

  private static void replaceByConstants(Graph g, Node n, TensorData[] results) {
    List<Value> consts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n.outputs().size(); i++) {
      Value o = n.output(i);
      if (o == null) {
        consts.add(null);
        names.add(null);
        continue;
      }
      Value c = g.addConstant(g.freshValueName(o.name() + "_folded"), results[i]);
      g.replaceAllUses(o, c, true);
      consts.add(c);
      names.add(o.name());
    }
    g.removeNode(n);
    for (int i = 0; i < consts.size(); i++) {
      if (consts.get(i) != null && g.value(names.get(i)) == null) {
        g.renameValue(consts.get(i), names.get(i));
      }
    }
  }
}
