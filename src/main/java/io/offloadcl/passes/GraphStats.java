package io.offloadcl.passes;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ops.OpCost;
import io.offloadcl.ops.ShapeInference;
import java.util.Map;
import java.util.TreeMap;

/** Figures the pass report and tests read off a graph. */
public final class GraphStats {
  private GraphStats() {}

  /**
   * Estimated memory traffic: bytes read plus bytes written summed over every node's op cost. Nodes whose
   * cost is unknown (dynamic shapes, unknown op) count 0, so the figure is a lower bound; -1 only when no
   * node has a known cost.
   */
  public static long estimatedBytes(Graph g) {
    long sum = 0;
    boolean any = false;
    for (Node n : g.nodes()) {
      OpCost c;
      try {
        c = ShapeInference.cost(n);
      } catch (RuntimeException e) {
        continue; // a cost formula failing on odd shapes must not break the report
      }
      if (c.isKnown()) {
        sum += c.bytesRead() + c.bytesWritten();
        any = true;
      }
    }
    return any || g.nodes().isEmpty() ? sum : -1;
  }

  /** Node count per op type (sorted), e.g. {Conv=2, Relu=2}. */
  public static Map<String, Integer> opHistogram(Graph g) {
    Map<String, Integer> r = new TreeMap<>();
    for (Node n : g.nodes()) {
      r.merge(n.opType(), 1, Integer::sum);
    }
    return r;
  }
}
