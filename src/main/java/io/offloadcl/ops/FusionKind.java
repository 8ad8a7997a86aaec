package io.offloadcl.ops;

/**
 * How an operator composes with its neighbours under fusion (after TVM's OpPatternKind). The fuser reasons
 * about these kinds, never about op names.
 */
public enum FusionKind {
  /** One output element from the same-index input elements (Relu, Add of equal shapes). */
  ELEMWISE,
  /** Elementwise with broadcasting of some inputs (Add with a bias vector). */
  BROADCAST,
  /** Output elements are a gather of input elements, no arithmetic (Transpose, Slice, Concat, Reshape). */
  INJECTIVE,
  /** Reduces one or more axes (ReduceMean, Softmax's inner sums). */
  REDUCTION,
  /** A heavy op whose output can take an elementwise epilogue (Conv, Gemm, MatMul). */
  OUT_ELEMWISE_FUSABLE,
  /** Not fusable. */
  OPAQUE
}
