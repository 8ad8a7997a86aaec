package io.offloadcl.passes.fusion;

import io.offloadcl.ir.Node;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.FusedExpr;
import io.offloadcl.ops.FusionKind;
import io.offloadcl.ops.OpCatalog;
import io.offloadcl.ops.OpSpec;
import io.offloadcl.passes.Rewrites;

/**
 * Maps an ONNX elementwise node to a {@link FusedExpr} apply token ({@code Relu}, {@code Clip:0.0:6.0}, ...),
 * reading the attributes (or, for Clip from opset 11, the constant min/max inputs) that become parameters.
 */
final class ScalarOps {
  private ScalarOps() {}

  /** Operands the token consumes (1 or 2), or 0 when the node has no token. */
  static int operands(Node n) {
    String t = token(n);
    return t == null ? 0 : FusedExpr.fn(t.split(":")[0]).arity();
  }

  /** The node's op spec declares ELEMWISE or BROADCAST (the fuser's entry condition). */
  static boolean elementwiseKind(Node n) {
    OpSpec s = OpCatalog.find(n.domain(), n.opType());
    return s != null && (s.fusionKind() == FusionKind.ELEMWISE || s.fusionKind() == FusionKind.BROADCAST);
  }

  /** The apply token for {@code n}, or null when it has none. */
  static String token(Node n) {
    if (!(n.domain().isEmpty() || n.domain().equals("ai.onnx"))) {
      return null;
    }
    String op = n.opType();
    switch (op) {
      case "LeakyRelu":
        return FusedExpr.applyToken(op, n.attributes().getFloat("alpha", 0.01f));
      case "Elu":
        return FusedExpr.applyToken(op, n.attributes().getFloat("alpha", 1f));
      case "ThresholdedRelu":
        return FusedExpr.applyToken(op, n.attributes().getFloat("alpha", 1f));
      case "HardSigmoid":
        return FusedExpr.applyToken(op, n.attributes().getFloat("alpha", 0.2f), n.attributes().getFloat("beta", 0.5f));
      case "Selu":
        return FusedExpr.applyToken(op, n.attributes().getFloat("alpha", 1.67326319217681884765625f),
            n.attributes().getFloat("gamma", 1.05070102214813232421875f));
      case "Gelu":
        return n.attributes().getString("approximate", "none").equals("tanh") ? "GeluTanh" : "Gelu";
      case "Clip":
        return clip(n);
      case "Max":
      case "Min":
        return n.inputs().size() == 2 && n.input(1) != null ? op : null;
      case "Identity":
        return null;
      default:
        FusedExpr.Fn f = FusedExpr.fn(op);
        if (f == null || f.params() != 0) {
          return null;
        }
        int inputs = 0;
        for (Value v : n.inputs()) {
          if (v != null) {
            inputs++;
          }
        }
        return inputs == f.arity() ? op : null;
    }
  }

  private static String clip(Node n) {
    float lo;
    float hi;
    if (n.opsetVersion() < 11 && n.opsetVersion() > 0) {
      lo = n.attributes().getFloat("min", Float.NEGATIVE_INFINITY);
      hi = n.attributes().getFloat("max", Float.POSITIVE_INFINITY);
    } else {
      Double a = n.input(1) == null ? Double.valueOf(Double.NEGATIVE_INFINITY) : Rewrites.scalar(n.input(1));
      Double b = n.input(2) == null ? Double.valueOf(Double.POSITIVE_INFINITY) : Rewrites.scalar(n.input(2));
      if (a == null || b == null) {
        return null;
      }
      lo = a.floatValue();
      hi = b.floatValue();
    }
    return FusedExpr.applyToken("Clip", lo, hi);
  }
}
