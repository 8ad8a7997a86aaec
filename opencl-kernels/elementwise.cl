// Elementwise ops, one work-item per output element.
//
// Parameters: NOUT (output elements); OP(x) or OP(a, b) (the op, float in, float out); for binary ops
// BCAST_INDEX(o, ia, ib) (output index -> input indices, broadcasting resolved at codegen time: broadcast
// dimensions have stride 0 and runs of compatible dimensions are merged); EPILOGUE(v, o) (fused tail);
// EPI_PARAMS (its extra buffers).

//@section unary
__kernel void KNAME(__global const float* restrict x, __global float* restrict y EPI_PARAMS) {
  const int o = get_global_id(0);
  if (o >= NOUT) return;
  const float v = OP(x[o]);
  y[o] = EPILOGUE(v, o);
}

//@section binary
__kernel void KNAME(__global const float* restrict a, __global const float* restrict b,
                    __global float* restrict y EPI_PARAMS) {
  const int o = get_global_id(0);
  if (o >= NOUT) return;
  int ia, ib;
  BCAST_INDEX(o, ia, ib);
  const float v = OP(a[ia], b[ib]);
  y[o] = EPILOGUE(v, o);
}
