package io.offloadcl.runtime.cpu;

import static io.offloadcl.runtime.cpu.ElemSupport.fixNarrowFloat;
import static io.offloadcl.runtime.cpu.ElemSupport.offsets;
import static io.offloadcl.runtime.cpu.ElemSupport.wrap;
import static io.offloadcl.runtime.cpu.ElemSupport.wrapLong;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * Reference kernels for the elementwise family. Floating-point maps compute in double and round once to the
 * output type; integer arithmetic is done in long and wrapped to the element width (Div truncates toward zero).
 *
 * <p>The float32 Add/Sub/Mul/Div cases that dominate transformer graphs (same shape, scalar operand, bias
 * vector along the last axes) have their own tight loops; everything else goes through precomputed broadcast
 * offset maps.
 */
final class ElementwiseKernels {
  private ElementwiseKernels() {}

  private static final int ADD = 0;
  private static final int SUB = 1;
  private static final int MUL = 2;
  private static final int DIV = 3;

  /** A binary operator per storage kind; {@code u} is the unsigned-64-bit variant where it differs. */
  private static final class Bin {
    final int fast;
    final DoubleBinaryOperator d;
    final LongBinaryOperator l;
    final LongBinaryOperator u;

    Bin(int fast, DoubleBinaryOperator d, LongBinaryOperator l, LongBinaryOperator u) {
      this.fast = fast;
      this.d = d;
      this.l = l;
      this.u = u == null ? l : u;
    }
  }

  @FunctionalInterface
  private interface DCmp {
    boolean test(double a, double b);
  }

  @FunctionalInterface
  private interface LCmp {
    boolean test(long a, long b);
  }

  @FunctionalInterface
  private interface BoolOp {
    boolean apply(boolean a, boolean b);
  }

