/**
 * Lowering passes: rewrite ops the target device cannot run into ops it can (hardware adaptation). They fire
 * only when {@link io.offloadcl.passes.DeviceCapabilities} says the original op is unsupported and the
 * replacement ops are supported.
 */
package io.offloadcl.passes.lower;
