package io.offloadcl.passes.cleanup;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Value;
import io.offloadcl.passes.Pass;
import io.offloadcl.passes.PassContext;
import io.offloadcl.passes.Rewrites;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes nodes none of whose outputs reaches a graph output, then constants nothing reads. Walks the nodes
 * backwards so a whole dead chain goes in one sweep.
 */
public final class EliminateDeadNodes implements Pass {
  @Override
  public String name() {
    return "EliminateDeadNodes";
  }

  @Override
  public boolean run(Graph g, PassContext ctx) {
    boolean changed = false;
    List<Node> nodes = new ArrayList<>(g.nodes());
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Node n = nodes.get(i);
      if (Rewrites.isDead(g, n)) {
        g.removeNode(n);
        changed = true;
      }
    }
    for (Value c : g.constants()) {
      if (c.uses().isEmpty() && !g.isOutput(c) && !g.isInput(c)) {
        g.removeValue(c);
        changed = true;
      }
    }
    return changed;
  }
}
