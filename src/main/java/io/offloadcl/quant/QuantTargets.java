package io.offloadcl.quant;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which nodes the rewrite quantizes: float32 Conv (2-D, constant weights), Gemm (transA = 0, constant B, C
 * absent or constant) and MatMul (constant 2-D right operand). Calibration and rewrite share this one rule, so a
 * calibration file always holds exactly the tensors the rewrite needs.
 */
public final class QuantTargets {
  private QuantTargets() {}

  public static List<Node> find(Graph g) {
    List<Node> r = new ArrayList<>();
    for (Node n : g.nodes()) {
      if (isTarget(n)) {
        r.add(n);
      }
    }
    return r;
  }

  /** The activation tensors to calibrate: input 0 of every target, in graph order, without repeats. */
  public static Set<String> activations(Graph g) {
    Set<String> r = new LinkedHashSet<>();
    for (Node n : find(g)) {
      r.add(n.input(0).name());
    }
    return r;
  }

  static boolean isTarget(Node n) {
    if (!(n.domain().isEmpty() || n.domain().equals("ai.onnx")) || n.inputs().size() < 2 || n.input(0) == null
        || n.input(1) == null || !isFloat(n.input(0)) || !n.input(1).isConstant()
        || n.input(1).constant().dtype() != DType.FLOAT32) {
      return false;
    }
    Value w = n.input(1);
    switch (n.opType()) {
      case "Conv":
        return w.constant().rank() == 4 && constantOrAbsent(n, 2);
      case "Gemm":
        return w.constant().rank() == 2 && n.attributes().getInt("transA", 0) == 0 && constantOrAbsent(n, 2);
      case "MatMul":
        return w.constant().rank() == 2;
      default:
        return false;
    }
  }

  private static boolean isFloat(Value v) {
    TensorType t = v.type();
    return t != null && t.dtype() == DType.FLOAT32;
  }

  private static boolean constantOrAbsent(Node n, int i) {
    return !n.hasInput(i) || (n.input(i).isConstant() && n.input(i).constant().dtype() == DType.FLOAT32);
  }
}
