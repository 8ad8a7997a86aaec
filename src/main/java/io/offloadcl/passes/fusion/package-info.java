/**
 * Fusion passes: merge an op with its elementwise neighbours into one of our fused ops (FusedConv, FusedGemm,
 * FusedMatMul with an epilogue; FusedElementwise with a postfix program; a non-overlapping MaxPool into FusedConv's
 * {@code pool_kernel}; a row Softmax/LogSoftmax into FusedGemm's {@code row_op}), and recognizers that turn decomposed subgraphs (HardSwish, GELU, LayerNorm) back into
 * single ops. Guards live in {@link io.offloadcl.passes.FusionGuards}.
 */
package io.offloadcl.passes.fusion;
