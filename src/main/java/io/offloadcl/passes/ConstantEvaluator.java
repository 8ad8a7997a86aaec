package io.offloadcl.passes;

import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;

/**
 * Computes a node whose inputs are all constants. Passes may not import the runtime, so the caller supplies
 * this (the api wires in the reference kernels); without one, constant folding only folds what needs no
 * arithmetic (Shape and Size of static-shape values). It may be called from several threads at once
 * ({@code FoldConstants} fills independent {@code ConstantOfShape} weights in parallel), so it keeps no state.
 */
@FunctionalInterface
public interface ConstantEvaluator {
  /**
   * The node's outputs (one per output slot), or null when it cannot be evaluated. Results must be newly allocated
   * arrays that the evaluator does not keep: folding may later rewrite a ConstantOfShape result in place (see
   * {@code passes.fold.FreshConstants}).
   */
  TensorData[] evaluate(Node node, TensorData[] inputs);
}
