package io.offloadcl.ops;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.UnsupportedOperatorException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Catalog family file for elementwise operators: unary maps, broadcasting binary and variadic arithmetic,
 * comparisons and logic, Cast/CastLike, Clip, Where and inference-mode Dropout.
 *
 * <p>Dtype support is decided here, when types are known, so an unsupported tensor type fails at import with a
 * message naming the node rather than deep inside a kernel.
 */
final class ElementwiseOps {
  private ElementwiseOps() {}

  static final Set<DType> FLOATS = EnumSet.of(DType.FLOAT32, DType.FLOAT64, DType.FLOAT16, DType.BFLOAT16);
  static final Set<DType> SIGNED_INTS = EnumSet.of(DType.INT8, DType.INT16, DType.INT32, DType.INT64);
  static final Set<DType> INTS = EnumSet.of(DType.INT8, DType.INT16, DType.INT32, DType.INT64,
      DType.UINT8, DType.UINT16, DType.UINT32, DType.UINT64);
  static final Set<DType> UINTS = EnumSet.of(DType.UINT8, DType.UINT16, DType.UINT32, DType.UINT64);
  static final Set<DType> NUMERIC = union(FLOATS, INTS);
  static final Set<DType> SIGNED = union(FLOATS, SIGNED_INTS);
  static final Set<DType> NUMERIC_BOOL = union(NUMERIC, EnumSet.of(DType.BOOL));
  static final Set<DType> BOOL = EnumSet.of(DType.BOOL);
  static final Set<DType> ANY = EnumSet.allOf(DType.class);

  static void register() {
    // Unary maps: flops per element are rough relative weights for the cost model.
    unary("Abs", NUMERIC, 1);
    unary("Neg", SIGNED, 1);
    unary("Sign", NUMERIC, 1);
    unary("Relu", SIGNED, 1);
    unary("Identity", ANY, 0);
    unary("Exp", FLOATS, 4);
    unary("Log", FLOATS, 4);
    unary("Sqrt", FLOATS, 4);
    unary("Reciprocal", FLOATS, 1);
    unary("Floor", FLOATS, 1);
    unary("Ceil", FLOATS, 1);
    unary("Round", FLOATS, 1);
    unary("Sigmoid", FLOATS, 4);
    unary("Tanh", FLOATS, 6);
    unary("Erf", FLOATS, 10);
    OpCatalog.add(new SimpleOpSpec("Gelu", FusionKind.ELEMWISE, 1, 1, ctx -> {
      TensorType t = ctx.requireInput(0);
      checkDtype(ctx, t, FLOATS);
      String approx = ctx.attrs().getString("approximate", "none");
      if (!approx.equals("none") && !approx.equals("tanh")) {
        throw new UnsupportedOperatorException(nodeName(ctx) + ": approximate='" + approx + "' is not supported (none, tanh)");
      }
      return one(t);
    }, flops(12)));
    unary("HardSigmoid", FLOATS, 3);
    unary("HardSwish", FLOATS, 4);
    unary("LeakyRelu", FLOATS, 2);
    unary("Elu", FLOATS, 4);
    unary("Selu", FLOATS, 5);
    unary("Celu", FLOATS, 5);
    unary("Mish", FLOATS, 12);
    unary("ThresholdedRelu", FLOATS, 1);
    unary("Softplus", FLOATS, 8);
    unary("Softsign", FLOATS, 3);
    unary("Shrink", NUMERIC, 2);
    for (String t : new String[] {"Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh"}) {
      unary(t, FLOATS, 8);
    }
    unary("Not", BOOL, 1);
    predicate("IsNaN", FLOATS);
    predicate("IsInf", FLOATS);

    binary("Add", NUMERIC, 1, false);
    binary("Sub", NUMERIC, 1, false);
    binary("Mul", NUMERIC, 1, false);
    binary("Div", NUMERIC, 1, false);
    binary("Mod", NUMERIC, 2, false);
    binary("BitShift", UINTS, 1, false);
    binary("Equal", NUMERIC_BOOL, 1, true);
    binary("Greater", NUMERIC, 1, true);
    binary("Less", NUMERIC, 1, true);
    binary("GreaterOrEqual", NUMERIC, 1, true);
    binary("LessOrEqual", NUMERIC, 1, true);
    binary("And", BOOL, 1, true);
    binary("Or", BOOL, 1, true);
    binary("Xor", BOOL, 1, true);
    OpCatalog.add(new SimpleOpSpec("Pow", FusionKind.BROADCAST, 2, 2, ElementwiseOps::inferPow, flops(8)));
    OpCatalog.add(new SimpleOpSpec("PRelu", FusionKind.BROADCAST, 2, 2, ElementwiseOps::inferPRelu, flops(2)));

    variadic("Max", NUMERIC, 1);
    variadic("Min", NUMERIC, 1);
    variadic("Sum", FLOATS, 1);
    variadic("Mean", FLOATS, 1);

    OpCatalog.add(new SimpleOpSpec("Clip", FusionKind.ELEMWISE, 1, 3, ElementwiseOps::inferClip, flops(2)));
    OpCatalog.add(new SimpleOpSpec("Cast", FusionKind.ELEMWISE, 1, 1, ElementwiseOps::inferCast, flops(1)));
    OpCatalog.add(new SimpleOpSpec("CastLike", FusionKind.ELEMWISE, 2, 2, ElementwiseOps::inferCastLike,
        (n, in, out) -> Costs.elementwise(in.subList(0, Math.min(1, in.size())), out, 1)));
    OpCatalog.add(new SimpleOpSpec("Where", FusionKind.BROADCAST, 3, 3, ElementwiseOps::inferWhere, flops(1)));
    OpCatalog.add(new SimpleOpSpec("Dropout", FusionKind.ELEMWISE, 1, 3, ElementwiseOps::inferDropout, flops(0)));
  }