  private static final Bin ADD_OP = new Bin(ADD, (a, b) -> a + b, (a, b) -> a + b, null);
  private static final Bin SUB_OP = new Bin(SUB, (a, b) -> a - b, (a, b) -> a - b, null);
  private static final Bin MUL_OP = new Bin(MUL, (a, b) -> a * b, (a, b) -> a * b, null);
  private static final Bin DIV_OP = new Bin(DIV, (a, b) -> a / b, (a, b) -> b == 0 ? 0 : a / b,
      (a, b) -> b == 0 ? 0 : Long.divideUnsigned(a, b));
  private static final Bin MAX_OP = new Bin(-1, Math::max, Math::max,
      (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
  private static final Bin MIN_OP = new Bin(-1, Math::min, Math::min,
      (a, b) -> Long.compareUnsigned(a, b) <= 0 ? a : b);

  static void register() {
    unary("Abs", Math::abs, Math::abs);
    unary("Neg", a -> -a, a -> -a);
    unary("Sign", Math::signum, Long::signum);
    unary("Relu", a -> a > 0 ? a : (a == a ? 0 : a), a -> a > 0 ? a : 0);
    unary("Exp", Math::exp, null);
    unary("Log", Math::log, null);
    unary("Sqrt", Math::sqrt, null);
    unary("Reciprocal", a -> 1 / a, null);
    unary("Floor", Math::floor, null);
    unary("Ceil", Math::ceil, null);
    unary("Round", Math::rint, null);
    unary("Sigmoid", ElementwiseKernels::sigmoid, null);
    unary("Tanh", Math::tanh, null);
    unary("Erf", ElemSupport::erf, null);
    unary("Sin", Math::sin, null);
    unary("Cos", Math::cos, null);
    unary("Tan", Math::tan, null);
    unary("Asin", Math::asin, null);
    unary("Acos", Math::acos, null);
    unary("Atan", Math::atan, null);
    unary("Sinh", Math::sinh, null);
    unary("Cosh", Math::cosh, null);
    unary("Asinh", a -> Double.isInfinite(a) ? a : Math.copySign(Math.log(Math.abs(a) + Math.sqrt(a * a + 1)), a), null);
    unary("Acosh", a -> Math.log(a + Math.sqrt(a * a - 1)), null);
    unary("Atanh", a -> 0.5 * Math.log((1 + a) / (1 - a)), null);
    unary("Softplus", a -> a > 0 ? a + Math.log1p(Math.exp(-a)) : Math.log1p(Math.exp(a)), null);
    unary("Softsign", a -> a / (1 + Math.abs(a)), null);
    unary("Mish", a -> a * Math.tanh(a > 0 ? a + Math.log1p(Math.exp(-a)) : Math.log1p(Math.exp(a))), null);
    CpuKernels.add("Identity", (n, in) -> new TensorData[] {in[0]});
    CpuKernels.add("Not", (n, in) -> {
      boolean[] x = bools(n, in[0]);
      boolean[] r = new boolean[x.length];
      for (int i = 0; i < x.length; i++) {
        r[i] = !x[i];
      }
      return one(TensorData.wrap(DType.BOOL, in[0].dims(), r));
    });
    CpuKernels.add("IsNaN", (n, in) -> predicate(n, in[0], Double::isNaN));
    CpuKernels.add("IsInf", (n, in) -> {
      boolean neg = n.attributes().getInt("detect_negative", 1) != 0;
      boolean pos = n.attributes().getInt("detect_positive", 1) != 0;
      return predicate(n, in[0], v -> v == Double.POSITIVE_INFINITY ? pos : v == Double.NEGATIVE_INFINITY && neg);
    });

    CpuKernels.add("Gelu", (n, in) -> {
      String approx = n.attributes().getString("approximate", "none");
      if (approx.equals("tanh")) {
        double c = Math.sqrt(2 / Math.PI);
        return one(map(n, in[0], x -> 0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * x * x * x))), null));
      } else if (approx.equals("none")) {
        double s = 1 / Math.sqrt(2);
        return one(map(n, in[0], x -> 0.5 * x * (1 + ElemSupport.erf(x * s)), null));
      }
      throw new UnsupportedOperatorException(where(n) + ": approximate='" + approx + "' is not supported");
    });
    CpuKernels.add("HardSigmoid", (n, in) -> {
      double alpha = n.attributes().getFloat("alpha", 0.2f);
      double beta = n.attributes().getFloat("beta", 0.5f);
      return one(map(n, in[0], x -> Math.max(0, Math.min(1, alpha * x + beta)), null));
    });
    CpuKernels.add("HardSwish", (n, in) -> one(map(n, in[0], x -> x * Math.max(0, Math.min(1, x / 6 + 0.5)), null)));
    CpuKernels.add("LeakyRelu", (n, in) -> {
      double alpha = n.attributes().getFloat("alpha", 0.01f);
      return one(map(n, in[0], x -> x < 0 ? alpha * x : x, null));
    });
    CpuKernels.add("Elu", (n, in) -> {
      double alpha = n.attributes().getFloat("alpha", 1f);
      return one(map(n, in[0], x -> x < 0 ? alpha * Math.expm1(x) : x, null));
    });
    CpuKernels.add("Selu", (n, in) -> {
      double alpha = n.attributes().getFloat("alpha", 1.67326319217681884765625f);
      double gamma = n.attributes().getFloat("gamma", 1.05070102214813232421875f);
      return one(map(n, in[0], x -> x > 0 ? gamma * x : gamma * (alpha * Math.exp(x) - alpha), null));
    });
    CpuKernels.add("Celu", (n, in) -> {
      double alpha = n.attributes().getFloat("alpha", 1f);
      return one(map(n, in[0], x -> Math.max(0, x) + Math.min(0, alpha * Math.expm1(x / alpha)), null));
    });
    CpuKernels.add("ThresholdedRelu", (n, in) -> {
      double alpha = n.attributes().getFloat("alpha", 1f);
      return one(map(n, in[0], x -> x > alpha ? x : 0, null));
    });
    CpuKernels.add("Shrink", (n, in) -> {
      double lambd = n.attributes().getFloat("lambd", 0.5f);
      double bias = n.attributes().getFloat("bias", 0f);
      return one(map(n, in[0], x -> x < -lambd ? x + bias : x > lambd ? x - bias : 0, null));
    });

