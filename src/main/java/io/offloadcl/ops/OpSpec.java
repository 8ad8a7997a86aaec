package io.offloadcl.ops;

import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorType;
import java.util.List;

/**
 * One operator of the catalog: its inputs, its fusion kind, static type/shape inference and its cost. The
 * reference kernel that runs it lives in {@code runtime.cpu}; OpenCL code for it in {@code codegen}.
 */
public interface OpSpec {
  /** The ONNX op type (e.g. "Conv"), or our own for fused ops (e.g. "FusedConv"). */
  String opType();

  FusionKind fusionKind();

  /** Fewest inputs a node may have. */
  int minInputs();

  /** Most inputs a node may have (Integer.MAX_VALUE for variadic). */
  int maxInputs();

  /**
   * Output types, one per node output (entries may have dynamic dims, or a null shape when the rank is
   * unknown). Throws {@link io.offloadcl.ir.ShapeMismatchException} naming the node when inputs do not fit.
   */
  List<TensorType> inferTypes(InferenceContext ctx);

  /** Cost of one execution given concrete (or as-known) input and output types. */
  default OpCost cost(Node node, List<TensorType> inputs, List<TensorType> outputs) {
    return Costs.elementwise(inputs, outputs, 1);
  }
}
