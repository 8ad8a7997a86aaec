package io.offloadcl.ops;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.UnsupportedOperatorException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Catalog family file for the neural-network compute ops: Conv, ConvTranspose, AveragePool, MaxPool,
 * GlobalAveragePool, GlobalMaxPool, BatchNormalization (inference form), LRN, InstanceNormalization,
 * LpNormalization, LpPool, Gemm and MatMul.
 *
 * <p>Unsupported element types are rejected here, at shape inference, so a model fails on import rather than
 * halfway through a run. FLOPs count a multiply-add as two operations.
 */
final class NnOps {
  private NnOps() {}

  static final Set<DType> FLOATS = EnumSet.of(DType.FLOAT32, DType.FLOAT64, DType.FLOAT16, DType.BFLOAT16);
  static final Set<DType> MATMUL_TYPES = EnumSet.of(DType.FLOAT32, DType.FLOAT64, DType.FLOAT16, DType.BFLOAT16,
      DType.INT32, DType.INT64, DType.UINT32, DType.UINT64);
  static final Set<DType> MAXPOOL_TYPES = EnumSet.of(DType.FLOAT32, DType.FLOAT64, DType.FLOAT16, DType.BFLOAT16,
      DType.INT8, DType.UINT8);

  static void register() {
    OpCatalog.add(new SimpleOpSpec("Conv", FusionKind.OUT_ELEMWISE_FUSABLE, 2, 3, NnOps::inferConv, NnOps::convCost));
    OpCatalog.add(new SimpleOpSpec("ConvTranspose", FusionKind.OUT_ELEMWISE_FUSABLE, 2, 3, NnOps::inferConvTranspose,
        NnOps::convTransposeCost));
    OpCatalog.add(new SimpleOpSpec("AveragePool", FusionKind.REDUCTION, 1, 1, c -> inferPool(c, FLOATS),
        (n, i, o) -> poolCost(n, i, o, 1)));
    // REDUCTION although the Indices output makes a node unfusable: a fuser must already refuse producers
    // with more than one used output, and the kind is fixed per op type
    OpCatalog.add(new SimpleOpSpec("MaxPool", FusionKind.REDUCTION, 1, 1, c -> inferPool(c, MAXPOOL_TYPES),
        (n, i, o) -> poolCost(n, i, o, 0)));
    OpCatalog.add(new SimpleOpSpec("GlobalAveragePool", FusionKind.REDUCTION, 1, 1, NnOps::inferGlobalPool,
        NnOps::globalPoolCost));
    OpCatalog.add(new SimpleOpSpec("GlobalMaxPool", FusionKind.REDUCTION, 1, 1, NnOps::inferGlobalPool,
        NnOps::globalPoolCost));
    OpCatalog.add(new SimpleOpSpec("BatchNormalization", FusionKind.BROADCAST, 5, 5, NnOps::inferBatchNorm,
        (n, i, o) -> Costs.elementwise(i, o.isEmpty() ? o : o.subList(0, 1), 2)));
    OpCatalog.add(new SimpleOpSpec("LRN", FusionKind.REDUCTION, 1, 1, NnOps::inferLrn,
        (n, i, o) -> Costs.elementwise(i, o, 2 * (int) Math.max(1, n.attributes().getInt("size", 1)) + 4)));
    OpCatalog.add(new SimpleOpSpec("InstanceNormalization", FusionKind.REDUCTION, 3, 3, NnOps::inferInstanceNorm,
        (n, i, o) -> Costs.elementwise(i.isEmpty() ? i : i.subList(0, 1), o, 5)));
    OpCatalog.add(new SimpleOpSpec("LpNormalization", FusionKind.REDUCTION, 1, 1, NnOps::inferLpNorm,
        (n, i, o) -> Costs.elementwise(i, o, 4)));
    OpCatalog.add(new SimpleOpSpec("LpPool", FusionKind.REDUCTION, 1, 1, c -> inferPool(c, FLOATS),
        (n, i, o) -> poolCost(n, i, o, 2)));
    OpCatalog.add(new SimpleOpSpec("Gemm", FusionKind.OUT_ELEMWISE_FUSABLE, 2, 3, NnOps::inferGemm, NnOps::gemmCost));
    OpCatalog.add(new SimpleOpSpec("MatMul", FusionKind.OUT_ELEMWISE_FUSABLE, 2, 2, NnOps::inferMatMul,
        NnOps::matMulCost));
  }

