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

//@section layernorm
// LayerNormalization over the trailing NORM elements of each of ROWS rows: y = (x - mean) / sqrt(var + EPS)
// * scale + bias, the variance the biased mean of squared deviations (two passes, for accuracy). SIDX(j) and
// BIDX(j) index scale and bias (broadcast over the normalized dims); HAS_BIAS is 0 when bias is absent.
__kernel void KNAME(__global const float* restrict X, __global const float* restrict S,
                    __global const float* restrict B, __global float* restrict Y EPI_PARAMS) {
  const int r = get_global_id(0);
  if (r >= ROWS) return;
  const long base = (long) r * NORM;
  float m = 0.0f;
  for (int j = 0; j < NORM; j++) m += X[base + j];
  m /= NORM;
  float q = 0.0f;
  for (int j = 0; j < NORM; j++) { const float d = X[base + j] - m; q += d * d; }
  const float inv = 1.0f / sqrt(q / NORM + EPS);
  for (int j = 0; j < NORM; j++) {
    const long o = base + j;
    const float v = (X[o] - m) * inv * S[SIDX(j)] + (HAS_BIAS ? B[BIDX(j)] : 0.0f);
    Y[o] = EPILOGUE(v, o);
  }
}
