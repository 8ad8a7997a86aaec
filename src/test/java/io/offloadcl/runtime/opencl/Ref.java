package io.offloadcl.runtime.opencl;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.TensorData;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/** Plain loops computing expected results for the OpenCL op tests, written independently of the kernels. */
final class Ref {
  private Ref() {}

  static long[] strides(long[] d) {
    long[] s = new long[d.length];
    long st = 1;
    for (int i = d.length - 1; i >= 0; i--) {
      s[i] = st;
      st *= d[i];
    }
    return s;
  }

  static long[] unravel(long idx, long[] dims) {
    long[] c = new long[dims.length];
    for (int i = dims.length - 1; i >= 0; i--) {
      c[i] = idx % dims[i];
      idx /= dims[i];
    }
    return c;
  }

  /** Element of {@code t} at output coordinate {@code c}, numpy broadcasting. */
  static double bget(TensorData t, long[] c) {
    long[] d = t.dims();
    long[] s = strides(d);
    long off = 0;
    for (int i = 0; i < d.length; i++) {
      long ci = c[c.length - d.length + i];
      off += (d[i] == 1 ? 0 : ci) * s[i];
    }
    return t.getDouble((int) off);
  }

  static TensorData unary(TensorData x, DoubleUnaryOperator f) {
    TensorData y = TensorData.zeros(DType.FLOAT32, x.dims());
    for (int i = 0; i < x.size(); i++) {
      y.setDouble(i, (float) f.applyAsDouble(x.getDouble(i)));
    }
    return y;
  }

  static TensorData binary(TensorData a, TensorData b, long[] out, DoubleBinaryOperator f) {
    TensorData y = TensorData.zeros(DType.FLOAT32, out);
    for (int i = 0; i < y.size(); i++) {
      long[] c = unravel(i, out);
      y.setDouble(i, (float) f.applyAsDouble(bget(a, c), bget(b, c)));
    }
    return y;
  }

