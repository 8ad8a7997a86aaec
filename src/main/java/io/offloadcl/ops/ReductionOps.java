package io.offloadcl.ops;

import static io.offloadcl.ops.ElementwiseOps.FLOATS;
import static io.offloadcl.ops.ElementwiseOps.NUMERIC;
import static io.offloadcl.ops.ElementwiseOps.checkDtype;
import static io.offloadcl.ops.ElementwiseOps.one;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.UnsupportedOperatorException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Catalog family file for reductions: ReduceX, ArgMax/ArgMin, Softmax/LogSoftmax/Hardmax and
 * LayerNormalization. All are {@link FusionKind#REDUCTION}.
 *
 * <p>Where the reduced axes live changed across opsets: ReduceSum takes them as an input from opset 13, the
 * other ReduceX from opset 18; {@link #reduceAxes} reads whichever form the node's opset uses.
 */
public final class ReductionOps {
  private ReductionOps() {}

  static void register() {
    reduce("ReduceSum", NUMERIC, 13, 1);
    reduce("ReduceMean", NUMERIC, 18, 1);
    reduce("ReduceMax", ElementwiseOps.NUMERIC_BOOL, 18, 1);
    reduce("ReduceMin", ElementwiseOps.NUMERIC_BOOL, 18, 1);
    reduce("ReduceProd", NUMERIC, 18, 1);
    reduce("ReduceL1", NUMERIC, 18, 2);
    reduce("ReduceL2", NUMERIC, 18, 3);
    reduce("ReduceLogSum", NUMERIC, 18, 4);
    reduce("ReduceLogSumExp", NUMERIC, 18, 6);
    reduce("ReduceSumSquare", NUMERIC, 18, 2);
    argReduce("ArgMax");
    argReduce("ArgMin");
    softmaxLike("Softmax", 6);
    softmaxLike("LogSoftmax", 7);
    softmaxLike("Hardmax", 2);
    OpCatalog.add(new SimpleOpSpec("LayerNormalization", FusionKind.REDUCTION, 2, 3,
        ReductionOps::inferLayerNorm, inputScaled(8)));
  }

  /** FLOPs proportional to the first input's elements: a reduction touches every input element. */
  private static SimpleOpSpec.CostFn inputScaled(int perElement) {
    return (n, in, out) -> {
      long e = in.isEmpty() ? -1 : Costs.elements(in.get(0));
      long r = Costs.sumBytes(in);
      long w = Costs.sumBytes(out);
      if (e < 0 || r < 0 || w < 0) {
        return OpCost.UNKNOWN;
      }
      return new OpCost(e * perElement, r, w);
    };
  }

  /** First opset in which {@code op} takes its axes as an input (13 for ReduceSum, 18 for the others). */
  public static int axesInputOpset(String op) {
    return op.equals("ReduceSum") ? 13 : 18;
  }

  /**
   * The axes a ReduceX node reduces, from its attribute or (from {@link #axesInputOpset}) its second input's
   * data; {@code axesData} is that input's data or null when it is omitted. Returns an empty array for "no
   * axes given"; negative axes are left for the caller to normalize.
   */
  public static long[] reduceAxes(Node node, TensorData axesData) {
    if (node.opsetVersion() >= axesInputOpset(node.opType())) {
      return axesData == null ? new long[0] : axesData.toLongArray();
    }
    return node.attributes().getInts("axes", new long[0]);
  }

  /** Normalizes axes against a rank, rejecting out-of-range or repeated axes with a message naming the node. */
  public static int[] normalizeAxes(String where, long[] axes, int rank) {
    int[] r = new int[axes.length];
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < axes.length; i++) {
      long a = axes[i] < 0 ? axes[i] + rank : axes[i];
      if (a < 0 || a >= rank) {
        throw new io.offloadcl.ir.ShapeMismatchException(where + ": axis " + axes[i] + " is out of range for rank " + rank);
      }
      if (seen[(int) a]) {
        throw new io.offloadcl.ir.ShapeMismatchException(where + ": axis " + axes[i] + " is repeated");
      }
      seen[(int) a] = true;
      r[i] = (int) a;
    }
    return r;
  }

  private static void reduce(String op, Set<DType> allowed, int axesInput, int flops) {
    OpCatalog.add(new SimpleOpSpec(op, FusionKind.REDUCTION, 1, 2, ctx -> {
      TensorType x = ctx.requireInput(0);
      checkDtype(ctx, x, allowed);
      if (x == null) {
        return one(null);
      }
      boolean keep = ctx.attrs().getInt("keepdims", 1) != 0;
      boolean noop = ctx.attrs().getInt("noop_with_empty_axes", 0) != 0;
      long[] axes;
      if (ctx.opset() >= axesInput) {
        if (ctx.hasInput(1)) {
          TensorData a = ctx.inputConstant(1);
          if (a == null) {
            // axes known only at run time: rank survives only with keepdims
            if (!keep || x.shape() == null) {
              return one(new TensorType(x.dtype(), null));
            }
            long[] d = new long[x.shape().rank()];
            java.util.Arrays.fill(d, Shape.DYNAMIC);
            return one(new TensorType(x.dtype(), Shape.of(d)));
          }
          axes = a.toLongArray();
        } else {
          axes = new long[0];
        }
      } else {
        if (ctx.hasInput(1)) {
          throw ctx.error("axes as an input needs opset " + axesInput + ", the model imports " + ctx.opset());
        }
        axes = ctx.attrs().getInts("axes", new long[0]);
      }
      if (x.shape() == null) {
        return one(new TensorType(x.dtype(), null));
      }
      if (axes.length == 0 && noop) {
        return one(x);
      }
      return one(new TensorType(x.dtype(), reducedShape(ctx, x.shape(), axes, keep)));
    }, inputScaled(flops)));
  }

  private static Shape reducedShape(InferenceContext ctx, Shape s, long[] axes, boolean keep) {
    int rank = s.rank();
    boolean[] red = new boolean[rank];
    if (axes.length == 0) {
      java.util.Arrays.fill(red, true);
    } else {
      for (int a : normalizeAxes(ElementwiseOps.nodeName(ctx), axes, rank)) {
        red[a] = true;
      }
    }
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < rank; i++) {
      if (!red[i]) {
        out.add(s.dim(i));
      } else if (keep) {
        out.add(1L);
      }
    }
    long[] d = new long[out.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = out.get(i);
    }
    return Shape.of(d);
  }

  private static void argReduce(String op) {
    OpCatalog.add(new SimpleOpSpec(op, FusionKind.REDUCTION, 1, 1, ctx -> {
      TensorType x = ctx.requireInput(0);
      checkDtype(ctx, x, NUMERIC);
      if (x == null) {
        return one(null);
      }
      if (x.shape() == null) {
        return one(new TensorType(DType.INT64, null));
      }
      long axis = ctx.attrs().getInt("axis", 0);
      boolean keep = ctx.attrs().getInt("keepdims", 1) != 0;
      return one(new TensorType(DType.INT64, reducedShape(ctx, x.shape(), new long[] {axis}, keep)));
    }, inputScaled(1)));
  }

  private static void softmaxLike(String op, int flops) {
    OpCatalog.add(new SimpleOpSpec(op, FusionKind.REDUCTION, 1, 1, ctx -> {
      TensorType x = ctx.requireInput(0);
      checkDtype(ctx, x, FLOATS);
      if (x != null && x.shape() != null) {
        int rank = x.shape().rank();
        long axis = ctx.attrs().getInt("axis", ctx.opset() >= 13 ? -1 : 1);
        if (rank == 0 ? axis != 0 && axis != -1 : axis < -rank || axis >= rank) {
          throw ctx.error("axis " + axis + " is out of range for rank " + rank);
        }
      }
      return one(x);
    }, inputScaled(flops)));
  }

  private static List<TensorType> inferLayerNorm(InferenceContext ctx) {
    TensorType x = ctx.requireInput(0);
    TensorType scale = ctx.requireInput(1);
    checkDtype(ctx, x, FLOATS);
    checkDtype(ctx, scale, FLOATS);
    long stash = ctx.attrs().getInt("stash_type", 1);
    DType u = DType.fromOnnx((int) stash);
    if (u == null || !FLOATS.contains(u)) {
      throw new UnsupportedOperatorException(ElementwiseOps.nodeName(ctx) + ": stash_type " + stash + " is not supported");
    }
    List<TensorType> r = new ArrayList<>();
    r.add(x);
    Shape stat = null;
    if (x != null && x.shape() != null) {
      int rank = x.shape().rank();
      long axis = ctx.attrs().getInt("axis", -1);
      long a = axis < 0 ? axis + rank : axis;
      if (a < 0 || a >= rank) {
        throw ctx.error("axis " + axis + " is out of range for rank " + rank);
      }
      long[] d = x.shape().dims();
      for (int i = (int) a; i < rank; i++) {
        d[i] = 1;
      }
      stat = Shape.of(d);
    }
    for (int i = 1; i < ctx.numOutputs(); i++) {
      r.add(new TensorType(u, stat));
    }
    return r;
  }
}
