package io.offloadcl.passes;

import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;

/**
 * Computes a node whose inputs are all constants. Passes may not import the runtime, so the caller supplies
 * this (the api wires in the reference kernels); without one, constant folding only folds what needs no
 * arithmetic (Shape and Size of static-shape values). It keeps no state, so sessions opening at once may share it.
 */
@FunctionalInterface
public interface ConstantEvaluator {
  /**
   * The node's outputs (one per output slot), or null when it cannot be evaluated. The results become graph
   * constants, which are never written: the evaluator may return tensors it shares.
   */
  TensorData[] evaluate(Node node, TensorData[] inputs);
}