  private static SimpleOpSpec.CostFn flops(int perElement) {
    return (n, in, out) -> Costs.elementwise(in, out, perElement);
  }

  private static void unary(String op, Set<DType> allowed, int flops) {
    OpCatalog.add(new SimpleOpSpec(op, FusionKind.ELEMWISE, 1, 1, ctx -> {
      TensorType t = ctx.requireInput(0);
      checkDtype(ctx, t, allowed);
      return one(t);
    }, flops(flops)));
  }

  private static void predicate(String op, Set<DType> allowed) {
    OpCatalog.add(new SimpleOpSpec(op, FusionKind.ELEMWISE, 1, 1, ctx -> {
      TensorType t = ctx.requireInput(0);
      checkDtype(ctx, t, allowed);
      return one(t == null ? null : new TensorType(DType.BOOL, t.shape()));
    }, flops(1)));
  }

  private static void binary(String op, Set<DType> allowed, int flops, boolean boolOut) {
    OpCatalog.add(new SimpleOpSpec(op, FusionKind.BROADCAST, 2, 2, ctx -> {
      TensorType a = ctx.requireInput(0);
      TensorType b = legacyB(ctx, a, ctx.requireInput(1));
      DType dt = sameDtype(ctx, allowed, a, b);
      Shape s = broadcastShapes(ctx, a, b);
      if (dt == null) {
        return one(null);
      }
      return one(new TensorType(boolOut ? DType.BOOL : dt, s));
    }, flops(flops)));
  }

  private static void variadic(String op, Set<DType> allowed, int flops) {
    OpCatalog.add(new SimpleOpSpec(op, FusionKind.BROADCAST, 1, Integer.MAX_VALUE, ctx -> {
      TensorType[] ts = new TensorType[ctx.numInputs()];
      for (int i = 0; i < ts.length; i++) {
        ts[i] = ctx.requireInput(i);
      }
      DType dt = sameDtype(ctx, allowed, ts);
      Shape s = broadcastShapes(ctx, ts);
      return one(dt == null ? null : new TensorType(dt, s));
    }, flops(flops)));
  }

  private static List<TensorType> inferPow(InferenceContext ctx) {
    TensorType x = ctx.requireInput(0);
    TensorType y = legacyB(ctx, x, ctx.requireInput(1));
    checkDtype(ctx, x, union(FLOATS, EnumSet.of(DType.INT32, DType.INT64)));
    checkDtype(ctx, y, NUMERIC);
    Shape s = broadcastShapes(ctx, x, y);
    return one(x == null ? null : new TensorType(x.dtype(), s));
  }

  private static List<TensorType> inferPRelu(InferenceContext ctx) {
    TensorType x = ctx.requireInput(0);
    TensorType slope = ctx.requireInput(1);
    DType dt = sameDtype(ctx, union(FLOATS, EnumSet.of(DType.INT32, DType.INT64, DType.UINT32, DType.UINT64)), x, slope);
    Shape s = broadcastShapes(ctx, x, slope);
    return one(dt == null ? null : new TensorType(dt, s));
  }

  private static List<TensorType> inferClip(InferenceContext ctx) {
    TensorType x = ctx.requireInput(0);
    checkDtype(ctx, x, NUMERIC);
    for (int i = 1; i < 3; i++) {
      TensorType b = ctx.hasInput(i) ? ctx.inputType(i) : null;
      if (b == null || x == null) {
        continue;
      }
      if (b.dtype() != x.dtype()) {
        throw ctx.error("input " + i + " should be " + x.dtype().shortName() + " like the input, got " + b.dtype().shortName());
      }
      if (b.shape() != null && b.shape().numElements() > 1) {
        throw ctx.error("input " + i + " should be a scalar, got shape " + b.shape());
      }
    }
    return one(x);
  }

  private static List<TensorType> inferCast(InferenceContext ctx) {
    TensorType x = ctx.requireInput(0);
    DType to = ElemCast.target(ctx.node());
    checkCast(ctx, x == null ? null : x.dtype(), to);
    return one(x == null ? null : new TensorType(to, x.shape()));
  }

  private static List<TensorType> inferCastLike(InferenceContext ctx) {
    TensorType x = ctx.requireInput(0);
    TensorType like = ctx.requireInput(1);
    if (like == null) {
      return one(null);
    }
    checkCast(ctx, x == null ? null : x.dtype(), like.dtype());
    return one(x == null ? null : new TensorType(like.dtype(), x.shape()));
  }

