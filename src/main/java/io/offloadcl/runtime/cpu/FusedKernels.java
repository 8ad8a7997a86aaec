package io.offloadcl.runtime.cpu;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ops.Broadcast;
import io.offloadcl.ops.FusedExpr;
import io.offloadcl.ops.FusedOps;
import java.util.Arrays;
import java.util.List;

/**
 * Reference kernels of the fused ops ({@link FusedOps} documents their attributes). The heavy part reuses the
 * plain kernel ({@code Conv}, {@code Gemm}, {@code MatMul}) so a fused node computes exactly what the unfused
 * pair did; only the epilogue (bias, residual, activation) and the elementwise program interpreter live here.
 */
public final class FusedKernels {
  private FusedKernels() {}

  static void register() {
    CpuKernels.add("FusedConv", (n, in) -> maxPool(n, epilogue(n, in, "Conv", 3, null)));
    CpuKernels.add("FusedGemm", (n, in) -> rowOp(n, epilogue(n, in, "Gemm", 3, null)));
    CpuKernels.add("FusedMatMul", (n, in) -> epilogue(n, in, "MatMul", 2, in.length > 2 ? in[2] : null));
    CpuKernels.add("FusedElementwise", FusedKernels::elementwise);
    CpuKernels.add("Im2Col", FusedKernels::im2col);
  }

