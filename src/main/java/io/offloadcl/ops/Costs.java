package io.offloadcl.ops;

import io.offloadcl.ir.TensorType;
import java.util.List;

/** Common cost formulas. */
public final class Costs {
  private Costs() {}

  public static long bytes(TensorType t) {
    return t == null ? -1 : t.byteSize();
  }

  public static long sumBytes(List<TensorType> types) {
    long s = 0;
    for (TensorType t : types) {
      if (t == null) {
        continue;
      }
      long b = t.byteSize();
      if (b < 0) {
        return -1;
      }
      s += b;
    }
    return s;
  }

  public static long elements(TensorType t) {
    return t == null || !t.isStatic() ? -1 : t.shape().numElements();
  }

  /** Reads every input once, writes every output once, {@code flopsPerElement} per output element. */
  public static OpCost elementwise(List<TensorType> inputs, List<TensorType> outputs, int flopsPerElement) {
    long r = sumBytes(inputs);
    long w = sumBytes(outputs);
    long n = 0;
    for (TensorType t : outputs) {
      long e = elements(t);
      if (e < 0) {
        return OpCost.UNKNOWN;
      }
      n += e;
    }
    if (r < 0 || w < 0) {
      return OpCost.UNKNOWN;
    }
    return new OpCost(n * flopsPerElement, r, w);
  }

  /** Pure data movement: no arithmetic. */
  public static OpCost movement(List<TensorType> inputs, List<TensorType> outputs) {
    return elementwise(inputs, outputs, 0);
  }
}