  /**
   * Casts between numeric and bool types run everywhere; strings parse into numbers, and float32, float64 and
   * integers print into strings.
   */
  private static void checkCast(InferenceContext ctx, DType from, DType to) {
    if (to == DType.STRING && from != null && from != DType.STRING && from != DType.FLOAT32 && from != DType.FLOAT64
        && !INTS.contains(from)) {
      throw new UnsupportedOperatorException(nodeName(ctx) + ": cast to string is not supported (from "
          + (from == null ? "unknown" : from.shortName()) + ")");
    }
    if (from == DType.STRING && !FLOATS.contains(to) && !INTS.contains(to)) {
      throw new UnsupportedOperatorException(nodeName(ctx) + ": cast from string to " + to.shortName() + " is not supported");
    }
  }

  private static List<TensorType> inferWhere(InferenceContext ctx) {
    TensorType c = ctx.requireInput(0);
    TensorType x = ctx.requireInput(1);
    TensorType y = ctx.requireInput(2);
    if (c != null && c.dtype() != DType.BOOL) {
      throw ctx.error("condition should be bool, got " + c.dtype().shortName());
    }
    DType dt = sameDtype(ctx, ANY, x, y);
    Shape s = broadcastShapes(ctx, c, x, y);
    return one(dt == null ? null : new TensorType(dt, s));
  }

  private static List<TensorType> inferDropout(InferenceContext ctx) {
    TensorType x = ctx.requireInput(0);
    checkDtype(ctx, x, FLOATS);
    if (ctx.hasInput(2)) {
      TensorData mode = ctx.inputConstant(2);
      TensorData ratio = ctx.hasInput(1) ? ctx.inputConstant(1) : null;
      boolean zeroRatio = ratio != null && ratio.size() == 1 && ratio.getDouble(0) == 0;
      if (mode != null && mode.size() == 1 && mode.getLong(0) != 0 && !zeroRatio) {
        throw new UnsupportedOperatorException(nodeName(ctx) + ": Dropout in training mode (training_mode = true) is not supported");
      }
    }
    List<TensorType> r = new ArrayList<>();
    r.add(x);
    if (ctx.numOutputs() > 1) {
      // before opset 10 the mask had the input's type
      r.add(x == null ? null : ctx.opset() < 10 ? x : new TensorType(DType.BOOL, x.shape()));
    }
    return r;
  }

  private static TensorType legacyB(InferenceContext ctx, TensorType a, TensorType b) {
    if (a == null || b == null || a.shape() == null || b.shape() == null || !a.shape().isStatic()) {
      return b;
    }
    return b.withShape(Shape.of(ElemLegacyBroadcast.alignB(ctx.node(), a.shape().dims(), b.shape().dims())));
  }

  // ---- helpers shared with ReductionOps ----

  static String nodeName(InferenceContext ctx) {
    return "node '" + ctx.node().name() + "' (" + ctx.node().opType() + ")";
  }

  static List<TensorType> one(TensorType t) {
    return Collections.singletonList(t);
  }

  static void checkDtype(InferenceContext ctx, TensorType t, Set<DType> allowed) {
    if (t != null && !allowed.contains(t.dtype())) {
      throw new UnsupportedOperatorException(nodeName(ctx) + ": dtype " + t.dtype().shortName()
          + " is not supported; expected one of " + names(allowed));
    }
  }

  /** The common dtype of typed inputs (null when none is known), checked against {@code allowed}. */
  static DType sameDtype(InferenceContext ctx, Set<DType> allowed, TensorType... ts) {
    DType dt = null;
    for (int i = 0; i < ts.length; i++) {
      if (ts[i] == null) {
        continue;
      }
      checkDtype(ctx, ts[i], allowed);
      if (dt == null) {
        dt = ts[i].dtype();
      } else if (dt != ts[i].dtype()) {
        throw ctx.error("inputs must share one dtype, got " + dt.shortName() + " and " + ts[i].dtype().shortName()
            + " (input " + i + ")");
      }
    }
    return dt;
  }

  /** Numpy broadcast of the inputs' shapes; null when some rank is unknown. */
  static Shape broadcastShapes(InferenceContext ctx, TensorType... ts) {
    long[][] dims = new long[ts.length][];
    for (int i = 0; i < ts.length; i++) {
      if (ts[i] == null || ts[i].shape() == null) {
        return null;
      }
      dims[i] = ts[i].shape().dims();
    }
    try {
      return Shape.of(Broadcast.shape(dims));
    } catch (ShapeMismatchException e) {
      throw ctx.error(e.getMessage());
    }
  }

  static String names(Set<DType> ts) {
    List<String> r = new ArrayList<>();
    for (DType t : ts) {
      r.add(t.shortName());
    }
    return r.toString();
  }

  @SafeVarargs
  static Set<DType> union(Set<DType>... sets) {
    Set<DType> r = EnumSet.noneOf(DType.class);
    for (Set<DType> s : sets) {
      r.addAll(s);
    }
    return Collections.unmodifiableSet(r);
  }
}
