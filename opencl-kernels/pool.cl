// Pooling, NCHW (1-D pooling arrives as H = 1).
//
// Parameters: H W OH OW KH KW SH SW PH PW (start padding) DH DW; HEND WEND (H and W plus end padding, the
// extent count_include_pad divides by); INIT, ACC(acc, x) and FINAL(acc, cnt, div) define the pooling
// (max or average); EPILOGUE(v, nc, p); EPI_PARAMS. The CPU variants add NC (planes), HAS_EPILOGUE (0 when
// EPILOGUE is the identity, so results are stored as whole vectors) and, for pool2d_rows, FINALV (FINAL on
// float8 with float8 counts) and the generated segment code described there.

//@section pool2d
__kernel void KNAME(__global const float* restrict X, __global float* restrict Y EPI_PARAMS) {
  const int ow = get_global_id(0);
  const int oh = get_global_id(1);
  const int nc = get_global_id(2);
  if (ow >= OW || oh >= OH) return;
  const int ih0 = oh * SH - PH;
  const int iw0 = ow * SW - PW;
  __global const float* x = X + (long) nc * H * W;
  float acc = INIT;
  int cnt = 0;
  for (int kh = 0; kh < KH; kh++) {
    const int ih = ih0 + kh * DH;
    if (ih < 0 || ih >= H) continue;
    for (int kw = 0; kw < KW; kw++) {
      const int iw = iw0 + kw * DW;
      if (iw < 0 || iw >= W) continue;
      acc = ACC(acc, x[ih * W + iw]);
      cnt++;
    }
  }
  const int div = (min(ih0 + KH, HEND) - ih0) * (min(iw0 + KW, WEND) - iw0);
  Y[((long) nc * OH + oh) * OW + ow] = EPILOGUE(FINAL(acc, cnt, div), nc, oh * OW + ow);
}

//@section global_pool
// GlobalAveragePool / GlobalMaxPool: one work-item per (n, c) plane of HW elements.
__kernel void KNAME(__global const float* restrict X, __global float* restrict Y EPI_PARAMS) {
  const int nc = get_global_id(0);
  if (nc >= NC) return;
  __global const float* x = X + (long) nc * HW;
  float acc = INIT;
  for (int i = 0; i < HW; i++) acc = ACC(acc, x[i]);
  Y[nc] = EPILOGUE(FINAL(acc, HW, HW), nc, 0);
}

//@section lrn
// Local response normalization across channels: the window of SIZE channels around c (ONNX: floor((SIZE-1)/2)
// before, ceil((SIZE-1)/2) after), one work-item per element. Parameters: NOUT C HW SIZE ALPHA BETA BIAS.
__kernel void KNAME(__global const float* restrict X, __global float* restrict Y EPI_PARAMS) {
  const int o = get_global_id(0);
  if (o >= NOUT) return;
  const int p = o % HW;
  const int c = (o / HW) % C;
  const int n = o / (HW * C);
  const int lo = max(0, c - (SIZE - 1) / 2);
  const int hi = min(C - 1, c + SIZE / 2);
  float s = 0.0f;
  for (int k = lo; k <= hi; k++) {
    const float v = X[((long) n * C + k) * HW + p];
    s = mad(v, v, s);
  }
  Y[o] = EPILOGUE(X[o] / pow(BIAS + ALPHA / SIZE * s, BETA), n * C + c, p);
}

//@section global_pool_vec
// CPU devices: one work-item per (n, c) plane reads it with float8 loads into eight partial accumulators (the
// scalar version's work-items, vectorised across lanes, would gather with stride HW).
__kernel void KNAME(__global const float* restrict X, __global float* restrict Y EPI_PARAMS) {
  const int nc = get_global_id(0);
  if (nc >= NC) return;
  __global const float* x = X + (long) nc * HW;
  float8 acc8 = (float8)(INIT);
  int i = 0;
  for (; i + 8 <= HW; i += 8) acc8 = ACC(acc8, vload8(0, x + i));
  float4 a4 = ACC(acc8.lo, acc8.hi);
  float2 a2 = ACC(a4.lo, a4.hi);
  float acc = ACC(a2.x, a2.y);
  for (; i < HW; i++) acc = ACC(acc, x[i]);
  Y[nc] = EPILOGUE(FINAL(acc, HW, HW), nc, 0);
}

