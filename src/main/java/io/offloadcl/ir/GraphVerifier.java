package io.offloadcl.ir;

import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Checks the IR's invariants: non-empty inputs and outputs, unique names, every used value produced (by a node
 * earlier in the order, a graph input or a constant), exact use lists, and no cycle. A failure names the node or
 * value at fault.
 */
public final class GraphVerifier {
  private GraphVerifier() {}

  public static void verify(Graph g) {
    // a graph made only of Constant-like nodes (no inputs, no initializers) is valid ONNX
    if (g.inputs().isEmpty() && g.constants().isEmpty() && g.nodes().isEmpty()) {
      throw new GraphException("graph '" + g.name() + "' has no inputs");
    }
    if (g.outputs().isEmpty()) {
      throw new GraphException("graph '" + g.name() + "' has no outputs");
    }
    Set<String> nodeNames = new HashSet<>();
    Map<Value, Boolean> available = new IdentityHashMap<>();
    for (Value v : g.inputs()) {
      available.put(v, true);
    }
    for (Value v : g.values()) {
      if (v.isConstant()) {
        available.put(v, true);
      }
      if (g.value(v.name()) != v) {
        throw new GraphException("value '" + v.name() + "' is registered under another name");
      }
    }
    // a cycle shows up as a use before definition; sorting tells which node closes it
    Graph check = g;
    for (Node n : check.nodes()) {
      if (!nodeNames.add(n.name())) {
        throw new GraphException("node name '" + n.name() + "' is used twice");
      }
      for (int i = 0; i < n.inputs().size(); i++) {
        Value in = n.inputs().get(i);
        if (in == null) {
          continue;
        }
        if (g.value(in.name()) != in) {
          throw new GraphException("node '" + n.name() + "' input " + i + " uses value '" + in.name() + "' that is not in the graph");
        }
        if (!in.uses().contains(new Value.Use(n, i))) {
          throw new GraphException("value '" + in.name() + "' does not record its use by node '" + n.name() + "' input " + i);
        }
        if (!available.containsKey(in)) {
          if (in.producer() == null) {
            throw new GraphException("node '" + n.name() + "' input " + i + " uses value '" + in.name() + "' that nothing produces (dangling)");
          }
          g.sortTopologically();
          throw new GraphException("node '" + n.name() + "' uses value '" + in.name() + "' before node '" + in.producer().name() + "' produces it");
        }
      }
      for (int i = 0; i < n.outputs().size(); i++) {
        Value o = n.outputs().get(i);
        if (o == null) {
          continue;
        }
        if (o.producer() != n || o.producerIndex() != i) {
          throw new GraphException("value '" + o.name() + "' is output " + i + " of node '" + n.name() + "' but records another producer");
        }
        available.put(o, true);
      }
    }
    for (Value v : g.values()) {
      for (Value.Use u : v.uses()) {
        if (g.node(u.node().name()) != u.node() || u.node().input(u.index()) != v) {
          throw new GraphException("value '" + v.name() + "' records a stale use " + u);
        }
      }
    }
    for (Value o : g.outputs()) {
      if (!available.containsKey(o)) {
        throw new GraphException("graph output '" + o.name() + "' is not produced by any node, input or constant");
      }
    }
  }
}
