/**
 * Graph passes: {@link io.offloadcl.passes.Pass}, {@link io.offloadcl.passes.PassManager} and the one-file
 * {@link io.offloadcl.passes.DefaultPipeline}; sub-packages {@code cleanup}, {@code fold}, {@code fusion} and
 * {@code lower} hold one pass per file.
 *
 * <p>A caller runs {@code DefaultPipeline.optimize(graph, ctx)} with a {@link io.offloadcl.passes.PassContext}
 * giving the target's {@link io.offloadcl.passes.DeviceCapabilities} (fusers build only ops the device supports;
 * lowering fires when it lacks Conv or Gemm) and a {@link io.offloadcl.passes.ConstantEvaluator} (the api wires
 * the reference kernels in, since passes may not import the runtime). Fusion decisions go through
 * {@link io.offloadcl.passes.FusionGuards}; rewrites keep value names, so graph outputs survive every pass.
 */
package io.offloadcl.passes;
