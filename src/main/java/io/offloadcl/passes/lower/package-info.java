/**
 * Lowering passes: rewrite ops the target device cannot run into ops it can (hardware adaptation). They fire
 * only when {@link io.offloadcl.passes.DeviceCapabilities} says the original op is unsupported and the
 * replacement ops are supported. The exception is {@link io.offloadcl.passes.lower.LowerConvToIm2ColGemm}, which
 * rewrites a supported Conv into supported ops because that form runs faster (its rule is measured, see there).
 */
package io.offloadcl.passes.lower;
