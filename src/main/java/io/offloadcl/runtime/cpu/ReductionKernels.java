package io.offloadcl.runtime.cpu;

import static io.offloadcl.runtime.cpu.ElemSupport.fixNarrowFloat;
import static io.offloadcl.runtime.cpu.ElemSupport.product;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ops.ReductionOps;

/**
 * Reference kernels for reductions, Softmax-like ops and LayerNormalization. Floating-point accumulation is in
 * double and rounded once to the output type.
 *
 * <p>A ReduceX over any set of axes is one loop shape: every output element has a base offset (over the kept
 * axes) and every reduced position a relative offset (over the reduced axes); input offset = base + rel. For
 * the common "last axes" case both maps are simple ranges and the inner loop is contiguous.
 */
final class ReductionKernels {
  private ReductionKernels() {}

  private enum Kind { SUM, MEAN, MAX, MIN, PROD, L1, L2, LOGSUM, LOGSUMEXP, SUMSQUARE }

  static void register() {
    CpuKernels.add("ReduceSum", (n, in) -> reduce(n, in, Kind.SUM));
    CpuKernels.add("ReduceMean", (n, in) -> reduce(n, in, Kind.MEAN));
    CpuKernels.add("ReduceMax", (n, in) -> reduce(n, in, Kind.MAX));
    CpuKernels.add("ReduceMin", (n, in) -> reduce(n, in, Kind.MIN));
    CpuKernels.add("ReduceProd", (n, in) -> reduce(n, in, Kind.PROD));
    CpuKernels.add("ReduceL1", (n, in) -> reduce(n, in, Kind.L1));
    CpuKernels.add("ReduceL2", (n, in) -> reduce(n, in, Kind.L2));
    CpuKernels.add("ReduceLogSum", (n, in) -> reduce(n, in, Kind.LOGSUM));
    CpuKernels.add("ReduceLogSumExp", (n, in) -> reduce(n, in, Kind.LOGSUMEXP));
    CpuKernels.add("ReduceSumSquare", (n, in) -> reduce(n, in, Kind.SUMSQUARE));
    CpuKernels.add("ArgMax", (n, in) -> argReduce(n, in[0], true));
    CpuKernels.add("ArgMin", (n, in) -> argReduce(n, in[0], false));
    CpuKernels.add("Softmax", (n, in) -> softmaxLike(n, in[0], 0));
    CpuKernels.add("LogSoftmax", (n, in) -> softmaxLike(n, in[0], 1));
    CpuKernels.add("Hardmax", (n, in) -> softmaxLike(n, in[0], 2));
    CpuKernels.add("LayerNormalization", ReductionKernels::layerNorm);
  }

  private static String where(Node n) {
    return "node '" + n.name() + "' (" + n.opType() + ")";
  }

  // ---- ReduceX ----

