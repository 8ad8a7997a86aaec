package io.offloadcl.ops;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import java.util.Arrays;

/**
 * Values of small integer "shape tensors" that are known before run time although no initializer holds them:
 * exporters compute Reshape targets as Shape → Gather → Unsqueeze → Concat chains. When the shapes feeding such a
 * chain are static, this walks it backwards and computes the values, so the Reshape gets a static output shape.
 * Only a handful of value-preserving ops are understood; anything else (or a dynamic dim) gives null, which
 * leaves inference on its dynamic path. Results are flat int64 vectors: every consumer reads them as long[].
 */
final class ShapeOpStaticValues {
  private static final int MAX_DEPTH = 24;
  private static final int MAX_ELEMENTS = 64;

  private ShapeOpStaticValues() {}

  /** The value of {@code v} when it can be computed statically, else null. */
  static long[] valueOf(Value v, int depth) {
    if (v == null || depth > MAX_DEPTH) {
      return null;
    }
    if (v.constant() != null) {
      TensorData c = v.constant();
      return c.size() <= MAX_ELEMENTS && c.dtype().isInteger() ? c.toLongArray() : null;
    }
    Node p = v.producer();
    if (p == null || !OpCatalog.isKnownDomain(p.domain()) || p.outputs().size() != 1) {
      return null;
    }
    try {
      switch (p.opType()) {
        case "Constant": {
          TensorData c = ShapeOpValues.constant(p);
          return c.size() <= MAX_ELEMENTS && c.dtype().isInteger() ? c.toLongArray() : null;
        }
        case "Shape": {
          TensorType t = p.input(0) == null ? null : p.input(0).type();
          if (t == null || !t.isStatic()) {
            return null;
          }
          Shape s = t.shape();
          int[] r = ShapeOpValues.shapeRange(p, s.rank());
          return Arrays.copyOfRange(s.dims(), r[0], r[1]);
        }
        case "Size": {
          TensorType t = p.input(0) == null ? null : p.input(0).type();
          return t == null || !t.isStatic() ? null : new long[] {t.shape().numElements()};
        }
        case "Identity": case "Unsqueeze": case "Squeeze": case "Reshape": case "Flatten":
          return valueOf(p.input(0), depth + 1);
        case "Cast": {
          long to = p.attributes().getInt("to", 0);
          return to == DType.INT64.onnxCode() || to == DType.INT32.onnxCode() ? valueOf(p.input(0), depth + 1) : null;
        }
        case "Gather": {
          long[] data = valueOf(p.input(0), depth + 1);
          long[] idx = valueOf(p.input(1), depth + 1);
          if (data == null || idx == null) {
            return null;
          }
          long[] r = new long[idx.length];
          for (int i = 0; i < idx.length; i++) {
            long k = idx[i] < 0 ? idx[i] + data.length : idx[i];
            if (k < 0 || k >= data.length) {
              return null;
            }
            r[i] = data[(int) k];
          }
          return r;
        }
        case "Concat": {
          long[] r = new long[0];
          for (Value in : p.inputs()) {
            long[] part = valueOf(in, depth + 1);
            if (part == null) {
              return null;
            }
            long[] n = Arrays.copyOf(r, r.length + part.length);
            System.arraycopy(part, 0, n, r.length, part.length);
            r = n;
          }
          return r;
        }
        default:
          return null;
      }
    } catch (RuntimeException e) {
      // a malformed chain is reported by the node that owns it, not here
      return null;
    }
  }
}
