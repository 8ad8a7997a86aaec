package io.offloadcl.placement;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.OpCost;
import io.offloadcl.ops.ShapeInference;

/**
 * Prepares a freshly imported graph for placement: a cost model needs sizes, and a dynamic dimension (a batch
 * of -1) leaves every downstream op without a cost. This binds the dynamic dimensions of the graph inputs to a
 * size and re-runs shape inference. It changes the graph it is given, so call it on the importer's result
 * before any placement, never on a graph something else holds.
 */
public final class StaticShapes {
  private StaticShapes() {}

  /**
   * Sets every dynamic input dimension to {@code size} and re-infers shapes.
   *
   * @return how many dimensions were bound
   */
  public static int bindDynamicInputs(Graph g, long size) {
    if (size < 1) {
      throw new IllegalArgumentException("a dynamic dimension must be bound to a size >= 1, got " + size);
    }
    int bound = 0;
    for (Value in : g.inputs()) {
      TensorType t = in.type();
      if (t == null || !t.hasRank() || t.isStatic()) {
        continue;
      }
      long[] dims = t.shape().dims();
      for (int i = 0; i < dims.length; i++) {
        if (dims[i] < 0) {
          dims[i] = size;
          bound++;
        }
      }
      in.setType(t.withShape(Shape.of(dims)));
    }
    if (bound > 0) {
      ShapeInference.run(g);
    }
    return bound;
  }

  /** Ops whose cost is unknown (dynamic shapes): the cost model can only charge their launch. */
  public static int opsWithUnknownCost(Graph g) {
    int n = 0;
    for (Node op : g.nodes()) {
      OpCost c = io.offloadcl.device.OpEstimates.cost(op);
      if (!c.isKnown()) {
        n++;
      }
    }
    return n;
  }
}
