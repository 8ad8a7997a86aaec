// Softmax and LogSoftmax over one axis of a tensor viewed as OUTER x AX x INNER (opset < 13 coerces to 2-D:
// AX is then the product of the trailing dims and INNER is 1).
//
// Parameters: OUTER AX INNER; LOG (1 for LogSoftmax); EPILOGUE(v, o); EPI_PARAMS.

//@section softmax
// One work-item per (outer, inner) line; the maximum is subtracted first so exp never overflows.
__kernel void KNAME(__global const float* restrict X, __global float* restrict Y EPI_PARAMS) {
  const int i = get_global_id(0);
  if (i >= OUTER * INNER) return;
  const int outer = i / INNER;
  const int inner = i % INNER;
  const long base = (long) outer * AX * INNER + inner;
  float mx = -INFINITY;
  for (int a = 0; a < AX; a++) mx = fmax(mx, X[base + a * INNER]);
  float s = 0.0f;
  for (int a = 0; a < AX; a++) s += exp(X[base + a * INNER] - mx);
  const float ls = log(s);
  for (int a = 0; a < AX; a++) {
    const long o = base + a * INNER;
    const float v = LOG ? X[o] - mx - ls : exp(X[o] - mx) / s;
    Y[o] = EPILOGUE(v, o);
  }
}
