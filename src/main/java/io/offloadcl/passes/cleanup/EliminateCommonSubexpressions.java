package io.offloadcl.passes.cleanup;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.passes.Pass;
import io.offloadcl.passes.PassContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Merges nodes that compute the same thing: same op, domain, opset, attributes and the same input values
 * (after merging small equal constants). Walks in topological order so merged inputs make their users equal
 * too (value numbering). Random ops and nodes with subgraphs are never merged; a duplicate whose output is a
 * graph output is kept, since an output may be listed once.
 */
public final class EliminateCommonSubexpressions implements Pass {
  private static final Set<String> NONDETERMINISTIC = Set.of("RandomNormal", "RandomUniform", "RandomNormalLike",
      "RandomUniformLike", "Multinomial", "Bernoulli");
  private static final int MAX_CONSTANT_ELEMENTS = 4096;

  @Override
  public String name() {
    return "EliminateCommonSubexpressions";
  }

  @Override
  public boolean run(Graph g, PassContext ctx) {
    boolean changed = mergeConstants(g);
    Map<Key, Node> seen = new HashMap<>();
    for (Node n : new ArrayList<>(g.nodes())) {
      if (NONDETERMINISTIC.contains(n.opType()) || hasSubgraph(n)) {
        continue;
      }
      Key k = new Key(n);
      Node first = seen.get(k);
      if (first == null) {
        seen.put(k, n);
        continue;
      }
      boolean outputClash = false;
      for (Value o : n.outputs()) {
        if (o != null && g.isOutput(o)) {
          outputClash = true;
        }
      }
      if (outputClash || first.outputs().size() != n.outputs().size()) {
        continue;
      }
      boolean ok = true;
      for (int i = 0; i < n.outputs().size(); i++) {
        if (n.output(i) != null && first.output(i) == null) {
          ok = false;
        }
      }
      if (!ok) {
        continue;
      }
      for (int i = 0; i < n.outputs().size(); i++) {
        if (n.output(i) != null) {
          g.replaceAllUses(n.output(i), first.output(i), false);
        }
      }
      g.removeNode(n);
      changed = true;
    }
    return changed;
  }

  private static boolean mergeConstants(Graph g) {
    boolean changed = false;
    Map<String, List<Value>> buckets = new HashMap<>();
    for (Value c : g.constants()) {
      TensorData d = c.constant();
      if (d.size() > MAX_CONSTANT_ELEMENTS || g.isOutput(c) || g.isInput(c)) {
        continue;
      }
      String key = d.type() + ":" + contentHash(d);
      List<Value> bucket = buckets.computeIfAbsent(key, x -> new ArrayList<>());
      Value same = null;
      for (Value b : bucket) {
        if (b.constant().contentEquals(d)) {
          same = b;
          break;
        }
      }
      if (same == null) {
        bucket.add(c);
      } else if (!c.uses().isEmpty()) {
        g.replaceAllUses(c, same, false);
        g.removeValue(c);
        changed = true;
      }
    }
    return changed;
  }

  private static int contentHash(TensorData d) {
    Object a = d.array();
    if (a instanceof float[]) {
      return Arrays.hashCode((float[]) a);
    } else if (a instanceof long[]) {
      return Arrays.hashCode((long[]) a);
    } else if (a instanceof int[]) {
      return Arrays.hashCode((int[]) a);
    } else if (a instanceof double[]) {
      return Arrays.hashCode((double[]) a);
    } else if (a instanceof boolean[]) {
      return Arrays.hashCode((boolean[]) a);
    }
    return Arrays.hashCode((Object[]) a);
  }

  private static boolean hasSubgraph(Node n) {
    for (Object v : n.attributes().asMap().values()) {
      if (v instanceof Graph || v instanceof Graph[]) {
        return true;
      }
    }
    return false;
  }

  /** Identity of a node's computation. */
  private static final class Key {
    private final Node n;
    private final int hash;

    Key(Node n) {
      this.n = n;
      int h = Objects.hash(n.opType(), n.domain(), n.opsetVersion(), n.outputs().size());
      for (Value v : n.inputs()) {
        h = h * 31 + System.identityHashCode(v);
      }
      h = h * 31 + n.attributes().asMap().keySet().hashCode();
      this.hash = h;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key)) {
        return false;
      }
      Node m = ((Key) o).n;
      if (!m.opType().equals(n.opType()) || !m.domain().equals(n.domain()) || m.opsetVersion() != n.opsetVersion()
          || m.inputs().size() != n.inputs().size() || m.outputs().size() != n.outputs().size()) {
        return false;
      }
      for (int i = 0; i < n.inputs().size(); i++) {
        if (m.input(i) != n.input(i)) {
          return false;
        }
      }
      Map<String, Object> a = n.attributes().asMap();
      Map<String, Object> b = m.attributes().asMap();
      if (!a.keySet().equals(b.keySet())) {
        return false;
      }
      for (Map.Entry<String, Object> e : a.entrySet()) {
        if (!attrEquals(e.getValue(), b.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }

    private static boolean attrEquals(Object x, Object y) {
      if (x instanceof TensorData && y instanceof TensorData) {
        return ((TensorData) x).contentEquals((TensorData) y);
      }
      return Objects.deepEquals(x, y);
    }
  }
}
