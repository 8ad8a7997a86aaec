/** Folding passes: compute constant subgraphs ahead of time and fold affine ops into conv/gemm weights. */
package io.offloadcl.passes.fold;