  /** C = alpha * op(A) op(B) + beta * C for 2-D operands. */
  static TensorData gemm(TensorData a, TensorData b, TensorData c, boolean ta, boolean tb, double alpha,
      double beta) {
    long m = ta ? a.dim(1) : a.dim(0);
    long k = ta ? a.dim(0) : a.dim(1);
    long n = tb ? b.dim(0) : b.dim(1);
    TensorData y = TensorData.zeros(DType.FLOAT32, m, n);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int q = 0; q < k; q++) {
          s += a.getDouble((int) (ta ? q * m + i : i * k + q)) * b.getDouble((int) (tb ? j * k + q : q * n + j));
        }
        s *= alpha;
        if (c != null) {
          s += beta * bget(c, new long[] {i, j});
        }
        y.setDouble(i * (int) n + j, s);
      }
    }
    return y;
  }

  /** numpy matmul semantics, including 1-D operands and batch broadcasting. */
  static TensorData matmul(TensorData a, TensorData b, long[] out) {
    long[] ad = a.rank() == 1 ? new long[] {1, a.dim(0)} : a.dims();
    long[] bd = b.rank() == 1 ? new long[] {b.dim(0), 1} : b.dims();
    long m = ad[ad.length - 2];
    long k = ad[ad.length - 1];
    long n = bd[bd.length - 1];
    TensorData y = TensorData.zeros(DType.FLOAT32, out);
    long batches = y.size() / (m * n);
    int br = Math.max(ad.length, bd.length) - 2;
    long[] bdims = new long[br];
    for (int i = 0; i < br; i++) {
      int ia = i - (br - (ad.length - 2));
      int ib = i - (br - (bd.length - 2));
      bdims[i] = Math.max(ia >= 0 ? ad[ia] : 1, ib >= 0 ? bd[ib] : 1);
    }
    for (long bt = 0; bt < batches; bt++) {
      long[] c = unravel(bt, bdims);
      long oa = batchOffset(ad, c) * m * k;
      long ob = batchOffset(bd, c) * k * n;
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0;
          for (int q = 0; q < k; q++) {
            s += a.getDouble((int) (oa + i * k + q)) * b.getDouble((int) (ob + q * n + j));
          }
          y.setDouble((int) (bt * m * n + i * n + j), s);
        }
      }
    }
    return y;
  }

  private static long batchOffset(long[] d, long[] c) {
    int r = d.length - 2;
    long off = 0;
    long st = 1;
    for (int i = r - 1; i >= 0; i--) {
      long ci = c[c.length - r + i];
      off += (d[i] == 1 ? 0 : ci) * st;
      st *= d[i];
    }
    return off;
  }

  /** 2-D convolution NCHW with groups, strides, dilations and explicit pads {top, left}. */
  static TensorData conv(TensorData x, TensorData w, TensorData bias, long[] out, int group, int[] s, int[] d,
      int[] p) {
    int n = (int) x.dim(0);
    int ci = (int) x.dim(1);
    int h = (int) x.dim(2);
    int wd = (int) x.dim(3);
    int co = (int) out[1];
    int oh = (int) out[2];
    int ow = (int) out[3];
    int kh = (int) w.dim(2);
    int kw = (int) w.dim(3);
    int cig = ci / group;
    int cog = co / group;
    TensorData y = TensorData.zeros(DType.FLOAT32, out);
    for (int b = 0; b < n; b++) {
      for (int c = 0; c < co; c++) {
        int g = c / cog;
        for (int i = 0; i < oh; i++) {
          for (int j = 0; j < ow; j++) {
            double acc = bias == null ? 0 : bias.getDouble(c);
            for (int q = 0; q < cig; q++) {
              for (int u = 0; u < kh; u++) {
                for (int v = 0; v < kw; v++) {
                  int ih = i * s[0] - p[0] + u * d[0];
                  int iw = j * s[1] - p[1] + v * d[1];
                  if (ih >= 0 && ih < h && iw >= 0 && iw < wd) {
                    acc += x.getDouble(((b * ci + g * cig + q) * h + ih) * wd + iw)
                        * w.getDouble(((c * cig + q) * kh + u) * kw + v);
                  }
                }
              }
            }
            y.setDouble(((b * co + c) * oh + i) * ow + j, acc);
          }
        }
      }
    }
    return y;
  }

  /** 2-D max or average pooling; pads {top, left, bottom, right}. */
  static TensorData pool(TensorData x, long[] out, boolean max, int[] k, int[] s, int[] p, boolean includePad) {
    int nc = (int) (x.dim(0) * x.dim(1));
    int h = (int) x.dim(2);
    int w = (int) x.dim(3);
    int oh = (int) out[2];
    int ow = (int) out[3];
    TensorData y = TensorData.zeros(DType.FLOAT32, out);
    for (int c = 0; c < nc; c++) {
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) {
          double acc = max ? Double.NEGATIVE_INFINITY : 0;
          int cnt = 0;
          int padded = 0;
          for (int u = 0; u < k[0]; u++) {
            for (int v = 0; v < k[1]; v++) {
              int ih = i * s[0] - p[0] + u;
              int iw = j * s[1] - p[1] + v;
              if (ih < h + p[2] && iw < w + p[3]) {
                padded++;
              }
              if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                double e = x.getDouble((c * h + ih) * w + iw);
                acc = max ? Math.max(acc, e) : acc + e;
                cnt++;
              }
            }
          }
          y.setDouble((c * oh + i) * ow + j, max ? acc : acc / (includePad ? padded : cnt));
        }
      }
    }
    return y;
  }

  static TensorData softmax(TensorData x, long outer, long ax, long inner, boolean log) {
    TensorData y = TensorData.zeros(DType.FLOAT32, x.dims());
    for (long o = 0; o < outer; o++) {
      for (long in = 0; in < inner; in++) {
        double mx = Double.NEGATIVE_INFINITY;
        for (long a = 0; a < ax; a++) {
          mx = Math.max(mx, x.getDouble((int) ((o * ax + a) * inner + in)));
        }
        double sum = 0;
        for (long a = 0; a < ax; a++) {
          sum += Math.exp(x.getDouble((int) ((o * ax + a) * inner + in)) - mx);
        }
        for (long a = 0; a < ax; a++) {
          int i = (int) ((o * ax + a) * inner + in);
          double e = x.getDouble(i) - mx;
          y.setDouble(i, log ? e - Math.log(sum) : Math.exp(e) / sum);
        }
      }
    }
    return y;
  }

  /** Reduces over {@code axes} (kept as size-1 dims in {@code out} or dropped: the data order is the same). */
  static TensorData reduce(TensorData x, boolean[] axes, long[] out, String op) {
    long[] xd = x.dims();
    int n = 1;
    long[] kept = new long[xd.length];
    for (int i = 0; i < xd.length; i++) {
      kept[i] = axes[i] ? 1 : xd[i];
      n *= (int) kept[i];
    }
    double[] acc = new double[n];
    int[] cnt = new int[n];
    java.util.Arrays.fill(acc, op.equals("max") ? Double.NEGATIVE_INFINITY : op.equals("min") ? Double.POSITIVE_INFINITY : 0);
    long[] ks = strides(kept);
    for (int i = 0; i < x.size(); i++) {
      long[] c = unravel(i, xd);
      long o = 0;
      for (int j = 0; j < xd.length; j++) {
        o += (axes[j] ? 0 : c[j]) * ks[j];
      }
      double e = x.getDouble(i);
      acc[(int) o] = op.equals("max") ? Math.max(acc[(int) o], e)
          : op.equals("min") ? Math.min(acc[(int) o], e) : acc[(int) o] + e;
      cnt[(int) o]++;
    }
    TensorData y = TensorData.zeros(DType.FLOAT32, out);
    for (int i = 0; i < n; i++) {
      y.setDouble(i, op.equals("mean") ? acc[i] / cnt[i] : acc[i]);
    }
    return y;
  }

  /** Output element i takes input element at coordinate map(outCoord). */
  interface CoordMap {
    long[] apply(long[] outCoord);
  }

  static TensorData gatherCoords(TensorData x, long[] out, CoordMap f) {
    TensorData y = TensorData.zeros(x.dtype(), out);
    long[] s = strides(x.dims());
    for (int i = 0; i < y.size(); i++) {
      long[] c = f.apply(unravel(i, out));
      long off = 0;
      for (int j = 0; j < c.length; j++) {
        off += c[j] * s[j];
      }
      if (x.dtype() == DType.FLOAT32) {
        y.setDouble(i, x.getDouble((int) off));
      } else {
        y.setLong(i, x.getLong((int) off));
      }
    }
    return y;
  }
}
