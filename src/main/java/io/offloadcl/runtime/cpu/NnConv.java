package io.offloadcl.runtime.cpu;

import io.offloadcl.ops.NnGeometry;

/**
 * Convolution reference kernels.
 *
 * <p>The float path (up to three spatial axes) is im2col + GEMM: for each image and group, the output
 * positions are cut into column chunks; a task unrolls its chunk of input patches into a small
 * {@code (C/group * taps) x chunk} matrix and multiplies the group's weights {@code (M/group) x (C/group * taps)}
 * into it with {@link NnGemm}, writing straight into the output rows. Chunks keep the unrolled matrix small
 * (VGG's first layers would need over 100 MB whole) and give the tasks that run in parallel. A 1x1, stride-1,
 * unpadded convolution skips the unrolling: the input already is the matrix.
 *
 * <p>Float ConvTranspose is the same GEMM the other way round followed by a scatter (col2im). The double paths
 * (float64, or Conv with more than three spatial axes) are direct loops over N-dimensional coordinates.
 */
final class NnConv {
  private static final int CHUNK = 256;
  private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

  private NnConv() {}

  /**
   * Float convolution; {@code xs} = [N, C, spatial...] with 1..3 spatial axes, {@code ws} = [M, C/g, k...].
   * Returns the output [N, M, out...] flat.
   */
  static float[] convFloat(float[] x, long[] xs, float[] w, long[] ws, float[] bias, int group, NnGeometry g) {
    int r = xs.length - 2;
    int n = (int) xs[0];
    int c = (int) xs[1];
    int m = (int) ws[0];
    int cg = c / group;
    int mg = m / group;
    // normalize to 3 spatial axes (depth, height, width) with leading extents of 1
    int[] in = new int[3];
    int[] out = new int[3];
    int[] k = new int[3];
    int[] s = new int[3];
    int[] d = new int[3];
    int[] p = new int[3];
    for (int i = 0; i < 3; i++) {
      int j = i - (3 - r);
      in[i] = j < 0 ? 1 : (int) xs[2 + j];
      out[i] = j < 0 ? 1 : (int) g.out[j];
      k[i] = j < 0 ? 1 : (int) g.kernel[j];
      s[i] = j < 0 ? 1 : (int) g.strides[j];
      d[i] = j < 0 ? 1 : (int) g.dilations[j];
      p[i] = j < 0 ? 0 : (int) g.padBegin[j];
    }
    int inSize = in[0] * in[1] * in[2];
    int outSize = out[0] * out[1] * out[2];
    int taps = k[0] * k[1] * k[2];
    int kdim = cg * taps;
    float[] y = new float[n * m * outSize];
    if (bias != null) {
      for (int b = 0; b < n; b++) {
        for (int o = 0; o < m; o++) {
          java.util.Arrays.fill(y, (b * m + o) * outSize, (b * m + o + 1) * outSize, bias[o]);
        }
      }
    }
    boolean pointwise = taps == 1 && s[0] == 1 && s[1] == 1 && s[2] == 1 && p[0] == 0 && p[1] == 0 && p[2] == 0
        && outSize == inSize;
    int chunks = (outSize + CHUNK - 1) / CHUNK;
    int base = n * group * chunks;
    int threads = NnParallel.threads();
    int msplit = 1;
    if (base < 2 * threads && (long) mg * kdim * outSize > (1 << 16)) {
      msplit = Math.max(1, Math.min((2 * threads + base - 1) / base, mg / 8));
    }
    int ms = msplit;
    NnParallel.forEach(base * ms, t -> {
      int mb = t % ms;
      int rest = t / ms;
      int ch = rest % chunks;
      int grp = (rest / chunks) % group;
      int img = rest / chunks / group;
      int p0 = ch * CHUNK;
      int p1 = Math.min(outSize, p0 + CHUNK);
      int nc = p1 - p0;
      int m0 = mg * mb / ms;
      int m1 = mg * (mb + 1) / ms;
      int xoff = (img * c + grp * cg) * inSize;
      int yoff = (img * m + grp * mg + m0) * outSize + p0;
      int woff = (grp * mg + m0) * kdim;
      if (pointwise) {
        NnGemm.gemm(m1 - m0, nc, kdim, w, woff, kdim, x, xoff + p0, inSize, y, yoff, outSize);
      } else {
        float[] col = scratch(kdim * nc);
        im2col(x, xoff, cg, in, out, k, s, d, p, p0, p1, col);
        NnGemm.gemm(m1 - m0, nc, kdim, w, woff, kdim, col, 0, nc, y, yoff, outSize);
      }
    });
    return y;
  }

  /**
   * A per-thread scratch buffer of at least {@code n} floats. Reused across tasks and calls because
   * {@link #im2col} overwrites every element it hands to the GEMM, and a fresh array per chunk would make the
   * JVM zero (and later collect) as many bytes as the unrolling itself writes.
   */
  private static float[] scratch(int n) {
    float[] b = SCRATCH.get();
    if (b.length < n) {
      b = new float[n];
      SCRATCH.set(b);
    }
    return b;
  }

