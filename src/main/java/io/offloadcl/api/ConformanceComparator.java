package io.offloadcl.api;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.TensorData;
import java.util.Arrays;
import java.util.Locale;

/**
 * Compares an actual tensor with an expected one the way the ONNX backend tests do: dtype and shape must be
 * equal; floating values match when {@code |actual - expected| <= atol + rtol * |expected|} (NaN matches NaN,
 * an infinity only itself); integers, booleans and strings must be exact.
 *
 * <p>bfloat16 outputs are compared at their own precision, one bfloat16 ulp ({@code rtol >= 2^-7}): float →
 * bfloat16 rounding is unspecified before ONNX 1.14, older suites truncate and newer ones round to nearest
 * even, and either is right for the opsets those tests use.
 */
public final class ConformanceComparator {
  /** The ONNX backend tests' default relative tolerance. */
  public static final double DEFAULT_RTOL = 1e-3;
  /** The ONNX backend tests' default absolute tolerance. */
  public static final double DEFAULT_ATOL = 1e-7;

  /** One unit in the last place of bfloat16 relative to the value, at worst (7 stored mantissa bits). */
  private static final double BFLOAT16_ULP = 0x1p-7;

  private final double rtol;
  private final double atol;

  /** A comparator with the given tolerances (both non-negative). */
  public ConformanceComparator(double rtol, double atol) {
    if (!(rtol >= 0) || !(atol >= 0)) {
      throw new IllegalArgumentException("tolerances must be non-negative: rtol " + rtol + ", atol " + atol);
    }
    this.rtol = rtol;
    this.atol = atol;
  }

  public double rtol() {
    return rtol;
  }

  public double atol() {
    return atol;
  }

  /**
   * Returns null when {@code actual} matches {@code expected}, else where and by how much it does not.
   *
   * @param dataSet, output, outputIndex only label the mismatch
   */
  public ConformanceMismatch compare(TensorData expected, TensorData actual, int dataSet, String output,
      int outputIndex) {
    String where = "output '" + output + "' (#" + outputIndex + ", data set " + dataSet + ")";
    if (actual == null) {
      return new ConformanceMismatch(dataSet, output, outputIndex, "missing", 0, 0, 0, 0, -1,
          expected.type().toString(), "nothing", where + ": the backend produced no value");
    }
    if (actual.dtype() != expected.dtype()) {
      return new ConformanceMismatch(dataSet, output, outputIndex, "dtype", 0, 0, 0, 0, -1,
          expected.dtype().shortName(), actual.dtype().shortName(),
          where + ": expected dtype " + expected.dtype().shortName() + ", got " + actual.dtype().shortName());
    }
    if (!Arrays.equals(actual.dims(), expected.dims())) {
      return new ConformanceMismatch(dataSet, output, outputIndex, "shape", 0, 0, 0, 0, -1,
          Arrays.toString(expected.dims()), Arrays.toString(actual.dims()),
          where + ": expected shape " + Arrays.toString(expected.dims()) + ", got " + Arrays.toString(actual.dims()));
    }
    DType t = expected.dtype();
    double rtol = t == DType.BFLOAT16 ? Math.max(this.rtol, BFLOAT16_ULP) : this.rtol;
    int n = expected.size();
    long bad = 0;
    double maxAbs = 0;
    double maxRel = 0;
    int worst = -1;
    double worstErr = -1;
    for (int i = 0; i < n; i++) {
      boolean ok;
      double err;
      if (t == DType.STRING) {
        ok = expected.strings()[i].equals(actual.strings()[i]);
        err = ok ? 0 : 1;
      } else if (t.isFloating()) {
        double e = expected.getDouble(i);
        double a = actual.getDouble(i);
        if (Double.isNaN(e) || Double.isNaN(a) || Double.isInfinite(e) || Double.isInfinite(a)) {
          ok = Double.isNaN(e) ? Double.isNaN(a) : e == a;
          err = ok ? 0 : Double.POSITIVE_INFINITY;
        } else {
          err = Math.abs(a - e);
          ok = err <= atol + rtol * Math.abs(e);
          if (e != 0) {
            maxRel = Math.max(maxRel, err / Math.abs(e));
          }
        }
      } else {
        // exact; for uint64 the raw bit patterns are compared, so no sign issue arises
        long e = expected.getLong(i);
        long a = actual.getLong(i);
        ok = e == a;
        err = ok ? 0 : Math.abs(expected.getDouble(i) - actual.getDouble(i));
        if (!ok && e != 0) {
          maxRel = Math.max(maxRel, err / Math.abs(expected.getDouble(i)));
        }
      }
      maxAbs = Math.max(maxAbs, err);
      if (!ok) {
        bad++;
        if (err > worstErr) {
          worstErr = err;
          worst = i;
        }
      }
    }
    if (bad == 0) {
      return null;
    }
    String ev = value(expected, worst);
    String av = value(actual, worst);
    String detail = String.format(Locale.ROOT,
        "%s: %d of %d elements differ; max abs error %s, max rel error %s; worst at index %d (expected %s, got %s)",
        where, bad, n, num(maxAbs), num(maxRel), worst, ev, av);
    return new ConformanceMismatch(dataSet, output, outputIndex, "values", bad, n, maxAbs, maxRel, worst, ev, av, detail);
  }

  private static String value(TensorData d, int i) {
    if (d.dtype() == DType.STRING) {
      return '"' + d.strings()[i] + '"';
    }
    if (d.dtype() == DType.BOOL) {
      return String.valueOf(d.bools()[i]);
    }
    return d.dtype().isFloating() ? num(d.getDouble(i)) : (d.dtype() == DType.UINT64
        ? Long.toUnsignedString(d.getLong(i)) : String.valueOf(d.getLong(i)));
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.6g", v);
  }
}
