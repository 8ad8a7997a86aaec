package io.offloadcl.codegen;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ir.Value;

/** Static-shape and dtype facts codegen needs, with the node named when they are missing. */
final class Shapes {
  private Shapes() {}

  static long[] dims(Node n, Value v) {
    TensorType t = v == null ? null : v.type();
    if (t == null || t.shape() == null || !t.isStatic()) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (" + n.opType() + "): value '"
          + (v == null ? "?" : v.name()) + "' has no static shape (" + (t == null ? "untyped" : t) + ")");
    }
    return t.shape().dims();
  }

  static DType dtype(Node n, Value v) {
    TensorType t = v == null ? null : v.type();
    if (t == null) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (" + n.opType() + "): value '"
          + (v == null ? "?" : v.name()) + "' has no type");
    }
    return t.dtype();
  }

  /** Requires every present input and output to be float32: the compute type of the arithmetic templates. */
  static void requireFloat(Node n, int inputCount) {
    for (int i = 0; i < inputCount && i < n.inputs().size(); i++) {
      if (n.input(i) != null && dtype(n, n.input(i)) != DType.FLOAT32) {
        throw new UnsupportedOperatorException("node '" + n.name() + "' (" + n.opType() + "): input " + i
            + " is " + dtype(n, n.input(i)) + "; the OpenCL kernels compute in FLOAT32");
      }
    }
    for (Value o : n.outputs()) {
      if (o != null && dtype(n, o) != DType.FLOAT32) {
        throw new UnsupportedOperatorException("node '" + n.name() + "' (" + n.opType() + "): output is "
            + dtype(n, o) + "; the OpenCL kernels compute in FLOAT32");
      }
    }
  }

  static long count(long[] d) {
    long p = 1;
    for (long x : d) {
      p *= x;
    }
    return p;
  }

  /** Row-major strides of {@code in} right-aligned to an output of rank {@code rank}; 0 where broadcast. */
  static long[] broadcastStrides(long[] in, long[] out) {
    int rank = out.length;
    long[] s = new long[rank];
    long st = 1;
    for (int i = in.length - 1; i >= 0; i--) {
      int oi = rank - in.length + i;
      s[oi] = in[i] == 1 && out[oi] != 1 ? 0 : st;
      st *= in[i];
    }
    return s;
  }

  /**
   * C statements that decompose linear index {@code idx} of an {@code out}-shaped space into offsets of the
   * operands {@code vars} with element strides {@code strides[k]}. Unit dims are dropped and adjacent dims
   * merged where every operand walks them contiguously, so a same-shape operand costs no division at all.
   */
  static String indexCode(String idx, long[] out, long[][] strides, String[] vars) {
    int k = vars.length;
    // Collect non-unit dims, innermost last.
    java.util.List<long[]> dims = new java.util.ArrayList<>(); // {size, s0, s1, ...}
    for (int i = 0; i < out.length; i++) {
      if (out[i] == 1) {
        continue;
      }
      long[] e = new long[k + 1];
      e[0] = out[i];
      for (int j = 0; j < k; j++) {
        e[j + 1] = strides[j][i];
      }
      if (!dims.isEmpty()) {
        long[] prev = dims.get(dims.size() - 1);
        boolean merge = true;
        for (int j = 1; j <= k; j++) {
          merge &= prev[j] == e[j] * e[0];
        }
        if (merge) {
          prev[0] *= e[0];
          for (int j = 1; j <= k; j++) {
            prev[j] = e[j];
          }
          continue;
        }
      }
      dims.add(e);
    }
    StringBuilder sb = new StringBuilder("{ ");
    for (String v : vars) {
      sb.append(v).append(" = 0; ");
    }
    if (dims.size() == 1) {
      for (int j = 0; j < k; j++) {
        long s = dims.get(0)[j + 1];
        if (s != 0) {
          sb.append(vars[j]).append(" = ").append(s == 1 ? "(" + idx + ")" : "(" + idx + ") * " + s).append("; ");
        }
      }
      return sb.append('}').toString();
    }
    sb.append("int r_ = (").append(idx).append("); int c_; ");
    for (int d = dims.size() - 1; d >= 0; d--) {
      long[] e = dims.get(d);
      if (d == 0) {
        sb.append("c_ = r_; ");
      } else {
        sb.append("c_ = r_ % ").append(e[0]).append("; r_ /= ").append(e[0]).append("; ");
      }
      for (int j = 0; j < k; j++) {
        if (e[j + 1] != 0) {
          sb.append(vars[j]).append(" += c_");
          if (e[j + 1] != 1) {
            sb.append(" * ").append(e[j + 1]);
          }
          sb.append("; ");
        }
      }
    }
    return sb.append('}').toString();
  }
}
