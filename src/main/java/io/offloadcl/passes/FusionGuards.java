package io.offloadcl.passes;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;

/**
 * The one place that decides whether a value's producer may be merged into a consumer. Checks run cheapest
 * first: a producer exists, every use is at the consumer (one use unless parallel edges are allowed), the
 * value is not a graph output (merging would hide it), and the dtypes agree.
 *
 * <p>Parallel edges: {@code Mul(t, t)} gives {@code t} two uses at one node. Elementwise fusion may absorb such
 * a {@code t} (the expression duplicates it on its stack); epilogue fusion may not, because the fused node
 * would read its own output.
 */
public final class FusionGuards {
  private FusionGuards() {}

  /**
   * True when the producer of {@code v} may be folded into {@code consumer}.
   *
   * @param allowParallelEdges accept several uses of {@code v}, all at {@code consumer}
   */
  public static boolean canMerge(Graph g, Value v, Node consumer, boolean allowParallelEdges) {
    if (v == null || v.producer() == null) {
      return false;
    }
    int uses = v.uses().size();
    if (uses == 0 || (uses > 1 && !allowParallelEdges)) {
      return false;
    }
    for (Value.Use u : v.uses()) {
      if (u.node() != consumer) {
        return false;
      }
    }
    if (g.isOutput(v)) {
      return false;
    }
    return sameDType(v, consumer.output(0));
  }

  /** Both values have known, equal dtypes. */
  public static boolean sameDType(Value a, Value b) {
    if (a == null || b == null || a.type() == null || b.type() == null) {
      return false;
    }
    return a.type().dtype() == b.type().dtype();
  }

  /** The value's dtype is one the fused kernels compute (float32; float64 for the reference only). */
  public static boolean floatValue(Value v) {
    TensorType t = v == null ? null : v.type();
    return t != null && (t.dtype() == DType.FLOAT32 || t.dtype() == DType.FLOAT64);
  }

  /** Both values have static, equal shapes. */
  public static boolean sameStaticShape(Value a, Value b) {
    return a != null && b != null && a.type() != null && b.type() != null && a.type().isStatic()
        && b.type().isStatic() && a.type().shape().equals(b.type().shape());
  }

  /** The only node using {@code v} through exactly one edge, else null. */
  public static Node soleUser(Value v) {
    return v != null && v.uses().size() == 1 ? v.uses().get(0).node() : null;
  }
}
