package io.offloadcl.runtime.cpu;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ops.Broadcast;
import io.offloadcl.ops.NnGeometry;
import java.util.Arrays;

/**
 * Reference-kernel family file for the neural-network compute ops: Conv, ConvTranspose, AveragePool,
 * MaxPool, GlobalAveragePool, GlobalMaxPool, BatchNormalization (inference), LRN, InstanceNormalization,
 * LpNormalization, LpPool, Gemm and MatMul. The heavy
 * lifting is in {@link NnGemm}, {@link NnConv} and {@link NnPool}; this file reads attributes, checks the
 * run-time shapes (dynamic dims are only known here) and converts between storage types.
 */
final class NnKernels {
  private NnKernels() {}

  static void register() {
    CpuKernels.add("Conv", NnKernels::conv);
    CpuKernels.add("ConvTranspose", NnKernels::convTranspose);
    CpuKernels.add("AveragePool", NnKernels::averagePool);
    CpuKernels.add("MaxPool", NnKernels::maxPool);
    CpuKernels.add("GlobalAveragePool", NnKernels::globalPool);
    CpuKernels.add("GlobalMaxPool", NnKernels::globalPool);
    CpuKernels.add("BatchNormalization", NnKernels::batchNorm);
    CpuKernels.add("LRN", NnKernels::lrn);
    CpuKernels.add("InstanceNormalization", NnKernels::instanceNorm);
    CpuKernels.add("LpNormalization", NnKernels::lpNorm);
    CpuKernels.add("LpPool", NnKernels::lpPool);
    CpuKernels.add("Gemm", NnKernels::gemm);
    CpuKernels.add("MatMul", NnKernels::matMul);
  }

  // ---------------------------------------------------------------- helpers

  private static String where(Node n) {
    return "node '" + n.name() + "' (" + n.opType() + ")";
  }

  private static ShapeMismatchException error(Node n, String what) {
    return new ShapeMismatchException(where(n) + ": " + what);
  }

  private static TensorData in(TensorData[] in, int i) {
    return i < in.length ? in[i] : null;
  }

  private static boolean floatStorage(DType t) {
    return t == DType.FLOAT32 || t == DType.FLOAT16 || t == DType.BFLOAT16;
  }

  private static void requireFloating(Node n, TensorData t) {
    if (!t.dtype().isFloating()) {
      throw new UnsupportedOperatorException(where(n) + ": element type " + t.dtype().shortName() + " is not supported");
    }
  }