//@section pool2d_rows
// CPU devices: one work-item per output row (oh, nc), written in segments of 8 outputs. A segment's windows
// read a span of 7*SW + (KW-1)*DW + 1 consecutive input columns of each window row; the rows are reduced
// first, column-wise, into float8 registers s0.. (contiguous vector loads, no gathers), then the window
// columns are lane gathers of those registers (HWIN): per 8 outputs KH loads per register instead of KH*KW.
// Segments M_LO..M_HI-1 (at 8*m) lie inside the row; VDECL declares s0.. at INIT, VLOAD(r) folds the span at
// r into them (VLOADF and HWINF: the same with FACC, see NAN_CHECK below). EDGES are the other segments
// (windows in padding or past the row's end, the row's last OW % 8 outputs), generated one by one: their loads
// skip columns outside the input, their gathers read the pooling's identity there, and their per-lane counts are
// constants. STORE writes a segment's first n lanes.
#define STORE(ow0, n) \
  if (HAS_EPILOGUE || (n) < 8) { \
    float o[8]; \
    vstore8(res, 0, o); \
    for (int j = 0; j < (n); j++) y[(ow0) + j] = EPILOGUE(o[j], nc, oh * OW + (ow0) + j); \
  } else { \
    vstore8(res, 0, y + (ow0)); \
  }
// The regular segments, folding window rows with LOAD and combining window columns with WIN.
#define SEGMENTS(LOAD, WIN) \
  for (int m = M_LO; m < M_HI; m++) { \
    const int iw0 = m * 8 * SW - PW; \
    VDECL \
    for (int kh = khLo; kh < khHi; kh++) { \
      __global const float* r = x + (ih0 + kh * DH) * W + iw0; \
      LOAD(r) \
    } \
    res = FINALV(WIN, rows * KW, rdiv * KW); \
    STORE(m * 8, 8) \
  }
__kernel void KNAME(__global const float* restrict X, __global float* restrict Y EPI_PARAMS) {
  const int id = get_global_id(0);
  if (id >= OH * NC) return;
  const int nc = id / OH;
  const int oh = id % OH;
  __global const float* x = X + (long) nc * H * W;
  __global float* y = Y + (long) id * OW;
  const int ih0 = oh * SH - PH;
  // window rows inside the input: kh in [khLo, khHi)
  const int khLo = ih0 >= 0 ? 0 : (DH - 1 - ih0) / DH;
  const int khHi = min(KH, max(0, (H - ih0 + DH - 1) / DH));
  const float rows = (float) max(0, khHi - khLo);
  const float rdiv = (float) (min(ih0 + KH, HEND) - ih0);
  float8 res;
#if NAN_CHECK
  // Max pooling: FACC is one compare-select (vmaxps), which drops a NaN x; VLOADF keeps any NaN it loads in
  // `seen` instead, and a row whose regular segments read one is pooled again with the NaN-propagating ACC (two
  // compares and two blends per vector). Standalone, squeezenet's 3x3/2 pool on 64 x 111 x 111: 0.12 -> 0.08 ms;
  // the check per segment instead of per row, or an isnan mask, measured 0.09-0.10.
  float8 seen = (float8)(0.0f);
  SEGMENTS(VLOADF, HWINF)
  if (any(seen != seen)) {
#endif
  SEGMENTS(VLOAD, HWIN)
#if NAN_CHECK
  }
#endif
  EDGES
}
#undef SEGMENTS
#undef STORE
