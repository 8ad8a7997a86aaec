package io.offloadcl.ops;

import io.offloadcl.ir.Shape;
import io.offloadcl.ir.ShapeMismatchException;

/** Numpy-style multidirectional broadcasting of shapes (ONNX "Broadcasting in ONNX"). */
public final class Broadcast {
  private Broadcast() {}

  /** The broadcast result of two concrete dimension lists, or an error naming both. */
  public static long[] shape(long[] a, long[] b) {
    int r = Math.max(a.length, b.length);
    long[] out = new long[r];
    for (int i = 0; i < r; i++) {
      long da = i < r - a.length ? 1 : a[i - (r - a.length)];
      long db = i < r - b.length ? 1 : b[i - (r - b.length)];
      if (da == db) {
        out[i] = da;
      } else if (da == 1) {
        out[i] = db;
      } else if (db == 1) {
        out[i] = da;
      } else if (da < 0 || db < 0) {
        out[i] = da < 0 ? (db == 1 ? -1 : db) : da;
      } else {
        throw new ShapeMismatchException("shapes " + Shape.of(a) + " and " + Shape.of(b) + " do not broadcast (axis " + i + ": " + da + " vs " + db + ")");
      }
    }
    return out;
  }

  /** Broadcast of several shapes. */
  public static long[] shape(long[]... shapes) {
    long[] r = new long[0];
    for (long[] s : shapes) {
      r = shape(r, s);
    }
    return r;
  }

  /**
   * Row-major strides of {@code in} viewed with the broadcast shape {@code out}: 0 on broadcast axes. Used by
   * kernels to index a broadcast input.
   */
  public static long[] stridesFor(long[] in, long[] out) {
    long[] st = new long[out.length];
    long s = 1;
    for (int i = out.length - 1; i >= 0; i--) {
      int j = i - (out.length - in.length);
      if (j < 0) {
        st[i] = 0;
        continue;
      }
      st[i] = in[j] == 1 && out[i] != 1 ? 0 : s;
      s *= in[j];
    }
    return st;
  }
}
