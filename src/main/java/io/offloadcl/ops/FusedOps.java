package io.offloadcl.ops;

import io.offloadcl.ir.Shape;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.UnsupportedOperatorException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Our own ops (domain {@code offloadcl}), made by the graph passes. Each is a real op: it has shape inference,
 * a fusion kind, a cost, a reference kernel ({@code runtime.cpu.FusedKernels}) and, through codegen, one OpenCL
 * kernel.
 *
 * <h2>Epilogue (FusedConv, FusedGemm, FusedMatMul)</h2>
 * The node keeps every attribute of the op it replaces and adds:
 * <ul>
 *   <li>{@code activation} (string, optional): a one-operand function of {@link FusedExpr}, e.g. {@code Relu},
 *       {@code Clip}, {@code LeakyRelu}, {@code HardSigmoid}, {@code HardSwish}, {@code Sigmoid}, {@code Tanh},
 *       {@code Gelu} (erf form), {@code GeluTanh} (tanh approximation);</li>
 *   <li>{@code activation_params} (floats, optional): its parameters in {@link FusedExpr} order — Clip: min, max;
 *       LeakyRelu/Elu: alpha; HardSigmoid: alpha, beta; Selu: alpha, gamma;</li>
 *   <li>{@code residual} (int 0/1): when 1, input slot 3 holds a tensor Z of the output's shape.</li>
 *   <li>{@code pool_kernel} (ints, FusedConv only, optional): a max pool over non-overlapping windows of these
 *       spatial extents (strides equal to the kernel, no padding, floor rounding) applied after the epilogue, so
 *       the output is the pooled shape: {@code Y = MaxPool(act(Conv(...)))}. Not combined with a residual (Z
 *       would be indexed at the unpooled position). Made by {@code passes.fusion.FuseMaxPoolIntoConv}.</li>
 *   <li>{@code row_op} (string, FusedGemm only, optional): {@code softmax} or {@code logsoftmax} over each row
 *       (the last axis) of the 2-D output, applied after the epilogue: {@code Y = Softmax(act(Gemm(...) + Z),
 *       axis=-1)}. Shapes unchanged. Made by {@code passes.fusion.FuseRowSoftmaxIntoGemm}.</li>
 * </ul>
 * Inputs: FusedConv {@code (X, W, B?, Z?)}, FusedGemm {@code (A, B, C?, Z?)}, FusedMatMul {@code (A, B, bias?, Z?)}
 * where {@code bias} broadcasts against the product. The result is {@code Y = act(op(...) + Z)}: the residual is
 * added before the activation (ResNet's {@code Relu(Add(Conv, shortcut))}).
 *
 * <h2>FusedElementwise program</h2>
 * Attribute {@code expr} (strings) is a postfix program evaluated once per output element; the output shape is
 * the broadcast of all input shapes and the dtype that of input 0. Tokens:
 * <ul>
 *   <li>{@code in:K} pushes input K's element (broadcast to the output index);</li>
 *   <li>{@code const:F} pushes the float literal F ({@link Float#toString} form, e.g. {@code const:0.5});</li>
 *   <li>{@code dup} pushes a copy of the top (a value used twice, as in {@code Mul(t, t)});</li>
 *   <li>{@code NAME} or {@code NAME:P1:P2} pops the function's operands (for two, the second popped is the left
 *       one), applies it with the float parameters and pushes the result; functions and parameter order as in
 *       {@link FusedExpr}, e.g. {@code Clip:0.0:6.0}.</li>
 * </ul>
 * Example: {@code Relu(x * y + 1)} is {@code [in:0, in:1, Mul, const:1.0, Add, Relu]}.
 *
 * <h2>Im2Col</h2>
 * {@code Im2Col(X[N,C,H,W])} with Conv's {@code kernel_shape}, {@code strides}, {@code pads}, {@code dilations}
 * gives {@code [N, C*kh*kw, OH*OW]}; row {@code (c*kh + i)*kw + j} holds input pixel
 * {@code (c, oh*sh - pt + i*dh, ow*sw - pl + j*dw)} or 0 in the padding. A conv is then a MatMul with the
 * weights reshaped to {@code [M, C*kh*kw]}.
 */
public final class FusedOps {
  /**
   * Longest row (columns N) a FusedGemm's {@code row_op} may normalize: the kernel keeps a row in a work-item's
   * private memory. The fusion pass and codegen both read it, so they cannot disagree.
   */
  public static final long ROW_OP_MAX_N = 256;

  private FusedOps() {}

  /** Registers the fused ops with the catalog (called from its static block). */
  public static void register() {
    OpCatalog.add(new SimpleOpSpec("FusedConv", FusionKind.OUT_ELEMWISE_FUSABLE, 2, 4,
        ctx -> epilogueTypes(ctx, "Conv", 3), (n, ins, outs) -> epilogueCost("Conv", 3, n, ins, outs)));
    OpCatalog.add(new SimpleOpSpec("FusedGemm", FusionKind.OUT_ELEMWISE_FUSABLE, 2, 4,
        ctx -> epilogueTypes(ctx, "Gemm", 3), (n, ins, outs) -> epilogueCost("Gemm", 3, n, ins, outs)));
    OpCatalog.add(new SimpleOpSpec("FusedMatMul", FusionKind.OUT_ELEMWISE_FUSABLE, 2, 4,
        ctx -> epilogueTypes(ctx, "MatMul", 2), (n, ins, outs) -> epilogueCost("MatMul", 2, n, ins, outs)));
    OpCatalog.add(new SimpleOpSpec("FusedElementwise", FusionKind.BROADCAST, 1, Integer.MAX_VALUE,
        FusedOps::elementwiseTypes, FusedOps::elementwiseCost));
    OpCatalog.add(new SimpleOpSpec("Im2Col", FusionKind.INJECTIVE, 1, 1, FusedOps::im2colTypes,
        (n, ins, outs) -> Costs.movement(ins, outs)));
  }

  private static OpSpec base(String op) {
    OpSpec s = OpCatalog.find(op);
    if (s == null) {
      throw new UnsupportedOperatorException("fused op needs the " + op + " spec, which is not in the catalog");
    }
    return s;
  }

  private static List<TensorType> epilogueTypes(InferenceContext ctx, String op, int baseInputs) {
    List<TensorType> types = new ArrayList<>();
    List<TensorData> consts = new ArrayList<>();
    for (int i = 0; i < baseInputs; i++) {
      types.add(ctx.hasInput(i) ? ctx.inputType(i) : null);
      consts.add(ctx.hasInput(i) ? ctx.inputConstant(i) : null);
    }
    List<TensorType> out = base(op).inferTypes(new InferenceContext(ctx.node(), types, consts));
    long[] pool = ctx.attrs().getInts("pool_kernel", null);
    if (pool != null) {
      out = pooled(ctx, out, pool);
    }
    TensorType y = out.isEmpty() ? null : out.get(0);
    String rowOp = ctx.attrs().getString("row_op", "");
    if (!rowOp.isEmpty() && !(op.equals("Gemm") && (rowOp.equals("softmax") || rowOp.equals("logsoftmax")))) {
      throw ctx.error("row_op '" + rowOp + "': expected softmax or logsoftmax on a FusedGemm");
    }
    String act = ctx.attrs().getString("activation", "");
    if (!act.isEmpty()) {
      FusedExpr.Fn f = FusedExpr.fn(act);
      if (f == null || f.arity() != 1) {
        throw ctx.error("activation '" + act + "' is not a one-operand function of FusedExpr");
      }
      float[] p = ctx.attrs().getFloats("activation_params", new float[0]);
      if (p.length != f.params()) {
        throw ctx.error("activation " + act + " takes " + f.params() + " parameters, activation_params has " + p.length);
      }
    }
    boolean residual = ctx.attrs().getInt("residual", 0) != 0;
    if (residual != ctx.hasInput(3)) {
      throw ctx.error(residual ? "residual=1 but input 3 (Z) is missing" : "input 3 (Z) is given but residual=0");
    }
    if (residual && y != null && y.hasRank()) {
      TensorType z = ctx.inputType(3);
      if (z != null && z.hasRank()) {
        long[] b = Broadcast.shape(y.shape().dims(), z.shape().dims());
        if (b.length != y.shape().rank() || !Shape.of(b).compatibleWith(y.shape())) {
          throw ctx.error("residual Z " + z + " would change the output shape " + y);
        }
      }
    }
    if (op.equals("MatMul") && ctx.hasInput(2) && y != null && y.hasRank()) {
      TensorType b = ctx.inputType(2);
      if (b != null && b.hasRank()) {
        long[] s = Broadcast.shape(y.shape().dims(), b.shape().dims());
        if (s.length != y.shape().rank()) {
          throw ctx.error("bias " + b + " would change the output shape " + y);
        }
      }
    }
    return out;
  }

  /** The conv output types with the spatial dims divided (floor) by {@code pool_kernel}. */
  private static List<TensorType> pooled(InferenceContext ctx, List<TensorType> out, long[] pool) {
    if (!ctx.node().opType().equals("FusedConv")) {
      throw ctx.error("pool_kernel is a FusedConv attribute, not one of " + ctx.node().opType());
    }
    if (ctx.attrs().getInt("residual", 0) != 0) {
      throw ctx.error("pool_kernel with residual=1: the residual would be indexed at the unpooled position");
    }
    TensorType y = out.isEmpty() ? null : out.get(0);
    if (y == null || !y.hasRank()) {
      return out;
    }
    long[] d = y.shape().dims().clone();
    if (pool.length != d.length - 2) {
      throw ctx.error("pool_kernel " + Arrays.toString(pool) + " has " + pool.length + " axes, the conv output "
          + y + " has " + (d.length - 2) + " spatial axes");
    }
    for (int i = 0; i < pool.length; i++) {
      if (pool[i] <= 0) {
        throw ctx.error("pool_kernel " + Arrays.toString(pool) + " must be positive");
      }
      if (d[i + 2] >= 0) {
        if (d[i + 2] < pool[i]) {
          throw ctx.error("pool_kernel " + Arrays.toString(pool) + " exceeds the conv output " + y);
        }
        d[i + 2] /= pool[i];
      }
    }
    return List.of(new TensorType(y.dtype(), Shape.of(d)));
  }

  private static OpCost epilogueCost(String op, int baseInputs, io.offloadcl.ir.Node n, List<TensorType> ins,
      List<TensorType> outs) {
    // ins lists the present inputs only, in order; base inputs come first
    List<TensorType> baseIns = new ArrayList<>();
    long extra = 0;
    int present = 0;
    for (int slot = 0; slot < n.inputs().size() && present < ins.size(); slot++) {
      if (n.input(slot) == null) {
        continue;
      }
      TensorType t = ins.get(present++);
      if (slot < baseInputs) {
        baseIns.add(t);
      } else {
        long b = Costs.bytes(t);
        if (b < 0) {
          return OpCost.UNKNOWN;
        }
        extra += b;
      }
    }
    long[] pool = n.attributes().getInts("pool_kernel", null);
    long window = 1;
    if (pool != null) {
      for (long k : pool) {
        window *= k;
      }
    }
    OpCost c = base(op).cost(n, baseIns, outs);
    if (!c.isKnown()) {
      return c;
    }
    long e = 0;
    for (TensorType t : outs) {
      e += Math.max(0, Costs.elements(t));
    }
    // a row softmax costs what the Softmax op does per element (ReductionOps: 6)
    long row = n.attributes().getString("row_op", "").isEmpty() ? 0 : 6 * e;
    // a pooled node computes window conv outputs (and their epilogue and max) per stored element
    return new OpCost(window * (c.flops() + 3 * e) - e + row, c.bytesRead() + extra, c.bytesWritten());
  }

  private static List<TensorType> elementwiseTypes(InferenceContext ctx) {
    String[] program = ctx.attrs().getStrings("expr", null);
    try {
      FusedExpr.parse(program, ctx.numInputs());
    } catch (ShapeMismatchException e) {
      throw ctx.error(e.getMessage());
    }
    TensorType first = ctx.requireInput(0);
    long[] shape = new long[0];
    for (int i = 0; i < ctx.numInputs(); i++) {
      TensorType t = ctx.requireInput(i);
      if (t == null || !t.hasRank()) {
        return List.of(first == null ? null : new TensorType(first.dtype(), null));
      }
      shape = Broadcast.shape(shape, t.shape().dims());
    }
    return List.of(new TensorType(first.dtype(), Shape.of(shape)));
  }

  private static OpCost elementwiseCost(io.offloadcl.ir.Node n, List<TensorType> ins, List<TensorType> outs) {
    String[] program = n.attributes().getStrings("expr", new String[0]);
    return Costs.elementwise(ins, outs, Math.max(1, FusedExpr.applications(program)));
  }

  private static List<TensorType> im2colTypes(InferenceContext ctx) {
    TensorType x = ctx.requireInput(0);
    long[] k = ctx.attrs().getInts("kernel_shape", null);
    if (k == null || k.length != 2) {
      throw ctx.error("Im2Col needs a 2-element kernel_shape");
    }
    if (x == null || !x.hasRank()) {
      return List.of(x == null ? null : new TensorType(x.dtype(), Shape.of(-1, -1, -1)));
    }
    if (x.shape().rank() != 4) {
      throw ctx.error("Im2Col input must be [N,C,H,W], got " + x);
    }
    long[] s = im2colShape(x.shape().dims(), k, ctx.attrs().getInts("strides", null),
        ctx.attrs().getInts("pads", null), ctx.attrs().getInts("dilations", null));
    return List.of(new TensorType(x.dtype(), Shape.of(s)));
  }

  /** Output shape of Im2Col for input dims {@code [N,C,H,W]}; dynamic dims stay -1. */
  public static long[] im2colShape(long[] x, long[] k, long[] strides, long[] pads, long[] dilations) {
    long[] st = strides == null ? new long[] {1, 1} : strides;
    long[] p = pads == null ? new long[4] : pads;
    long[] d = dilations == null ? new long[] {1, 1} : dilations;
    long oh = x[2] < 0 ? -1 : (x[2] + p[0] + p[2] - (d[0] * (k[0] - 1) + 1)) / st[0] + 1;
    long ow = x[3] < 0 ? -1 : (x[3] + p[1] + p[3] - (d[1] * (k[1] - 1) + 1)) / st[1] + 1;
    long rows = x[1] < 0 ? -1 : x[1] * k[0] * k[1];
    return new long[] {x[0], rows, oh < 0 || ow < 0 ? -1 : oh * ow};
  }
}
