package io.offloadcl.runtime.cpu;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ops.Broadcast;

/**
 * Shared machinery of the elementwise and reduction reference kernels: broadcast index maps, dtype conversion
 * (Cast), float16/bfloat16 rounding and an accurate erf.
 */
final class ElemSupport {
  private ElemSupport() {}

  /** The broadcast output dims of the given inputs, with the node named on mismatch. */
  static long[] outDims(Node node, TensorData... ins) {
    long[][] d = new long[ins.length][];
    for (int i = 0; i < ins.length; i++) {
      d[i] = ins[i].dims();
    }
    try {
      return Broadcast.shape(d);
    } catch (ShapeMismatchException e) {
      throw new ShapeMismatchException("node '" + node.name() + "' (" + node.opType() + "): " + e.getMessage(), e);
    }
  }

  /**
   * For every element of a tensor of dims {@code out} (row-major), the offset of the element of an input of dims
   * {@code in} that numpy broadcasting reads. Walks an odometer over all but the last axis so the inner axis is
   * a plain strided run.
   */
  static int[] offsets(long[] in, long[] out) {
    int n = checkedCount(out);
    int[] r = new int[n];
    if (n == 0) {
      return r;
    }
    long[] st = Broadcast.stridesFor(in, out);
    int rank = out.length;
    if (rank == 0) {
      return r;
    }
    int inner = (int) out[rank - 1];
    int innerStride = (int) st[rank - 1];
    int[] idx = new int[rank];
    int base = 0;
    for (int pos = 0; pos < n; pos += inner) {
      for (int j = 0, o = base; j < inner; j++, o += innerStride) {
        r[pos + j] = o;
      }
      for (int ax = rank - 2; ax >= 0; ax--) {
        idx[ax]++;
        base += (int) st[ax];
        if (idx[ax] < out[ax]) {
          break;
        }
        base -= (int) st[ax] * idx[ax];
        idx[ax] = 0;
      }
    }
    return r;
  }

  /** Offsets {@code sum(idx[k] * strides[k])} for every index of {@code dims} in row-major order. */
  static int[] stridedOffsets(long[] dims, long[] strides) {
    int n = checkedCount(dims);
    int[] r = new int[n];
    int rank = dims.length;
    if (n == 0 || rank == 0) {
      return r;
    }
    int[] idx = new int[rank];
    int off = 0;
    for (int i = 0; i < n; i++) {
      r[i] = off;
      for (int ax = rank - 1; ax >= 0; ax--) {
        idx[ax]++;
        off += (int) strides[ax];
        if (idx[ax] < dims[ax]) {
          break;
        }
        off -= (int) strides[ax] * idx[ax];
        idx[ax] = 0;
      }
    }
    return r;
  }

  /** Row-major strides of dims. */
  static long[] strides(long[] dims) {
    long[] st = new long[dims.length];
    long s = 1;
    for (int i = dims.length - 1; i >= 0; i--) {
      st[i] = s;
      s *= dims[i];
    }
    return st;
  }

  static long product(long[] dims, int from, int to) {
    long p = 1;
    for (int i = from; i < to; i++) {
      p *= dims[i];
    }
    return p;
  }

  /** The tensor's elements as doubles; float64 data is returned without copying. */
  static double[] doubles(TensorData t) {
    if (t.array() instanceof double[]) {
      return t.doubles();
    }
    double[] r = new double[t.size()];
    if (t.array() instanceof float[]) {
      float[] f = t.floats();
      for (int i = 0; i < r.length; i++) {
        r[i] = f[i];
      }
    } else {
      for (int i = 0; i < r.length; i++) {
        r[i] = t.getDouble(i);
      }
    }
    return r;
  }

  static int checkedCount(long[] dims) {
    long n = TensorData.count(dims);
    if (n > Integer.MAX_VALUE - 8) {
      throw new UnsupportedOperatorException("tensor of " + n + " elements is too large for the reference kernels");
    }
    return (int) n;
  }

