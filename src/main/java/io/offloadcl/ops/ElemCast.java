package io.offloadcl.ops;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.UnsupportedOperatorException;
import java.util.Locale;

/** Reads Cast's target type: an ONNX data-type number, or (Cast-1 to -5) its upper-case name. */
public final class ElemCast {
  private ElemCast() {}

  public static DType target(Node node) {
    Object to = node.attributes().get("to");
    String where = "node '" + node.name() + "' (" + node.opType() + ")";
    if (to == null) {
      throw new ShapeMismatchException(where + ": attribute 'to' is required");
    }
    if (to instanceof String) {
      String name = ((String) to).toUpperCase(Locale.ROOT);
      for (DType t : DType.values()) {
        if (onnxName(t).equals(name)) {
          return t;
        }
      }
      throw new UnsupportedOperatorException(where + ": cast to '" + to + "' is not supported");
    }
    long code = node.attributes().getInt("to", -1);
    DType t = DType.fromOnnx((int) code);
    if (t == null) {
      throw new UnsupportedOperatorException(where + ": cast to ONNX data type " + code + " is not supported");
    }
    return t;
  }

  /** The TensorProto.DataType enum name ("FLOAT", "INT64", ...). */
  static String onnxName(DType t) {
    switch (t) {
      case FLOAT32: return "FLOAT";
      case FLOAT64: return "DOUBLE";
      case FLOAT16: return "FLOAT16";
      default: return t.name();
    }
  }
}
