package io.offloadcl.ops;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.UnsupportedOperatorException;
import java.util.List;

/**
 * Catalog family file for shape ops: Reshape, Flatten, Squeeze, Unsqueeze (views of their input), Shape, Size,
 * Constant, ConstantOfShape, Range, EyeLike, OneHot and NonZero.
 */
final class ShapeOps {
  private ShapeOps() {}

  static void register() {
    add("Reshape", FusionKind.INJECTIVE, 1, 2, ShapeOps::reshape);
    add("Flatten", FusionKind.INJECTIVE, 1, 1, ShapeOps::flatten);
    add("Squeeze", FusionKind.INJECTIVE, 1, 2, ShapeOps::squeeze);
    add("Unsqueeze", FusionKind.INJECTIVE, 1, 2, ShapeOps::unsqueeze);
    // Shape, Size and Constant read no tensor data: they cost only their (small) output
    OpCatalog.add(new SimpleOpSpec("Shape", FusionKind.OPAQUE, 1, 1, ShapeOps::shape, ShapeOps::writeOnly));
    OpCatalog.add(new SimpleOpSpec("Size", FusionKind.OPAQUE, 1, 1, ctx -> LayoutOps.one(DType.INT64, new long[0]), ShapeOps::writeOnly));
    OpCatalog.add(new SimpleOpSpec("Constant", FusionKind.OPAQUE, 0, 0,
        ctx -> LayoutOps.one(constantValue(ctx.node()).dtype(), constantValue(ctx.node()).dims()), ShapeOps::writeOnly));
    add("ConstantOfShape", FusionKind.OPAQUE, 1, 1, ShapeOps::constantOfShape);
    add("Range", FusionKind.OPAQUE, 3, 3, ShapeOps::range);
    add("EyeLike", FusionKind.OPAQUE, 1, 1, ShapeOps::eyeLike);
    add("OneHot", FusionKind.OPAQUE, 3, 3, ShapeOps::oneHot);
    add("NonZero", FusionKind.OPAQUE, 1, 1, ShapeOps::nonZero);
  }

  private static void add(String op, FusionKind kind, int min, int max, SimpleOpSpec.Inference inf) {
    OpCatalog.add(new SimpleOpSpec(op, kind, min, max, inf, (n, i, o) -> Costs.movement(i, o)));
  }

  private static OpCost writeOnly(Node n, List<TensorType> inputs, List<TensorType> outputs) {
    long w = Costs.sumBytes(outputs);
    return w < 0 ? OpCost.UNKNOWN : new OpCost(0, 0, w);
  }

  /** The tensor a Constant node yields, from whichever value attribute it carries. */
  public static TensorData constantValue(Node n) {
    return ShapeOpValues.constant(n);
  }

  private static List<TensorType> reshape(InferenceContext ctx) {
    DType dt = LayoutOps.dtype(ctx, 0);
    long[] in = LayoutOps.dims(ctx.inputType(0));
    long[] target;
    if (ctx.opset() < 5) {
      target = ctx.attrs().getInts("shape", null);
      if (target == null) {
        throw ctx.error("attribute 'shape' is required");
      }
    } else {
      if (!ctx.hasInput(1)) {
        throw ctx.error("input 'shape' is required");
      }
      target = LayoutOps.constLongs(ctx, 1);
      if (target == null) {
        long[] sd = LayoutOps.dims(ctx.inputType(1));
        return LayoutOps.one(dt, sd != null && sd.length == 1 && sd[0] >= 0 ? LayoutOps.dynamic((int) sd[0]) : null);
      }
    }
    boolean allowZero = ctx.opset() >= 14 && ctx.attrs().getInt("allowzero", 0) != 0;
    if (in == null) {
      long[] out = target.clone();
      for (int i = 0; i < out.length; i++) {
        if (out[i] == -1 || (out[i] == 0 && !allowZero)) {
          out[i] = -1;
        }
      }
      return LayoutOps.one(dt, out);
    }
    return LayoutOps.one(dt, LayoutParams.reshape(ctx.node(), in, target, allowZero));
  }

  private static List<TensorType> flatten(InferenceContext ctx) {
    DType dt = LayoutOps.dtype(ctx, 0);
    long[] in = LayoutOps.dims(ctx.inputType(0));
    return LayoutOps.one(dt, in == null ? LayoutOps.dynamic(2) : LayoutParams.flatten(ctx.node(), in));
  }

  /** Squeeze/Unsqueeze axes: attribute before opset 13, input from 13; null when given but not constant. */
  static long[] squeezeAxes(InferenceContext ctx, boolean[] unknown) {
    if (ctx.opset() < 13) {
      return ctx.attrs().getInts("axes", null);
    }
    long[] a = LayoutOps.constLongs(ctx, 1);
    unknown[0] = ctx.hasInput(1) && a == null;
    return a;
  }

