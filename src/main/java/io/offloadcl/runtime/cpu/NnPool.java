package io.offloadcl.runtime.cpu;

import io.offloadcl.ops.NnGeometry;

/**
 * Pooling reference kernels over N-d windows, computed in double on a widened copy of the input so one loop
 * serves every element type. Each output position's window start and each tap's offset are precomputed once
 * and shared by all (batch, channel) planes, which run in parallel.
 */
final class NnPool {
  private NnPool() {}

  /** Window geometry flattened for the loops: per output position and tap, the input offset or -1. */
  private static final class Plan {
    final int inSize;
    final int outSize;
    final int taps;
    /** [outSize * taps]: row-major input offset of the tap, -1 outside the input. */
    final int[] offset;
    /** [outSize * taps]: column-major (storage_order=1) input offset, filled only when asked. */
    final int[] offsetColMajor;
    /** [outSize]: taps inside the explicitly padded extent (count_include_pad divisor). */
    final int[] paddedCount;

    Plan(int[] in, NnGeometry g, boolean colMajor) {
      int r = in.length;
      inSize = NnConv.prod(in);
      outSize = (int) g.outSize();
      taps = (int) g.kernelSize();
      offset = new int[outSize * taps];
      offsetColMajor = colMajor ? new int[outSize * taps] : null;
      paddedCount = new int[outSize];
      int[] o = new int[r];
      int[] t = new int[r];
      for (int q = 0; q < outSize; q++) {
        int rem = q;
        for (int i = r - 1; i >= 0; i--) {
          o[i] = (int) (rem % g.out[i]);
          rem /= (int) g.out[i];
        }
        int count = 0;
        for (int tp = 0; tp < taps; tp++) {
          int tr = tp;
          for (int i = r - 1; i >= 0; i--) {
            t[i] = (int) (tr % g.kernel[i]);
            tr /= (int) g.kernel[i];
          }
          int off = 0;
          int offCm = 0;
          int mulCm = 1;
          boolean inside = true;
          boolean padded = true;
          for (int i = 0; i < r; i++) {
            long v = o[i] * g.strides[i] - g.padBegin[i] + t[i] * g.dilations[i];
            if (v < 0 || v >= in[i]) {
              inside = false;
            }
            if (v < -g.padBegin[i] || v >= in[i] + g.padEnd[i]) {
              padded = false;
            }
            off = off * in[i] + (int) v;
            offCm += (int) v * mulCm;
            mulCm *= in[i];
          }
          offset[q * taps + tp] = inside ? off : -1;
          if (colMajor) {
            offsetColMajor[q * taps + tp] = inside ? offCm : -1;
          }
          if (padded) {
            count++;
          }
        }
        paddedCount[q] = count;
      }
    }
  }

  /** Max pool over planes of {@code x} ([planes, spatial...]); {@code indices} (may be null) gets flat argmax. */
  static double[] max(double[] x, int planes, int[] in, NnGeometry g, long[] indices, boolean colMajor) {
    Plan p = new Plan(in, g, colMajor);
    double[] y = new double[planes * p.outSize];
    NnParallel.forEach(planes, pl -> {
      int xb = pl * p.inSize;
      int yb = pl * p.outSize;
      for (int q = 0; q < p.outSize; q++) {
        double best = Double.NEGATIVE_INFINITY;
        int arg = -1;
        int tb = q * p.taps;
        for (int tp = 0; tp < p.taps; tp++) {
          int off = p.offset[tb + tp];
          if (off >= 0) {
            double v = x[xb + off];
            if (v > best || arg < 0 || Double.isNaN(v)) {
              best = v;
              arg = tp;
              if (Double.isNaN(v)) {
                break;
              }
            }
          }
        }
        y[yb + q] = best;
        if (indices != null) {
          int off = arg < 0 ? 0 : (colMajor ? p.offsetColMajor[tb + arg] : p.offset[tb + arg]);
          indices[yb + q] = (long) xb + off;
        }
      }
    });
    return y;
  }

  /**
   * Average pool; the divisor is the number of taps inside the input, or with {@code countIncludePad} the
   * number inside the padded extent (taps that ceil_mode pushes past the end padding never count).
   */
  static double[] average(double[] x, int planes, int[] in, NnGeometry g, boolean countIncludePad) {
    Plan p = new Plan(in, g, false);
    double[] y = new double[planes * p.outSize];
    NnParallel.forEach(planes, pl -> {
      int xb = pl * p.inSize;
      int yb = pl * p.outSize;
      for (int q = 0; q < p.outSize; q++) {
        double sum = 0;
        int n = 0;
        int tb = q * p.taps;
        for (int tp = 0; tp < p.taps; tp++) {
          int off = p.offset[tb + tp];
          if (off >= 0) {
            sum += x[xb + off];
            n++;
          }
        }
        y[yb + q] = sum / (countIncludePad ? p.paddedCount[q] : n);
      }
    });
    return y;
  }

  /** Lp pool: {@code (sum |x|^p)^(1/p)} over the taps inside the input (padding adds nothing). */
  static double[] lp(double[] x, int planes, int[] in, NnGeometry g, double p) {
    Plan plan = new Plan(in, g, false);
    double[] y = new double[planes * plan.outSize];
    NnParallel.forEach(planes, pl -> {
      int xb = pl * plan.inSize;
      int yb = pl * plan.outSize;
      for (int q = 0; q < plan.outSize; q++) {
        double sum = 0;
        int tb = q * plan.taps;
        for (int tp = 0; tp < plan.taps; tp++) {
          int off = plan.offset[tb + tp];
          if (off >= 0) {
            double a = Math.abs(x[xb + off]);
            sum += p == 2 ? a * a : p == 1 ? a : Math.pow(a, p);
          }
        }
        y[yb + q] = p == 2 ? Math.sqrt(sum) : p == 1 ? sum : Math.pow(sum, 1 / p);
      }
    });
    return y;
  }

  /** Global average or max over each plane of {@code size} elements. */
  static double[] global(double[] x, int planes, int size, boolean max) {
    double[] y = new double[planes];
    NnParallel.forEach(planes > 64 ? 2 : 1, half -> {
      int from = half == 0 ? 0 : planes / 2;
      int to = planes > 64 ? (half == 0 ? planes / 2 : planes) : planes;
      for (int pl = from; pl < to; pl++) {
        int b = pl * size;
        if (max) {
          double best = Double.NEGATIVE_INFINITY;
          for (int i = 0; i < size; i++) {
            double v = x[b + i];
            if (v > best || Double.isNaN(v)) {
              best = v;
            }
          }
          y[pl] = best;
        } else {
          double s = 0;
          for (int i = 0; i < size; i++) {
            s += x[b + i];
          }
          y[pl] = s / size;
        }
      }
    });
    return y;
  }
}