  private static TensorData[] epilogue(Node n, TensorData[] in, String op, int baseInputs, TensorData bias) {
    CpuKernel k = CpuKernels.find(op);
    if (k == null) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (" + n.opType() + ") needs the " + op
          + " reference kernel, which is not registered");
    }
    TensorData[] args = Arrays.copyOf(in, Math.min(in.length, baseInputs));
    TensorData y = k.run(n, args)[0].copy();
    if (bias != null) {
      addBroadcast(n, y, bias, "bias");
    }
    TensorData z = in.length > 3 ? in[3] : null;
    if (z != null) {
      addBroadcast(n, y, z, "residual");
    }
    String act = n.attributes().getString("activation", "");
    if (!act.isEmpty()) {
      FusedExpr.Fn f = FusedExpr.fn(act);
      if (f == null || f.arity() != 1) {
        throw new ShapeMismatchException("node '" + n.name() + "': unknown activation '" + act + "'");
      }
      float[] p = n.attributes().getFloats("activation_params", new float[0]);
      if (p.length != f.params()) {
        throw new ShapeMismatchException("node '" + n.name() + "': activation " + act + " takes " + f.params()
            + " parameters, got " + p.length);
      }
      if (y.dtype() == DType.FLOAT32) {
        float[] a = y.floats();
        for (int i = 0; i < a.length; i++) {
          a[i] = (float) apply(act, p, a[i], 0);
        }
      } else {
        for (int i = 0; i < y.size(); i++) {
          y.setDouble(i, apply(act, p, y.getDouble(i), 0));
        }
      }
    }
    return new TensorData[] {y};
  }

  /**
   * FusedConv's {@code pool_kernel}: a max over non-overlapping windows of the epilogue's output (floor rounding,
   * no padding), as the MaxPool the node replaced; without the attribute the output is returned as is.
   */
  private static TensorData[] maxPool(Node n, TensorData[] out) {
    long[] k = n.attributes().getInts("pool_kernel", null);
    if (k == null) {
      return out;
    }
    TensorData y = out[0];
    long[] d = y.dims();
    if (k.length != d.length - 2 || k.length == 0) {
      throw new ShapeMismatchException("node '" + n.name() + "': pool_kernel " + Arrays.toString(k) + " does not fit"
          + " the conv output " + Arrays.toString(d));
    }
    int r = k.length;
    long[] pd = d.clone();
    long inner = 1;
    for (int i = 0; i < r; i++) {
      pd[i + 2] = d[i + 2] / k[i];
      inner *= pd[i + 2];
    }
    TensorData p = TensorData.zeros(y.dtype(), pd);
    long planes = d[0] * d[1];
    long inPlane = 1;
    for (int i = 2; i < d.length; i++) {
      inPlane *= d[i];
    }
    int[] o = new int[r];
    int[] w = new int[r];
    for (long pl = 0; pl < planes; pl++) {
      for (long q = 0; q < inner; q++) {
        long rest = q;
        for (int i = r - 1; i >= 0; i--) {
          o[i] = (int) (rest % pd[i + 2]);
          rest /= pd[i + 2];
        }
        double m = Double.NEGATIVE_INFINITY;
        Arrays.fill(w, 0);
        while (true) {
          long at = 0;
          for (int i = 0; i < r; i++) {
            at = at * d[i + 2] + o[i] * k[i] + w[i];
          }
          double v = y.getDouble((int) (pl * inPlane + at));
          // a NaN in the window wins, as in the MaxPool reference's comparison
          m = Double.isNaN(v) || Double.isNaN(m) ? Double.NaN : Math.max(m, v);
          int i = r - 1;
          while (i >= 0 && ++w[i] == k[i]) {
            w[i--] = 0;
          }
          if (i < 0) {
            break;
          }
        }
        p.setDouble((int) (pl * inner + q), m);
      }
    }
    return new TensorData[] {p};
  }

  /**
   * FusedGemm's {@code row_op}: Softmax or LogSoftmax over each row of the 2-D output, as the Softmax reference
   * computes it (double accumulation, the row max subtracted first; a NaN in a row makes the whole row NaN);
   * without the attribute the output is returned as is.
   */
  private static TensorData[] rowOp(Node n, TensorData[] out) {
    String op = n.attributes().getString("row_op", "");
    if (op.isEmpty()) {
      return out;
    }
    boolean log = op.equals("logsoftmax");
    TensorData y = out[0];
    long[] d = y.dims();
    if (!(log || op.equals("softmax")) || d.length != 2) {
      throw new ShapeMismatchException("node '" + n.name() + "': row_op '" + op + "' on an output of shape "
          + Arrays.toString(d) + " (expected softmax or logsoftmax on a 2-D output)");
    }
    int rows = (int) d[0];
    int cols = (int) d[1];
    double[] row = new double[cols];
    for (int r = 0; r < rows; r++) {
      double m = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < cols; j++) {
        row[j] = y.getDouble(r * cols + j);
        if (row[j] > m) {
          m = row[j];
        }
      }
      double s = 0;
      for (int j = 0; j < cols; j++) {
        s += Math.exp(row[j] - m);
      }
      double ls = Math.log(s);
      for (int j = 0; j < cols; j++) {
        y.setDouble(r * cols + j, log ? row[j] - m - ls : Math.exp(row[j] - m) / s);
      }
    }
    return out;
  }

  /** y += t, t broadcast to y's shape (which it may not change). */
  private static void addBroadcast(Node n, TensorData y, TensorData t, String what) {
    long[] out = y.dims();
    long[] b = Broadcast.shape(out, t.dims());
    if (!Arrays.equals(b, out)) {
      throw new ShapeMismatchException("node '" + n.name() + "': " + what + " of shape " + Arrays.toString(t.dims())
          + " does not broadcast to the output " + Arrays.toString(out));
    }
    long[] st = Broadcast.stridesFor(t.dims(), out);
    int[] idx = new int[out.length];
    long off = 0;
    for (int i = 0; i < y.size(); i++) {
      y.setDouble(i, y.getDouble(i) + t.getDouble((int) off));
      for (int d = out.length - 1; d >= 0; d--) {
        idx[d]++;
        off += st[d];
        if (idx[d] < out[d]) {
          break;
        }
        off -= st[d] * out[d];
        idx[d] = 0;
      }
    }
  }

  private static TensorData[] elementwise(Node n, TensorData[] in) {
    String[] program = n.attributes().getStrings("expr", null);
    List<FusedExpr.Token> toks;
    try {
      toks = FusedExpr.parse(program, in.length);
    } catch (ShapeMismatchException e) {
      throw new ShapeMismatchException("node '" + n.name() + "' (FusedElementwise): " + e.getMessage(), e);
    }
    long[] out = new long[0];
    for (int i = 0; i < in.length; i++) {
      if (in[i] == null) {
        throw new OffloadException("node '" + n.name() + "' (FusedElementwise): input " + i + " is missing");
      }
      out = Broadcast.shape(out, in[i].dims());
    }
    TensorData y = TensorData.zeros(in[0].dtype(), out);
    long[][] st = new long[in.length][];
    long[] off = new long[in.length];
    for (int i = 0; i < in.length; i++) {
      st[i] = Broadcast.stridesFor(in[i].dims(), out);
    }
    int m = toks.size();
    FusedExpr.Token.Kind[] kind = new FusedExpr.Token.Kind[m];
    String[] fn = new String[m];
    float[][] params = new float[m][];
    for (int t = 0; t < m; t++) {
      kind[t] = toks.get(t).kind();
      fn[t] = kind[t] == FusedExpr.Token.Kind.APPLY ? toks.get(t).fn().name() : null;
      params[t] = toks.get(t).params();
    }
    double[] stack = new double[m + 1];
    int[] idx = new int[out.length];
    for (int e = 0; e < y.size(); e++) {
      int sp = 0;
      for (int t = 0; t < m; t++) {
        switch (kind[t]) {
          case INPUT:
            int k = toks.get(t).input();
            stack[sp++] = in[k].getDouble((int) off[k]);
            break;
          case CONST:
            stack[sp++] = toks.get(t).value();
            break;
          case DUP:
            stack[sp] = stack[sp - 1];
            sp++;
            break;
          default:
            if (toks.get(t).fn().arity() == 1) {
              stack[sp - 1] = apply(fn[t], params[t], stack[sp - 1], 0);
            } else {
              stack[sp - 2] = apply(fn[t], params[t], stack[sp - 2], stack[sp - 1]);
              sp--;
            }
        }
      }
      // round through float like the unfused float32 kernels do after every op would be closer still,
      // but a double evaluation stays well inside the 1e-4 relative tolerance the tests use
      y.setDouble(e, stack[0]);
      for (int d = out.length - 1; d >= 0; d--) {
        idx[d]++;
        for (int i = 0; i < in.length; i++) {
          off[i] += st[i][d];
        }
        if (idx[d] < out[d]) {
          break;
        }
        for (int i = 0; i < in.length; i++) {
          off[i] -= st[i][d] * out[d];
        }
        idx[d] = 0;
      }
    }
    return new TensorData[] {y};
  }

  /** One scalar function of {@link FusedExpr}; {@code b} is the right operand of binary functions. */
  static double apply(String fn, float[] p, double a, double b) {
    switch (fn) {
      case "Identity": return a;
      case "Relu": return a > 0 ? a : 0;
      case "Sigmoid": return 1 / (1 + Math.exp(-a));
      case "Tanh": return Math.tanh(a);
      case "Exp": return Math.exp(a);
      case "Log": return Math.log(a);
      case "Sqrt": return Math.sqrt(a);
      case "Abs": return Math.abs(a);
      case "Neg": return -a;
      case "Reciprocal": return 1 / a;
      case "Erf": return erf(a);
      case "Floor": return Math.floor(a);
      case "Ceil": return Math.ceil(a);
      case "Softplus": return Math.log1p(Math.exp(-Math.abs(a))) + Math.max(a, 0);
      case "Softsign": return a / (1 + Math.abs(a));
      case "Sin": return Math.sin(a);
      case "Cos": return Math.cos(a);
      case "HardSwish": return a * Math.max(0, Math.min(1, a / 6 + 0.5));
      case "Gelu": return 0.5 * a * (1 + erf(a / Math.sqrt(2)));
      case "GeluTanh": return 0.5 * a * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (a + 0.044715 * a * a * a)));
      case "LeakyRelu": return a >= 0 ? a : p[0] * a;
      case "Elu": return a >= 0 ? a : p[0] * (Math.exp(a) - 1);
      case "ThresholdedRelu": return a > p[0] ? a : 0;
      case "HardSigmoid": return Math.max(0, Math.min(1, p[0] * a + p[1]));
      case "Clip": return Math.min(p[1], Math.max(p[0], a));
      case "Selu": return p[1] * (a > 0 ? a : p[0] * (Math.exp(a) - 1));
      case "Add": return a + b;
      case "Sub": return a - b;
      case "Mul": return a * b;
      case "Div": return a / b;
      case "Pow": return Math.pow(a, b);
      case "Max": return Math.max(a, b);
      case "Min": return Math.min(a, b);
      case "PRelu": return a >= 0 ? a : a * b;
      default:
        throw new UnsupportedOperatorException("no reference for fused function " + fn);
    }
  }

  /** erf by Abramowitz–Stegun 7.1.26 refined with a series near 0; |error| below 1.5e-7. */
  static double erf(double x) {
    double ax = Math.abs(x);
    double r;
    if (ax < 0.5) {
      // Maclaurin series converges fast here and keeps relative accuracy near 0
      double x2 = ax * ax;
      double term = ax;
      double sum = ax;
      for (int k = 1; k < 12; k++) {
        term *= -x2 / k;
        sum += term / (2 * k + 1);
      }
      r = 2 / Math.sqrt(Math.PI) * sum;
    } else {
      double t = 1 / (1 + 0.3275911 * ax);
      double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
          * Math.exp(-ax * ax);
      r = y;
    }
    return x < 0 ? -r : r;
  }

  private static TensorData[] im2col(Node n, TensorData[] in) {
    TensorData x = in[0];
    if (x.rank() != 4) {
      throw new ShapeMismatchException("node '" + n.name() + "' (Im2Col): input must be [N,C,H,W], got "
          + Arrays.toString(x.dims()));
    }
    long[] k = n.attributes().getInts("kernel_shape", null);
    long[] st = n.attributes().getInts("strides", new long[] {1, 1});
    long[] p = n.attributes().getInts("pads", new long[4]);
    long[] d = n.attributes().getInts("dilations", new long[] {1, 1});
    long[] xs = x.dims();
    long[] os = FusedOps.im2colShape(xs, k, st, p, d);
    int nb = (int) xs[0];
    int c = (int) xs[1];
    int h = (int) xs[2];
    int w = (int) xs[3];
    int kh = (int) k[0];
    int kw = (int) k[1];
    long oh = (h + p[0] + p[2] - (d[0] * (kh - 1) + 1)) / st[0] + 1;
    long ow = (w + p[1] + p[3] - (d[1] * (kw - 1) + 1)) / st[1] + 1;
    TensorData y = TensorData.zeros(x.dtype(), os);
    int rows = (int) os[1];
    int cols = (int) os[2];
    for (int b = 0; b < nb; b++) {
      for (int ch = 0; ch < c; ch++) {
        for (int i = 0; i < kh; i++) {
          for (int j = 0; j < kw; j++) {
            int row = (ch * kh + i) * kw + j;
            for (int oy = 0; oy < oh; oy++) {
              long iy = oy * st[0] - p[0] + i * d[0];
              for (int ox = 0; ox < ow; ox++) {
                long ix = ox * st[1] - p[1] + j * d[1];
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                  continue;
                }
                int src = ((b * c + ch) * h + (int) iy) * w + (int) ix;
                int dst = (b * rows + row) * cols + oy * (int) ow + ox;
                y.setDouble(dst, x.getDouble(src));
              }
            }
          }
        }
      }
    }
    return new TensorData[] {y};
  }
}
