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

//@section reduce_inner8
// The reduced axes are the innermost ones (one contiguous run of NRED elements per output, NRED % 8 == 0) and
// the accumulation is associative and its own combiner (sum, mean, max, min): each work-item reads its run with
// float8 loads into eight partial accumulators, then folds them. On CPU devices the work-items of a group are
// vectorised across lanes, so scalar loads of neighbouring rows become strided gathers; whole float8 loads per
// row avoid that.
__kernel void KNAME(__global const float* restrict X, __global float* restrict Y EPI_PARAMS) {
  const int o = get_global_id(0);
  if (o >= NOUT) return;
  const int base = o * NRED;
  float8 acc8 = (float8)(INIT);
  for (int r = 0; r < NRED; r += 8) {
    const float8 x = vload8(0, X + base + r);
    acc8 = ACC(acc8, x);
  }
  float acc = INIT;
  acc = ACC(acc, acc8.s0);
  acc = ACC(acc, acc8.s1);
  acc = ACC(acc, acc8.s2);
  acc = ACC(acc, acc8.s3);
  acc = ACC(acc, acc8.s4);
  acc = ACC(acc, acc8.s5);
  acc = ACC(acc, acc8.s6);
  acc = ACC(acc, acc8.s7);
  Y[o] = EPILOGUE(FINAL(acc), o);
}
