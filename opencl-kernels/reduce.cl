// Reductions over any set of axes (ReduceSum, ReduceMean, ReduceMax, ...).
//
// Parameters: NOUT (output elements), NRED (elements reduced into each); OUT_BASE(o, base) maps an output
// index to the input offset of its first element, RED_OFFSET(r, off) the r-th reduced element's offset from
// there (both generated with the kept / reduced strides, dims merged); INIT, ACC(acc, x), FINAL(acc);
// EPILOGUE(v, o); EPI_PARAMS.

//@section reduce
// One work-item per output element: reductions in these models are short (channels, a row), so a serial
// loop per output beats a tree with its synchronisation.
__kernel void KNAME(__global const float* restrict X, __global float* restrict Y EPI_PARAMS) {
  const int o = get_global_id(0);
  if (o >= NOUT) return;
  int base;
  OUT_BASE(o, base);
  float acc = INIT;
  for (int r = 0; r < NRED; r++) {
    int off;
    RED_OFFSET(r, off);
    acc = ACC(acc, X[base + off]);
  }
  Y[o] = EPILOGUE(FINAL(acc), o);
}
