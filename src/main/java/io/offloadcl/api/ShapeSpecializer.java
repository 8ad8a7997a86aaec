package io.offloadcl.api;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.ShapeInference;
import java.util.Arrays;
import java.util.Map;

/**
 * Resolves a graph's dynamic dimensions from the inputs of one run, for executors that plan buffers ahead (the
 * OpenCL executor). The imported graph is left alone: each specialization is a {@link Graph#copy()}.
 *
 * <p>Two steps, the cheaper first. (1) Bind every input's dimensions and re-run shape inference; a dynamic
 * batch or sequence length resolves here. (2) When some shape still depends on data — a Reshape target, Slice
 * bounds or Unsqueeze axes fed by a graph input — also bind the values of small integer inputs as constants, so
 * that those shapes fold. The {@link #key} says which inputs a specialization depends on, so executors can be
 * cached per key.
 */
final class ShapeSpecializer {
  /** Largest integer input whose values are bound into the graph (shape tensors are small). */
  static final int MAX_BOUND_ELEMENTS = 64;

  private ShapeSpecializer() {}

  /** True when every value of the graph has a static shape. */
  static boolean isStatic(Graph g) {
    for (Value v : g.values()) {
      if (v.type() == null || !v.type().isStatic()) {
        return false;
      }
    }
    return true;
  }

  /** True when step (1) cannot be enough: some value's shape stays dynamic although every input is static. */
  static boolean needsValues(Graph g, Map<String, TensorData> inputs) {
    return !isStatic(bind(g, inputs, false));
  }

  /** The cache key of a run: input dims, and the values of bound integer inputs when {@code values}. */
  static String key(Graph g, Map<String, TensorData> inputs, boolean values) {
    StringBuilder sb = new StringBuilder();
    for (Value in : g.inputs()) {
      TensorData d = inputs.get(in.name());
      sb.append(in.name()).append(Arrays.toString(d.dims()));
      if (values && bindable(d)) {
        sb.append('=').append(Arrays.toString(d.toLongArray()));
      }
      sb.append(';');
    }
    return sb.toString();
  }

  /** A copy of {@code g} with the inputs' shapes (and, when {@code values}, small integer inputs) bound. */
  static Graph bind(Graph g, Map<String, TensorData> inputs, boolean values) {
    Graph c = g.copy();
    for (Value in : g.inputs()) {
      TensorData d = inputs.get(in.name());
      Value cin = c.value(in.name());
      cin.setType(new TensorType(d.dtype(), Shape.of(d.dims())));
      if (values && bindable(d) && !cin.uses().isEmpty()) {
        Value k = c.addConstant(c.freshValueName(in.name() + "_bound"), d.copy());
        c.replaceAllUses(cin, k, false);
      }
    }
    ShapeInference.run(c);
    return c;
  }

  private static boolean bindable(TensorData d) {
    return (d.dtype() == DType.INT64 || d.dtype() == DType.INT32) && d.size() <= MAX_BOUND_ELEMENTS;
  }
}
