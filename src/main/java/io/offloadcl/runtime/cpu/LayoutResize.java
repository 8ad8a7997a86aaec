package io.offloadcl.runtime.cpu;

import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ops.LayoutParams;

/**
 * Resize (and Upsample, Resize-10's predecessor). Nearest mode is an index map run by {@link LayoutIndexCopy},
 * so it moves any dtype exactly. Linear and cubic are separable: the ONNX reference interpolates one axis at a
 * time, so we do too, one 1-D pass per resized axis over a double buffer, each output index carrying its
 * taps (source indices and weights) computed once per axis. Coordinate transforms, nearest rounding modes,
 * antialias and exclude_outside follow the ONNX reference implementation of Resize-19.
 */
final class LayoutResize {
  private LayoutResize() {}

  /** One output position along an axis: source indices and weights, or extrapolate. */
  private static final class Taps {
    int[] idx;
    double[] w;
    boolean extrapolate;
  }

  static TensorData run(Node n, TensorData[] in) {
    LayoutParams.checkResizeSupported(n);
    TensorData x = in[0];
    long[] dims = x.dims();
    boolean legacy = n.opType().equals("Upsample") || n.opsetVersion() < 11;
    float[] scales = null;
    long[] sizes = null;
    double[] roi = null;
    if (n.opType().equals("Upsample") && n.opsetVersion() < 9) {
      scales = n.attributes().getFloats("scales", null);
    } else if (legacy) {
      scales = in.length > 1 && in[1] != null ? in[1].toFloatArray() : null;
    } else {
      roi = in.length > 1 && in[1] != null && in[1].size() > 0 ? doubles(in[1]) : null;
      scales = in.length > 2 && in[2] != null && in[2].size() > 0 ? in[2].toFloatArray() : null;
      sizes = in.length > 3 && in[3] != null && in[3].size() > 0 ? in[3].toLongArray() : null;
    }
    if (n.opType().equals("Upsample") || n.opsetVersion() < 18) {
      if (n.attributes().has("antialias") || n.attributes().has("axes") || n.attributes().has("keep_aspect_ratio_policy")) {
        // attributes of later opsets are ignored by older ones; we refuse rather than guess
        throw new UnsupportedOperatorException("node '" + n.name() + "': Resize-18 attributes on opset " + n.opsetVersion());
      }
    }
    LayoutParams.ResizeSpec spec = LayoutParams.resize(n, dims, scales, sizes, roi);
    if (spec == null) {
      throw LayoutParams.error(n, "one of scales or sizes is required");
    }
    long[] out = spec.outDims;
    int rank = dims.length;
    String mode = n.attributes().getString("mode", "nearest");
    String ctm = legacy ? "asymmetric" : n.attributes().getString("coordinate_transformation_mode", "half_pixel");
    double[] roiFull = fullRoi(n, rank, roi);
    if (mode.equals("nearest")) {
      String nm = legacy ? "simple" : n.attributes().getString("nearest_mode", "round_prefer_floor");
      int[] st = LayoutIndexCopy.strides(dims);
      int[][] tables = new int[rank][];
      boolean anyExtrapolate = false;
      for (int a = 0; a < rank; a++) {
        tables[a] = new int[(int) out[a]];
        for (int j = 0; j < out[a]; j++) {
          double xo = coordinate(ctm, j, dims[a], out[a], spec.scales[a], roiFull[a], roiFull[a + rank]);
          if (Double.isNaN(xo)) {
            tables[a][j] = -1;
            anyExtrapolate = true;
            continue;
          }
          long s = nearest(nm, xo, spec.scales[a]);
          s = Math.max(0, Math.min(dims[a] - 1, s));
          tables[a][j] = (int) s * st[a];
        }
      }
      TensorData fill = null;
      if (anyExtrapolate) {
        fill = TensorData.zeros(x.dtype());
        fill.setDouble(0, n.attributes().getFloat("extrapolation_value", 0f));
      }
      return LayoutIndexCopy.run(x, out, tables, fill);
    }
    boolean cubic = mode.equals("cubic");
    boolean antialias = n.attributes().getInt("antialias", 0) != 0;
    boolean exclude = n.attributes().getInt("exclude_outside", 0) != 0;
    double a0 = n.attributes().getFloat("cubic_coeff_a", -0.75f);
    double extrapolation = n.attributes().getFloat("extrapolation_value", 0f);
    double[] buf = doubles(x);
    long[] cur = dims.clone();
    boolean crop = ctm.equals("tf_crop_and_resize");
    for (int a = rank - 1; a >= 0; a--) {
      if (!crop && out[a] == dims[a] && spec.scales[a] == 1.0) {
        continue;
      }
      Taps[] taps = new Taps[(int) out[a]];
      for (int j = 0; j < taps.length; j++) {
        double xo = coordinate(ctm, j, dims[a], out[a], spec.scales[a], roiFull[a], roiFull[a + rank]);
        taps[j] = taps(xo, (int) dims[a], spec.scales[a], cubic, antialias, exclude, a0);
      }
      buf = pass(buf, cur, a, taps, extrapolation);
      cur[a] = out[a];
    }
    TensorData r = TensorData.zeros(x.dtype(), out);
    if (r.array() instanceof float[]) {
      float[] f = r.floats();
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) buf[i];
      }
    } else {
      for (int i = 0; i < buf.length; i++) {
        r.setDouble(i, buf[i]);
      }
    }
    return r;
  }

  private static double[] doubles(TensorData t) {
    double[] r = new double[t.size()];
    if (t.array() instanceof float[]) {
      float[] f = t.floats();
      for (int i = 0; i < r.length; i++) {
        r[i] = f[i];
      }
      return r;
    }
    for (int i = 0; i < r.length; i++) {
      r[i] = t.getDouble(i);
    }
    return r;
  }

  /** roi as 2·rank (starts then ends), identity [0, 1] where not given. */
  private static double[] fullRoi(Node n, int rank, double[] roi) {
    double[] r = new double[2 * rank];
    for (int i = 0; i < rank; i++) {
      r[i + rank] = 1;
    }
    if (roi == null) {
      return r;
    }
    long[] axAttr = n.attributes().getInts("axes", null);
    int[] ax;
    if (axAttr == null) {
      ax = new int[rank];
      for (int i = 0; i < rank; i++) {
        ax[i] = i;
      }
    } else {
      ax = LayoutParams.axes(n, axAttr, rank);
    }
    if (roi.length != 2 * ax.length) {
      return r;
    }
    for (int i = 0; i < ax.length; i++) {
      r[ax[i]] = roi[i];
      r[ax[i] + rank] = roi[i + ax.length];
    }
    return r;
  }

  /** Input coordinate of output index j; NaN where tf_crop_and_resize extrapolates. */
  static double coordinate(String ctm, long j, long inLen, long outLen, double scale, double r0, double r1) {
    double x = j;
    double ow = scale * inLen;
    switch (ctm) {
      case "align_corners":
        return ow == 1 ? 0 : x * (inLen - 1) / (ow - 1);
      case "asymmetric":
        return x / scale;
      case "tf_crop_and_resize": {
        double xo = outLen == 1 ? (r1 - r0) * (inLen - 1) / 2 : x * (r1 - r0) * (inLen - 1) / (outLen - 1);
        xo += r0 * (inLen - 1);
        return xo < 0 || xo > inLen - 1 ? Double.NaN : xo;
      }
      case "tf_half_pixel_for_nn":
        return (x + 0.5) / scale;
      case "pytorch_half_pixel":
        return outLen == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
      case "half_pixel_symmetric": {
        double adjustment = outLen / ow;
        double center = inLen / 2.0;
        double offset = center * (1 - adjustment);
        return offset + (x + 0.5) / scale - 0.5;
      }
      default:
        return (x + 0.5) / scale - 0.5;
    }
  }

  private static long nearest(String mode, double xo, double scale) {
    if (xo == Math.floor(xo)) {
      return (long) xo;
    }
    double f = Math.floor(xo);
    double ratio = xo - f;
    switch (mode) {
      case "round_prefer_ceil":
        return ratio < 0.5 ? (long) f : (long) f + 1;
      case "floor":
        return (long) f;
      case "ceil":
        return (long) f + 1;
      case "simple":
        // Resize-10 / Upsample: truncate when upsampling, ceil when downsampling (what ONNX Runtime did)
        return scale < 1 ? (long) Math.ceil(xo) : (long) xo;
      default:
        return ratio <= 0.5 ? (long) f : (long) f + 1;
    }
  }

  private static Taps taps(double xo, int inLen, double scale, boolean cubic, boolean antialias, boolean exclude, double a) {
    Taps t = new Taps();
    if (Double.isNaN(xo)) {
      t.extrapolate = true;
      return t;
    }
    double base = Math.ceil(xo) - 1;
    double ratio = xo - base;
    double s = antialias ? Math.min(scale, 1.0) : 1.0;
    int start;
    int count;
    if (cubic) {
      start = antialias ? (int) Math.floor(-2 / s) + 1 : -1;
    } else {
      start = antialias ? (int) Math.floor(-1 / s) + 1 : 0;
    }
    count = 2 - 2 * start;
    t.idx = new int[count];
    t.w = new double[count];
    double sum = 0;
    for (int k = 0; k < count; k++) {
      int i = start + k;
      double w;
      if (cubic) {
        w = antialias ? cubicKernel(s * (i - ratio), a) : cubicKernel(i - ratio, a);
      } else {
        w = Math.max(0, 1 - Math.abs((i - ratio) * s));
      }
      long src = (long) base + i;
      if (exclude && (src < 0 || src >= inLen)) {
        w = 0;
      }
      t.idx[k] = (int) Math.max(0, Math.min(inLen - 1, src));
      t.w[k] = w;
      sum += w;
    }
    if ((antialias || exclude) && sum != 0) {
      for (int k = 0; k < count; k++) {
        t.w[k] /= sum;
      }
    }
    return t;
  }

  /** Keys' cubic convolution kernel with coefficient a. */
  private static double cubicKernel(double x, double a) {
    x = Math.abs(x);
    if (x <= 1) {
      return ((a + 2) * x - (a + 3)) * x * x + 1;
    }
    if (x < 2) {
      return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    }
    return 0;
  }

  /** One 1-D interpolation pass along axis {@code a} of a buffer shaped {@code dims}. */
  private static double[] pass(double[] src, long[] dims, int a, Taps[] taps, double extrapolation) {
    int outer = 1;
    for (int i = 0; i < a; i++) {
      outer *= (int) dims[i];
    }
    int inner = 1;
    for (int i = a + 1; i < dims.length; i++) {
      inner *= (int) dims[i];
    }
    int inA = (int) dims[a];
    int outA = taps.length;
    double[] dst = new double[outer * outA * inner];
    for (int o = 0; o < outer; o++) {
      int sBase = o * inA * inner;
      for (int j = 0; j < outA; j++) {
        int dBase = (o * outA + j) * inner;
        Taps t = taps[j];
        if (t.extrapolate) {
          java.util.Arrays.fill(dst, dBase, dBase + inner, extrapolation);
          continue;
        }
        for (int k = 0; k < t.idx.length; k++) {
          double w = t.w[k];
          if (w == 0) {
            continue;
          }
          int s0 = sBase + t.idx[k] * inner;
          for (int i = 0; i < inner; i++) {
            dst[dBase + i] += w * src[s0 + i];
          }
        }
      }
    }
    return dst;
  }
}
