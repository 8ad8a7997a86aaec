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