  /** Unrolls output positions [p0, p1) of one group's channels into {@code col} (row = channel x tap). */
  private static void im2col(float[] x, int xoff, int cg, int[] in, int[] out, int[] k, int[] s, int[] d, int[] p,
      int p0, int p1, float[] col) {
    int nc = p1 - p0;
    int inSize = in[0] * in[1] * in[2];
    int hw = out[1] * out[2];
    int row = 0;
    for (int ci = 0; ci < cg; ci++) {
      int cbase = xoff + ci * inSize;
      for (int kz = 0; kz < k[0]; kz++) {
        for (int ky = 0; ky < k[1]; ky++) {
          for (int kx = 0; kx < k[2]; kx++, row++) {
            int dst = row * nc;
            int pos = p0;
            while (pos < p1) {
              int oz = pos / hw;
              int rem = pos - oz * hw;
              int oy = rem / out[2];
              int ox = rem - oy * out[2];
              int segEnd = Math.min(p1, pos + (out[2] - ox));
              int iz = oz * s[0] - p[0] + kz * d[0];
              int iy = oy * s[1] - p[1] + ky * d[1];
              int len = segEnd - pos;
              int o = dst + (pos - p0);
              if (iz < 0 || iz >= in[0] || iy < 0 || iy >= in[1]) {
                java.util.Arrays.fill(col, o, o + len, 0f);
              } else {
                int rowBase = cbase + (iz * in[1] + iy) * in[2];
                int ix = ox * s[2] - p[2] + kx * d[2];
                int sx = s[2];
                int w = in[2];
                if (sx == 1 && ix >= 0 && ix + len <= w) {
                  System.arraycopy(x, rowBase + ix, col, o, len);
                } else {
                  for (int q = 0; q < len; q++, ix += sx) {
                    col[o + q] = ix >= 0 && ix < w ? x[rowBase + ix] : 0f;
                  }
                }
              }
              pos = segEnd;
            }
          }
        }
      }
    }
  }

  /** Direct N-d convolution in double precision (any number of spatial axes). */
  static double[] convDouble(double[] x, long[] xs, double[] w, long[] ws, double[] bias, int group, NnGeometry g) {
    int r = xs.length - 2;
    int n = (int) xs[0];
    int c = (int) xs[1];
    int m = (int) ws[0];
    int cg = c / group;
    int mg = m / group;
    int[] in = new int[r];
    for (int i = 0; i < r; i++) {
      in[i] = (int) xs[2 + i];
    }
    int inSize = prod(in);
    int outSize = (int) g.outSize();
    int taps = (int) g.kernelSize();
    // per tap: its offset along each axis (in input units) and the flat weight index
    int[][] tapOff = new int[taps][r];
    for (int t = 0; t < taps; t++) {
      int rem = t;
      for (int i = r - 1; i >= 0; i--) {
        tapOff[t][i] = (int) ((rem % g.kernel[i]) * g.dilations[i]);
        rem /= (int) g.kernel[i];
      }
    }
    int[][] start = new int[outSize][r];
    for (int q = 0; q < outSize; q++) {
      int rem = q;
      for (int i = r - 1; i >= 0; i--) {
        int o = (int) (rem % g.out[i]);
        rem /= (int) g.out[i];
        start[q][i] = (int) (o * g.strides[i] - g.padBegin[i]);
      }
    }
    double[] y = new double[n * m * outSize];
    NnParallel.forEach(n * m, t -> {
      int img = t / m;
      int oc = t % m;
      int grp = oc / mg;
      double b = bias == null ? 0 : bias[oc];
      for (int q = 0; q < outSize; q++) {
        double acc = b;
        for (int ci = 0; ci < cg; ci++) {
          int xbase = (img * c + grp * cg + ci) * inSize;
          int wbase = (oc * cg + ci) * taps;
          for (int tp = 0; tp < taps; tp++) {
            int off = 0;
            boolean inside = true;
            for (int i = 0; i < r; i++) {
              int v = start[q][i] + tapOff[tp][i];
              if (v < 0 || v >= in[i]) {
                inside = false;
                break;
              }
              off = off * in[i] + v;
            }
            if (inside) {
              acc += x[xbase + off] * w[wbase + tp];
            }
          }
        }
        y[(img * m + oc) * outSize + q] = acc;
      }
    });
    return y;
  }