  /** The tensor's values widened to double (a fresh array). */
  static double[] doubles(TensorData t) {
    Object a = t.array();
    if (a instanceof double[]) {
      return ((double[]) a).clone();
    }
    double[] r = new double[t.size()];
    if (a instanceof float[]) {
      float[] f = (float[]) a;
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

  /** A tensor of {@code dtype} holding {@code v} (converted as a C cast would). */
  static TensorData fromDoubles(DType dtype, long[] dims, double[] v) {
    if (dtype == DType.FLOAT64) {
      return TensorData.wrap(dtype, dims, v);
    }
    TensorData t = TensorData.zeros(dtype, dims);
    if (t.array() instanceof float[]) {
      float[] f = t.floats();
      for (int i = 0; i < v.length; i++) {
        f[i] = (float) v[i];
      }
    } else {
      for (int i = 0; i < v.length; i++) {
        t.setDouble(i, v[i]);
      }
    }
    return t;
  }

  private static long[] spatial(long[] dims) {
    return Arrays.copyOfRange(dims, 2, dims.length);
  }

  private static int[] intSpatial(long[] dims) {
    int[] r = new int[dims.length - 2];
    for (int i = 0; i < r.length; i++) {
      r[i] = (int) dims[i + 2];
    }
    return r;
  }

  private static long[] withSpatial(long n, long c, long[] sp) {
    long[] d = new long[sp.length + 2];
    d[0] = n;
    d[1] = c;
    System.arraycopy(sp, 0, d, 2, sp.length);
    return d;
  }

  // ---------------------------------------------------------------- Conv

  private static TensorData[] conv(Node node, TensorData[] ins) {
    TensorData x = ins[0];
    TensorData w = ins[1];
    TensorData b = in(ins, 2);
    requireFloating(node, x);
    long[] xs = x.dims();
    long[] ws = w.dims();
    int group = (int) node.attributes().getInt("group", 1);
    if (xs.length < 3 || ws.length != xs.length) {
      throw error(node, "X " + x.shape() + " and W " + w.shape() + " must have the same rank >= 3");
    }
    if (xs[1] != ws[1] * group || ws[0] % group != 0) {
      throw error(node, "input channels " + xs[1] + " do not match W[1] * group = " + ws[1] + " * " + group
          + " (X " + x.shape() + ", W " + w.shape() + ")");
    }
    if (b != null && (b.rank() != 1 || b.dim(0) != ws[0])) {
      throw error(node, "bias B must have shape [" + ws[0] + "], got " + b.shape());
    }
    NnGeometry g = NnGeometry.forward(where(node), spatial(xs), spatial(ws), node.attributes(), false);
    long[] ys = withSpatial(xs[0], ws[0], g.out);
    if (floatStorage(x.dtype()) && floatStorage(w.dtype()) && xs.length <= 5) {
      float[] bias = b == null ? null : b.toFloatArray();
      float[] y = NnConv.convFloat(x.floats(), xs, w.floats(), ws, bias, group, g);
      return new TensorData[] {TensorData.wrap(x.dtype(), ys, y)};
    }
    double[] y = NnConv.convDouble(doubles(x), xs, doubles(w), ws, b == null ? null : doubles(b), group, g);
    return new TensorData[] {fromDoubles(x.dtype(), ys, y)};
  }

  private static TensorData[] convTranspose(Node node, TensorData[] ins) {
    TensorData x = ins[0];
    TensorData w = ins[1];
    TensorData b = in(ins, 2);
    requireFloating(node, x);
    long[] xs = x.dims();
    long[] ws = w.dims();
    int group = (int) node.attributes().getInt("group", 1);
    if (xs.length < 3 || ws.length != xs.length) {
      throw error(node, "X " + x.shape() + " and W " + w.shape() + " must have the same rank >= 3");
    }
    if (xs[1] != ws[0] || ws[0] % group != 0) {
      throw error(node, "input channels " + xs[1] + " do not match W[0] = " + ws[0] + " (divisible by group " + group
          + ")");
    }
    long m = ws[1] * group;
    if (b != null && (b.rank() != 1 || b.dim(0) != m)) {
      throw error(node, "bias B must have shape [" + m + "], got " + b.shape());
    }
    NnGeometry g = NnGeometry.transposed(where(node), spatial(xs), spatial(ws), node.attributes());
    if (floatStorage(x.dtype()) && floatStorage(w.dtype())) {
      float[] y = NnConv.convTransposeFloat(x.floats(), xs, w.floats(), ws, b == null ? null : b.toFloatArray(), group,
          g);
      return new TensorData[] {TensorData.wrap(x.dtype(), withSpatial(xs[0], m, g.out), y)};
    }
    double[] y = NnConv.convTranspose(doubles(x), xs, doubles(w), ws, b == null ? null : doubles(b), group, g);
    return new TensorData[] {fromDoubles(x.dtype(), withSpatial(xs[0], m, g.out), y)};
  }

  // ---------------------------------------------------------------- pools

  private static NnGeometry poolGeometry(Node node, TensorData x) {
    Attributes a = node.attributes();
    long[] k = a.getInts("kernel_shape", null);
    if (k == null) {
      throw error(node, "attribute kernel_shape is required");
    }
    if (x.rank() != k.length + 2) {
      throw error(node, "input X " + x.shape() + " must have rank " + (k.length + 2) + " for kernel_shape "
          + Arrays.toString(k));
    }
    return NnGeometry.forward(where(node), spatial(x.dims()), k, a, a.getInt("ceil_mode", 0) != 0);
  }

  private static TensorData[] averagePool(Node node, TensorData[] ins) {
    TensorData x = ins[0];
    requireFloating(node, x);
    NnGeometry g = poolGeometry(node, x);
    long[] xs = x.dims();
    boolean includePad = node.attributes().getInt("count_include_pad", 0) != 0;
    double[] y = NnPool.average(doubles(x), (int) (xs[0] * xs[1]), intSpatial(xs), g, includePad);
    return new TensorData[] {fromDoubles(x.dtype(), withSpatial(xs[0], xs[1], g.out), y)};
  }

  private static TensorData[] maxPool(Node node, TensorData[] ins) {
    TensorData x = ins[0];
    if (x.dtype() == DType.STRING || x.dtype() == DType.BOOL) {
      throw new UnsupportedOperatorException(where(node) + ": element type " + x.dtype().shortName()
          + " is not supported");
    }
    NnGeometry g = poolGeometry(node, x);
    long[] xs = x.dims();
    long[] ys = withSpatial(xs[0], xs[1], g.out);
    boolean wantIndices = node.outputs().size() > 1 && node.output(1) != null;
    boolean colMajor = node.attributes().getInt("storage_order", 0) == 1;
    long[] idx = wantIndices ? new long[(int) TensorData.count(ys)] : null;
    double[] y = NnPool.max(doubles(x), (int) (xs[0] * xs[1]), intSpatial(xs), g, idx, colMajor);
    TensorData yt = fromDoubles(x.dtype(), ys, y);
    return wantIndices ? new TensorData[] {yt, TensorData.wrap(DType.INT64, ys, idx)} : new TensorData[] {yt};
  }

  private static TensorData[] globalPool(Node node, TensorData[] ins) {
    TensorData x = ins[0];
    if (!max(node)) {
      requireFloating(node, x);
    }
    long[] xs = x.dims();
    if (xs.length < 3) {
      throw error(node, "input X must have rank >= 3 (N, C, spatial...), got " + x.shape());
    }
    int planes = (int) (xs[0] * xs[1]);
    int size = planes == 0 ? 0 : x.size() / planes;
    double[] y = NnPool.global(doubles(x), planes, size, max(node));
    long[] ys = xs.clone();
    Arrays.fill(ys, 2, ys.length, 1);
    return new TensorData[] {fromDoubles(x.dtype(), ys, y)};
  }

  private static boolean max(Node node) {
    return node.opType().equals("GlobalMaxPool");
  }

  // ---------------------------------------------------------------- BatchNormalization

  private static TensorData[] batchNorm(Node node, TensorData[] ins) {
    Attributes a = node.attributes();
    if (a.getInt("training_mode", 0) != 0) {
      throw new UnsupportedOperatorException(where(node) + ": training_mode=1 is not supported (inference only)");
    }
    TensorData x = ins[0];
    requireFloating(node, x);
    long[] xs = x.dims();
    if (xs.length < 2) {
      throw error(node, "input X must have rank >= 2 (N, C, ...), got " + x.shape());
    }
    boolean spatial = node.opsetVersion() >= 9 || a.getInt("spatial", 1) != 0;
    int n = (int) xs[0];
    int c = (int) xs[1];
    int inner = n * c == 0 ? 0 : x.size() / (n * c);
    int params = spatial ? c : c * inner;
    for (int i = 1; i <= 4; i++) {
      if (ins[i] == null || ins[i].size() != params) {
        throw error(node, "input " + i + " must have " + params + " elements for X " + x.shape() + ", got "
            + (ins[i] == null ? "none" : ins[i].shape().toString()));
      }
    }
    double eps = a.getFloat("epsilon", 1e-5f);
    double[] scale = doubles(ins[1]);
    double[] bias = doubles(ins[2]);
    double[] mean = doubles(ins[3]);
    double[] var = doubles(ins[4]);
    // fold into y = x * mul + add per parameter
    double[] mul = new double[params];
    double[] add = new double[params];
    for (int i = 0; i < params; i++) {
      mul[i] = scale[i] / Math.sqrt(var[i] + eps);
      add[i] = bias[i] - mean[i] * mul[i];
    }
    if (floatStorage(x.dtype())) {
      float[] xv = x.floats();
      float[] y = new float[xv.length];
      NnParallel.forEach(xv.length > (1 << 16) ? n * c : 1, t -> {
        int from = xv.length > (1 << 16) ? t : 0;
        int to = xv.length > (1 << 16) ? t + 1 : n * c;
        for (int plane = from; plane < to; plane++) {
          int ch = plane % c;
          int base = plane * inner;
          if (spatial) {
            float m = (float) mul[ch];
            float ad = (float) add[ch];
            for (int i = base; i < base + inner; i++) {
              y[i] = xv[i] * m + ad;
            }
          } else {
            int pb = ch * inner;
            for (int i = 0; i < inner; i++) {
              y[base + i] = (float) (xv[base + i] * mul[pb + i] + add[pb + i]);
            }
          }
        }
      });
      return new TensorData[] {TensorData.wrap(x.dtype(), xs, y)};
    }
    double[] xv = doubles(x);
    double[] y = new double[xv.length];
    for (int plane = 0; plane < n * c; plane++) {
      int ch = plane % c;
      for (int i = 0; i < inner; i++) {
        int pi = spatial ? ch : ch * inner + i;
        y[plane * inner + i] = xv[plane * inner + i] * mul[pi] + add[pi];
      }
    }
    return new TensorData[] {fromDoubles(x.dtype(), xs, y)};
  }

  // ---------------------------------------------------------------- LRN, InstanceNormalization

  /**
   * Local response normalization across channels: {@code y = x / (bias + alpha / size * sum(x^2))^beta}, the
   * sum over channels {@code c - floor((size-1)/2) .. c + ceil((size-1)/2)} clipped to the tensor.
   */
  private static TensorData[] lrn(Node node, TensorData[] ins) {
    TensorData x = ins[0];
    requireFloating(node, x);
    Attributes a = node.attributes();
    int size = (int) a.getInt("size", -1);
    if (size <= 0) {
      throw error(node, "attribute size must be a positive integer");
    }
    double alpha = a.getFloat("alpha", 1e-4f);
    double beta = a.getFloat("beta", 0.75f);
    double bias = a.getFloat("bias", 1f);
    long[] xs = x.dims();
    if (xs.length < 2) {
      throw error(node, "input X must have rank >= 2 (N, C, ...), got " + x.shape());
    }
    int n = (int) xs[0];
    int c = (int) xs[1];
    int inner = n * c == 0 ? 0 : x.size() / (n * c);
    int below = (size - 1) / 2;
    int above = size - 1 - below;
    double[] xv = doubles(x);
    double[] y = new double[xv.length];
    NnParallel.forEach(n * c, t -> {
      int img = t / c;
      int ch = t % c;
      int lo = Math.max(0, ch - below);
      int hi = Math.min(c - 1, ch + above);
      int base = t * inner;
      for (int i = 0; i < inner; i++) {
        double sq = 0;
        for (int q = lo; q <= hi; q++) {
          double v = xv[(img * c + q) * inner + i];
          sq += v * v;
        }
        y[base + i] = xv[base + i] / Math.pow(bias + alpha / size * sq, beta);
      }
    });
    return new TensorData[] {fromDoubles(x.dtype(), xs, y)};
  }

  /** Per (image, channel) normalization over the spatial axes, then the channel's scale and bias. */
  private static TensorData[] instanceNorm(Node node, TensorData[] ins) {
    TensorData x = ins[0];
    requireFloating(node, x);
    long[] xs = x.dims();
    if (xs.length < 3) {
      throw error(node, "input X must have rank >= 3 (N, C, spatial...), got " + x.shape());
    }
    int n = (int) xs[0];
    int c = (int) xs[1];
    for (int i = 1; i < 3; i++) {
      if (ins[i].size() != c) {
        throw error(node, "input " + i + " must have shape [" + c + "], got " + ins[i].shape());
      }
    }
    double eps = node.attributes().getFloat("epsilon", 1e-5f);
    double[] scale = doubles(ins[1]);
    double[] bias = doubles(ins[2]);
    int inner = n * c == 0 ? 0 : x.size() / (n * c);
    double[] xv = doubles(x);
    double[] y = new double[xv.length];
    NnParallel.forEach(n * c, t -> {
      int ch = t % c;
      int base = t * inner;
      double mean = 0;
      for (int i = 0; i < inner; i++) {
        mean += xv[base + i];
      }
      mean /= inner;
      double var = 0;
      for (int i = 0; i < inner; i++) {
        double d = xv[base + i] - mean;
        var += d * d;
      }
      var /= inner;
      double mul = scale[ch] / Math.sqrt(var + eps);
      for (int i = 0; i < inner; i++) {
        y[base + i] = (xv[base + i] - mean) * mul + bias[ch];
      }
    });
    return new TensorData[] {fromDoubles(x.dtype(), xs, y)};
  }

  /** {@code y = x / ||x||_p} along one axis (p = 1 or 2). */
  private static TensorData[] lpNorm(Node node, TensorData[] ins) {
    TensorData x = ins[0];
    requireFloating(node, x);
    int r = x.rank();
    long axisAttr = node.attributes().getInt("axis", -1);
    if (r == 0 || axisAttr < -r || axisAttr >= r) {
      throw error(node, "axis " + axisAttr + " is out of range for X " + x.shape());
    }
    int axis = (int) (axisAttr < 0 ? axisAttr + r : axisAttr);
    long p = node.attributes().getInt("p", 2);
    if (p != 1 && p != 2) {
      throw error(node, "attribute p must be 1 or 2, got " + p);
    }
    long[] xs = x.dims();
    int len = (int) xs[axis];
    int innerN = 1;
    for (int i = axis + 1; i < r; i++) {
      innerN *= (int) xs[i];
    }
    int outer = len * innerN == 0 ? 0 : x.size() / (len * innerN);
    int inner = innerN;
    double[] xv = doubles(x);
    double[] y = new double[xv.length];
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        int base = o * len * inner + i;
        double norm = 0;
        for (int q = 0; q < len; q++) {
          double v = xv[base + q * inner];
          norm += p == 1 ? Math.abs(v) : v * v;
        }
        if (p == 2) {
          norm = Math.sqrt(norm);
        }
        for (int q = 0; q < len; q++) {
          y[base + q * inner] = xv[base + q * inner] / norm;
        }
      }
    }
    return new TensorData[] {fromDoubles(x.dtype(), xs, y)};
  }