  private static TensorData[] reduce(Node n, TensorData[] in, Kind kind) {
    TensorData x = in[0];
    DType t = x.dtype();
    if (t == DType.STRING || t == DType.BOOL && kind != Kind.MAX && kind != Kind.MIN) {
      throw new UnsupportedOperatorException(where(n) + ": dtype " + t.shortName() + " is not supported");
    }
    long[] axes = ReductionOps.reduceAxes(n, in.length > 1 ? in[1] : null);
    boolean keep = n.attributes().getInt("keepdims", 1) != 0;
    boolean noop = n.attributes().getInt("noop_with_empty_axes", 0) != 0;
    if (axes.length == 0 && noop) {
      return new TensorData[] {x};
    }
    long[] d = x.dims();
    int rank = d.length;
    boolean[] red = new boolean[rank];
    if (axes.length == 0) {
      java.util.Arrays.fill(red, true);
    } else {
      for (int a : ReductionOps.normalizeAxes(where(n), axes, rank)) {
        red[a] = true;
      }
    }
    long[] st = ElemSupport.strides(d);
    long[] keptDims = new long[rank];
    long[] redDims = new long[rank];
    int outRank = 0;
    for (int i = 0; i < rank; i++) {
      keptDims[i] = red[i] ? 1 : d[i];
      redDims[i] = red[i] ? d[i] : 1;
      if (!red[i] || keep) {
        outRank++;
      }
    }
    long[] outDims = new long[outRank];
    for (int i = 0, j = 0; i < rank; i++) {
      if (!red[i]) {
        outDims[j++] = d[i];
      } else if (keep) {
        outDims[j++] = 1;
      }
    }
    int[] base = ElemSupport.stridedOffsets(keptDims, st);
    int[] rel = ElemSupport.stridedOffsets(redDims, st);
    TensorData out = TensorData.zeros(t, outDims);
    int outN = base.length;
    int r = rel.length;
    boolean exactInt = !t.isFloating()
        && (kind == Kind.SUM || kind == Kind.MEAN || kind == Kind.MAX || kind == Kind.MIN || kind == Kind.PROD);
    if (exactInt) {
      long[] v = x.toLongArray();
      boolean unsigned = t == DType.UINT64;
      for (int j = 0; j < outN; j++) {
        int b = base[j];
        long acc = kind == Kind.PROD ? 1 : kind == Kind.MAX ? (unsigned ? 0 : Long.MIN_VALUE)
            : kind == Kind.MIN ? (unsigned ? -1L : Long.MAX_VALUE) : 0;
        for (int k = 0; k < r; k++) {
          long e = v[b + rel[k]];
          switch (kind) {
            case PROD: acc *= e; break;
            case MAX: acc = (unsigned ? Long.compareUnsigned(e, acc) > 0 : e > acc) ? e : acc; break;
            case MIN: acc = (unsigned ? Long.compareUnsigned(e, acc) < 0 : e < acc) ? e : acc; break;
            default: acc += e; break;
          }
        }
        if (kind == Kind.MEAN && r > 0) {
          acc /= r;
        }
        out.setLong(j, acc);
      }
      return new TensorData[] {out};
    }
    double[] v = ElemSupport.doubles(x);
    Object o = out.array();
    float[] of = o instanceof float[] ? (float[]) o : null;
    for (int j = 0; j < outN; j++) {
      double res = reduceOne(kind, v, base[j], rel);
      if (of != null) {
        of[j] = (float) res;
      } else if (t.isFloating()) {
        out.setDouble(j, res);
      } else {
        out.setLong(j, ElemSupport.truncate(res, t));
      }
    }
    return new TensorData[] {fixNarrowFloat(out)};
  }

