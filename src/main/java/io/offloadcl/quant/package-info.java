/**
 * INT8 post-training quantization: calibration and the INT8 rewrite.
 *
 * <p>Activations are quantized per tensor, symmetric, with saturation at a calibrated threshold T (values beyond
 * ±T clip): {@link io.offloadcl.quant.Calibrator} histograms |x| of every activation feeding a Conv, Gemm or
 * MatMul in two passes (fixed range, so the result does not depend on input order or batching) and
 * {@link io.offloadcl.quant.ThresholdSearch} picks T by entropy (KL), percentile or min-max. Weights are quantized
 * per output channel by max |w|, never saturated. {@link io.offloadcl.quant.Quantizer} rewrites the graph to the
 * int8 ops of {@code ops.QuantOps}; the model is run through {@link io.offloadcl.quant.ActivationRunner}, which
 * the caller implements, since this package does not depend on the runtime.
 */
package io.offloadcl.quant;