  // ---------------------------------------------------------------- helpers

  static String where(InferenceContext c) {
    return "node '" + c.node().name() + "' (" + c.node().opType() + ")";
  }

  static String where(Node n) {
    return "node '" + n.name() + "' (" + n.opType() + ")";
  }

  /** Rejects an element type the reference kernels do not compute in, naming node and dtype. */
  static void requireDtype(InferenceContext c, TensorType t, Set<DType> allowed) {
    if (t != null && !allowed.contains(t.dtype())) {
      List<String> names = new ArrayList<>();
      for (DType d : allowed) {
        names.add(d.shortName());
      }
      throw new UnsupportedOperatorException(where(c) + ": element type " + t.dtype().shortName()
          + " is not supported; supported: " + String.join(", ", names));
    }
  }

  static void requireSameDtype(InferenceContext c, TensorType a, TensorType b, String what) {
    if (a != null && b != null && a.dtype() != b.dtype()) {
      throw c.error(what + " has element type " + b.dtype().shortName() + ", expected " + a.dtype().shortName());
    }
  }

  private static boolean ranked(TensorType t) {
    return t != null && t.hasRank();
  }

  private static long[] spatial(Shape s) {
    long[] d = s.dims();
    return Arrays.copyOfRange(d, 2, d.length);
  }

  /** Output types list sized to the node's outputs, the first one given, others null. */
  private static List<TensorType> one(InferenceContext c, TensorType t) {
    List<TensorType> r = new ArrayList<>();
    r.add(t);
    for (int i = 1; i < c.numOutputs(); i++) {
      r.add(null);
    }
    return r;
  }

  private static long mul(long a, long b) {
    return a < 0 || b < 0 ? -1 : a * b;
  }

  private static OpCost cost(long flops, List<TensorType> in, List<TensorType> out) {
    long r = Costs.sumBytes(in);
    long w = Costs.sumBytes(out);
    if (flops < 0 || r < 0 || w < 0) {
      return OpCost.UNKNOWN;
    }
    return new OpCost(flops, r, w);
  }

  /**
   * Kernel extents: the {@code kernel_shape} attribute, else the weight's trailing dims; when both are known
   * they must agree.
   */
  static long[] kernelShape(InferenceContext c, Shape w) {
    long[] attr = c.attrs().getInts("kernel_shape", null);
    long[] fromW = w == null ? null : Arrays.copyOfRange(w.dims(), 2, w.rank());
    if (attr != null && fromW != null) {
      if (attr.length != fromW.length) {
        throw c.error("kernel_shape " + Arrays.toString(attr) + " has " + attr.length + " axes, weight " + w
            + " has " + fromW.length + " spatial axes");
      }
      for (int i = 0; i < attr.length; i++) {
        if (fromW[i] >= 0 && fromW[i] != attr[i]) {
          throw c.error("kernel_shape " + Arrays.toString(attr) + " does not match weight shape " + w);
        }
      }
    }
    long[] k = attr != null ? attr : fromW;
    if (k != null) {
      for (long v : k) {
        if (v < 0) {
          return null;
        }
      }
    }
    return k;
  }

  // ---------------------------------------------------------------- Conv

