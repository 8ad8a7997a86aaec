package io.offloadcl.quant;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Value;
import java.util.ArrayList;
import java.util.List;

/** Graph helpers of the quantizer: it works on its own copy so the caller's fp32 graph is left as it was. */
public final class QuantGraphs {
  private QuantGraphs() {}

  /**
   * A structural copy: same value and node names, types, attributes (copied maps) and constant data (shared,
   * since tensors are never modified in place).
   */
  public static Graph copy(Graph src) {
    Graph g = new Graph(src.name());
    g.opsetImports().putAll(src.opsetImports());
    for (Value in : src.inputs()) {
      g.addInput(in.name(), in.type());
    }
    for (Value c : src.constants()) {
      if (g.value(c.name()) == null) {
        g.addConstant(c.name(), c.constant());
      }
    }
    for (Node n : src.nodes()) {
      List<Value> ins = new ArrayList<>();
      for (Value v : n.inputs()) {
        ins.add(v == null ? null : g.value(v.name()));
      }
      List<String> outs = new ArrayList<>();
      for (Value v : n.outputs()) {
        outs.add(v == null ? null : v.name());
      }
      Node m = g.addNode(n.opType(), n.domain(), n.opsetVersion(), n.name(), ins, outs, new Attributes(n.attributes()));
      for (int i = 0; i < n.outputs().size(); i++) {
        if (n.output(i) != null) {
          m.output(i).setType(n.output(i).type());
        }
      }
    }
    for (Value o : src.outputs()) {
      g.addOutput(g.value(o.name()));
    }
    return g;
  }

  /** A copy of the graph whose outputs also include the named values (those already outputs are not repeated). */
  public static Graph withOutputs(Graph src, Iterable<String> extra) {
    Graph g = copy(src);
    for (String name : extra) {
      Value v = g.value(name);
      if (v == null) {
        throw new CalibrationException("graph '" + src.name() + "' has no value '" + name + "' to observe");
      }
      if (!g.isOutput(v)) {
        g.addOutput(v);
      }
    }
    return g;
  }
}
