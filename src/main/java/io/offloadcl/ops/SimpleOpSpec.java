package io.offloadcl.ops;

import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorType;
import java.util.List;
import java.util.Objects;

/** An {@link OpSpec} assembled from functions, so one family file can declare many small ops in plain code. */
public final class SimpleOpSpec implements OpSpec {
  /** Shape and type inference. */
  @FunctionalInterface
  public interface Inference {
    List<TensorType> infer(InferenceContext ctx);
  }

  /** Cost formula. */
  @FunctionalInterface
  public interface CostFn {
    OpCost cost(Node node, List<TensorType> inputs, List<TensorType> outputs);
  }

  private final String opType;
  private final FusionKind kind;
  private final int minInputs;
  private final int maxInputs;
  private final Inference inference;
  private final CostFn cost;

  public SimpleOpSpec(String opType, FusionKind kind, int minInputs, int maxInputs, Inference inference, CostFn cost) {
    this.opType = Objects.requireNonNull(opType);
    this.kind = Objects.requireNonNull(kind);
    this.minInputs = minInputs;
    this.maxInputs = maxInputs;
    this.inference = Objects.requireNonNull(inference);
    this.cost = cost;
  }

  @Override
  public String opType() {
    return opType;
  }

  @Override
  public FusionKind fusionKind() {
    return kind;
  }

  @Override
  public int minInputs() {
    return minInputs;
  }

  @Override
  public int maxInputs() {
    return maxInputs;
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    return inference.infer(ctx);
  }

  @Override
  public OpCost cost(Node node, List<TensorType> inputs, List<TensorType> outputs) {
    return cost == null ? Costs.elementwise(inputs, outputs, 1) : cost.cost(node, inputs, outputs);
  }
}