  private static List<TensorType> inferConv(InferenceContext c) {
    TensorType x = c.requireInput(0);
    TensorType w = c.requireInput(1);
    requireDtype(c, x, FLOATS);
    requireSameDtype(c, x, w, "weight W");
    TensorType b = c.hasInput(2) ? c.inputType(2) : null;
    requireSameDtype(c, x, b, "bias B");
    DType dt = x != null ? x.dtype() : w.dtype();
    long group = c.attrs().getInt("group", 1);
    if (group <= 0) {
      throw c.error("group must be positive, got " + group);
    }
    if (!ranked(x)) {
      return one(c, new TensorType(dt, null));
    }
    if (!ranked(w)) {
      return one(c, unknownWeightConv(c, x, dt, false));
    }
    Shape xs = x.shape();
    Shape ws = w.shape();
    if (xs.rank() < 3) {
      throw c.error("input X must have rank >= 3 (N, C, spatial...), got " + xs);
    }
    if (ws.rank() != xs.rank()) {
      throw c.error("weight W must have rank " + xs.rank() + " like X " + xs + ", got " + ws);
    }
    long m = ws.dim(0);
    if (xs.dim(1) >= 0 && ws.dim(1) >= 0 && xs.dim(1) != ws.dim(1) * group) {
      throw c.error("input channels " + xs.dim(1) + " do not match W[1] * group = " + ws.dim(1) + " * " + group
          + " = " + ws.dim(1) * group + " (X " + xs + ", W " + ws + ")");
    }
    if (m >= 0 && m % group != 0) {
      throw c.error("output channels W[0] = " + m + " are not divisible by group " + group);
    }
    if (ranked(b) && m >= 0) {
      Shape bs = b.shape();
      if (bs.rank() != 1 || (bs.dim(0) >= 0 && bs.dim(0) != m)) {
        throw c.error("bias B must have shape [" + m + "], got " + bs);
      }
    }
    long[] k = kernelShape(c, ws);
    long[] sp = spatial(xs);
    long[] dims = new long[xs.rank()];
    dims[0] = xs.dim(0);
    dims[1] = m;
    if (k == null) {
      Arrays.fill(dims, 2, dims.length, -1);
    } else {
      NnGeometry g = NnGeometry.forward(where(c), sp, k, c.attrs(), false);
      System.arraycopy(g.out, 0, dims, 2, g.out.length);
    }
    return one(c, new TensorType(dt, Shape.of(dims)));
  }

  /**
   * Output type when W's shape is not known yet (weights computed in the graph): the rank follows X, the
   * spatial extents follow a {@code kernel_shape} attribute when there is one, the channels stay dynamic.
   */
  private static TensorType unknownWeightConv(InferenceContext c, TensorType x, DType dt, boolean transposed) {
    Shape xs = x.shape();
    if (xs.rank() < 3) {
      throw c.error("input X must have rank >= 3 (N, C, spatial...), got " + xs);
    }
    long[] dims = new long[xs.rank()];
    Arrays.fill(dims, -1);
    dims[0] = xs.dim(0);
    long[] k = c.attrs().getInts("kernel_shape", null);
    if (k != null) {
      long[] sp = spatial(xs);
      NnGeometry g = transposed ? NnGeometry.transposed(where(c), sp, k, c.attrs())
          : NnGeometry.forward(where(c), sp, k, c.attrs(), false);
      System.arraycopy(g.out, 0, dims, 2, g.out.length);
    }
    return new TensorType(dt, Shape.of(dims));
  }

  private static OpCost convCost(Node n, List<TensorType> in, List<TensorType> out) {
    if (in.size() < 2 || out.isEmpty() || !ranked(in.get(1)) || !ranked(out.get(0))) {
      return OpCost.UNKNOWN;
    }
    Shape w = in.get(1).shape();
    long outElems = out.get(0).shape().numElements();
    long perOut = 1;
    for (int i = 1; i < w.rank(); i++) {
      perOut = mul(perOut, w.dim(i));
    }
    long macs = mul(outElems, perOut);
    boolean bias = n.hasInput(2);
    long flops = macs < 0 ? -1 : 2 * macs + (bias ? outElems : 0);
    return cost(flops, in, out);
  }

  // ---------------------------------------------------------------- ConvTranspose

