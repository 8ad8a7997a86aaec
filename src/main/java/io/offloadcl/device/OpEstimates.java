package io.offloadcl.device;

import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.FusionKind;
import io.offloadcl.ops.OpCost;
import io.offloadcl.ops.OpSpec;
import io.offloadcl.ops.OpCatalog;
import io.offloadcl.ops.ShapeInference;
import java.util.Map;

/**
 * The cost model's view of an op: its {@link OpCost} and {@link FusionKind}. The op catalog is the authority;
 * for ops it does not (yet) know or whose cost it cannot give, a rough estimate from the value types is used
 * so that a placement can still be made — heavy ops by their multiply-add count, everything else as one
 * flop per output element with every input read and every output written once.
 */
public final class OpEstimates {
  private static final Map<String, FusionKind> FALLBACK_KINDS = Map.ofEntries(
      Map.entry("MatMul", FusionKind.OUT_ELEMWISE_FUSABLE), Map.entry("Gemm", FusionKind.OUT_ELEMWISE_FUSABLE),
      Map.entry("Conv", FusionKind.OUT_ELEMWISE_FUSABLE), Map.entry("FusedConv", FusionKind.OPAQUE),
      Map.entry("FusedGemm", FusionKind.OPAQUE), Map.entry("Relu", FusionKind.ELEMWISE),
      Map.entry("Sigmoid", FusionKind.ELEMWISE), Map.entry("Tanh", FusionKind.ELEMWISE),
      Map.entry("Add", FusionKind.BROADCAST), Map.entry("Mul", FusionKind.BROADCAST),
      Map.entry("Sub", FusionKind.BROADCAST), Map.entry("Div", FusionKind.BROADCAST),
      Map.entry("Transpose", FusionKind.INJECTIVE), Map.entry("Reshape", FusionKind.INJECTIVE),
      Map.entry("Concat", FusionKind.INJECTIVE), Map.entry("MaxPool", FusionKind.OPAQUE),
      Map.entry("AveragePool", FusionKind.OPAQUE), Map.entry("Softmax", FusionKind.OPAQUE),
      Map.entry("ReduceMean", FusionKind.REDUCTION), Map.entry("ReduceSum", FusionKind.REDUCTION),
      Map.entry("GlobalAveragePool", FusionKind.REDUCTION));

  private OpEstimates() {}

  /** The op's fusion kind from the catalog, else a table of common ops, else OPAQUE. */
  public static FusionKind kind(Node n) {
    OpSpec spec = OpCatalog.find(n.domain(), n.opType());
    if (spec != null) {
      return spec.fusionKind();
    }
    return FALLBACK_KINDS.getOrDefault(n.opType(), FusionKind.OPAQUE);
  }

  /** The op's cost from the catalog when it knows it, else the estimate described above; unknown stays -1. */
  public static OpCost cost(Node n) {
    OpCost c = ShapeInference.cost(n);
    if (c.isKnown()) {
      return c;
    }
    long read = 0;
    for (Value v : n.inputs()) {
      if (v != null) {
        long b = bytes(v.type());
        if (b < 0) {
          return OpCost.UNKNOWN;
        }
        read += b;
      }
    }
    long written = 0;
    long outElems = 0;
    for (Value v : n.outputs()) {
      if (v != null) {
        long b = bytes(v.type());
        if (b < 0) {
          return OpCost.UNKNOWN;
        }
        written += b;
        outElems += v.type().shape().numElements();
      }
    }
    long flops = outElems;
    TensorType a = n.inputs().isEmpty() || n.input(0) == null ? null : n.input(0).type();
    TensorType w = n.inputs().size() < 2 || n.input(1) == null ? null : n.input(1).type();
    if (a != null && w != null && a.hasRank() && w.hasRank()) {
      switch (n.opType()) {
        case "MatMul":
        case "Gemm":
        case "FusedGemm":
        case "FusedMatMul": {
          long k = n.opType().contains("Gemm") && n.attributes().getInt("transA", 0) != 0
              ? a.shape().dim(0) : a.shape().dim(a.shape().rank() - 1);
          flops = 2 * outElems * Math.max(1, k);
          break;
        }
        case "Conv":
        case "FusedConv": {
          long perOut = 1;
          for (int i = 1; i < w.shape().rank(); i++) {
            perOut *= Math.max(1, w.shape().dim(i));
          }
          flops = 2 * outElems * perOut;
          break;
        }
        default:
          break;
      }
    }
    return new OpCost(flops, read, written);
  }

  private static long bytes(TensorType t) {
    return t == null || !t.isStatic() ? -1 : t.byteSize();
  }
}
