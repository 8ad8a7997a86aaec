package io.offloadcl.ops;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Catalog family file for data-movement ops: Transpose, Concat, Expand, Gather(+Elements/ND), Scatter(Elements/ND),
 * Pad, Slice, Split, Tile, Resize/Upsample, DepthToSpace/SpaceToDepth, Trilu. Output shapes are static when the
 * shape-determining inputs are constants; otherwise dims are -1 (or the rank is unknown) and the kernels
 * produce the concrete shape at run time.
 */
final class LayoutOps {
  private LayoutOps() {}

  static void register() {
    add("Transpose", FusionKind.INJECTIVE, 1, 1, LayoutOps::transpose);
    add("Concat", FusionKind.INJECTIVE, 1, Integer.MAX_VALUE, LayoutOps::concat);
    add("Expand", FusionKind.BROADCAST, 2, 2, LayoutOps::expand);
    addPicking("Gather", 2, 2, LayoutOps::gather);
    addPicking("GatherElements", 2, 2, ctx -> like(ctx, 0, ctx.inputType(1)));
    addPicking("GatherND", 2, 2, LayoutOps::gatherNd);
    add("ScatterElements", FusionKind.OPAQUE, 3, 3, ctx -> like(ctx, 0, ctx.inputType(0)));
    add("Scatter", FusionKind.OPAQUE, 3, 3, ctx -> like(ctx, 0, ctx.inputType(0)));
    add("ScatterND", FusionKind.OPAQUE, 3, 3, ctx -> like(ctx, 0, ctx.inputType(0)));
    add("Pad", FusionKind.INJECTIVE, 1, 4, LayoutOps::pad);
    addPicking("Slice", 1, 5, LayoutOps::slice);
    add("Split", FusionKind.INJECTIVE, 1, 2, LayoutOps::split);
    add("Tile", FusionKind.INJECTIVE, 2, 2, LayoutOps::tile);
    add("DepthToSpace", FusionKind.INJECTIVE, 1, 1, ctx -> depthSpace(ctx, true));
    add("SpaceToDepth", FusionKind.INJECTIVE, 1, 1, ctx -> depthSpace(ctx, false));
    add("Trilu", FusionKind.INJECTIVE, 1, 2, ctx -> like(ctx, 0, ctx.inputType(0)));
    add("ReverseSequence", FusionKind.INJECTIVE, 2, 2, ctx -> like(ctx, 0, ctx.inputType(0)));
    add("Compress", FusionKind.OPAQUE, 2, 2, LayoutOps::compress);
    add("Unique", FusionKind.OPAQUE, 1, 1, LayoutOps::unique);
    OpCatalog.add(new SimpleOpSpec("Resize", FusionKind.OPAQUE, 1, 4, LayoutOps::resize, LayoutOps::resizeCost));
    OpCatalog.add(new SimpleOpSpec("Upsample", FusionKind.OPAQUE, 1, 2, LayoutOps::resize, LayoutOps::resizeCost));
  }

  private static void add(String op, FusionKind kind, int min, int max, SimpleOpSpec.Inference inf) {
    OpCatalog.add(new SimpleOpSpec(op, kind, min, max, inf, (n, i, o) -> Costs.movement(i, o)));
  }

  /** An op that reads only the elements it picks (an embedding Gather touches rows, not the whole table). */
  private static void addPicking(String op, int min, int max, SimpleOpSpec.Inference inf) {
    OpCatalog.add(new SimpleOpSpec(op, FusionKind.INJECTIVE, min, max, inf, LayoutOps::pickingCost));
  }

  private static OpCost pickingCost(Node node, List<TensorType> inputs, List<TensorType> outputs) {
    long w = Costs.sumBytes(outputs);
    if (inputs.isEmpty() || w < 0) {
      return OpCost.UNKNOWN;
    }
    long data = Costs.bytes(inputs.get(0));
    long rest = Costs.sumBytes(inputs.subList(1, inputs.size()));
    if (data < 0 || rest < 0) {
      return OpCost.UNKNOWN;
    }
    return new OpCost(0, Math.min(data, w) + rest, w);
  }