  private static List<TensorType> inferConvTranspose(InferenceContext c) {
    TensorType x = c.requireInput(0);
    TensorType w = c.requireInput(1);
    requireDtype(c, x, FLOATS);
    requireSameDtype(c, x, w, "weight W");
    TensorType b = c.hasInput(2) ? c.inputType(2) : null;
    requireSameDtype(c, x, b, "bias B");
    DType dt = x != null ? x.dtype() : w.dtype();
    long group = c.attrs().getInt("group", 1);
    if (group <= 0) {
      throw c.error("group must be positive, got " + group);
    }
    if (!ranked(x)) {
      return one(c, new TensorType(dt, null));
    }
    if (!ranked(w)) {
      return one(c, unknownWeightConv(c, x, dt, true));
    }
    Shape xs = x.shape();
    Shape ws = w.shape();
    if (xs.rank() < 3) {
      throw c.error("input X must have rank >= 3 (N, C, spatial...), got " + xs);
    }
    if (ws.rank() != xs.rank()) {
      throw c.error("weight W must have rank " + xs.rank() + " like X " + xs + ", got " + ws);
    }
    if (xs.dim(1) >= 0 && ws.dim(0) >= 0 && xs.dim(1) != ws.dim(0)) {
      throw c.error("input channels " + xs.dim(1) + " do not match W[0] = " + ws.dim(0) + " (X " + xs + ", W " + ws + ")");
    }
    if (ws.dim(0) >= 0 && ws.dim(0) % group != 0) {
      throw c.error("input channels W[0] = " + ws.dim(0) + " are not divisible by group " + group);
    }
    long m = ws.dim(1) < 0 ? -1 : ws.dim(1) * group;
    if (ranked(b) && m >= 0) {
      Shape bs = b.shape();
      if (bs.rank() != 1 || (bs.dim(0) >= 0 && bs.dim(0) != m)) {
        throw c.error("bias B must have shape [" + m + "], got " + bs);
      }
    }
    long[] k = kernelShape(c, ws);
    long[] dims = new long[xs.rank()];
    dims[0] = xs.dim(0);
    dims[1] = m;
    if (k == null) {
      Arrays.fill(dims, 2, dims.length, -1);
    } else {
      NnGeometry g = NnGeometry.transposed(where(c), spatial(xs), k, c.attrs());
      System.arraycopy(g.out, 0, dims, 2, g.out.length);
    }
    return one(c, new TensorType(dt, Shape.of(dims)));
  }

  private static OpCost convTransposeCost(Node n, List<TensorType> in, List<TensorType> out) {
    if (in.size() < 2 || out.isEmpty() || !ranked(in.get(0)) || !ranked(in.get(1)) || !ranked(out.get(0))) {
      return OpCost.UNKNOWN;
    }
    // every input element meets every tap of its group's output channels
    long macs = in.get(0).shape().numElements();
    Shape w = in.get(1).shape();
    for (int i = 1; i < w.rank(); i++) {
      macs = mul(macs, w.dim(i));
    }
    long outElems = out.get(0).shape().numElements();
    long flops = macs < 0 || outElems < 0 ? -1 : 2 * macs + (n.hasInput(2) ? outElems : 0);
    return cost(flops, in, out);
  }

  // ---------------------------------------------------------------- pools

  private static List<TensorType> inferPool(InferenceContext c, Set<DType> types) {
    TensorType x = c.requireInput(0);
    requireDtype(c, x, types);
    Attributes a = c.attrs();
    long[] k = a.getInts("kernel_shape", null);
    if (k == null) {
      throw c.error("attribute kernel_shape is required");
    }
    if (c.node().opType().equals("MaxPool")) {
      long so = a.getInt("storage_order", 0);
      if (so != 0 && so != 1) {
        throw c.error("storage_order must be 0 or 1, got " + so);
      }
    }
    List<TensorType> r = new ArrayList<>();
    TensorType y;
    if (!ranked(x)) {
      y = new TensorType(x.dtype(), null);
    } else {
      Shape xs = x.shape();
      if (xs.rank() < 3 || xs.rank() - 2 != k.length) {
        throw c.error("input X " + xs + " must have rank 2 + " + k.length + " (N, C and one axis per kernel_shape entry "
            + Arrays.toString(k) + ")");
      }
      NnGeometry g = NnGeometry.forward(where(c), spatial(xs), k, a, a.getInt("ceil_mode", 0) != 0);
      long[] dims = new long[xs.rank()];
      dims[0] = xs.dim(0);
      dims[1] = xs.dim(1);
      System.arraycopy(g.out, 0, dims, 2, g.out.length);
      y = new TensorType(x.dtype(), Shape.of(dims));
    }
    r.add(y);
    if (c.numOutputs() > 1) {
      if (!c.node().opType().equals("MaxPool")) {
        throw c.error("has " + c.numOutputs() + " outputs; expected 1");
      }
      r.add(new TensorType(DType.INT64, y.shape()));
    }
    return r;
  }