  /** True when {@code small} equals the trailing dims of {@code big} after dropping leading ones. */
  static boolean isTrailing(long[] small, long[] big) {
    int s = 0;
    while (s < small.length && small[s] == 1) {
      s++;
    }
    int k = small.length - s;
    if (k > big.length) {
      return false;
    }
    for (int i = 0; i < k; i++) {
      if (small[s + i] != big[big.length - k + i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * When {@code small} matches the leading dims of {@code big} and is 1 on all the rest, each of its elements
   * covers one contiguous block of {@code big}: returns that block's size, else -1.
   */
  static int columnBlock(long[] small, long[] big) {
    int pad = big.length - small.length;
    if (pad < 0) {
      return -1;
    }
    int last = -1;
    for (int i = 0; i < small.length; i++) {
      if (small[i] != 1) {
        last = i + pad;
      }
    }
    if (last < 0) {
      return -1;
    }
    for (int i = 0; i < big.length; i++) {
      long sd = i < pad ? 1 : small[i - pad];
      if (i <= last ? sd != big[i] : sd != 1) {
        return -1;
      }
    }
    long blk = product(big, last + 1, big.length);
    return blk > 0 && blk <= Integer.MAX_VALUE ? (int) blk : -1;
  }

  // ---- float16 / bfloat16 ----

  private static final float HALF_OVERFLOW = 65520f; // the halfway point above 65504, which rounds to infinity
  private static final float HALF_MIN_NORMAL = 6.103515625e-5f; // 2^-14
  private static final double HALF_SUBNORMAL_QUANTUM = 5.9604644775390625e-8; // 2^-24

  /** Rounds a float to the nearest float16 value (ties to even), returned widened. */
  static float roundToHalf(float f) {
    if (Float.isNaN(f)) {
      return f;
    }
    float a = Math.abs(f);
    float r;
    if (a >= HALF_OVERFLOW) {
      r = Float.POSITIVE_INFINITY;
    } else if (a < HALF_MIN_NORMAL) {
      r = (float) (Math.rint(a / HALF_SUBNORMAL_QUANTUM) * HALF_SUBNORMAL_QUANTUM);
    } else {
      int b = Float.floatToRawIntBits(a);
      b += 0xFFF + ((b >> 13) & 1);
      r = Float.intBitsToFloat(b & ~0x1FFF);
    }
    return f < 0 || (f == 0 && 1 / f < 0) ? -r : r;
  }

  /** Rounds a float to the nearest bfloat16 value (ties to even), returned widened. */
  static float roundToBfloat16(float f) {
    if (Float.isNaN(f)) {
      return f;
    }
    int b = Float.floatToRawIntBits(f);
    b += 0x7FFF + ((b >> 16) & 1);
    return Float.intBitsToFloat(b & 0xFFFF0000);
  }

  /** Rounds float16/bfloat16 results held in float storage to their type; other dtypes pass through. */
  static TensorData fixNarrowFloat(TensorData t) {
    if (t.dtype() == DType.FLOAT16) {
      float[] v = t.floats();
      for (int i = 0; i < v.length; i++) {
        v[i] = roundToHalf(v[i]);
      }
    } else if (t.dtype() == DType.BFLOAT16) {
      float[] v = t.floats();
      for (int i = 0; i < v.length; i++) {
        v[i] = roundToBfloat16(v[i]);
      }
    }
    return t;
  }

  // ---- integer wrapping ----

  static int wrap(DType t, long v) {
    switch (t) {
      case INT8: return (byte) v;
      case UINT8: return (int) (v & 0xFF);
      case INT16: return (short) v;
      case UINT16: return (int) (v & 0xFFFF);
      default: return (int) v;
    }
  }

  static long wrapLong(DType t, long v) {
    return t == DType.UINT32 ? v & 0xFFFFFFFFL : v;
  }

  private static final double TWO_63 = 9.223372036854775808e18;

  /** Double to integer as numpy's astype does for in-range values: truncation toward zero. */
  static long truncate(double v, DType to) {
    if (to == DType.UINT64 && v >= TWO_63) {
      return (long) (v - TWO_63) + Long.MIN_VALUE;
    }
    return (long) v;
  }

  // ---- Cast ----

  /** Converts a tensor to another dtype with numpy astype semantics (floats truncate toward zero). */
  static TensorData cast(Node node, TensorData in, DType to) {
    DType from = in.dtype();
    if (from == to) {
      return in;
    }
    int n = in.size();
    long[] dims = in.dims();
    if (to == DType.STRING) {
      return castToString(node, in);
    }
    if (from == DType.STRING) {
      return castFromString(node, in, to);
    }
    TensorData out = TensorData.zeros(to, dims);
    Object o = out.array();
    if (o instanceof float[]) {
      float[] r = (float[]) o;
      if (in.array() instanceof float[]) {
        System.arraycopy(in.floats(), 0, r, 0, n);
      } else if (in.array() instanceof long[] && from != DType.UINT64) {
        long[] x = in.longs();
        for (int i = 0; i < n; i++) {
          r[i] = (float) x[i];
        }
      } else {
        for (int i = 0; i < n; i++) {
          r[i] = (float) in.getDouble(i);
        }
      }
      return fixNarrowFloat(out);
    } else if (o instanceof double[]) {
      double[] r = (double[]) o;
      for (int i = 0; i < n; i++) {
        r[i] = in.getDouble(i);
      }
    } else if (o instanceof boolean[]) {
      boolean[] r = (boolean[]) o;
      for (int i = 0; i < n; i++) {
        r[i] = in.getDouble(i) != 0; // NaN counts as true, as in numpy
      }
    } else if (o instanceof int[]) {
      int[] r = (int[]) o;
      boolean fl = from.isFloating();
      for (int i = 0; i < n; i++) {
        r[i] = wrap(to, fl ? truncate(in.getDouble(i), to) : in.getLong(i));
      }
    } else {
      long[] r = (long[]) o;
      boolean fl = from.isFloating();
      for (int i = 0; i < n; i++) {
        r[i] = wrapLong(to, fl ? truncate(in.getDouble(i), to) : in.getLong(i));
      }
    }
    return out;
  }

  /**
   * Numbers to text the way numpy's {@code str} prints them: shortest round-trip digits, plain notation for
   * magnitudes in [1e-4, 1e16), otherwise {@code 1.5e-05} style; the spec's literals NaN, INF and -INF.
   * float16/bfloat16 would need their own shortest-digit search and bool has no agreed spelling, so both are
   * refused.
   */
  private static TensorData castToString(Node node, TensorData in) {
    DType from = in.dtype();
    if (from != DType.FLOAT32 && from != DType.FLOAT64 && !from.isInteger()) {
      throw new UnsupportedOperatorException("node '" + node.name() + "' (" + node.opType() + "): cast from "
          + from.shortName() + " to string is not supported");
    }
    String[] r = new String[in.size()];
    for (int i = 0; i < r.length; i++) {
      if (from == DType.UINT64) {
        r[i] = Long.toUnsignedString(in.getLong(i));
      } else if (from.isInteger()) {
        r[i] = Long.toString(in.getLong(i));
      } else {
        r[i] = formatFloat(in.getDouble(i), from == DType.FLOAT32);
      }
    }
    return TensorData.wrap(DType.STRING, in.dims(), r);
  }

  static String formatFloat(double v, boolean single) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "INF" : "-INF";
    }
    String s = single ? Float.toString((float) v) : Double.toString(v);
    double a = Math.abs(v);
    int e = s.indexOf('E');
    if (a != 0 && (a < 1e-4 || a >= 1e16)) {
      String mant = e < 0 ? s : s.substring(0, e);
      int exp = e < 0 ? 0 : Integer.parseInt(s.substring(e + 1));
      if (mant.endsWith(".0")) {
        mant = mant.substring(0, mant.length() - 2);
      }
      return mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }
    if (e >= 0) {
      s = new java.math.BigDecimal(s).toPlainString();
      if (s.indexOf('.') < 0) {
        s += ".0";
      }
    }
    return s;
  }

  private static TensorData castFromString(Node node, TensorData in, DType to) {
    TensorData out = TensorData.zeros(to, in.dims());
    String[] s = in.strings();
    for (int i = 0; i < s.length; i++) {
      String t = s[i].trim();
      double v;
      String l = t.toLowerCase(java.util.Locale.ROOT);
      if (l.equals("nan") || l.equals("+nan") || l.equals("-nan")) {
        v = Double.NaN;
      } else if (l.equals("inf") || l.equals("+inf") || l.equals("infinity") || l.equals("+infinity")) {
        v = Double.POSITIVE_INFINITY;
      } else if (l.equals("-inf") || l.equals("-infinity")) {
        v = Double.NEGATIVE_INFINITY;
      } else {
        try {
          if (to.isInteger()) {
            out.setLong(i, Long.parseLong(t));
            continue;
          }
          v = Double.parseDouble(t);
        } catch (NumberFormatException e) {
          throw new ShapeMismatchException("node '" + node.name() + "' (Cast): string '" + s[i] + "' is not a number");
        }
      }
      out.setDouble(i, v);
    }
    return fixNarrowFloat(out);
  }

  // ---- erf ----

  private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
  private static final int ERF_TERMS = 160;
  // 2 / (2k + 1): the series' term ratio without a division in the loop
  private static final double[] ERF_RATIO = new double[ERF_TERMS];

  static {
    for (int k = 1; k < ERF_TERMS; k++) {
      ERF_RATIO[k] = 2.0 / (2 * k + 1);
    }
  }

  /**
   * erf(x) to about 1e-15 relative error. Uses the everywhere-convergent series
   * erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)), whose terms are all positive (no
   * cancellation); beyond |x| = 6 erf is 1 to double precision. About 2x^2 + 20 terms are needed.
   */
  static double erf(double x) {
    if (Double.isNaN(x)) {
      return x;
    }
    double a = Math.abs(x);
    if (a >= 6) {
      return Math.copySign(1.0, x);
    }
    double x2 = a * a;
    double term = a;
    double sum = a;
    for (int k = 1; k < ERF_TERMS; k++) {
      term *= x2 * ERF_RATIO[k];
      sum += term;
      if (term < sum * 1e-17) {
        break;
      }
    }
    double r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    return Math.copySign(Math.min(r, 1.0), x);
  }
}
