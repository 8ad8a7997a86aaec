/** INT8 post-training quantization: calibration and the INT8 rewrite. */
package io.offloadcl.quant;