  private static OpCost poolCost(Node n, List<TensorType> in, List<TensorType> out, int extraPerOutput) {
    if (in.isEmpty() || out.isEmpty() || out.get(0) == null || !out.get(0).isStatic()) {
      return OpCost.UNKNOWN;
    }
    long k = 1;
    for (long v : n.attributes().getInts("kernel_shape", new long[0])) {
      k *= v;
    }
    long outElems = out.get(0).shape().numElements();
    return cost(outElems * (k + extraPerOutput), in, out);
  }

  private static List<TensorType> inferGlobalPool(InferenceContext c) {
    TensorType x = c.requireInput(0);
    requireDtype(c, x, c.node().opType().equals("GlobalMaxPool") ? MAXPOOL_TYPES : FLOATS);
    if (!ranked(x)) {
      return one(c, new TensorType(x.dtype(), null));
    }
    Shape xs = x.shape();
    if (xs.rank() < 3) {
      throw c.error("input X must have rank >= 3 (N, C, spatial...), got " + xs);
    }
    long[] dims = xs.dims();
    Arrays.fill(dims, 2, dims.length, 1);
    return one(c, new TensorType(x.dtype(), Shape.of(dims)));
  }

  private static OpCost globalPoolCost(Node n, List<TensorType> in, List<TensorType> out) {
    if (in.isEmpty() || in.get(0) == null || !in.get(0).isStatic()) {
      return OpCost.UNKNOWN;
    }
    return cost(in.get(0).shape().numElements() + Costs.elements(out.get(0)), in, out);
  }

  // ---------------------------------------------------------------- BatchNormalization

  private static List<TensorType> inferBatchNorm(InferenceContext c) {
    TensorType x = c.requireInput(0);
    requireDtype(c, x, FLOATS);
    Attributes a = c.attrs();
    if (a.getInt("training_mode", 0) != 0) {
      throw new UnsupportedOperatorException(where(c) + ": training_mode=1 is not supported (inference only)");
    }
    if (c.opset() < 7 && a.has("is_test") && a.getInt("is_test", 0) == 0) {
      throw new UnsupportedOperatorException(where(c) + ": is_test=0 (training) is not supported (inference only)");
    }
    for (int i = 1; i < c.numOutputs(); i++) {
      if (c.node().output(i) != null) {
        throw new UnsupportedOperatorException(where(c) + ": output " + i
            + " (running or saved statistics) exists only in training; inference form has one output");
      }
    }
    for (int i = 1; i < 5; i++) {
      TensorType p = c.inputType(i);
      requireDtype(c, p, FLOATS);
      if (!ranked(x) || !ranked(p)) {
        continue;
      }
      Shape xs = x.shape();
      if (xs.rank() < 2) {
        throw c.error("input X must have rank >= 2 (N, C, ...), got " + xs);
      }
      boolean spatial = c.opset() >= 9 || a.getInt("spatial", 1) != 0;
      long[] want = spatial ? new long[] {xs.dim(1)} : Arrays.copyOfRange(xs.dims(), 1, xs.rank());
      Shape ps = p.shape();
      long wantCount = Shape.of(want).numElements();
      boolean ok = ps.rank() == want.length;
      for (int d = 0; ok && d < want.length; d++) {
        ok = want[d] < 0 || ps.dim(d) < 0 || ps.dim(d) == want[d];
      }
      // spatial=0 parameters are sometimes given flat over C x D1 x ...
      if (!ok && !spatial && ps.rank() == 1 && wantCount >= 0 && ps.dim(0) == wantCount) {
        ok = true;
      }
      if (!ok) {
        throw c.error("input " + i + " must have shape " + Shape.of(want) + " for X " + xs + ", got " + ps);
      }
    }
    return one(c, x);
  }