    binary("Add", ADD_OP);
    binary("Sub", SUB_OP);
    binary("Mul", MUL_OP);
    binary("Div", DIV_OP);
    CpuKernels.add("Pow", (n, in) -> one(pow(n, in[0], legacyB(n, in[0], in[1]))));
    CpuKernels.add("PRelu", (n, in) -> one(binary(n, in[0], in[1],
        new Bin(-1, (x, s) -> x < 0 ? s * x : x, (x, s) -> x < 0 ? s * x : x, (x, s) -> x))));
    CpuKernels.add("Mod", (n, in) -> {
      boolean fmod = n.attributes().getInt("fmod", 0) != 0;
      Bin op = fmod
          ? new Bin(-1, (a, b) -> a % b, (a, b) -> b == 0 ? 0 : a % b, (a, b) -> b == 0 ? 0 : Long.remainderUnsigned(a, b))
          : new Bin(-1, ElementwiseKernels::floorMod, (a, b) -> b == 0 ? 0 : Math.floorMod(a, b),
              (a, b) -> b == 0 ? 0 : Long.remainderUnsigned(a, b));
      return one(binary(n, in[0], in[1], op));
    });
    CpuKernels.add("BitShift", (n, in) -> {
      String dir = n.attributes().getString("direction", "");
      Bin op;
      if (dir.equals("LEFT")) {
        op = new Bin(-1, null, (a, b) -> b < 0 || b >= 64 ? 0 : a << b, null);
      } else if (dir.equals("RIGHT")) {
        op = new Bin(-1, null, (a, b) -> b < 0 || b >= 64 ? 0 : a >>> b, null);
      } else {
        throw new ShapeMismatchException(where(n) + ": direction should be LEFT or RIGHT, got '" + dir + "'");
      }
      return one(binary(n, in[0], in[1], op));
    });
    variadic("Max", MAX_OP, false);
    variadic("Min", MIN_OP, false);
    variadic("Sum", ADD_OP, false);
    variadic("Mean", ADD_OP, true);

    compare("Equal", (a, b) -> a == b, (a, b) -> a == b, (a, b) -> a == b, (a, b) -> a == b);
    compare("Greater", (a, b) -> a > b, (a, b) -> a > b, (a, b) -> Long.compareUnsigned(a, b) > 0, null);
    compare("Less", (a, b) -> a < b, (a, b) -> a < b, (a, b) -> Long.compareUnsigned(a, b) < 0, null);
    compare("GreaterOrEqual", (a, b) -> a >= b, (a, b) -> a >= b, (a, b) -> Long.compareUnsigned(a, b) >= 0, null);
    compare("LessOrEqual", (a, b) -> a <= b, (a, b) -> a <= b, (a, b) -> Long.compareUnsigned(a, b) <= 0, null);
    compare("And", null, null, null, (a, b) -> a && b);
    compare("Or", null, null, null, (a, b) -> a || b);
    compare("Xor", null, null, null, (a, b) -> a ^ b);

