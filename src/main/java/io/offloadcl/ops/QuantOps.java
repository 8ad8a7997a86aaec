package io.offloadcl.ops;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * Catalog family file for the INT8 ops the quantization rewrite emits (domain "offloadcl").
 *
 * <ul>
 *   <li>{@code QuantizeInt8(X float) -> int8}: saturating, symmetric, {@code q = clamp(rint(x / scale), -127,
 *       127)}; attribute {@code scale}.
 *   <li>{@code DequantizeInt8(Q int8) -> float}: {@code x = q * scale}.
 *   <li>{@code QConvInt8(X int8, W int8, B int32?, M float[Cout])}: 2-D convolution (Conv attributes) with int32
 *       accumulation; per output channel the accumulator plus bias is multiplied by {@code M[c]}, the optional
 *       {@code activation="Relu"} epilogue applied, and the result either kept as float ({@code to=1}) or
 *       requantized to int8 ({@code to=3}) for the next quantized op.
 *   <li>{@code QGemmInt8(A int8 [..., K], W int8 [N, K], B int32[N]?, M float[N])}: {@code Y[..., n] = act(M[n]
 *       * (sum_k A[..., k] W[n, k] + B[n]))}, same epilogue and output choice. Gemm and MatMul with a constant
 *       right operand both lower to it.
 * </ul>
 * Scales of the int8 tensors are kept as attributes ({@code x_scale}, {@code y_scale}) for reports; the kernel
 * only needs {@code M}, so requantization is one multiply per output element.
 */
public final class QuantOps {
  private QuantOps() {}

  static void register() {
    OpCatalog.add(new SimpleOpSpec("QuantizeInt8", FusionKind.ELEMWISE, 1, 1,
        c -> elementwise(c, DType.FLOAT32, DType.INT8), null));
    OpCatalog.add(new SimpleOpSpec("DequantizeInt8", FusionKind.ELEMWISE, 1, 1,
        c -> elementwise(c, DType.INT8, DType.FLOAT32), null));
    OpCatalog.add(new SimpleOpSpec("QConvInt8", FusionKind.OUT_ELEMWISE_FUSABLE, 4, 4, QuantOps::inferConv,
        QuantOps::convCost));
    OpCatalog.add(new SimpleOpSpec("QGemmInt8", FusionKind.OUT_ELEMWISE_FUSABLE, 4, 4, QuantOps::inferGemm,
        QuantOps::gemmCost));
  }

  /** The output dtype a QConvInt8/QGemmInt8 node declares with its {@code to} attribute. */
  public static DType outputType(Node n) {
    long to = n.attributes().getInt("to", DType.FLOAT32.onnxCode());
    return to == DType.INT8.onnxCode() ? DType.INT8 : DType.FLOAT32;
  }

  private static List<TensorType> elementwise(InferenceContext c, DType in, DType out) {
    TensorType x = c.requireInput(0);
    if (x != null && x.dtype() != in) {
      throw c.error("input must be " + in + ", got " + x);
    }
    if (c.attrs().getFloat("scale", 0f) <= 0f) {
      throw c.error("attribute scale must be > 0, got " + c.attrs().getFloat("scale", 0f));
    }
    return List.of(new TensorType(out, x == null ? null : x.shape()));
  }

  private static void checkOutputAttr(InferenceContext c) {
    long to = c.attrs().getInt("to", DType.FLOAT32.onnxCode());
    if (to != DType.FLOAT32.onnxCode() && to != DType.INT8.onnxCode()) {
      throw c.error("attribute to must be 1 (float) or 3 (int8), got " + to);
    }
    String act = c.attrs().getString("activation", "");
    if (!act.isEmpty() && !act.equals("Relu")) {
      throw c.error("activation must be \"\" or \"Relu\", got \"" + act + "\"");
    }
  }

  private static void requireInt8(InferenceContext c, int i, String what) {
    TensorType t = c.requireInput(i);
    if (t != null && t.dtype() != DType.INT8) {
      throw c.error(what + " (input " + i + ") must be int8, got " + t);
    }
  }

