package io.offloadcl.passes;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.OpCatalog;
import io.offloadcl.ops.OpCost;
import io.offloadcl.ops.OpSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Figures the pass report and tests read off a graph. */
public final class GraphStats {
  private GraphStats() {}

  /**
   * Estimated memory traffic: bytes read plus bytes written summed over every node's op cost, with dynamic
   * dimensions counted as 1 (one sample of a dynamic batch, as the onnx-light inputs are run). Nodes whose
   * cost is still unknown (unknown rank, unknown op) count 0; -1 only when no node has a known cost.
   */
  public static long estimatedBytes(Graph g) {
    long sum = 0;
    boolean any = false;
    for (Node n : g.nodes()) {
      OpCost c = cost(n);
      if (c.isKnown()) {
        sum += c.bytesRead() + c.bytesWritten();
        any = true;
      }
    }
    return any || g.nodes().isEmpty() ? sum : -1;
  }

  /** A node's cost with dynamic dims taken as 1; unknown when the op or a rank is unknown. */
  public static OpCost cost(Node n) {
    OpSpec spec = OpCatalog.find(n.domain(), n.opType());
    if (spec == null) {
      return OpCost.UNKNOWN;
    }
    List<TensorType> ins = new ArrayList<>();
    for (Value v : n.inputs()) {
      if (v != null) {
        ins.add(concrete(v.type()));
      }
    }
    List<TensorType> outs = new ArrayList<>();
    for (Value v : n.outputs()) {
      if (v != null) {
        outs.add(concrete(v.type()));
      }
    }
    try {
      return spec.cost(n, ins, outs);
    } catch (RuntimeException e) {
      return OpCost.UNKNOWN; // a cost formula failing on odd shapes must not break the report
    }
  }

  private static TensorType concrete(TensorType t) {
    if (t == null || !t.hasRank() || t.isStatic()) {
      return t;
    }
    long[] d = t.shape().dims();
    for (int i = 0; i < d.length; i++) {
      d[i] = d[i] < 0 ? 1 : d[i];
    }
    return t.withShape(Shape.of(d));
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