  private static List<TensorType> squeeze(InferenceContext ctx) {
    DType dt = LayoutOps.dtype(ctx, 0);
    long[] in = LayoutOps.dims(ctx.inputType(0));
    boolean[] unknown = new boolean[1];
    long[] axes = squeezeAxes(ctx, unknown);
    if (in == null || unknown[0]) {
      return LayoutOps.one(dt, null);
    }
    return LayoutOps.one(dt, LayoutParams.squeeze(ctx.node(), in, axes));
  }

  private static List<TensorType> unsqueeze(InferenceContext ctx) {
    DType dt = LayoutOps.dtype(ctx, 0);
    long[] in = LayoutOps.dims(ctx.inputType(0));
    boolean[] unknown = new boolean[1];
    long[] axes = squeezeAxes(ctx, unknown);
    if (axes == null && !unknown[0]) {
      throw ctx.error(ctx.opset() < 13 ? "attribute 'axes' is required" : "input 'axes' is required");
    }
    if (in == null || unknown[0]) {
      return LayoutOps.one(dt, null);
    }
    return LayoutOps.one(dt, LayoutParams.unsqueeze(ctx.node(), in, axes));
  }

  private static List<TensorType> shape(InferenceContext ctx) {
    long[] in = LayoutOps.dims(ctx.requireInput(0));
    if (in == null) {
      return LayoutOps.one(DType.INT64, new long[] {-1});
    }
    int[] r = ShapeOpValues.shapeRange(ctx.node(), in.length);
    return LayoutOps.one(DType.INT64, new long[] {r[1] - r[0]});
  }

  private static List<TensorType> constantOfShape(InferenceContext ctx) {
    TensorData v = ctx.attrs().getTensor("value");
    DType dt = v == null ? DType.FLOAT32 : v.dtype();
    long[] shape = LayoutOps.constLongs(ctx, 0);
    if (shape == null) {
      long[] sd = LayoutOps.dims(ctx.inputType(0));
      return LayoutOps.one(dt, sd != null && sd.length == 1 && sd[0] >= 0 ? LayoutOps.dynamic((int) sd[0]) : null);
    }
    for (long d : shape) {
      if (d < 0) {
        throw ctx.error("shape " + java.util.Arrays.toString(shape) + " has a negative dimension");
      }
    }
    return LayoutOps.one(dt, shape);
  }

  private static List<TensorType> range(InferenceContext ctx) {
    DType dt = LayoutOps.dtype(ctx, 0);
    for (int i = 1; i < 3; i++) {
      TensorType t = ctx.requireInput(i);
      if (t != null && dt != null && t.dtype() != dt) {
        throw ctx.error("input " + i + " is " + t.dtype().shortName() + ", expected " + dt.shortName() + " like 'start'");
      }
    }
    TensorData s = LayoutOps.constant(ctx, 0);
    TensorData l = LayoutOps.constant(ctx, 1);
    TensorData d = LayoutOps.constant(ctx, 2);
    if (s == null || l == null || d == null) {
      return LayoutOps.one(dt, new long[] {-1});
    }
    return LayoutOps.one(dt, new long[] {ShapeOpValues.rangeCount(ctx.node(), s, l, d)});
  }

  private static List<TensorType> eyeLike(InferenceContext ctx) {
    TensorType t = ctx.requireInput(0);
    long[] in = LayoutOps.dims(t);
    if (in != null && in.length != 2) {
      throw ctx.error("input has rank " + in.length + ", expected 2");
    }
    DType dt = ctx.attrs().has("dtype") ? ShapeOpValues.dtypeAttr(ctx.node(), "dtype") : t == null ? null : t.dtype();
    return LayoutOps.one(dt, in == null ? LayoutOps.dynamic(2) : in);
  }

  private static List<TensorType> oneHot(InferenceContext ctx) {
    TensorType vt = ctx.requireInput(2);
    long[] ind = LayoutOps.dims(ctx.requireInput(0));
    TensorData depth = LayoutOps.constant(ctx, 1);
    if (vt == null) {
      return LayoutOps.one(null, null);
    }
    if (ind == null) {
      return LayoutOps.one(vt.dtype(), null);
    }
    int rank = ind.length + 1;
    int axis = LayoutParams.axis(ctx.node(), ctx.attrs().getInt("axis", -1), rank);
    long[] out = new long[rank];
    int k = 0;
    for (int i = 0; i < rank; i++) {
      out[i] = i == axis ? (depth == null ? -1 : (long) depth.getDouble(0)) : ind[k++];
    }
    return LayoutOps.one(vt.dtype(), out);
  }

  private static List<TensorType> nonZero(InferenceContext ctx) {
    long[] in = LayoutOps.dims(ctx.requireInput(0));
    return LayoutOps.one(DType.INT64, new long[] {in == null ? -1 : in.length, -1});
  }

  static UnsupportedOperatorException unsupported(Node n, String what) {
    return new UnsupportedOperatorException("node '" + n.name() + "' (" + n.opType() + "): " + what);
  }
}
