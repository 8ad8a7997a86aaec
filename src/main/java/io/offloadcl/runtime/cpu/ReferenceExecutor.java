package io.offloadcl.runtime.cpu;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs a graph node by node with the reference kernels. Immutable after construction and so safe for
 * concurrent {@link #run} calls; each call keeps its own value table and drops an intermediate after its last
 * use.
 */
public final class ReferenceExecutor {
  private final Graph graph;
  private final List<Node> order;
  private final CpuKernel[] kernels;
  private final Map<Value, Integer> lastUse = new IdentityHashMap<>();

  /** @throws UnsupportedOperatorException listing every op type without a reference kernel and its nodes */
  public ReferenceExecutor(Graph graph) {
    this.graph = graph;
    this.order = new ArrayList<>(graph.nodes());
    this.kernels = new CpuKernel[order.size()];
    Map<String, List<String>> missing = new TreeMap<>();
    for (int i = 0; i < order.size(); i++) {
      Node n = order.get(i);
      CpuKernel k = n.domain().isEmpty() || n.domain().equals("ai.onnx") || n.domain().equals("offloadcl")
          ? CpuKernels.find(n.opType()) : null;
      if (k == null) {
        missing.computeIfAbsent(n.opType(), t -> new ArrayList<>()).add(n.name());
      }
      kernels[i] = k;
      for (Value in : n.inputs()) {
        if (in != null) {
          lastUse.put(in, i);
        }
      }
    }
    if (!missing.isEmpty()) {
      throw new UnsupportedOperatorException("no reference kernel for " + missing);
    }
    for (Value o : graph.outputs()) {
      lastUse.put(o, Integer.MAX_VALUE);
    }
  }

  public Graph graph() {
    return graph;
  }

  /**
   * Runs the graph on inputs keyed by graph-input name; returns every graph output keyed by name, in order.
   *
   * @throws ShapeMismatchException when an input is missing, unknown, or of the wrong dtype or shape
   */
  public Map<String, TensorData> run(Map<String, TensorData> inputs) {
    Map<Value, TensorData> env = new IdentityHashMap<>();
    checkInputs(graph, inputs);
    for (Value in : graph.inputs()) {
      env.put(in, inputs.get(in.name()));
    }
    for (Value c : graph.constants()) {
      env.put(c, c.constant());
    }
    for (int i = 0; i < order.size(); i++) {
      Node n = order.get(i);
      TensorData[] args = new TensorData[n.inputs().size()];
      for (int j = 0; j < args.length; j++) {
        Value v = n.input(j);
        args[j] = v == null ? null : env.get(v);
        if (v != null && args[j] == null) {
          throw new OffloadException("node '" + n.name() + "' input " + j + " ('" + v.name() + "') has no value");
        }
      }
      TensorData[] outs;
      try {
        outs = kernels[i].run(n, args);
      } catch (OffloadException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new OffloadException("node '" + n.name() + "' (" + n.opType() + ") failed: " + e, e);
      }
      for (int j = 0; j < n.outputs().size(); j++) {
        Value o = n.output(j);
        if (o != null) {
          if (j >= outs.length || outs[j] == null) {
            throw new OffloadException("node '" + n.name() + "' (" + n.opType() + ") produced no output " + j);
          }
          env.put(o, outs[j]);
        }
      }
      for (Value v : n.inputs()) {
        if (v != null && !v.isConstant() && lastUse.getOrDefault(v, -1) == i) {
          env.remove(v);
        }
      }
    }
    Map<String, TensorData> result = new LinkedHashMap<>();
    for (Value o : graph.outputs()) {
      result.put(o.name(), env.get(o));
    }
    return result;
  }

  /**
   * Validates run inputs against the graph's declared inputs: every input present, none extra, dtype equal
   * and every static dimension equal. The message names the input, the expected and the actual type.
   */
  public static void checkInputs(Graph graph, Map<String, TensorData> inputs) {
    Map<String, Value> declared = new HashMap<>();
    for (Value v : graph.inputs()) {
      declared.put(v.name(), v);
    }
    for (String k : inputs.keySet()) {
      if (!declared.containsKey(k)) {
        throw new ShapeMismatchException("unknown input '" + k + "'; the model's inputs are " + declared.keySet());
      }
    }
    for (Value v : graph.inputs()) {
      TensorData d = inputs.get(v.name());
      if (d == null) {
        throw new ShapeMismatchException("missing input '" + v.name() + "' (expected " + v.type() + ")");
      }
      TensorType t = v.type();
      if (t == null) {
        continue;
      }
      if (t.dtype() != d.dtype()) {
        throw new ShapeMismatchException("input '" + v.name() + "': expected " + t + ", got " + d.type());
      }
      Shape s = t.shape();
      if (s != null && !s.compatibleWith(d.shape())) {
        throw new ShapeMismatchException("input '" + v.name() + "': expected " + t + ", got " + d.type());
      }
    }
  }

  /** True when the dtype is one the reference kernels compute in. */
  static boolean numeric(DType t) {
    return t != DType.STRING;
  }
}