  /**
   * For transposed convolution: per input position q and tap t, the flat output offset
   * {@code q * stride - padBegin + t * dilation} (row-major over the output's spatial axes), or -1 when it falls
   * outside the output. Shared by every channel.
   */
  private static int[] transposedTargets(int[] in, int[] out, NnGeometry g) {
    int r = in.length;
    int inSize = prod(in);
    int taps = (int) g.kernelSize();
    int[][] tapOff = new int[taps][r];
    for (int t = 0; t < taps; t++) {
      int rem = t;
      for (int i = r - 1; i >= 0; i--) {
        tapOff[t][i] = (int) ((rem % g.kernel[i]) * g.dilations[i]);
        rem /= (int) g.kernel[i];
      }
    }
    int[] start = new int[r];
    int[] target = new int[inSize * taps];
    for (int q = 0; q < inSize; q++) {
      int rem = q;
      for (int i = r - 1; i >= 0; i--) {
        int v = rem % in[i];
        rem /= in[i];
        start[i] = (int) (v * g.strides[i] - g.padBegin[i]);
      }
      for (int tp = 0; tp < taps; tp++) {
        int off = 0;
        for (int i = 0; i < r && off >= 0; i++) {
          int v = start[i] + tapOff[tp][i];
          off = v < 0 || v >= out[i] ? -1 : off * out[i] + v;
        }
        target[q * taps + tp] = off;
      }
    }
    return target;
  }

  private static int[] spatialInts(long[] dims) {
    int[] r = new int[dims.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = (int) dims[i];
    }
    return r;
  }

  /**
   * Float transposed convolution as GEMM + col2im: per image and group, {@code col = W_g^T * X_g} gives every
   * (output channel, tap) contribution of every input position, which is then scattered into the output.
   * {@code ws} = [C, M/group, k...].
   */
  static float[] convTransposeFloat(float[] x, long[] xs, float[] w, long[] ws, float[] bias, int group,
      NnGeometry g) {
    int n = (int) xs[0];
    int c = (int) xs[1];
    int mg = (int) ws[1];
    int m = mg * group;
    int cg = c / group;
    int[] in = spatialInts(java.util.Arrays.copyOfRange(xs, 2, xs.length));
    int[] out = spatialInts(g.out);
    int inSize = prod(in);
    int outSize = prod(out);
    int taps = (int) g.kernelSize();
    int rows = mg * taps;
    int[] target = transposedTargets(in, out, g);
    float[] y = new float[n * m * outSize];
    if (bias != null) {
      for (int b = 0; b < n; b++) {
        for (int o = 0; o < m; o++) {
          java.util.Arrays.fill(y, (b * m + o) * outSize, (b * m + o + 1) * outSize, bias[o]);
        }
      }
    }
    float[] col = new float[rows * inSize];
    for (int grp = 0; grp < group; grp++) {
      // W_g is [cg, mg * taps] row-major; its transpose is the GEMM's left operand
      float[] wt = NnGemm.transpose(w, grp * cg * rows, cg, rows);
      for (int img = 0; img < n; img++) {
        java.util.Arrays.fill(col, 0f);
        NnGemm.parallel(rows, inSize, cg, wt, 0, cg, x, (img * c + grp * cg) * inSize, inSize, col, 0, inSize);
        int ybase0 = (img * m + grp * mg) * outSize;
        NnParallel.forEach(mg, ocg -> {
          int ybase = ybase0 + ocg * outSize;
          for (int tp = 0; tp < taps; tp++) {
            int cb = (ocg * taps + tp) * inSize;
            for (int q = 0; q < inSize; q++) {
              int o = target[q * taps + tp];
              if (o >= 0) {
                y[ybase + o] += col[cb + q];
              }
            }
          }
        });
      }
    }
    return y;
  }

  /**
   * Direct N-d transposed convolution in double: every input element scatters {@code x * w} into the output
   * positions {@code i * stride - padBegin + tap * dilation} that fall inside the output.
   * {@code ws} = [C, M/group, k...].
   */
  static double[] convTranspose(double[] x, long[] xs, double[] w, long[] ws, double[] bias, int group,
      NnGeometry g) {
    int n = (int) xs[0];
    int c = (int) xs[1];
    int mg = (int) ws[1];
    int m = mg * group;
    int cg = c / group;
    int[] in = spatialInts(java.util.Arrays.copyOfRange(xs, 2, xs.length));
    int[] out = spatialInts(g.out);
    int inSize = prod(in);
    int outSize = prod(out);
    int taps = (int) g.kernelSize();
    int[] target = transposedTargets(in, out, g);
    double[] y = new double[n * m * outSize];
    NnParallel.forEach(n * m, t -> {
      int img = t / m;
      int oc = t % m;
      int grp = oc / mg;
      int ocg = oc % mg;
      int ybase = (img * m + oc) * outSize;
      if (bias != null) {
        java.util.Arrays.fill(y, ybase, ybase + outSize, bias[oc]);
      }
      for (int ci = 0; ci < cg; ci++) {
        int ic = grp * cg + ci;
        int xbase = (img * c + ic) * inSize;
        int wbase = (ic * mg + ocg) * taps;
        for (int q = 0; q < inSize; q++) {
          double xv = x[xbase + q];
          int tb = q * taps;
          for (int tp = 0; tp < taps; tp++) {
            int o = target[tb + tp];
            if (o >= 0) {
              y[ybase + o] += xv * w[wbase + tp];
            }
          }
        }
      }
    });
    return y;
  }

  static int prod(int[] a) {
    int p = 1;
    for (int v : a) {
      p *= v;
    }
    return p;
  }
}