    CpuKernels.add("Clip", ElementwiseKernels::clip);
    CpuKernels.add("Cast", (n, in) -> one(ElemSupport.cast(n, in[0], io.offloadcl.ops.ElemCast.target(n))));
    CpuKernels.add("CastLike", (n, in) -> one(ElemSupport.cast(n, in[0], in[1].dtype())));
    CpuKernels.add("Where", (n, in) -> one(where(n, in[0], in[1], in[2])));
    CpuKernels.add("Dropout", ElementwiseKernels::dropout);
  }

  private static String where(Node n) {
    return "node '" + n.name() + "' (" + n.opType() + ")";
  }

  private static TensorData[] one(TensorData t) {
    return new TensorData[] {t};
  }

  private static double sigmoid(double x) {
    // the two branches keep exp from overflowing for large |x|
    if (x >= 0) {
      return 1 / (1 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1 + e);
  }

  private static double floorMod(double a, double b) {
    double r = a % b;
    if (r != 0 && (r < 0) != (b < 0)) {
      r += b;
    }
    return r;
  }

  private static UnsupportedOperatorException unsupported(Node n, DType t) {
    return new UnsupportedOperatorException(where(n) + ": dtype " + t.shortName() + " is not supported");
  }

  private static boolean[] bools(Node n, TensorData t) {
    if (t.dtype() != DType.BOOL) {
      throw unsupported(n, t.dtype());
    }
    return t.bools();
  }

  // ---- unary ----

  private static void unary(String op, DoubleUnaryOperator d, LongUnaryOperator l) {
    CpuKernels.add(op, (n, in) -> one(map(n, in[0], d, l)));
  }

  /**
   * Applies a unary map; floats go through {@code d}, integers through {@code l} or, when that is null,
   * through {@code d} with truncation back to the integer type.
   */
  static TensorData map(Node n, TensorData x, DoubleUnaryOperator d, LongUnaryOperator l) {
    DType t = x.dtype();
    Object a = x.array();
    int len = x.size();
    if (a instanceof float[]) {
      float[] v = (float[]) a;
      float[] r = new float[len];
      for (int i = 0; i < len; i++) {
        r[i] = (float) d.applyAsDouble(v[i]);
      }
      return fixNarrowFloat(TensorData.wrap(t, x.dims(), r));
    } else if (a instanceof double[]) {
      double[] v = (double[]) a;
      double[] r = new double[len];
      for (int i = 0; i < len; i++) {
        r[i] = d.applyAsDouble(v[i]);
      }
      return TensorData.wrap(t, x.dims(), r);
    } else if (a instanceof int[]) {
      int[] v = (int[]) a;
      int[] r = new int[len];
      for (int i = 0; i < len; i++) {
        r[i] = wrap(t, l != null ? l.applyAsLong(v[i]) : ElemSupport.truncate(d.applyAsDouble(v[i]), t));
      }
      return TensorData.wrap(t, x.dims(), r);
    } else if (a instanceof long[]) {
      long[] v = (long[]) a;
      long[] r = new long[len];
      for (int i = 0; i < len; i++) {
        if (l != null) {
          r[i] = wrapLong(t, l.applyAsLong(v[i]));
        } else {
          r[i] = wrapLong(t, ElemSupport.truncate(d.applyAsDouble(x.getDouble(i)), t));
        }
      }
      return TensorData.wrap(t, x.dims(), r);
    }
    throw unsupported(n, t);
  }

  @FunctionalInterface
  private interface DPred {
    boolean test(double v);
  }

  private static TensorData[] predicate(Node n, TensorData x, DPred p) {
    if (!x.dtype().isFloating()) {
      throw unsupported(n, x.dtype());
    }
    boolean[] r = new boolean[x.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = p.test(x.getDouble(i));
    }
    return one(TensorData.wrap(DType.BOOL, x.dims(), r));
  }

  // ---- binary arithmetic ----

  private static void binary(String op, Bin b) {
    CpuKernels.add(op, (n, in) -> one(binary(n, in[0], legacyB(n, in[0], in[1]), b)));
  }

  /** Opset < 7 binary ops: B viewed with its dims placed at 'axis' of A. */
  private static TensorData legacyB(Node n, TensorData a, TensorData b) {
    long[] bd = b.dims();
    long[] aligned = io.offloadcl.ops.ElemLegacyBroadcast.alignB(n, a.dims(), bd);
    return aligned == bd ? b : b.reshape(aligned);
  }

  private static void variadic(String op, Bin b, boolean mean) {
    CpuKernels.add(op, (n, in) -> {
      TensorData acc = in[0];
      for (int i = 1; i < in.length; i++) {
        acc = binary(n, acc, in[i], b);
      }
      if (mean && in.length > 1) {
        TensorData cnt = ElemSupport.cast(n, TensorData.scalarFloat(in.length), acc.dtype());
        acc = binary(n, acc, cnt, DIV_OP);
      }
      return one(acc);
    });
  }

  static TensorData binary(Node n, TensorData a, TensorData b, Bin op) {
    DType t = a.dtype();
    if (b.dtype() != t) {
      throw new ShapeMismatchException(where(n) + ": inputs must share one dtype, got " + t.shortName() + " and "
          + b.dtype().shortName());
    }
    long[] ad = a.dims();
    long[] bd = b.dims();
    long[] od = ElemSupport.outDims(n, a, b);
    int len = ElemSupport.checkedCount(od);
    Object x = a.array();
    Object y = b.array();
    if (op.d == null && (x instanceof float[] || x instanceof double[])) {
      throw unsupported(n, t);
    }
    if (x instanceof float[]) {
      float[] xs = (float[]) x;
      float[] ys = (float[]) y;
      float[] r = new float[len];
      if (op.fast < 0 || !fastFloat(op.fast, xs, ad, ys, bd, od, r)) {
        int[] ia = offsets(ad, od);
        int[] ib = offsets(bd, od);
        DoubleBinaryOperator f = op.d;
        for (int i = 0; i < len; i++) {
          r[i] = (float) f.applyAsDouble(xs[ia[i]], ys[ib[i]]);
        }
      }
      return fixNarrowFloat(TensorData.wrap(t, od, r));
    }
    int[] ia = offsets(ad, od);
    int[] ib = offsets(bd, od);
    if (x instanceof double[]) {
      double[] xs = (double[]) x;
      double[] ys = (double[]) y;
      double[] r = new double[len];
      for (int i = 0; i < len; i++) {
        r[i] = op.d.applyAsDouble(xs[ia[i]], ys[ib[i]]);
      }
      return TensorData.wrap(t, od, r);
    } else if (x instanceof int[] && op.l != null) {
      int[] xs = (int[]) x;
      int[] ys = (int[]) y;
      int[] r = new int[len];
      for (int i = 0; i < len; i++) {
        r[i] = wrap(t, op.l.applyAsLong(xs[ia[i]], ys[ib[i]]));
      }
      return TensorData.wrap(t, od, r);
    } else if (x instanceof long[] && op.l != null) {
      long[] xs = (long[]) x;
      long[] ys = (long[]) y;
      long[] r = new long[len];
      LongBinaryOperator f = t == DType.UINT64 ? op.u : op.l;
      for (int i = 0; i < len; i++) {
        r[i] = wrapLong(t, f.applyAsLong(xs[ia[i]], ys[ib[i]]));
      }
      return TensorData.wrap(t, od, r);
    }
    throw unsupported(n, t);
  }

  /**
   * Tight float32 loops for Add/Sub/Mul/Div: equal shapes, a scalar on either side, or one operand a
   * vector/block matching the other's trailing dims, or one value per contiguous block of the other. Returns false for any other layout.
   */
  private static boolean fastFloat(int op, float[] x, long[] ad, float[] y, long[] bd, long[] od, float[] r) {
    int n = r.length;
    boolean aFull = Arrays.equals(ad, od);
    boolean bFull = Arrays.equals(bd, od);
    if (aFull && bFull) {
      switch (op) {
        case ADD: for (int i = 0; i < n; i++) { r[i] = x[i] + y[i]; } break;
        case SUB: for (int i = 0; i < n; i++) { r[i] = x[i] - y[i]; } break;
        case MUL: for (int i = 0; i < n; i++) { r[i] = x[i] * y[i]; } break;
        default: for (int i = 0; i < n; i++) { r[i] = x[i] / y[i]; } break;
      }
      return true;
    }
    if (aFull && y.length == 1) {
      float s = y[0];
      switch (op) {
        case ADD: for (int i = 0; i < n; i++) { r[i] = x[i] + s; } break;
        case SUB: for (int i = 0; i < n; i++) { r[i] = x[i] - s; } break;
        case MUL: for (int i = 0; i < n; i++) { r[i] = x[i] * s; } break;
        default: for (int i = 0; i < n; i++) { r[i] = x[i] / s; } break;
      }
      return true;
    }
    if (bFull && x.length == 1) {
      float s = x[0];
      switch (op) {
        case ADD: for (int i = 0; i < n; i++) { r[i] = s + y[i]; } break;
        case SUB: for (int i = 0; i < n; i++) { r[i] = s - y[i]; } break;
        case MUL: for (int i = 0; i < n; i++) { r[i] = s * y[i]; } break;
        default: for (int i = 0; i < n; i++) { r[i] = s / y[i]; } break;
      }
      return true;
    }
    if (aFull && y.length > 0 && ElemSupport.isTrailing(bd, od)) {
      int m = y.length;
      for (int base = 0; base < n; base += m) {
        switch (op) {
          case ADD: for (int j = 0; j < m; j++) { r[base + j] = x[base + j] + y[j]; } break;
          case SUB: for (int j = 0; j < m; j++) { r[base + j] = x[base + j] - y[j]; } break;
          case MUL: for (int j = 0; j < m; j++) { r[base + j] = x[base + j] * y[j]; } break;
          default: for (int j = 0; j < m; j++) { r[base + j] = x[base + j] / y[j]; } break;
        }
      }
      return true;
    }
    if (bFull && x.length > 0 && ElemSupport.isTrailing(ad, od)) {
      // bias first, as exporters often emit Add(B, MatMul(...))
      int m = x.length;
      for (int base = 0; base < n; base += m) {
        switch (op) {
          case ADD: for (int j = 0; j < m; j++) { r[base + j] = x[j] + y[base + j]; } break;
          case SUB: for (int j = 0; j < m; j++) { r[base + j] = x[j] - y[base + j]; } break;
          case MUL: for (int j = 0; j < m; j++) { r[base + j] = x[j] * y[base + j]; } break;
          default: for (int j = 0; j < m; j++) { r[base + j] = x[j] / y[base + j]; } break;
        }
      }
      return true;
    }
    int blk = aFull ? ElemSupport.columnBlock(bd, od) : bFull ? ElemSupport.columnBlock(ad, od) : -1;
    if (blk > 0) {
      // one operand holds one value per contiguous block (x - mean over the last axes)
      boolean bCol = aFull;
      int cols = bCol ? y.length : x.length;
      for (int c = 0, base = 0; c < cols; c++, base += blk) {
        float s = bCol ? y[c] : x[c];
        float[] full = bCol ? x : y;
        if (bCol) {
          switch (op) {
            case ADD: for (int j = base; j < base + blk; j++) { r[j] = full[j] + s; } break;
            case SUB: for (int j = base; j < base + blk; j++) { r[j] = full[j] - s; } break;
            case MUL: for (int j = base; j < base + blk; j++) { r[j] = full[j] * s; } break;
            default: for (int j = base; j < base + blk; j++) { r[j] = full[j] / s; } break;
          }
        } else {
          switch (op) {
            case ADD: for (int j = base; j < base + blk; j++) { r[j] = s + full[j]; } break;
            case SUB: for (int j = base; j < base + blk; j++) { r[j] = s - full[j]; } break;
            case MUL: for (int j = base; j < base + blk; j++) { r[j] = s * full[j]; } break;
            default: for (int j = base; j < base + blk; j++) { r[j] = s / full[j]; } break;
          }
        }
      }
      return true;
    }
    return false;
  }

  /** Pow: the exponent may have another numeric type than the base; the result has the base's type. */
  private static TensorData pow(Node n, TensorData a, TensorData b) {
    DType t = a.dtype();
    long[] od = ElemSupport.outDims(n, a, b);
    int len = ElemSupport.checkedCount(od);
    int[] ia = offsets(a.dims(), od);
    int[] ib = offsets(b.dims(), od);
    TensorData out = TensorData.zeros(t, od);
    if (t.isFloating()) {
      Object o = out.array();
      if (o instanceof float[] && a.array() instanceof float[] && b.array() instanceof float[]) {
        float[] xs = a.floats();
        float[] ys = b.floats();
        float[] r = (float[]) o;
        for (int i = 0; i < len; i++) {
          float e = ys[ib[i]];
          float v = xs[ia[i]];
          r[i] = e == 2f ? v * v : (float) Math.pow(v, e);
        }
        return fixNarrowFloat(out);
      }
      for (int i = 0; i < len; i++) {
        out.setDouble(i, Math.pow(a.getDouble(ia[i]), b.getDouble(ib[i])));
      }
      return fixNarrowFloat(out);
    }
    if (!t.isInteger()) {
      throw unsupported(n, t);
    }
    boolean intExp = b.dtype().isInteger();
    for (int i = 0; i < len; i++) {
      long base = a.getLong(ia[i]);
      if (intExp && b.getLong(ib[i]) >= 0) {
        long e = b.getLong(ib[i]);
        long r = 1;
        for (long k = 0; k < e && k < 64; k++) {
          r *= base;
        }
        out.setLong(i, r);
      } else {
        out.setLong(i, (long) Math.pow(base, b.getDouble(ib[i])));
      }
    }
    return out;
  }

  // ---- comparisons and logic ----

  private static void compare(String op, DCmp d, LCmp l, LCmp u, BoolOp bo) {
    CpuKernels.add(op, (n, in) -> one(compare(n, in[0], legacyB(n, in[0], in[1]), d, l, u, bo)));
  }

  private static TensorData compare(Node n, TensorData a, TensorData b, DCmp d, LCmp l, LCmp u, BoolOp bo) {
    DType t = a.dtype();
    if (b.dtype() != t) {
      throw new ShapeMismatchException(where(n) + ": inputs must share one dtype, got " + t.shortName() + " and "
          + b.dtype().shortName());
    }
    long[] od = ElemSupport.outDims(n, a, b);
    int len = ElemSupport.checkedCount(od);
    int[] ia = offsets(a.dims(), od);
    int[] ib = offsets(b.dims(), od);
    boolean[] r = new boolean[len];
    Object x = a.array();
    Object y = b.array();
    if (x instanceof boolean[] && bo != null) {
      boolean[] xs = (boolean[]) x;
      boolean[] ys = (boolean[]) y;
      for (int i = 0; i < len; i++) {
        r[i] = bo.apply(xs[ia[i]], ys[ib[i]]);
      }
    } else if (x instanceof float[] && d != null) {
      float[] xs = (float[]) x;
      float[] ys = (float[]) y;
      for (int i = 0; i < len; i++) {
        r[i] = d.test(xs[ia[i]], ys[ib[i]]);
      }
    } else if (x instanceof double[] && d != null) {
      double[] xs = (double[]) x;
      double[] ys = (double[]) y;
      for (int i = 0; i < len; i++) {
        r[i] = d.test(xs[ia[i]], ys[ib[i]]);
      }
    } else if (x instanceof int[] && l != null) {
      int[] xs = (int[]) x;
      int[] ys = (int[]) y;
      for (int i = 0; i < len; i++) {
        r[i] = l.test(xs[ia[i]], ys[ib[i]]);
      }
    } else if (x instanceof long[] && l != null) {
      long[] xs = (long[]) x;
      long[] ys = (long[]) y;
      LCmp f = t == DType.UINT64 ? u : l;
      for (int i = 0; i < len; i++) {
        r[i] = f.test(xs[ia[i]], ys[ib[i]]);
      }
    } else {
      throw unsupported(n, t);
    }
    return TensorData.wrap(DType.BOOL, od, r);
  }

  // ---- Clip, Where, Dropout ----

  private static TensorData[] clip(Node n, TensorData[] in) {
    TensorData x = in[0];
    DType t = x.dtype();
    boolean attrs = n.opsetVersion() < 11;
    TensorData lo = !attrs && in.length > 1 ? in[1] : null;
    TensorData hi = !attrs && in.length > 2 ? in[2] : null;
    for (TensorData b : new TensorData[] {lo, hi}) {
      if (b != null && b.size() != 1) {
        throw new ShapeMismatchException(where(n) + ": min and max should be scalars, got shape " + b.shape());
      }
    }
    if (t.isFloating()) {
      // Clip-6 defaults are the float range's ends, not infinities
      double l = attrs ? n.attributes().getFloat("min", -Float.MAX_VALUE)
          : lo == null ? Double.NEGATIVE_INFINITY : lo.getDouble(0);
      double h = attrs ? n.attributes().getFloat("max", Float.MAX_VALUE)
          : hi == null ? Double.POSITIVE_INFINITY : hi.getDouble(0);
      // numpy order: raise to min first, then cap at max, so min > max yields max everywhere
      return one(map(n, x, v -> {
        double c = v < l ? l : v;
        return c > h ? h : c;
      }, null));
    }
    if (lo != null && lo.dtype() != t || hi != null && hi.dtype() != t) {
      throw new ShapeMismatchException(where(n) + ": min and max should be " + t.shortName());
    }
    long l = lo == null ? Long.MIN_VALUE : lo.getLong(0);
    long h = hi == null ? Long.MAX_VALUE : hi.getLong(0);
    return one(map(n, x, null, v -> Math.min(Math.max(v, l), h)));
  }

  private static TensorData where(Node n, TensorData c, TensorData a, TensorData b) {
    boolean[] cs = bools(n, c);
    if (a.dtype() != b.dtype()) {
      throw new ShapeMismatchException(where(n) + ": X and Y must share one dtype, got " + a.dtype().shortName()
          + " and " + b.dtype().shortName());
    }
    long[] od = ElemSupport.outDims(n, c, a, b);
    int len = ElemSupport.checkedCount(od);
    int[] ic = offsets(c.dims(), od);
    int[] ia = offsets(a.dims(), od);
    int[] ib = offsets(b.dims(), od);
    Object x = a.array();
    Object y = b.array();
    Object r = TensorData.allocate(a.dtype(), len);
    if (x instanceof float[]) {
      float[] xs = (float[]) x;
      float[] ys = (float[]) y;
      float[] o = (float[]) r;
      for (int i = 0; i < len; i++) {
        o[i] = cs[ic[i]] ? xs[ia[i]] : ys[ib[i]];
      }
    } else if (x instanceof double[]) {
      double[] xs = (double[]) x;
      double[] ys = (double[]) y;
      double[] o = (double[]) r;
      for (int i = 0; i < len; i++) {
        o[i] = cs[ic[i]] ? xs[ia[i]] : ys[ib[i]];
      }
    } else if (x instanceof int[]) {
      int[] xs = (int[]) x;
      int[] ys = (int[]) y;
      int[] o = (int[]) r;
      for (int i = 0; i < len; i++) {
        o[i] = cs[ic[i]] ? xs[ia[i]] : ys[ib[i]];
      }
    } else if (x instanceof long[]) {
      long[] xs = (long[]) x;
      long[] ys = (long[]) y;
      long[] o = (long[]) r;
      for (int i = 0; i < len; i++) {
        o[i] = cs[ic[i]] ? xs[ia[i]] : ys[ib[i]];
      }
    } else if (x instanceof boolean[]) {
      boolean[] xs = (boolean[]) x;
      boolean[] ys = (boolean[]) y;
      boolean[] o = (boolean[]) r;
      for (int i = 0; i < len; i++) {
        o[i] = cs[ic[i]] ? xs[ia[i]] : ys[ib[i]];
      }
    } else {
      String[] xs = (String[]) x;
      String[] ys = (String[]) y;
      String[] o = (String[]) r;
      for (int i = 0; i < len; i++) {
        o[i] = cs[ic[i]] ? xs[ia[i]] : ys[ib[i]];
      }
    }
    return TensorData.wrap(a.dtype(), od, r);
  }

  /**
   * Inference-mode Dropout is the identity with an all-true mask. Training mode is only supported with ratio 0,
   * where it is the identity as well.
   */
  private static TensorData[] dropout(Node n, TensorData[] in) {
    TensorData x = in[0];
    if (in.length > 2 && in[2] != null && in[2].size() == 1 && in[2].getLong(0) != 0) {
      double ratio = in.length > 1 && in[1] != null ? in[1].getDouble(0) : 0.5;
      if (ratio != 0) {
        throw new UnsupportedOperatorException(where(n) + ": Dropout in training mode (training_mode = true, ratio "
            + ratio + ") is not supported");
      }
    }
    TensorData[] r = new TensorData[n.outputs().size()];
    r[0] = x;
    if (r.length > 1) {
      boolean[] m = new boolean[x.size()];
      Arrays.fill(m, true);
      r[1] = TensorData.wrap(DType.BOOL, x.dims(), m);
      if (n.opsetVersion() < 10) {
        r[1] = ElemSupport.cast(n, r[1], x.dtype()); // the mask had the input's type before opset 10
      }
    }
    return r;
  }
}