  // ---------------------------------------------------------------- LRN, InstanceNormalization

  private static List<TensorType> inferLrn(InferenceContext c) {
    TensorType x = c.requireInput(0);
    requireDtype(c, x, FLOATS);
    long size = c.attrs().getInt("size", -1);
    if (size <= 0) {
      throw c.error("attribute size must be a positive integer, got " + (c.attrs().has("size") ? size : "none"));
    }
    if (ranked(x) && x.shape().rank() < 2) {
      throw c.error("input X must have rank >= 2 (N, C, ...), got " + x.shape());
    }
    return one(c, x);
  }

  private static List<TensorType> inferInstanceNorm(InferenceContext c) {
    TensorType x = c.requireInput(0);
    requireDtype(c, x, FLOATS);
    for (int i = 1; i < 3; i++) {
      TensorType p = c.requireInput(i);
      requireSameDtype(c, x, p, "input " + i);
      if (ranked(x) && ranked(p) && x.shape().rank() >= 2) {
        long ch = x.shape().dim(1);
        Shape ps = p.shape();
        if (ps.rank() != 1 || (ch >= 0 && ps.dim(0) >= 0 && ps.dim(0) != ch)) {
          throw c.error("input " + i + " must have shape [" + ch + "] for X " + x.shape() + ", got " + ps);
        }
      }
    }
    if (ranked(x) && x.shape().rank() < 3) {
      throw c.error("input X must have rank >= 3 (N, C, spatial...), got " + x.shape());
    }
    return one(c, x);
  }

  private static List<TensorType> inferLpNorm(InferenceContext c) {
    TensorType x = c.requireInput(0);
    requireDtype(c, x, FLOATS);
    long p = c.attrs().getInt("p", 2);
    if (p != 1 && p != 2) {
      throw c.error("attribute p must be 1 or 2, got " + p);
    }
    if (ranked(x)) {
      int r = x.shape().rank();
      long axis = c.attrs().getInt("axis", -1);
      if (axis < -r || axis >= r) {
        throw c.error("axis " + axis + " is out of range for X " + x.shape());
      }
    }
    return one(c, x);
  }

  // ---------------------------------------------------------------- Gemm

  private static List<TensorType> inferGemm(InferenceContext c) {
    TensorType ta = c.requireInput(0);
    TensorType tb = c.requireInput(1);
    requireDtype(c, ta, MATMUL_TYPES);
    requireSameDtype(c, ta, tb, "input B");
    TensorType tc = c.hasInput(2) ? c.inputType(2) : null;
    requireSameDtype(c, ta, tc, "input C");
    DType dt = ta != null ? ta.dtype() : tb.dtype();
    if (!ranked(ta) || !ranked(tb)) {
      return one(c, new TensorType(dt, Shape.of(-1, -1)));
    }
    Shape as = ta.shape();
    Shape bs = tb.shape();
    if (as.rank() != 2 || bs.rank() != 2) {
      throw c.error("A and B must be matrices, got A " + as + " and B " + bs);
    }
    boolean transA = c.attrs().getInt("transA", 0) != 0;
    boolean transB = c.attrs().getInt("transB", 0) != 0;
    long m = transA ? as.dim(1) : as.dim(0);
    long ka = transA ? as.dim(0) : as.dim(1);
    long kb = transB ? bs.dim(1) : bs.dim(0);
    long n = transB ? bs.dim(0) : bs.dim(1);
    if (ka >= 0 && kb >= 0 && ka != kb) {
      throw c.error("inner dimensions differ: A" + (transA ? "^T" : "") + " " + as + " has K = " + ka + ", B"
          + (transB ? "^T" : "") + " " + bs + " has K = " + kb);
    }
    if (ranked(tc)) {
      Shape cs = tc.shape();
      boolean legacyExact = c.opset() < 7 && c.attrs().getInt("broadcast", 0) == 0;
      long[] want = {m, n};
      boolean ok = cs.rank() <= 2;
      for (int i = 0; ok && i < cs.rank(); i++) {
        long cd = cs.dim(i);
        long wd = want[want.length - cs.rank() + i];
        ok = cd < 0 || wd < 0 || cd == wd || (cd == 1 && !legacyExact);
      }
      if (legacyExact && cs.rank() != 2) {
        ok = false;
      }
      if (!ok) {
        throw c.error("C " + cs + " does not broadcast to the output [" + m + "," + n + "]"
            + (legacyExact ? " (broadcast=0 needs exactly that shape)" : ""));
      }
    }
    return one(c, new TensorType(dt, Shape.of(m, n)));
  }

