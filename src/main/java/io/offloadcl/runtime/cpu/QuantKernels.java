package io.offloadcl.runtime.cpu;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ops.NnGeometry;
import io.offloadcl.ops.QuantOps;

/**
 * Reference kernels for the INT8 ops of {@link QuantOps}. Products are summed in int (an int8 x int8 product
 * fits in 15 bits, so even 2^16 terms cannot overflow int32); the only float arithmetic is the per-channel
 * requantization multiply of the epilogue.
 */
public final class QuantKernels {
  /** Output pixels per conv task (its patch rows are reused by every output channel). */
  private static final int TILE = 256;

  private QuantKernels() {}

  static void register() {
    CpuKernels.add("QuantizeInt8", QuantKernels::quantize);
    CpuKernels.add("DequantizeInt8", QuantKernels::dequantize);
    CpuKernels.add("QConvInt8", QuantKernels::conv);
    CpuKernels.add("QGemmInt8", QuantKernels::gemm);
  }

  private static String where(Node n) {
    return "node '" + n.name() + "' (" + n.opType() + ")";
  }

  private static float scale(Node n) {
    float s = n.attributes().getFloat("scale", 0f);
    if (!(s > 0f)) {
      throw new ShapeMismatchException(where(n) + ": attribute scale must be > 0, got " + s);
    }
    return s;
  }

  private static void requireDtype(Node n, TensorData t, DType d, String what) {
    if (t == null || t.dtype() != d) {
      throw new ShapeMismatchException(where(n) + ": " + what + " must be " + d + ", got "
          + (t == null ? "none" : t.type().toString()));
    }
  }

  /** Round half to even and saturate to the symmetric int8 range [-127, 127]. */
  static int saturate(double v) {
    double r = Math.rint(v);
    return r > 127 ? 127 : r < -127 ? -127 : (int) r;
  }

