// Pooling, NCHW (1-D pooling arrives as H = 1).
//
// Parameters: H W OH OW KH KW SH SW PH PW (start padding) DH DW; HEND WEND (H and W plus end padding, the
// extent count_include_pad divides by); INIT, ACC(acc, x) and FINAL(acc, cnt, div) define the pooling
// (max or average); EPILOGUE(v, nc, p); EPI_PARAMS.

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
// CPU devices, stride 1 or 2 along W without dilation: one work-item writes 8 neighbouring outputs of a row.
// Segments whose windows lie inside the row read each window column as one float8 (stride 1) or as the even
// lanes of a float16 (stride 2), so a row is read contiguously rather than gathered across work-items; border
// segments take the scalar path of pool2d. ACC works on scalars and float8 alike.
__kernel void KNAME(__global const float* restrict X, __global float* restrict Y EPI_PARAMS) {
  const int ow0 = get_global_id(0) * 8;
  const int oh = get_global_id(1);
  const int nc = get_global_id(2);
  if (ow0 >= OW || oh >= OH) return;
  const int ih0 = oh * SH - PH;
  const int iw0 = ow0 * SW - PW;
  __global const float* x = X + (long) nc * H * W;
  __global float* y = Y + ((long) nc * OH + oh) * OW;
  const int rdiv = min(ih0 + KH, HEND) - ih0;
  if (iw0 >= 0 && iw0 + 8 * SW + KW - 1 <= W && ow0 + 8 <= OW) {
    float8 acc = (float8)(INIT);
    int rows = 0;
    for (int kh = 0; kh < KH; kh++) {
      const int ih = ih0 + kh * DH;
      if (ih < 0 || ih >= H) continue;
      rows++;
      __global const float* r = x + ih * W + iw0;
      for (int kw = 0; kw < KW; kw++) {
#if SW == 1
        const float8 v = vload8(0, r + kw);
#else
        const float8 v = vload16(0, r + kw).even;
#endif
        acc = ACC(acc, v);
      }
    }
    const int cnt = rows * KW;
    const int div = rdiv * KW;
    const float8 res = FINAL(acc, cnt, div);
#if HAS_EPILOGUE
    float o[8];
    vstore8(res, 0, o);
    for (int j = 0; j < 8; j++) y[ow0 + j] = EPILOGUE(o[j], nc, oh * OW + ow0 + j);
#else
    vstore8(res, 0, y + ow0);
#endif
    return;
  }
  const int n = min(8, OW - ow0);
  for (int j = 0; j < n; j++) {
    const int iwj = iw0 + j * SW;
    float acc = INIT;
    int cnt = 0;
    for (int kh = 0; kh < KH; kh++) {
      const int ih = ih0 + kh * DH;
      if (ih < 0 || ih >= H) continue;
      for (int kw = 0; kw < KW; kw++) {
        const int iw = iwj + kw * DW;
        if (iw < 0 || iw >= W) continue;
        acc = ACC(acc, x[ih * W + iw]);
        cnt++;
      }
    }
    const int div = rdiv * (min(iwj + KW, WEND) - iwj);
    y[ow0 + j] = EPILOGUE(FINAL(acc, cnt, div), nc, oh * OW + ow0 + j);
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