  private static OpCost gemmCost(Node node, List<TensorType> in, List<TensorType> out) {
    if (in.size() < 2 || !ranked(in.get(0)) || out.isEmpty() || !ranked(out.get(0))) {
      return OpCost.UNKNOWN;
    }
    Shape as = in.get(0).shape();
    boolean transA = node.attributes().getInt("transA", 0) != 0;
    long k = as.rank() == 2 ? as.dim(transA ? 0 : 1) : -1;
    long outElems = out.get(0).shape().numElements();
    long macs = mul(outElems, k);
    long flops = macs < 0 ? -1 : 2 * macs + (node.hasInput(2) ? 2 * outElems : outElems);
    return cost(flops, in, out);
  }

  // ---------------------------------------------------------------- MatMul

  private static List<TensorType> inferMatMul(InferenceContext c) {
    TensorType ta = c.requireInput(0);
    TensorType tb = c.requireInput(1);
    requireDtype(c, ta, MATMUL_TYPES);
    requireSameDtype(c, ta, tb, "input B");
    DType dt = ta != null ? ta.dtype() : tb.dtype();
    if (!ranked(ta) || !ranked(tb)) {
      return one(c, new TensorType(dt, null));
    }
    long[] a = ta.shape().dims();
    long[] b = tb.shape().dims();
    if (a.length == 0 || b.length == 0) {
      throw c.error("MatMul operands must have rank >= 1, got " + ta.shape() + " and " + tb.shape());
    }
    long[] a2 = a.length == 1 ? new long[] {1, a[0]} : a;
    long[] b2 = b.length == 1 ? new long[] {b[0], 1} : b;
    long ka = a2[a2.length - 1];
    long kb = b2[b2.length - 2];
    if (ka >= 0 && kb >= 0 && ka != kb) {
      throw c.error("inner dimensions differ: A " + ta.shape() + " has K = " + ka + ", B " + tb.shape() + " has K = " + kb);
    }
    long[] batch;
    try {
      batch = Broadcast.shape(Arrays.copyOf(a2, a2.length - 2), Arrays.copyOf(b2, b2.length - 2));
    } catch (RuntimeException e) {
      throw c.error("batch dimensions of A " + ta.shape() + " and B " + tb.shape() + " do not broadcast");
    }
    List<Long> dims = new ArrayList<>();
    for (long d : batch) {
      dims.add(d);
    }
    if (a.length > 1) {
      dims.add(a2[a2.length - 2]);
    }
    if (b.length > 1) {
      dims.add(b2[b2.length - 1]);
    }
    long[] o = new long[dims.size()];
    for (int i = 0; i < o.length; i++) {
      o[i] = dims.get(i);
    }
    return one(c, new TensorType(dt, Shape.of(o)));
  }

  private static OpCost matMulCost(Node node, List<TensorType> in, List<TensorType> out) {
    if (in.size() < 2 || !ranked(in.get(0)) || out.isEmpty() || !ranked(out.get(0))) {
      return OpCost.UNKNOWN;
    }
    Shape as = in.get(0).shape();
    long k = as.dim(as.rank() - 1);
    long macs = mul(out.get(0).shape().numElements(), k);
    return cost(macs < 0 ? -1 : 2 * macs, in, out);
  }
}