  private static void checkBiasAndMultiplier(InferenceContext c, long channels) {
    if (c.hasInput(2)) {
      TensorType b = c.inputType(2);
      if (b != null && (b.dtype() != DType.INT32 || (b.isStatic() && channels >= 0 && Costs.elements(b) != channels))) {
        throw c.error("bias (input 2) must be int32[" + channels + "], got " + b);
      }
    }
    TensorType m = c.requireInput(3);
    if (m != null && (m.dtype() != DType.FLOAT32 || (m.isStatic() && channels >= 0 && Costs.elements(m) != channels))) {
      throw c.error("multiplier (input 3) must be float32[" + channels + "], got " + m);
    }
  }

  private static List<TensorType> inferConv(InferenceContext c) {
    checkOutputAttr(c);
    requireInt8(c, 0, "X");
    requireInt8(c, 1, "W");
    TensorType x = c.inputType(0);
    TensorType w = c.inputType(1);
    DType out = outputType(c.node());
    if (w == null || !w.hasRank() || w.shape().rank() != 4 || !w.isStatic()) {
      throw c.error("W must be a static int8 [Cout, Cin/group, kh, kw] tensor, got " + w);
    }
    Shape ws = w.shape();
    checkBiasAndMultiplier(c, ws.dim(0));
    if (x == null || !x.hasRank()) {
      return List.of(new TensorType(out, null));
    }
    Shape xs = x.shape();
    if (xs.rank() != 4) {
      throw c.error("X must have rank 4 (N, C, H, W), got " + xs);
    }
    long group = c.attrs().getInt("group", 1);
    if (xs.dim(1) >= 0 && xs.dim(1) != ws.dim(1) * group) {
      throw c.error("X has " + xs.dim(1) + " channels but W " + ws + " with group " + group + " needs "
          + ws.dim(1) * group);
    }
    long[] k = {ws.dim(2), ws.dim(3)};
    NnGeometry g = NnGeometry.forward(NnOps.where(c), new long[] {xs.dim(2), xs.dim(3)}, k, c.attrs(), false);
    return List.of(new TensorType(out, Shape.of(xs.dim(0), ws.dim(0), g.out[0], g.out[1])));
  }

  private static List<TensorType> inferGemm(InferenceContext c) {
    checkOutputAttr(c);
    requireInt8(c, 0, "A");
    requireInt8(c, 1, "W");
    TensorType a = c.inputType(0);
    TensorType w = c.inputType(1);
    DType out = outputType(c.node());
    if (w == null || !w.hasRank() || w.shape().rank() != 2 || !w.isStatic()) {
      throw c.error("W must be a static int8 [N, K] tensor, got " + w);
    }
    long n = w.shape().dim(0);
    long k = w.shape().dim(1);
    checkBiasAndMultiplier(c, n);
    if (a == null || !a.hasRank()) {
      return List.of(new TensorType(out, null));
    }
    Shape as = a.shape();
    if (as.rank() < 1) {
      throw c.error("A must have rank >= 1, got " + as);
    }
    long ak = as.dim(as.rank() - 1);
    if (ak >= 0 && ak != k) {
      throw c.error("A " + as + " has inner dimension " + ak + " but W " + w.shape() + " needs " + k);
    }
    long[] dims = Arrays.copyOf(dimsOf(as), as.rank());
    dims[dims.length - 1] = n;
    return List.of(new TensorType(out, Shape.of(dims)));
  }

  private static long[] dimsOf(Shape s) {
    long[] d = new long[s.rank()];
    for (int i = 0; i < d.length; i++) {
      d[i] = s.dim(i);
    }
    return d;
  }

  private static OpCost convCost(Node n, List<TensorType> in, List<TensorType> out) {
    TensorType w = in.get(1);
    TensorType y = out.isEmpty() ? null : out.get(0);
    if (w == null || y == null || !w.isStatic() || !y.isStatic()) {
      return OpCost.UNKNOWN;
    }
    long macs = Costs.elements(y) * (Costs.elements(w) / w.shape().dim(0));
    return new OpCost(2 * macs, Costs.sumBytes(in), Costs.sumBytes(out));
  }

  private static OpCost gemmCost(Node n, List<TensorType> in, List<TensorType> out) {
    TensorType w = in.get(1);
    TensorType y = out.isEmpty() ? null : out.get(0);
    if (w == null || y == null || !w.isStatic() || !y.isStatic()) {
      return OpCost.UNKNOWN;
    }
    long macs = Costs.elements(y) * w.shape().dim(1);
    return new OpCost(2 * macs, Costs.sumBytes(in), Costs.sumBytes(out));
  }
}
