// Pooling, NCHW (1-D pooling arrives as H = 1).
//
// Parameters: H W OH OW KH KW SH SW PH PW (start padding) DH DW; HEND WEND (H and W plus end padding, the
// extent count_include_pad divides by); INIT, ACC(acc, x) and FINAL(acc, cnt, div) define the pooling
// (max or average); EPILOGUE(v, nc, p); EPI_PARAMS. The CPU variants add NC (planes), HAS_EPILOGUE (0 when
// EPILOGUE is the identity, so results are stored as whole vectors) and, for pool2d_vec, PADV (the pooling's
// identity, read where a window leaves the input) and FINALV.

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

//@section pool2d_vec
// CPU devices, stride 1 or 2 along W without dilation along W: one work-item per output row (oh, nc) writes
// it in segments of 8 outputs. Each window column of a segment is one float8: a float8 load (stride 1) or the
// even lanes of a float16 load (stride 2), so rows are read contiguously instead of gathered across
// work-items. Segments whose windows leave the row (padding, ceil_mode, the row's end) first copy the span
// they read into a private row with PADV outside the input, so they take the same vector path; their
// per-lane counts and divisors are vectors. FINALV(acc, cnt, div) takes float or float8 counts.
__kernel void KNAME(__global const float* restrict X, __global float* restrict Y EPI_PARAMS) {
  const int oh = get_global_id(0);
  const int nc = get_global_id(1);
  if (oh >= OH || nc >= NC) return;
  const int ih0 = oh * SH - PH;
  __global const float* x = X + (long) nc * H * W;
  __global float* y = Y + ((long) nc * OH + oh) * OW;
  const float rdiv = (float) (min(ih0 + KH, HEND) - ih0);
  int rows = 0;
  for (int kh = 0; kh < KH; kh++) {
    const int ih = ih0 + kh * DH;
    rows += ih >= 0 && ih < H;
  }
  for (int ow0 = 0; ow0 < OW; ow0 += 8) {
    const int iw0 = ow0 * SW - PW;
    float8 acc = (float8)(INIT);
    float8 res;
    if (iw0 >= 0 && iw0 + 8 * SW + KW - 1 <= W) {
      for (int kh = 0; kh < KH; kh++) {
        const int ih = ih0 + kh * DH;
        if (ih < 0 || ih >= H) continue;
        __global const float* r = x + ih * W + iw0;
        for (int kw = 0; kw < KW; kw++) {
#if SW == 1
          acc = ACC(acc, vload8(0, r + kw));
#else
          acc = ACC(acc, vload16(0, r + kw).even);
#endif
        }
      }
      res = FINALV(acc, (float) (rows * KW), rdiv * KW);
    } else {
      float buf[8 * SW + KW + 8];
      for (int kh = 0; kh < KH; kh++) {
        const int ih = ih0 + kh * DH;
        if (ih < 0 || ih >= H) continue;
        __global const float* r = x + ih * W;
        for (int t = 0; t < 8 * SW + KW - 1; t++) {
          const int iw = iw0 + t;
          buf[t] = iw >= 0 && iw < W ? r[iw] : PADV;
        }
        for (int kw = 0; kw < KW; kw++) {
#if SW == 1
          acc = ACC(acc, vload8(0, buf + kw));
#else
          acc = ACC(acc, vload16(0, buf + kw).even);
#endif
        }
      }
      // per lane: window columns inside the input (count) and inside input plus end padding (divisor)
      const int8 iwj = (int8)(iw0) + (int8)(0, 1, 2, 3, 4, 5, 6, 7) * SW;
      const int8 cols = min(iwj + KW, (int8)(W)) - max(iwj, (int8)(0));
      const int8 dcols = min(iwj + KW, (int8)(WEND)) - iwj;
      res = FINALV(acc, convert_float8(max(cols, (int8)(0))) * rows, convert_float8(dcols) * rdiv);
    }
    const int n = min(8, OW - ow0);
#if HAS_EPILOGUE
    float o[8];
    vstore8(res, 0, o);
    for (int j = 0; j < n; j++) y[ow0 + j] = EPILOGUE(o[j], nc, oh * OW + ow0 + j);
#else
    if (n == 8) {
      vstore8(res, 0, y + ow0);
    } else {
      float o[8];
      vstore8(res, 0, o);
      for (int j = 0; j < n; j++) y[ow0 + j] = o[j];
    }
#endif
  }
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
