package io.offloadcl.runtime.cpu;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.TensorData;

/**
 * The copy engine behind Transpose, Slice, Expand, Tile, Pad and nearest Resize. Each of these is a
 * separable index map: along every output axis a the source offset contributed is {@code tables[a][i]}, so an
 * output element's source is the sum over axes (or "fill" when any contribution is negative). Rows along the
 * last axis whose table is a contiguous run are moved with {@link System#arraycopy}, which covers the common
 * cases (step-1 slices, transposes keeping the innermost axis, interior of a pad).
 */
final class LayoutIndexCopy {
  private LayoutIndexCopy() {}

  /** Row-major strides of dims. */
  static int[] strides(long[] dims) {
    int[] s = new int[dims.length];
    int acc = 1;
    for (int i = dims.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= (int) dims[i];
    }
    return s;
  }

  /**
   * Builds the output of shape {@code outDims} from {@code src} with per-axis offset tables; {@code fill} is a
   * one-element tensor of src's dtype written where a table entry is negative (null = zero / empty string).
   */
  static TensorData run(TensorData src, long[] outDims, int[][] tables, TensorData fill) {
    TensorData out = TensorData.zeros(src.dtype(), outDims);
    int total = out.size();
    if (total == 0) {
      return out;
    }
    Object s = src.array();
    Object d = out.array();
    int rank = outDims.length;
    if (rank == 0) {
      System.arraycopy(s, 0, d, 0, 1);
      return out;
    }
    // fold trailing axes whose combined run stays contiguous, so whole blocks move in one arraycopy
    int last = rank - 1;
    int runLen = tables[last].length;
    int runStart = tables[last][0];
    boolean folded = unitRun(tables[last], 1);
    while (folded && last >= 1 && unitRun(tables[last - 1], runLen)) {
      runStart += tables[last - 1][0];
      runLen *= tables[last - 1].length;
      last--;
    }
    int[] lt = tables[last];
    int n = folded ? runLen : lt.length;
    boolean contiguous = folded;
    boolean rowFill = false;
    if (!folded) {
      for (int i = 0; i < n; i++) {
        if (lt[i] < 0) {
          rowFill = true;
        }
      }
    }
    int[] idx = new int[rank];
    int outer = total / n;
    int dpos = 0;
    for (int o = 0; o < outer; o++) {
      int base = 0;
      boolean fillRow = false;
      for (int a = 0; a < last; a++) {
        int t = tables[a][idx[a]];
        if (t < 0) {
          fillRow = true;
          break;
        }
        base += t;
      }
      if (fillRow) {
        fill(d, dpos, n, fill);
      } else if (contiguous) {
        System.arraycopy(s, base + runStart, d, dpos, n);
      } else if (rowFill) {
        for (int i = 0; i < n; i++) {
          if (lt[i] < 0) {
            fill(d, dpos + i, 1, fill);
          } else {
            System.arraycopy(s, base + lt[i], d, dpos + i, 1);
          }
        }
      } else {
        gatherRow(s, base, lt, d, dpos);
      }
      dpos += n;
      for (int a = last - 1; a >= 0; a--) {
        if (++idx[a] < outDims[a]) {
          break;
        }
        idx[a] = 0;
      }
    }
    return out;
  }

  /** True when t[i] == t[0] + i·stride for all i, with no fill entries. */
  private static boolean unitRun(int[] t, int stride) {
    if (t.length == 0 || t[0] < 0) {
      return false;
    }
    for (int i = 1; i < t.length; i++) {
      if (t[i] != t[0] + i * stride) {
        return false;
      }
    }
    return true;
  }

  private static void gatherRow(Object s, int base, int[] t, Object d, int dpos) {
    int n = t.length;
    if (s instanceof float[]) {
      float[] a = (float[]) s;
      float[] b = (float[]) d;
      for (int i = 0; i < n; i++) {
        b[dpos + i] = a[base + t[i]];
      }
    } else if (s instanceof int[]) {
      int[] a = (int[]) s;
      int[] b = (int[]) d;
      for (int i = 0; i < n; i++) {
        b[dpos + i] = a[base + t[i]];
      }
    } else if (s instanceof long[]) {
      long[] a = (long[]) s;
      long[] b = (long[]) d;
      for (int i = 0; i < n; i++) {
        b[dpos + i] = a[base + t[i]];
      }
    } else if (s instanceof double[]) {
      double[] a = (double[]) s;
      double[] b = (double[]) d;
      for (int i = 0; i < n; i++) {
        b[dpos + i] = a[base + t[i]];
      }
    } else if (s instanceof boolean[]) {
      boolean[] a = (boolean[]) s;
      boolean[] b = (boolean[]) d;
      for (int i = 0; i < n; i++) {
        b[dpos + i] = a[base + t[i]];
      }
    } else {
      Object[] a = (Object[]) s;
      Object[] b = (Object[]) d;
      for (int i = 0; i < n; i++) {
        b[dpos + i] = a[base + t[i]];
      }
    }
  }

  /** Writes {@code fill}'s single element into d[from, from + n); null leaves the zero the array holds. */
  static void fill(Object d, int from, int n, TensorData fill) {
    if (fill == null || n == 0) {
      return;
    }
    Object v = fill.array();
    System.arraycopy(v, 0, d, from, 1);
    int done = 1;
    while (done < n) {
      int c = Math.min(done, n - done);
      System.arraycopy(d, from, d, from + done, c);
      done += c;
    }
  }

  /** A one-element tensor of dtype {@code dt} holding {@code v}'s first element (converted when types differ). */
  static TensorData scalarOf(DType dt, TensorData v) {
    TensorData r = TensorData.zeros(dt);
    if (v == null || v.size() == 0) {
      return r;
    }
    if (v.dtype() == dt || TensorData.storageClass(v.dtype()) == TensorData.storageClass(dt) && dt != DType.STRING) {
      System.arraycopy(v.array(), 0, r.array(), 0, 1);
    } else if (dt == DType.STRING) {
      r.strings()[0] = String.valueOf(v.array() instanceof String[] ? v.strings()[0] : v.getDouble(0));
    } else {
      r.setDouble(0, v.getDouble(0));
    }
    return r;
  }
}