  // ---------------------------------------------------------------- helpers

  static long[] dims(TensorType t) {
    return t == null || t.shape() == null ? null : t.shape().dims();
  }

  /** The output type; null (left untyped) when the dtype is unknown because an input was never typed. */
  static TensorType type(DType dt, long[] dims) {
    return dt == null ? null : new TensorType(dt, dims == null ? null : Shape.of(dims));
  }

  static List<TensorType> one(DType dt, long[] dims) {
    return Collections.singletonList(type(dt, dims));
  }

  /** Input i's dtype, or null when the input is present but untyped (an upstream op could not infer it). */
  static DType dtype(InferenceContext ctx, int i) {
    TensorType t = ctx.requireInput(i);
    return t == null ? null : t.dtype();
  }

  /** Output with input {@code dtypeFrom}'s dtype and {@code shapeFrom}'s shape. */
  private static List<TensorType> like(InferenceContext ctx, int dtypeFrom, TensorType shapeFrom) {
    return one(dtype(ctx, dtypeFrom), dims(shapeFrom));
  }

  static long[] dynamic(int rank) {
    long[] d = new long[rank];
    Arrays.fill(d, -1);
    return d;
  }

  /**
   * Input i's data when it is known before run time: an initializer, or the output of a Constant node (the
   * importer keeps those as nodes, and exporters feed Reshape/Unsqueeze/Slice from them). Null otherwise.
   */
  static TensorData constant(InferenceContext ctx, int i) {
    TensorData d = ctx.inputConstant(i);
    if (d != null || !ctx.hasInput(i)) {
      return d;
    }
    Node p = ctx.node().input(i).producer();
    if (p == null || !p.opType().equals("Constant") || !OpCatalog.isKnownDomain(p.domain())) {
      return null;
    }
    try {
      return ShapeOpValues.constant(p);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** An integer input known before run time (constant, or a static shape computation), else null. */
  static long[] constLongs(InferenceContext ctx, int i) {
    if (!ctx.hasInput(i)) {
      return null;
    }
    long[] v = LayoutParams.longs(constant(ctx, i));
    return v != null ? v : ShapeOpStaticValues.valueOf(ctx.node().input(i), 0);
  }

  // ---------------------------------------------------------------- inference

  private static List<TensorType> transpose(InferenceContext ctx) {
    DType dt = dtype(ctx, 0);
    long[] in = dims(ctx.inputType(0));
    if (in == null) {
      return one(dt, null);
    }
    int[] p = LayoutParams.perm(ctx.node(), in.length);
    long[] out = new long[in.length];
    for (int i = 0; i < p.length; i++) {
      out[i] = in[p[i]];
    }
    return one(dt, out);
  }

  private static List<TensorType> concat(InferenceContext ctx) {
    DType dt = dtype(ctx, 0);
    if (!ctx.attrs().has("axis")) {
      throw ctx.error("attribute 'axis' is required");
    }
    long[][] ins = new long[ctx.numInputs()][];
    for (int i = 0; i < ins.length; i++) {
      TensorType t = ctx.requireInput(i);
      if (t != null && dt != null && t.dtype() != dt) {
        throw ctx.error("input " + i + " is " + t.dtype().shortName() + ", expected " + dt.shortName() + " like input 0");
      }
      ins[i] = dims(t);
      if (ins[i] == null) {
        return one(dt, null);
      }
    }
    int axis = LayoutParams.axis(ctx.node(), ctx.attrs().getInt("axis", 0), ins[0].length);
    return one(dt, LayoutParams.concat(ctx.node(), ins, axis));
  }

  private static List<TensorType> expand(InferenceContext ctx) {
    DType dt = dtype(ctx, 0);
    long[] in = dims(ctx.inputType(0));
    long[] shape = constLongs(ctx, 1);
    if (in == null) {
      return one(dt, null);
    }
    if (shape == null) {
      long[] sd = dims(ctx.inputType(1));
      if (sd != null && sd.length == 1 && sd[0] >= 0) {
        return one(dt, dynamic((int) Math.max(sd[0], in.length)));
      }
      return one(dt, null);
    }
    return one(dt, LayoutParams.expand(ctx.node(), in, shape));
  }

  private static List<TensorType> gather(InferenceContext ctx) {
    DType dt = dtype(ctx, 0);
    TensorType it = ctx.requireInput(1);
    if (it != null && it.dtype() != DType.INT32 && it.dtype() != DType.INT64) {
      throw ctx.error("indices are " + it.dtype().shortName() + ", expected int32 or int64");
    }
    long[] in = dims(ctx.inputType(0));
    long[] idx = dims(it);
    if (in == null || idx == null) {
      return one(dt, null);
    }
    int axis = LayoutParams.axis(ctx.node(), ctx.attrs().getInt("axis", 0), in.length);
    long[] out = new long[in.length - 1 + idx.length];
    int k = 0;
    for (int i = 0; i < axis; i++) {
      out[k++] = in[i];
    }
    for (long d : idx) {
      out[k++] = d;
    }
    for (int i = axis + 1; i < in.length; i++) {
      out[k++] = in[i];
    }
    return one(dt, out);
  }

  private static List<TensorType> gatherNd(InferenceContext ctx) {
    DType dt = dtype(ctx, 0);
    long[] in = dims(ctx.inputType(0));
    long[] idx = dims(ctx.inputType(1));
    if (in == null || idx == null || idx.length == 0 || idx[idx.length - 1] < 0) {
      return one(dt, null);
    }
    int b = (int) ctx.attrs().getInt("batch_dims", 0);
    long last = idx[idx.length - 1];
    if (b + last > in.length) {
      throw ctx.error("indices' last dim " + last + " plus batch_dims " + b + " exceeds the data rank " + in.length);
    }
    long[] out = new long[idx.length - 1 + in.length - b - (int) last];
    int k = 0;
    for (int i = 0; i < idx.length - 1; i++) {
      out[k++] = idx[i];
    }
    for (int i = b + (int) last; i < in.length; i++) {
      out[k++] = in[i];
    }
    return one(dt, out);
  }

  /** Compress: the kept extent depends on the condition's values, so it is dynamic unless the condition is constant. */
  private static List<TensorType> compress(InferenceContext ctx) {
    DType dt = dtype(ctx, 0);
    long[] in = dims(ctx.inputType(0));
    TensorData cond = constant(ctx, 1);
    long kept = -1;
    if (cond != null) {
      kept = 0;
      for (int i = 0; i < cond.size(); i++) {
        if (cond.getDouble(i) != 0) {
          kept++;
        }
      }
    }
    if (!ctx.attrs().has("axis")) {
      return one(dt, new long[] {kept});
    }
    if (in == null) {
      return one(dt, null);
    }
    int axis = LayoutParams.axis(ctx.node(), ctx.attrs().getInt("axis", 0), in.length);
    long[] out = in.clone();
    out[axis] = kept;
    return one(dt, out);
  }

  /** Unique: how many distinct values there are is only known at run time. */
  private static List<TensorType> unique(InferenceContext ctx) {
    DType dt = dtype(ctx, 0);
    long[] in = dims(ctx.inputType(0));
    List<TensorType> outs = new ArrayList<>();
    long n = -1;
    if (!ctx.attrs().has("axis")) {
      outs.add(type(dt, new long[] {-1}));
      n = in == null ? -1 : LayoutParams.product(in, 0, in.length);
    } else if (in == null) {
      outs.add(type(dt, null));
    } else {
      int axis = LayoutParams.axis(ctx.node(), ctx.attrs().getInt("axis", 0), in.length);
      long[] out = in.clone();
      out[axis] = -1;
      n = in[axis];
      outs.add(type(dt, out));
    }
    outs.add(type(DType.INT64, new long[] {-1}));
    outs.add(type(DType.INT64, new long[] {n}));
    outs.add(type(DType.INT64, new long[] {-1}));
    return outs.subList(0, Math.min(outs.size(), Math.max(1, ctx.numOutputs())));
  }

  private static List<TensorType> pad(InferenceContext ctx) {
    DType dt = dtype(ctx, 0);
    long[] in = dims(ctx.inputType(0));
    String mode = ctx.attrs().getString("mode", "constant");
    if (!mode.equals("constant") && !mode.equals("reflect") && !mode.equals("edge") && !mode.equals("wrap")) {
      throw new io.offloadcl.ir.UnsupportedOperatorException("node '" + ctx.node().name() + "' (Pad): mode '" + mode + "' is not supported");
    }
    if (in == null) {
      return one(dt, null);
    }
    long[] pads;
    long[] axes = null;
    if (ctx.opset() < 11) {
      pads = ctx.attrs().getInts("pads", ctx.attrs().getInts("paddings", null));
      if (pads == null) {
        throw ctx.error("attribute 'pads' is required");
      }
    } else {
      pads = constLongs(ctx, 1);
      if (ctx.hasInput(3)) {
        axes = constLongs(ctx, 3);
        if (axes == null) {
          return one(dt, dynamic(in.length));
        }
      }
      if (pads == null) {
        if (!ctx.hasInput(1)) {
          throw ctx.error("input 'pads' is required");
        }
        return one(dt, dynamic(in.length));
      }
    }
    long[] full = LayoutParams.pads(ctx.node(), in.length, pads, axes);
    return one(dt, LayoutParams.padded(ctx.node(), in, full));
  }

  private static List<TensorType> slice(InferenceContext ctx) {
    DType dt = dtype(ctx, 0);
    long[] in = dims(ctx.inputType(0));
    if (in == null) {
      return one(dt, null);
    }
    long[] starts;
    long[] ends;
    long[] axes;
    long[] steps = null;
    if (ctx.opset() < 10) {
      starts = ctx.attrs().getInts("starts", null);
      ends = ctx.attrs().getInts("ends", null);
      axes = ctx.attrs().getInts("axes", null);
      if (starts == null || ends == null) {
        throw ctx.error("attributes 'starts' and 'ends' are required");
      }
    } else {
      if (!ctx.hasInput(1) || !ctx.hasInput(2)) {
        throw ctx.error("inputs 'starts' and 'ends' are required");
      }
      starts = constLongs(ctx, 1);
      ends = constLongs(ctx, 2);
      axes = constLongs(ctx, 3);
      steps = constLongs(ctx, 4);
      if ((ctx.hasInput(3) && axes == null) || starts == null || ends == null || (ctx.hasInput(4) && steps == null)) {
        long[] out = in.clone();
        if (axes == null) {
          return one(dt, dynamic(in.length));
        }
        for (int a : LayoutParams.axes(ctx.node(), axes, in.length)) {
          out[a] = -1;
        }
        return one(dt, out);
      }
    }
    return one(dt, LayoutParams.slice(ctx.node(), in, starts, ends, axes, steps).count);
  }

  private static List<TensorType> split(InferenceContext ctx) {
    DType dt = dtype(ctx, 0);
    long[] in = dims(ctx.inputType(0));
    int nOut = ctx.numOutputs();
    List<TensorType> outs = new ArrayList<>();
    if (in == null) {
      for (int i = 0; i < nOut; i++) {
        outs.add(type(dt, null));
      }
      return outs;
    }
    int axis = LayoutParams.axis(ctx.node(), ctx.attrs().getInt("axis", 0), in.length);
    long[] split;
    boolean splitUnknown = false;
    if (ctx.opset() < 13) {
      split = ctx.attrs().getInts("split", null);
    } else {
      split = constLongs(ctx, 1);
      splitUnknown = ctx.hasInput(1) && split == null;
    }
    long[] sizes = splitUnknown ? null : LayoutParams.split(ctx.node(), in[axis], split, nOut);
    for (int i = 0; i < nOut; i++) {
      long[] o = in.clone();
      o[axis] = sizes == null ? -1 : sizes[i];
      outs.add(type(dt, o));
    }
    return outs;
  }

  private static List<TensorType> tile(InferenceContext ctx) {
    DType dt = dtype(ctx, 0);
    long[] in = dims(ctx.inputType(0));
    long[] reps = constLongs(ctx, 1);
    if (in == null) {
      return one(dt, null);
    }
    if (reps == null) {
      return one(dt, dynamic(in.length));
    }
    return one(dt, LayoutParams.tile(ctx.node(), in, reps));
  }

  private static List<TensorType> depthSpace(InferenceContext ctx, boolean toSpace) {
    DType dt = dtype(ctx, 0);
    long[] in = dims(ctx.inputType(0));
    long b = ctx.attrs().getInt("blocksize", 0);
    if (b <= 0) {
      throw ctx.error("attribute 'blocksize' must be positive, got " + b);
    }
    if (in == null) {
      return one(dt, dynamic(4));
    }
    if (in.length != 4) {
      throw ctx.error("input has rank " + in.length + ", expected 4 (NCHW)");
    }
    long[] out = in.clone();
    if (toSpace) {
      if (in[1] >= 0 && in[1] % (b * b) != 0) {
        throw ctx.error("channels " + in[1] + " are not divisible by blocksize² = " + b * b);
      }
      out[1] = in[1] < 0 ? -1 : in[1] / (b * b);
      out[2] = in[2] < 0 ? -1 : in[2] * b;
      out[3] = in[3] < 0 ? -1 : in[3] * b;
    } else {
      for (int i = 2; i < 4; i++) {
        if (in[i] >= 0 && in[i] % b != 0) {
          throw ctx.error("spatial extent " + in[i] + " is not divisible by blocksize " + b);
        }
        out[i] = in[i] < 0 ? -1 : in[i] / b;
      }
      out[1] = in[1] < 0 ? -1 : in[1] * b * b;
    }
    return one(dt, out);
  }

  private static List<TensorType> resize(InferenceContext ctx) {
    Node n = ctx.node();
    DType dt = dtype(ctx, 0);
    LayoutParams.checkResizeSupported(n);
    long[] in = dims(ctx.inputType(0));
    if (in == null) {
      return one(dt, null);
    }
    float[] scales = null;
    long[] sizes = null;
    double[] roi = null;
    boolean unknown = false;
    if (n.opType().equals("Upsample") && ctx.opset() < 9) {
      scales = ctx.attrs().getFloats("scales", null);
      if (scales == null) {
        throw ctx.error("attribute 'scales' is required");
      }
    } else if (n.opType().equals("Upsample") || ctx.opset() < 11) {
      scales = floatsOf(constant(ctx, 1));
      unknown = scales == null;
    } else {
      roi = doublesOf(constant(ctx, 1));
      scales = floatsOf(constant(ctx, 2));
      sizes = LayoutParams.longs(constant(ctx, 3));
      unknown = (ctx.hasInput(2) && scales == null) || (ctx.hasInput(3) && sizes == null)
          || (ctx.hasInput(1) && roi == null && "tf_crop_and_resize".equals(ctx.attrs().getString("coordinate_transformation_mode", "")));
    }
    if (unknown) {
      return one(dt, dynamic(in.length));
    }
    LayoutParams.ResizeSpec r = LayoutParams.resize(n, in, scales, sizes, roi);
    if (r == null) {
      throw ctx.error("one of scales or sizes is required");
    }
    return one(dt, r.outDims);
  }

  static float[] floatsOf(TensorData d) {
    return d == null ? null : d.toFloatArray();
  }

  static double[] doublesOf(TensorData d) {
    if (d == null) {
      return null;
    }
    double[] r = new double[d.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = d.getDouble(i);
    }
    return r;
  }

  private static OpCost resizeCost(Node node, List<TensorType> inputs, List<TensorType> outputs) {
    OpCost m = Costs.movement(inputs, outputs);
    if (!m.isKnown() || outputs.isEmpty() || outputs.get(0) == null) {
      return m;
    }
    String mode = node.attributes().getString("mode", "nearest");
    if (mode.equals("nearest")) {
      return m;
    }
    int rank = outputs.get(0).shape().rank();
    long taps = mode.equals("cubic") ? 4 : 2;
    long perOut = 4;
    for (int i = 0; i < rank; i++) {
      perOut *= taps;
    }
    return new OpCost(perOut * Costs.elements(outputs.get(0)), m.bytesRead(), m.bytesWritten());
  }
}
