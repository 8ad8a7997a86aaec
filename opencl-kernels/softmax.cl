// Softmax and LogSoftmax over one axis of a tensor viewed as OUTER x AX x INNER (opset < 13 coerces to 2-D:
// AX is then the product of the trailing dims and INNER is 1).
//
// Parameters: OUTER AX INNER; LOG (1 for LogSoftmax); EPILOGUE(v, o); EPI_PARAMS; HAS_EPILOGUE (0 when EPILOGUE
// is the identity, so the row kernels store whole vectors).

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

//@section softmax_rows
// CPU devices, softmax over the innermost axis (INNER == 1): one work-item per row of AX contiguous elements,
// read with float8 loads in each of the three passes (max, sum of exp, write); the tail of AX % 8 is scalar.
__kernel void KNAME(__global const float* restrict X, __global float* restrict Y EPI_PARAMS) {
  const int row = get_global_id(0);
  if (row >= OUTER) return;
  const long base = (long) row * AX;
  __global const float* x = X + base;
  __global float* y = Y + base;
  float8 m8 = (float8)(-INFINITY);
  int a = 0;
  for (; a + 8 <= AX; a += 8) m8 = fmax(m8, vload8(0, x + a));
  float4 m4 = fmax(m8.lo, m8.hi);
  float2 m2 = fmax(m4.lo, m4.hi);
  float mx = fmax(m2.x, m2.y);
  for (; a < AX; a++) mx = fmax(mx, x[a]);
  float8 s8 = (float8)(0.0f);
  for (a = 0; a + 8 <= AX; a += 8) s8 += exp(vload8(0, x + a) - mx);
  float4 s4 = s8.lo + s8.hi;
  float2 s2 = s4.lo + s4.hi;
  float s = s2.x + s2.y;
  for (; a < AX; a++) s += exp(x[a] - mx);
  const float ls = log(s);
  const float inv = 1.0f / s;
  for (a = 0; a + 8 <= AX; a += 8) {
    const float8 d = vload8(0, x + a) - mx;
    const float8 v = LOG ? d - ls : exp(d) * inv;
#if HAS_EPILOGUE
    float o[8];
    vstore8(v, 0, o);
    for (int j = 0; j < 8; j++) y[a + j] = EPILOGUE(o[j], base + a + j);
#else
    vstore8(v, 0, y + a);
#endif
  }
  for (; a < AX; a++) {
    const float d = x[a] - mx;
    y[a] = EPILOGUE(LOG ? d - ls : exp(d) * inv, base + a);
  }
}

//@section layernorm_rows
// CPU devices, scale and bias (if any) holding exactly the NORM normalized elements: one work-item per row,
// float8 loads in each pass, the tail of NORM % 8 scalar.
__kernel void KNAME(__global const float* restrict X, __global const float* restrict S,
                    __global const float* restrict B, __global float* restrict Y EPI_PARAMS) {
  const int r = get_global_id(0);
  if (r >= ROWS) return;
  const long base = (long) r * NORM;
  __global const float* x = X + base;
  __global float* y = Y + base;
  float8 m8 = (float8)(0.0f);
  int j = 0;
  for (; j + 8 <= NORM; j += 8) m8 += vload8(0, x + j);
  float4 m4 = m8.lo + m8.hi;
  float2 m2 = m4.lo + m4.hi;
  float m = m2.x + m2.y;
  for (; j < NORM; j++) m += x[j];
  m /= NORM;
  float8 q8 = (float8)(0.0f);
  for (j = 0; j + 8 <= NORM; j += 8) { const float8 d = vload8(0, x + j) - m; q8 = mad(d, d, q8); }
  float4 q4 = q8.lo + q8.hi;
  float2 q2 = q4.lo + q4.hi;
  float q = q2.x + q2.y;
  for (; j < NORM; j++) { const float d = x[j] - m; q += d * d; }
  const float inv = 1.0f / sqrt(q / NORM + EPS);
  for (j = 0; j + 8 <= NORM; j += 8) {
    float8 v = (vload8(0, x + j) - m) * inv * vload8(0, S + j);
#if HAS_BIAS
    v += vload8(0, B + j);
#endif
#if HAS_EPILOGUE
    float o[8];
    vstore8(v, 0, o);
    for (int k = 0; k < 8; k++) y[j + k] = EPILOGUE(o[k], base + j + k);
#else
    vstore8(v, 0, y + j);
#endif
  }
  for (; j < NORM; j++) {
    const float v = (x[j] - m) * inv * S[j] + (HAS_BIAS ? B[j] : 0.0f);
    y[j] = EPILOGUE(v, base + j);
  }
}
