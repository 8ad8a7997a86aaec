package io.offloadcl.runtime.opencl;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.InferenceContext;
import io.offloadcl.ops.OpCatalog;
import io.offloadcl.ops.OpSpec;
import io.offloadcl.runtime.cpu.CpuKernel;
import io.offloadcl.runtime.cpu.CpuKernels;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies a graph with its inputs fixed to concrete shapes and every other shape re-inferred, so kernels and
 * buffers can be planned for models whose batch or sequence dimension is dynamic. Nodes computable from
 * constants and static shapes are evaluated on the way (see {@link #fold}). The source graph is not changed;
 * constants' data is shared (never mutated).
 */
public final class ShapeSpecializer {
  private ShapeSpecializer() {}

  /** True when every input, output and intermediate has a static shape. */
  public static boolean isStatic(Graph g) {
    for (Value v : g.values()) {
      if (v.type() == null || v.type().shape() == null || !v.type().isStatic()) {
        return false;
      }
    }
    return true;
  }

  /** Largest input whose values a specialization binds (shape tensors, scales and bounds are small). */
  public static final int MAX_BOUND_ELEMENTS = 64;

  /** How much of the inputs a specialization binds; each step binds more and so compiles for fewer runs. */
  public enum Binding {
    /** the inputs' dims only */
    DIMS,
    /** also the values of small integer inputs (Reshape targets, Slice bounds, axes) */
    INT_VALUES,
    /** also the values of small float inputs (Resize scales, Range bounds) */
    ALL_VALUES;

    /** The next deeper binding, or null. */
    public Binding next() {
      return this == DIMS ? INT_VALUES : this == INT_VALUES ? ALL_VALUES : null;
    }
  }

  /**
   * @param inputs concrete inputs keyed by graph-input name, read only for their dims
   * @throws ShapeMismatchException when an input is missing or contradicts a static dimension
   */
  public static Graph specialize(Graph g, Map<String, TensorData> inputs) {
    return specialize(g, inputs, Binding.DIMS);
  }

  /**
   * As {@link #specialize(Graph, Map)}, binding also the values of small inputs as {@code binding} says (as
   * constants feeding the nodes that used the input), for graphs whose shapes depend on data: a Reshape target,
   * Slice bounds or Resize scales given as a graph input. Such a specialization is valid only for those values:
   * see {@link #valueKey}.
   */
  public static Graph specialize(Graph g, Map<String, TensorData> inputs, Binding binding) {
    Map<String, TensorType> types = new java.util.HashMap<>();
    Map<String, TensorData> bound = new java.util.HashMap<>();
    for (Value in : g.inputs()) {
      TensorData d = inputs.get(in.name());
      if (d == null) {
        throw new ShapeMismatchException("missing input '" + in.name() + "' (expected " + in.type() + ")");
      }
      if (in.type() != null && in.type().shape() != null && !in.type().shape().compatibleWith(d.shape())) {
        throw new ShapeMismatchException("input '" + in.name() + "': expected " + in.type() + ", got " + d.type());
      }
      types.put(in.name(), new TensorType(in.type() == null ? d.dtype() : in.type().dtype(), d.shape()));
      if (bindable(d, binding)) {
        bound.put(in.name(), d);
      }
    }
    return copy(g, types, bound);
  }

  /** Signature of the inputs' dims, and of the values {@code binding} binds. */
  public static String valueKey(Graph g, Map<String, TensorData> inputs, Binding binding) {
    StringBuilder sb = new StringBuilder();
    for (Value in : g.inputs()) {
      TensorData d = inputs.get(in.name());
      sb.append(java.util.Arrays.toString(d.dims()));
      if (bindable(d, binding)) {
        sb.append('=').append(d.dtype().isFloating()
            ? java.util.Arrays.toString(d.toFloatArray()) : java.util.Arrays.toString(d.toLongArray()));
      }
      sb.append(';');
    }
    return sb.toString();
  }

  private static boolean bindable(TensorData d, Binding binding) {
    if (binding == Binding.DIMS || d.size() > MAX_BOUND_ELEMENTS) {
      return false;
    }
    boolean integer = d.dtype() == io.offloadcl.ir.DType.INT64 || d.dtype() == io.offloadcl.ir.DType.INT32;
    return integer || (binding == Binding.ALL_VALUES && d.dtype() == io.offloadcl.ir.DType.FLOAT32);
  }

  /** A static graph copied with what can be computed ahead (weights from ConstantOfShape, shape arithmetic) folded. */
  public static Graph fold(Graph g) {
    Map<String, TensorType> types = new java.util.HashMap<>();
    for (Value in : g.inputs()) {
      types.put(in.name(), in.type());
    }
    return copy(g, types, Map.of());
  }

  private static Graph copy(Graph g, Map<String, TensorType> inputTypes, Map<String, TensorData> bound) {
    Graph c = new Graph(g.name());
    c.opsetImports().putAll(g.opsetImports());
    Map<Value, Value> map = new IdentityHashMap<>();
    for (Value in : g.inputs()) {
      Value ci = c.addInput(in.name(), inputTypes.get(in.name()));
      TensorData b = bound.get(in.name());
      // a bound input stays declared (callers still pass it) but its users read the constant
      map.put(in, b == null ? ci : c.addConstant(c.freshValueName(in.name() + "_bound"), b.copy()));
    }
    for (Value k : g.constants()) {
      if (!map.containsKey(k)) {
        map.put(k, c.addConstant(k.name(), k.constant()));
      }
    }
    for (Node n : g.nodes()) {
      List<Value> ins = new ArrayList<>();
      for (Value v : n.inputs()) {
        ins.add(v == null ? null : map.get(v));
      }
      TensorData[] folded = fold(n, ins);
      if (folded != null) {
        for (int i = 0; i < n.outputs().size(); i++) {
          if (n.output(i) != null) {
            map.put(n.output(i), c.addConstant(n.output(i).name(), folded[i]));
          }
        }
        continue;
      }
      List<String> outs = new ArrayList<>();
      for (Value o : n.outputs()) {
        outs.add(o == null ? null : o.name());
      }
      Node m = c.addNode(n.opType(), n.domain(), n.opsetVersion(), n.name(), ins, outs,
          new Attributes(n.attributes()));
      infer(m);
      for (int i = 0; i < outs.size(); i++) {
        if (n.output(i) != null) {
          map.put(n.output(i), m.output(i));
        }
      }
    }
    for (Value o : g.outputs()) {
      c.addOutput(map.get(o));
    }
    return c;
  }

  /**
   * Evaluates a node whose inputs are all known now (constants, or for Shape and Size a statically shaped
   * input) with its reference kernel, so shape arithmetic (Shape, Gather, Concat, ... feeding Reshape or
   * Slice) becomes constants and every later shape static. Null when the node must run.
   */
  private static TensorData[] fold(Node n, List<Value> ins) {
    if (n.opType().startsWith("Random") || n.outputs().isEmpty()) {
      return null;
    }
    CpuKernel k = CpuKernels.find(n.opType());
    if (k == null) {
      return null;
    }
    boolean shapeOnly = n.opType().equals("Shape") || n.opType().equals("Size");
    TensorData[] data = new TensorData[ins.size()];
    for (int i = 0; i < ins.size(); i++) {
      Value v = ins.get(i);
      if (v == null) {
        continue;
      }
      if (v.isConstant()) {
        data[i] = v.constant();
      } else if (shapeOnly && v.type() != null && v.type().isStatic()
          && v.type().shape().numElements() <= (1 << 24)) {
        data[i] = TensorData.zeros(v.type().dtype(), v.type().shape().dims()); // only its dims are read
      } else {
        return null;
      }
    }
    try {
      TensorData[] out = k.run(n, data);
      for (int i = 0; i < n.outputs().size(); i++) {
        if (n.output(i) != null && (i >= out.length || out[i] == null)) {
          return null;
        }
      }
      return out;
    } catch (RuntimeException e) {
      return null; // leave it to run time, where the same failure is reported with its node
    }
  }

  private static void infer(Node m) {
    OpSpec spec = OpCatalog.find(m.domain(), m.opType());
    if (spec == null) {
      return; // unknown ops keep unknown output types; the executor names them if it cannot run them
    }
    List<TensorType> types = new ArrayList<>();
    List<TensorData> consts = new ArrayList<>();
    for (Value in : m.inputs()) {
      types.add(in == null ? null : in.type());
      consts.add(in == null ? null : in.constant());
    }
    List<TensorType> outs = spec.inferTypes(new InferenceContext(m, types, consts));
    for (int i = 0; i < m.outputs().size(); i++) {
      if (m.output(i) != null && i < outs.size() && outs.get(i) != null) {
        m.output(i).setType(outs.get(i));
      }
    }
  }
}