  private static TensorData[] quantize(Node n, TensorData[] in) {
    requireDtype(n, in[0], DType.FLOAT32, "input");
    float inv = 1f / scale(n);
    float[] x = in[0].floats();
    int[] q = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      q[i] = saturate(x[i] * inv);
    }
    return new TensorData[] {TensorData.wrap(DType.INT8, in[0].dims(), q)};
  }

  private static TensorData[] dequantize(Node n, TensorData[] in) {
    requireDtype(n, in[0], DType.INT8, "input");
    float s = scale(n);
    int[] q = in[0].ints();
    float[] x = new float[q.length];
    for (int i = 0; i < q.length; i++) {
      x[i] = q[i] * s;
    }
    return new TensorData[] {TensorData.wrap(DType.FLOAT32, in[0].dims(), x)};
  }

  /** Writes acc (+bias) times the channel multiplier through the epilogue into a float or int8 output. */
  private static void epilogue(int[] acc, int accOff, int count, int bias, float mul, boolean relu, Object out,
      int outOff) {
    if (out instanceof float[] f) {
      for (int i = 0; i < count; i++) {
        float v = (acc[accOff + i] + bias) * mul;
        f[outOff + i] = relu && v < 0 ? 0f : v;
      }
    } else {
      int[] q = (int[]) out;
      int lo = relu ? 0 : -127;
      for (int i = 0; i < count; i++) {
        int v = saturate((acc[accOff + i] + bias) * (double) mul);
        q[outOff + i] = v < lo ? lo : v;
      }
    }
  }

  private static TensorData[] conv(Node n, TensorData[] in) {
    requireDtype(n, in[0], DType.INT8, "X");
    requireDtype(n, in[1], DType.INT8, "W");
    requireDtype(n, in[3], DType.FLOAT32, "multiplier M");
    Attributes a = n.attributes();
    long[] xs = in[0].dims();
    long[] ws = in[1].dims();
    if (xs.length != 4 || ws.length != 4) {
      throw new ShapeMismatchException(where(n) + ": X and W must have rank 4, got " + in[0].shape() + " and "
          + in[1].shape());
    }
    int group = (int) a.getInt("group", 1);
    int batch = (int) xs[0];
    int cin = (int) xs[1];
    int cout = (int) ws[0];
    int cg = (int) ws[1];
    if (cg * group != cin || cout % group != 0) {
      throw new ShapeMismatchException(where(n) + ": X " + in[0].shape() + " does not fit W " + in[1].shape()
          + " with group " + group);
    }
    NnGeometry g = NnGeometry.forward(where(n), new long[] {xs[2], xs[3]}, new long[] {ws[2], ws[3]}, a, false);
    int ih = (int) xs[2];
    int iw = (int) xs[3];
    int kh = (int) ws[2];
    int kw = (int) ws[3];
    int oh = (int) g.out[0];
    int ow = (int) g.out[1];
    int sh = (int) g.strides[0];
    int sw = (int) g.strides[1];
    int dh = (int) g.dilations[0];
    int dw = (int) g.dilations[1];
    int ph = (int) g.padBegin[0];
    int pw = (int) g.padBegin[1];
    int[] bias = in[2] == null ? null : in[2].ints();
    float[] mul = in[3].floats();
    boolean relu = "Relu".equals(a.getString("activation", ""));
    DType outType = QuantOps.outputType(n);
    int[] x = in[0].ints();
    int[] w = in[1].ints();
    int plane = oh * ow;
    int kdim = cg * kh * kw;
    int total = batch * cout * plane;
    Object out = outType == DType.INT8 ? new int[total] : new float[total];
    int coutG = cout / group;
    // patches: one contiguous row of kdim inputs per output pixel (zero where padded), so every output is an
    // int dot product of two contiguous rows, which the JIT vectorizes as a reduction
    int[] patches = new int[plane * kdim];
    for (int b = 0; b < batch; b++) {
      for (int gi = 0; gi < group; gi++) {
        int xbase = (b * cin + gi * cg) * ih * iw;
        for (int oy = 0; oy < oh; oy++) {
          for (int ox = 0; ox < ow; ox++) {
            int row = (oy * ow + ox) * kdim;
            for (int c = 0; c < cg; c++) {
              int xoff = xbase + c * ih * iw;
              for (int ky = 0; ky < kh; ky++) {
                int y = oy * sh - ph + ky * dh;
                int dst = row + (c * kh + ky) * kw;
                if (y < 0 || y >= ih) {
                  java.util.Arrays.fill(patches, dst, dst + kw, 0);
                  continue;
                }
                int xrow = xoff + y * iw;
                for (int kx = 0; kx < kw; kx++) {
                  int xx = ox * sw - pw + kx * dw;
                  patches[dst + kx] = xx < 0 || xx >= iw ? 0 : x[xrow + xx];
                }
              }
            }
          }
        }
        int first = gi * coutG;
        int outBase = b * cout;
        int tiles = (plane + TILE - 1) / TILE;
        NnParallel.forEach(tiles, tile -> {
          int p0 = tile * TILE;
          int len = Math.min(TILE, plane - p0);
          int[] acc = new int[len];
          for (int oc = first; oc < first + coutG; oc++) {
            int woff = oc * kdim;
            for (int p = 0; p < len; p++) {
              int poff = (p0 + p) * kdim;
              int s = 0;
              for (int t = 0; t < kdim; t++) {
                s += w[woff + t] * patches[poff + t];
              }
              acc[p] = s;
            }
            epilogue(acc, 0, len, bias == null ? 0 : bias[oc], mul[oc], relu, out, (outBase + oc) * plane + p0);
          }
        });
      }
    }
    long[] ys = {batch, cout, oh, ow};
    return new TensorData[] {TensorData.wrap(outType, ys, out)};
  }

  private static TensorData[] gemm(Node n, TensorData[] in) {
    requireDtype(n, in[0], DType.INT8, "A");
    requireDtype(n, in[1], DType.INT8, "W");
    requireDtype(n, in[3], DType.FLOAT32, "multiplier M");
    long[] as = in[0].dims();
    long[] ws = in[1].dims();
    if (as.length < 1 || ws.length != 2 || as[as.length - 1] != ws[1]) {
      throw new ShapeMismatchException(where(n) + ": A " + in[0].shape() + " does not fit W " + in[1].shape()
          + " ([N, K])");
    }
    int k = (int) ws[1];
    int nn = (int) ws[0];
    int m = k == 0 ? 0 : in[0].size() / k;
    int[] av = in[0].ints();
    int[] w = in[1].ints();
    int[] bias = in[2] == null ? null : in[2].ints();
    float[] mul = in[3].floats();
    boolean relu = "Relu".equals(n.attributes().getString("activation", ""));
    DType outType = QuantOps.outputType(n);
    Object out = outType == DType.INT8 ? new int[m * nn] : new float[m * nn];
    // rows in parallel; per row the int32 dot products first, then one epilogue pass
    NnParallel.forEach(m, i -> {
      int[] acc = new int[nn];
      int aoff = i * k;
      for (int j = 0; j < nn; j++) {
        int woff = j * k;
        int s = 0;
        for (int t = 0; t < k; t++) {
          s += av[aoff + t] * w[woff + t];
        }
        acc[j] = s;
      }
      for (int j = 0; j < nn; j++) {
        epilogue(acc, j, 1, bias == null ? 0 : bias[j], mul[j], relu, out, i * nn + j);
      }
    });
    long[] ys = as.clone();
    ys[ys.length - 1] = nn;
    return new TensorData[] {TensorData.wrap(outType, ys, out)};
  }
}