  private static TensorData[] lpPool(Node node, TensorData[] ins) {
    TensorData x = ins[0];
    requireFloating(node, x);
    NnGeometry g = poolGeometry(node, x);
    long[] xs = x.dims();
    double p = node.attributes().getFloat("p", 2f);
    double[] y = NnPool.lp(doubles(x), (int) (xs[0] * xs[1]), intSpatial(xs), g, p);
    return new TensorData[] {fromDoubles(x.dtype(), withSpatial(xs[0], xs[1], g.out), y)};
  }

  // ---------------------------------------------------------------- Gemm

  private static TensorData[] gemm(Node node, TensorData[] ins) {
    TensorData ta = ins[0];
    TensorData tb = ins[1];
    TensorData tc = in(ins, 2);
    Attributes at = node.attributes();
    boolean transA = at.getInt("transA", 0) != 0;
    boolean transB = at.getInt("transB", 0) != 0;
    double alpha = at.getFloat("alpha", 1f);
    double beta = at.getFloat("beta", 1f);
    if (ta.rank() != 2 || tb.rank() != 2) {
      throw error(node, "A and B must be matrices, got A " + ta.shape() + " and B " + tb.shape());
    }
    int m = (int) (transA ? ta.dim(1) : ta.dim(0));
    int k = (int) (transA ? ta.dim(0) : ta.dim(1));
    int kb = (int) (transB ? tb.dim(1) : tb.dim(0));
    int n = (int) (transB ? tb.dim(0) : tb.dim(1));
    if (k != kb) {
      throw error(node, "inner dimensions differ: A " + ta.shape() + (transA ? " (transposed)" : "") + " has K = " + k
          + ", B " + tb.shape() + (transB ? " (transposed)" : "") + " has K = " + kb);
    }
    long[] ys = {m, n};
    long[] cst = null;
    if (tc != null) {
      long[] cd = tc.dims();
      if (cd.length > 2) {
        throw error(node, "C " + tc.shape() + " does not broadcast to the output [" + m + "," + n + "]");
      }
      for (int i = 0; i < cd.length; i++) {
        long want = ys[2 - cd.length + i];
        if (cd[i] != want && cd[i] != 1) {
          throw error(node, "C " + tc.shape() + " does not broadcast to the output [" + m + "," + n + "]");
        }
      }
      cst = Broadcast.stridesFor(cd, ys);
    }
    DType dt = ta.dtype();
    if (floatStorage(dt)) {
      float[] a = ta.floats();
      float[] b = tb.floats();
      float[] y = new float[m * n];
      multiplyFloat(a, transA, b, transB, m, n, k, y);
      float[] cv = tc == null ? null : tc.toFloatArray();
      float fa = (float) alpha;
      float fb = (float) beta;
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          float v = fa * y[i * n + j];
          if (cv != null) {
            v += fb * cv[(int) (i * cst[0] + j * cst[1])];
          }
          y[i * n + j] = v;
        }
      }
      return new TensorData[] {TensorData.wrap(dt, ys, y)};
    }
    if (dt == DType.FLOAT64) {
      double[] a = ta.doubles();
      double[] b = tb.doubles();
      if (transA) {
        a = NnGemm.transpose(a, 0, k, m);
      }
      if (transB) {
        b = NnGemm.transpose(b, 0, n, k);
      }
      double[] y = new double[m * n];
      NnGemm.parallel(m, n, k, a, 0, k, b, 0, n, y, 0, n);
      double[] cv = tc == null ? null : doubles(tc);
      for (int i = 0; i < m * n; i++) {
        y[i] = alpha * y[i] + (cv == null ? 0 : beta * cv[(int) ((i / n) * cst[0] + (i % n) * cst[1])]);
      }
      return new TensorData[] {TensorData.wrap(dt, ys, y)};
    }
    if (dt.isInteger()) {
      long[] a = ta.toLongArray();
      long[] b = tb.toLongArray();
      if (transA) {
        a = NnGemm.transpose(a, 0, k, m);
      }
      if (transB) {
        b = NnGemm.transpose(b, 0, n, k);
      }
      long[] y = new long[m * n];
      NnGemm.gemm(m, n, k, a, 0, k, b, 0, n, y, 0, n);
      TensorData out = TensorData.zeros(dt, ys);
      for (int i = 0; i < m * n; i++) {
        long cv = tc == null ? 0 : tc.getLong((int) ((i / n) * cst[0] + (i % n) * cst[1]));
        out.setLong(i, (long) (alpha * y[i]) + (long) (beta * cv));
      }
      return new TensorData[] {out};
    }
    throw new UnsupportedOperatorException(where(node) + ": element type " + dt.shortName() + " is not supported");
  }

  /** Up to this many rows of A, Gemm with transB=1 runs as dot products (see {@link #multiplyFloat}). */
  private static final int DOT_MAX_ROWS = 32;

  /**
   * {@code y = op(A) * op(B)} in float. A transposed B with few rows (fully-connected layers at small batch)
   * runs as dot products of contiguous rows instead of transposing the whole weight matrix on every call,
   * which for VGG's first classifier layer would copy 400 MB per inference.
   */
  private static void multiplyFloat(float[] a, boolean transA, float[] b, boolean transB, int m, int n, int k,
      float[] y) {
    if (transA) {
      a = NnGemm.transpose(a, 0, k, m);
    }
    if (transB && m <= DOT_MAX_ROWS) {
      float[] av = a;
      float[] bv = b;
      int blocks = (long) m * n * k < (1 << 17) ? 1 : Math.min(n, 2 * NnParallel.threads());
      NnParallel.forEach(blocks, t -> {
        int j0 = (int) ((long) n * t / blocks);
        int j1 = (int) ((long) n * (t + 1) / blocks);
        // j outer: one weight row stays in cache while every row of A meets it
        for (int j = j0; j < j1; j++) {
          for (int i = 0; i < m; i++) {
            y[i * n + j] = dot(av, i * k, bv, j * k, k);
          }
        }
      });
      return;
    }
    if (transB) {
      b = NnGemm.transpose(b, 0, n, k);
    }
    NnGemm.parallel(m, n, k, a, 0, k, b, 0, n, y, 0, n);
  }

  /** Dot product with eight partial sums, which the JIT can keep in vector registers. */
  static float dot(float[] a, int ao, float[] b, int bo, int k) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    float s4 = 0;
    float s5 = 0;
    float s6 = 0;
    float s7 = 0;
    int i = 0;
    for (; i + 8 <= k; i += 8) {
      s0 += a[ao + i] * b[bo + i];
      s1 += a[ao + i + 1] * b[bo + i + 1];
      s2 += a[ao + i + 2] * b[bo + i + 2];
      s3 += a[ao + i + 3] * b[bo + i + 3];
      s4 += a[ao + i + 4] * b[bo + i + 4];
      s5 += a[ao + i + 5] * b[bo + i + 5];
      s6 += a[ao + i + 6] * b[bo + i + 6];
      s7 += a[ao + i + 7] * b[bo + i + 7];
    }
    float s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    for (; i < k; i++) {
      s += a[ao + i] * b[bo + i];
    }
    return s;
  }

  // ---------------------------------------------------------------- MatMul

  private static TensorData[] matMul(Node node, TensorData[] ins) {
    TensorData ta = ins[0];
    TensorData tb = ins[1];
    long[] ad = ta.dims();
    long[] bd = tb.dims();
    if (ad.length == 0 || bd.length == 0) {
      throw error(node, "operands must have rank >= 1, got " + ta.shape() + " and " + tb.shape());
    }
    if (ta.dtype() != tb.dtype()) {
      throw error(node, "operands differ in element type: " + ta.dtype().shortName() + " and " + tb.dtype().shortName());
    }
    long[] a2 = ad.length == 1 ? new long[] {1, ad[0]} : ad;
    long[] b2 = bd.length == 1 ? new long[] {bd[0], 1} : bd;
    int m = (int) a2[a2.length - 2];
    int k = (int) a2[a2.length - 1];
    int n = (int) b2[b2.length - 1];
    if (b2[b2.length - 2] != k) {
      throw error(node, "inner dimensions differ: A " + ta.shape() + " has K = " + k + ", B " + tb.shape()
          + " has K = " + b2[b2.length - 2]);
    }
    long[] aBatch = Arrays.copyOf(a2, a2.length - 2);
    long[] bBatch = Arrays.copyOf(b2, b2.length - 2);
    long[] batch;
    try {
      batch = Broadcast.shape(aBatch, bBatch);
    } catch (ShapeMismatchException e) {
      throw error(node, "batch dimensions of A " + ta.shape() + " and B " + tb.shape() + " do not broadcast");
    }
    long[] as = Broadcast.stridesFor(aBatch, batch);
    long[] bs = Broadcast.stridesFor(bBatch, batch);
    int batches = (int) TensorData.count(batch);
    long[] ys = new long[batch.length + (ad.length > 1 ? 1 : 0) + (bd.length > 1 ? 1 : 0)];
    System.arraycopy(batch, 0, ys, 0, batch.length);
    int yi = batch.length;
    if (ad.length > 1) {
      ys[yi++] = m;
    }
    if (bd.length > 1) {
      ys[yi] = n;
    }
    int[] aOff = new int[batches];
    int[] bOff = new int[batches];
    boolean bShared = true;
    boolean aDense = true;
    for (int t = 0; t < batches; t++) {
      int rem = t;
      long ao = 0;
      long bo = 0;
      for (int i = batch.length - 1; i >= 0; i--) {
        int idx = (int) (rem % batch[i]);
        rem /= (int) batch[i];
        ao += idx * as[i];
        bo += idx * bs[i];
      }
      aOff[t] = (int) (ao * m * k);
      bOff[t] = (int) (bo * k * n);
      bShared &= bOff[t] == 0;
      aDense &= aOff[t] == t * m * k;
    }
    DType dt = ta.dtype();
    if (floatStorage(dt)) {
      float[] a = ta.floats();
      float[] b = tb.floats();
      float[] y = new float[batches * m * n];
      if (bShared && aDense) {
        // one weight matrix for every batch: a single (batches*m) x k by k x n product
        NnGemm.parallel(batches * m, n, k, a, 0, k, b, 0, n, y, 0, n);
      } else if (batches >= 2 * NnParallel.threads()) {
        NnParallel.forEach(batches, t -> NnGemm.gemm(m, n, k, a, aOff[t], k, b, bOff[t], n, y, t * m * n, n));
      } else {
        for (int t = 0; t < batches; t++) {
          NnGemm.parallel(m, n, k, a, aOff[t], k, b, bOff[t], n, y, t * m * n, n);
        }
      }
      return new TensorData[] {TensorData.wrap(dt, ys, y)};
    }
    if (dt == DType.FLOAT64) {
      double[] a = ta.doubles();
      double[] b = tb.doubles();
      double[] y = new double[batches * m * n];
      NnParallel.forEach(batches, t -> NnGemm.gemm(m, n, k, a, aOff[t], k, b, bOff[t], n, y, t * m * n, n));
      return new TensorData[] {TensorData.wrap(dt, ys, y)};
    }
    if (dt.isInteger()) {
      long[] a = ta.toLongArray();
      long[] b = tb.toLongArray();
      long[] y = new long[batches * m * n];
      for (int t = 0; t < batches; t++) {
        NnGemm.gemm(m, n, k, a, aOff[t], k, b, bOff[t], n, y, t * m * n, n);
      }
      TensorData out = TensorData.zeros(dt, ys);
      for (int i = 0; i < y.length; i++) {
        out.setLong(i, y[i]);
      }
      return new TensorData[] {out};
    }
    throw new UnsupportedOperatorException(where(node) + ": element type " + dt.shortName() + " is not supported");
  }
}
