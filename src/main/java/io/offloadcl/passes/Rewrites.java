package io.offloadcl.passes;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Edit idioms shared by the passes. The central one is {@link #replace}: a rewrite builds its new node with a
 * fresh output, moves every use (and graph-output slot) over, removes the matched nodes that became dead and
 * then gives the new value the old name, so graph output names and downstream names survive every rewrite.
 */
public final class Rewrites {
  /** Domain of our own fused ops. */
  public static final String FUSED_DOMAIN = "offloadcl";

  private Rewrites() {}

  /** Replaces {@code old} by {@code neu} everywhere, removes {@code matched} nodes that are dead, keeps the name. */
  public static void replace(Graph g, Value old, Value neu, Collection<Node> matched) {
    String name = old.name();
    g.replaceAllUses(old, neu, true);
    removeDead(g, matched);
    if (g.value(name) == null) {
      g.renameValue(neu, name);
    }
  }

  /** Removes those of {@code candidates} whose outputs are unused and not graph outputs, until none is left. */
  public static void removeDead(Graph g, Collection<Node> candidates) {
    List<Node> left = new ArrayList<>(candidates);
    boolean progress = true;
    while (progress) {
      progress = false;
      for (int i = left.size() - 1; i >= 0; i--) {
        Node n = left.get(i);
        if (g.node(n.name()) != n) {
          left.remove(i);
          continue;
        }
        if (isDead(g, n)) {
          g.removeNode(n);
          left.remove(i);
          progress = true;
        }
      }
    }
  }

  /** No output of {@code n} is used or a graph output. */
  public static boolean isDead(Graph g, Node n) {
    for (Value o : n.outputs()) {
      if (o != null && (!o.uses().isEmpty() || g.isOutput(o))) {
        return false;
      }
    }
    return true;
  }

  /** Adds a constant under a fresh name derived from {@code base}. */
  public static Value constant(Graph g, String base, TensorData data) {
    return g.addConstant(g.freshValueName(base), data);
  }

  /** Adds a node of the default ONNX domain with one fresh output. */
  public static Node onnxNode(Graph g, String opType, String nameBase, List<Value> inputs,
      io.offloadcl.ir.Attributes attrs) {
    int opset = g.opsetImports().getOrDefault("", 0);
    return g.addNode(opType, "", opset, g.freshNodeName(nameBase), inputs,
        List.of(g.freshValueName(nameBase + "_out")), attrs);
  }

  /** Adds a node of the default ONNX domain at least at {@code minOpset} (for ops newer than the model). */
  public static Node onnxNode(Graph g, String opType, int minOpset, String nameBase, List<Value> inputs,
      io.offloadcl.ir.Attributes attrs) {
    int opset = Math.max(minOpset, g.opsetImports().getOrDefault("", 0));
    return g.addNode(opType, "", opset, g.freshNodeName(nameBase), inputs,
        List.of(g.freshValueName(nameBase + "_out")), attrs);
  }

  /**
   * Adds one of our fused ops with one fresh output. It carries the ONNX opset of the op it wraps
   * ({@code onnxOpset}): its shape inference and reference kernel delegate to that op's, whose meaning may
   * depend on the opset (Gemm's broadcasting before 7).
   */
  public static Node fusedNode(Graph g, String opType, int onnxOpset, String nameBase, List<Value> inputs,
      io.offloadcl.ir.Attributes attrs) {
    g.opsetImports().putIfAbsent(FUSED_DOMAIN, 1);
    return g.addNode(opType, FUSED_DOMAIN, onnxOpset, g.freshNodeName(nameBase), inputs,
        List.of(g.freshValueName(nameBase + "_out")), attrs);
  }

  /** The graph's default-domain opset (what new ONNX nodes get). */
  public static int onnxOpset(Graph g) {
    return g.opsetImports().getOrDefault("", 0);
  }

  /** The value of a one-element numeric constant, or null. */
  public static Double scalar(Value v) {
    if (v == null || !v.isConstant()) {
      return null;
    }
    TensorData d = v.constant();
    if (d.size() != 1 || !(d.dtype().isFloating() || d.dtype().isInteger())) {
      return null;
    }
    return d.getDouble(0);
  }

  /** True when {@code v} is a one-element constant within 1e-6 relative of {@code want}. */
  public static boolean isScalar(Value v, double want) {
    Double s = scalar(v);
    return s != null && Math.abs(s - want) <= 1e-6 * Math.max(1.0, Math.abs(want));
  }

  /** The input of a two-input node that is not at slot {@code slot}. */
  public static Value other(Node binary, int slot) {
    return binary.input(1 - slot);
  }

  /** Node is op {@code type} of the default ONNX domain. */
  public static boolean is(Node n, String type) {
    return n != null && n.opType().equals(type) && (n.domain().isEmpty() || n.domain().equals("ai.onnx"));
  }

  /**
   * True when {@code n} is still in {@code g} (passes walk a snapshot while removing nodes) and is a two-operand
   * sum, {@code Add(a, b)} or {@code Sum(a, b)}: where a bias or a residual can be folded into its producer.
   */
  public static boolean isLiveTwoOperandAdd(Graph g, Node n) {
    return g.node(n.name()) == n && (is(n, "Add") || is(n, "Sum")) && n.inputs().size() == 2;
  }

  /** The producer of {@code v} when it is op {@code type}, else null. */
  public static Node producedBy(Value v, String type) {
    return v != null && is(v.producer(), type) ? v.producer() : null;
  }
}