  private static double reduceOne(Kind kind, double[] v, int b, int[] rel) {
    int r = rel.length;
    double acc;
    switch (kind) {
      case MAX:
        acc = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < r; k++) {
          acc = Math.max(acc, v[b + rel[k]]);
        }
        return acc;
      case MIN:
        acc = Double.POSITIVE_INFINITY;
        for (int k = 0; k < r; k++) {
          acc = Math.min(acc, v[b + rel[k]]);
        }
        return acc;
      case PROD:
        acc = 1;
        for (int k = 0; k < r; k++) {
          acc *= v[b + rel[k]];
        }
        return acc;
      case L1:
        acc = 0;
        for (int k = 0; k < r; k++) {
          acc += Math.abs(v[b + rel[k]]);
        }
        return acc;
      case L2:
      case SUMSQUARE:
        acc = 0;
        for (int k = 0; k < r; k++) {
          double e = v[b + rel[k]];
          acc += e * e;
        }
        return kind == Kind.L2 ? Math.sqrt(acc) : acc;
      case LOGSUMEXP: {
        double m = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < r; k++) {
          m = Math.max(m, v[b + rel[k]]);
        }
        if (Double.isInfinite(m) || Double.isNaN(m)) {
          // all -inf (or empty), or a +inf / NaN dominates: the shift would produce NaN
          acc = 0;
          for (int k = 0; k < r; k++) {
            acc += Math.exp(v[b + rel[k]]);
          }
          return Math.log(acc);
        }
        acc = 0;
        for (int k = 0; k < r; k++) {
          acc += Math.exp(v[b + rel[k]] - m);
        }
        return m + Math.log(acc);
      }
      default:
        acc = 0;
        for (int k = 0; k < r; k++) {
          acc += v[b + rel[k]];
        }
        if (kind == Kind.MEAN) {
          return acc / r;
        }
        return kind == Kind.LOGSUM ? Math.log(acc) : acc;
    }
  }

  // ---- ArgMax / ArgMin ----

  private static TensorData[] argReduce(Node n, TensorData x, boolean max) {
    if (x.dtype() == DType.STRING || x.dtype() == DType.BOOL) {
      throw new UnsupportedOperatorException(where(n) + ": dtype " + x.dtype().shortName() + " is not supported");
    }
    long[] d = x.dims();
    int rank = d.length;
    long axisAttr = n.attributes().getInt("axis", 0);
    int axis = ReductionOps.normalizeAxes(where(n), new long[] {axisAttr}, Math.max(rank, 1))[0];
    boolean keep = n.attributes().getInt("keepdims", 1) != 0;
    boolean last = n.attributes().getInt("select_last_index", 0) != 0;
    long r = rank == 0 ? 1 : d[axis];
    int outer = (int) product(d, 0, Math.min(axis, rank));
    int inner = (int) product(d, Math.min(axis + 1, rank), rank);
    if (r == 0) {
      throw new ShapeMismatchException(where(n) + ": cannot take " + n.opType() + " over an empty axis " + axis);
    }
    long[] od = keep || rank == 0 ? d.clone() : new long[rank - 1];
    if (keep && rank > 0) {
      od[axis] = 1;
    } else if (!keep) {
      for (int i = 0, j = 0; i < rank; i++) {
        if (i != axis) {
          od[j++] = d[i];
        }
      }
    }
    long[] res = new long[outer * inner];
    boolean exactInt = x.dtype().isInteger();
    long[] lv = exactInt ? x.toLongArray() : null;
    double[] dv = exactInt ? null : ElemSupport.doubles(x);
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        int b = o * (int) r * inner + i;
        int best = 0;
        for (int k = 1; k < r; k++) {
          int c;
          if (exactInt) {
            c = Long.compare(lv[b + k * inner], lv[b + best * inner]);
          } else {
            double p = dv[b + k * inner];
            double q = dv[b + best * inner];
            c = p > q ? 1 : p < q ? -1 : 0;
          }
          if (!max) {
            c = -c;
          }
          if (c > 0 || c == 0 && last) {
            best = k;
          }
        }
        res[o * inner + i] = best;
      }
    }
    return new TensorData[] {TensorData.wrap(DType.INT64, od, res)};
  }

  // ---- Softmax, LogSoftmax, Hardmax ----

  /**
   * {@code mode} 0 = Softmax, 1 = LogSoftmax, 2 = Hardmax. Before opset 13 the input is viewed as 2-D
   * [prod(d[0..axis)), prod(d[axis..])] and each row is normalized; from 13 only the one axis is.
   */
  private static TensorData[] softmaxLike(Node n, TensorData x, int mode) {
    if (!x.dtype().isFloating()) {
      throw new UnsupportedOperatorException(where(n) + ": dtype " + x.dtype().shortName() + " is not supported");
    }
    long[] d = x.dims();
    int rank = d.length;
    boolean coerce = n.opsetVersion() < 13;
    long axisAttr = n.attributes().getInt("axis", coerce ? 1 : -1);
    int axis;
    if (rank == 0) {
      axis = 0;
    } else if (coerce && axisAttr == rank) {
      axis = rank;
    } else {
      axis = ReductionOps.normalizeAxes(where(n), new long[] {axisAttr}, rank)[0];
    }
    int outer = (int) product(d, 0, Math.min(axis, rank));
    int r;
    int inner;
    if (coerce) {
      r = (int) product(d, Math.min(axis, rank), rank);
      inner = 1;
    } else {
      r = rank == 0 ? 1 : (int) d[axis];
      inner = (int) product(d, Math.min(axis + 1, rank), rank);
    }
    double[] v = ElemSupport.doubles(x);
    TensorData out = TensorData.zeros(x.dtype(), d);
    Object oa = out.array();
    float[] of = oa instanceof float[] ? (float[]) oa : null;
    double[] od = oa instanceof double[] ? (double[]) oa : null;
    double[] row = new double[r];
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        int b = o * r * inner + i;
        double m = Double.NEGATIVE_INFINITY;
        int arg = 0;
        for (int k = 0; k < r; k++) {
          double e = v[b + k * inner];
          row[k] = e;
          if (e > m) {
            m = e;
            arg = k;
          }
        }
        if (mode == 2) {
          for (int k = 0; k < r; k++) {
            row[k] = k == arg ? 1 : 0;
          }
        } else {
          double s = 0;
          for (int k = 0; k < r; k++) {
            double e = Math.exp(row[k] - m);
            s += e;
            if (mode == 0) {
              row[k] = e;
            }
          }
          if (mode == 0) {
            for (int k = 0; k < r; k++) {
              row[k] /= s;
            }
          } else {
            double ls = Math.log(s);
            for (int k = 0; k < r; k++) {
              row[k] = row[k] - m - ls;
            }
          }
        }
        for (int k = 0; k < r; k++) {
          if (of != null) {
            of[b + k * inner] = (float) row[k];
          } else {
            od[b + k * inner] = row[k];
          }
        }
      }
    }
    return new TensorData[] {fixNarrowFloat(out)};
  }

  // ---- LayerNormalization ----

  private static TensorData[] layerNorm(Node n, TensorData[] in) {
    TensorData x = in[0];
    TensorData scale = in[1];
    TensorData bias = in.length > 2 ? in[2] : null;
    if (!x.dtype().isFloating()) {
      throw new UnsupportedOperatorException(where(n) + ": dtype " + x.dtype().shortName() + " is not supported");
    }
    long[] d = x.dims();
    int rank = d.length;
    long axisAttr = n.attributes().getInt("axis", -1);
    int axis = ReductionOps.normalizeAxes(where(n), new long[] {axisAttr}, rank)[0];
    double eps = n.attributes().getFloat("epsilon", 1e-5f);
    DType stash = DType.fromOnnx((int) n.attributes().getInt("stash_type", 1));
    if (stash == null || !stash.isFloating()) {
      throw new UnsupportedOperatorException(where(n) + ": stash_type " + n.attributes().getInt("stash_type", 1)
          + " is not supported");
    }
    int outer = (int) product(d, 0, axis);
    int cols = (int) product(d, axis, rank);
    long[] normDims = java.util.Arrays.copyOfRange(d, axis, rank);
    int[] is = paramOffsets(n, "Scale", scale, normDims);
    int[] ib = bias == null ? null : paramOffsets(n, "B", bias, normDims);
    double[] sv = ElemSupport.doubles(scale);
    double[] bv = bias == null ? null : ElemSupport.doubles(bias);
    double[] v = ElemSupport.doubles(x);
    TensorData y = TensorData.zeros(x.dtype(), d);
    long[] statDims = d.clone();
    for (int i = axis; i < rank; i++) {
      statDims[i] = 1;
    }
    TensorData mean = TensorData.zeros(stash, statDims);
    TensorData inv = TensorData.zeros(stash, statDims);
    Object ya = y.array();
    for (int o = 0; o < outer; o++) {
      int b = o * cols;
      double s = 0;
      for (int k = 0; k < cols; k++) {
        s += v[b + k];
      }
      double mu = s / cols;
      double q = 0;
      for (int k = 0; k < cols; k++) {
        double c = v[b + k] - mu;
        q += c * c;
      }
      double istd = 1 / Math.sqrt(q / cols + eps);
      for (int k = 0; k < cols; k++) {
        double r = (v[b + k] - mu) * istd * sv[is[k]] + (bv == null ? 0 : bv[ib[k]]);
        if (ya instanceof float[]) {
          ((float[]) ya)[b + k] = (float) r;
        } else {
          ((double[]) ya)[b + k] = r;
        }
      }
      mean.setDouble(o, mu);
      inv.setDouble(o, istd);
    }
    TensorData[] r = new TensorData[n.outputs().size()];
    r[0] = fixNarrowFloat(y);
    if (r.length > 1) {
      r[1] = fixNarrowFloat(mean);
    }
    if (r.length > 2) {
      r[2] = fixNarrowFloat(inv);
    }
    return r;
  }

  /** Offsets of a Scale/B parameter broadcast over the normalized dims. */
  private static int[] paramOffsets(Node n, String what, TensorData p, long[] normDims) {
    long[] pd = p.dims();
    int lead = 0;
    while (pd.length - lead > normDims.length && pd[lead] == 1) {
      lead++;
    }
    pd = java.util.Arrays.copyOfRange(pd, lead, pd.length);
    for (int i = 0; i < pd.length; i++) {
      if (pd.length > normDims.length || pd[i] != 1 && pd[i] != normDims[normDims.length - pd.length + i]) {
        throw new ShapeMismatchException(where(n) + ": " + what + " of shape " + p.shape()
            + " does not broadcast to the normalized shape " + java.util.Arrays.toString(normDims));
      }
    }
    return ElemSupport.offsets(pd, normDims);
  }
}
