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

//@section cast
// Cast between the integer, boolean and float32 types; TIN and TOUT are the OpenCL types of the device
// representation, CONVERT(x) the conversion (C casts truncate toward zero, as ONNX Cast does; bool is x != 0).
__kernel void KNAME(__global const TIN* restrict x, __global TOUT* restrict y) {
  const int o = get_global_id(0);
  if (o >= NOUT) return;
  y[o] = CONVERT(x[o]);
}

//@section batchnorm
// BatchNormalization in inference mode: a per-channel affine map, channel c = (o / INNER) % C.
__kernel void KNAME(__global const float* restrict x, __global const float* restrict scale,
                    __global const float* restrict bias, __global const float* restrict mean,
                    __global const float* restrict var, __global float* restrict y EPI_PARAMS) {
  const int o = get_global_id(0);
  if (o >= NOUT) return;
  const int c = (o / INNER) % C;
  const float v = (x[o] - mean[c]) * (scale[c] / sqrt(var[c] + EPS)) + bias[c];
  y[o] = EPILOGUE(v, o);
}

//@section fused
// FusedElementwise: FUSED_PARAMS lists the inputs (in0, in1, ...), FUSED_BODY(o) is the postfix program as
// straight-line statements with every input's broadcast index folded to constants, FUSED_RESULT its value.
__kernel void KNAME(FUSED_PARAMS __global float* restrict y EPI_PARAMS) {
  const int o = get_global_id(0);
  if (o >= NOUT) return;
  FUSED_BODY(o)
  const float v = FUSED_RESULT;
  y[o] = EPILOGUE(v, o);
}
