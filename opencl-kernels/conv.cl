// Convolution, NCHW (1-D convolutions arrive as H = 1). Pointwise convolutions are lowered to gemm.cl by
// codegen; this file holds the direct kernels for the rest, the shifted-view GEMM for unit-stride unpadded ones on
// CPUs (conv_shift_cpu, also parameterized by TM NV, its register tile) and im2col.
//
// Parameters: BATCH CI H W CO OH OW KH KW SH SW PH PW (padding at the start) DH DW; CIG COG (channels per
// group); EPILOGUE(v, n, c, p) with p = oh * OW + ow (bias, activation, residual); EPI_PARAMS.

//@section conv_direct
// One work-item per output element; padding is skipped rather than read, so no padded copy is made.
//@use common.cl conv_at
__kernel void KNAME(__global const float* restrict X, __global const float* restrict Wt,
                    __global float* restrict Y EPI_PARAMS) {
  const int ow = get_global_id(0);
  const int oh = get_global_id(1);
  const int nc = get_global_id(2);
  if (ow >= OW || oh >= OH) return;
  const int n = nc / CO;
  const int co = nc % CO;
  const int g = co / COG;
  const int ih0 = oh * SH - PH;
  const int iw0 = ow * SW - PW;
  float s;
  CONV_AT(s, n, co, g, ih0, iw0);
  Y[((long) nc * OH + oh) * OW + ow] = EPILOGUE(s, n, co, oh * OW + ow);
}

//@section conv_cpu
// OFFLOADCL_MADD is fma() where the device does fma in hardware (the program cache defines OFFLOADCL_FMA from
// CL_DEVICE_SINGLE_FP_CONFIG), else mad(): POCL lowers mad() to a multiply and an add, a software fma is slow.
//@use common.cl madd
// CPU variant, register-blocked like gemm_cpu: a work-item computes COB output channels x TW = 8 * NV consecutive
// output columns as COB * NV float8 accumulators, so each input vector it loads feeds COB multiply-adds and each
// weight NV. The kernel taps are unrolled (KH, KW are constants). Interior row segments of unit-stride
// convolutions are read with one vload8 per vector and tap straight from the image; border segments (and strided
// ones) are first gathered once per (channel, kernel row) into a private row with the padding as zeros, so the
// taps read it instead of testing every lane. The last tile of a row is shifted back to end at the row's end
// (when the row is at least a tile wide) and stores only the columns the tile before it did not, so no tile runs
// past the row and no output is written twice; other tiles store with vstore8 (3->64 at 224: 1.03-1.11x).
// OFFLOADCL_MADD (above) is fma() on hardware-fma devices: POCL compiled mad() to a multiply and an add (no
// vfmadd in the object code), which held the 8-column kernel at ~55 GFLOP/s.
#define TW (8 * NV)
#define ROWLEN ((TW - 1) * SW + (KW - 1) * DW + 1)
__kernel void KNAME(__global const float* restrict X, __global const float* restrict Wt,
                    __global float* restrict Y EPI_PARAMS) {
  const int owS = get_global_id(0) * TW;
  const int oh = get_global_id(1);
  const int nb = get_global_id(2);
  if (owS >= OW || oh >= OH) return;
  const int ow0 = OW >= TW ? min(owS, OW - TW) : owS;
  const int n = nb / (CO / COB);
  const int co0 = (nb % (CO / COB)) * COB;
  const int g = co0 / COG;
  const int ih0 = oh * SH - PH;
  const int iw0 = ow0 * SW - PW;
  const bool interior = SW == 1 && iw0 >= 0 && iw0 + ROWLEN <= W;
  float8 s[COB][NV];
#pragma unroll
  for (int j = 0; j < COB; j++) {
#pragma unroll
    for (int v = 0; v < NV; v++) s[j][v] = (float8)(0.0f);
  }
  for (int ci = 0; ci < CIG; ci++) {
    __global const float* x = X + (long) (n * CI + g * CIG + ci) * H * W;
    __global const float* w = Wt + (long) (co0 * CIG + ci) * KH * KW;
#pragma unroll
    for (int kh = 0; kh < KH; kh++) {
      const int ih = ih0 + kh * DH;
      if (ih < 0 || ih >= H) continue;
      __global const float* xrow = x + ih * W + iw0;
      if (interior) {
#pragma unroll
        for (int kw = 0; kw < KW; kw++) {
          float8 xv[NV];
#pragma unroll
          for (int v = 0; v < NV; v++) xv[v] = vload8(0, xrow + kw * DW + 8 * v);
#pragma unroll
          for (int j = 0; j < COB; j++) {
            const float8 wv = (float8)(w[j * CIG * KH * KW + kh * KW + kw]);
#pragma unroll
            for (int v = 0; v < NV; v++) s[j][v] = OFFLOADCL_MADD(wv, xv[v], s[j][v]);
          }
        }
      } else {
        float r[ROWLEN];
        for (int l = 0; l < ROWLEN; l++) {
          const int iw = iw0 + l;
          r[l] = (iw >= 0 && iw < W) ? x[ih * W + iw] : 0.0f;
        }
#pragma unroll
        for (int kw = 0; kw < KW; kw++) {
          float8 xv[NV];
#pragma unroll
          for (int v = 0; v < NV; v++) {
            if (SW == 1) {
              xv[v] = vload8(0, r + kw * DW + 8 * v);
            } else {
              float t[8];
#pragma unroll
              for (int l = 0; l < 8; l++) t[l] = r[kw * DW + (8 * v + l) * SW];
              xv[v] = vload8(0, t);
            }
          }
#pragma unroll
          for (int j = 0; j < COB; j++) {
            const float8 wv = (float8)(w[j * CIG * KH * KW + kh * KW + kw]);
#pragma unroll
            for (int v = 0; v < NV; v++) s[j][v] = OFFLOADCL_MADD(wv, xv[v], s[j][v]);
          }
        }
      }
    }
  }
#pragma unroll
  for (int j = 0; j < COB; j++) {
    __global float* y = Y + ((long) (n * CO + co0 + j) * OH + oh) * OW;
#pragma unroll
    for (int v = 0; v < NV; v++) {
      float t[8];
      vstore8(s[j][v], 0, t);
      // Lanes past the row (a row narrower than a tile) are not stored; the clamp keeps their residual reads in it.
#pragma unroll
      for (int l = 0; l < 8; l++) t[l] = EPILOGUE(t[l], n, co0 + j, oh * OW + min(ow0 + 8 * v + l, OW - 1));
      if (ow0 == owS && ow0 + TW <= OW) {
        vstore8(vload8(0, t), 0, y + ow0 + 8 * v);
      } else {
        for (int l = 0; l < 8; l++) {
          const int ow = ow0 + 8 * v + l;
          if (ow >= owS && ow < OW) y[ow] = t[l];
        }
      }
    }
  }
}
#undef ROWLEN
#undef TW

//@section conv_shift_cpu
//@use common.cl madd
// CPU variant for group-1, unit-stride convolutions without padding (a padded one arrives as Pad + this, from
// passes.lower): a GEMM over shifted views of the input, with no column matrix. The output is computed on the
// input's full width: column q = oh * W + ow, ow in [0, W), of which only ow < OW is stored. Reduction row
// (ci, kh, kw) of B is then the input itself from offset ci * H * W + kh * DH * W + kw * DW, so
// Y[n] (CO x NCOL) = Wt (CO x CI*KH*KW, the weight tensor as it is) * B with B's row offsets computed from the
// taps. The register tile, fma and range are gemm_cpu's (TM x 8*NV as float8 accumulators, row tiles first in
// work-groups; ConvGen sizes them like GemmGen). NCOL stops at the last stored column, (OH - 1) * W + OW: then the
// furthest read, tap (CI-1, KH-1, KW-1) of column NCOL-1, is (CI-1)*H*W + (KH-1)*DH*W + (KW-1)*DW + (OH-1)*W + OW - 1
// = CI*H*W - 1 (H = OH + (KH-1)*DH, W = OW + (KW-1)*DW), the batch's last element; the full OH * W would run
// (KW-1)*DW - 1 past it. A tile that would pass NCOL is shifted back to end there (it stores some outputs twice,
// with equal values), so only products narrower than a tile take the scalar path.
#define TN (8 * NV)
#define NCOL ((OH - 1) * W + OW)
#define KK (KH * KW)
__kernel void KNAME(__global const float* restrict X, __global const float* restrict Wt,
                    __global float* restrict Y EPI_PARAMS) {
  int m0 = get_global_id(0) * TM;
  int q0 = get_global_id(1) * TN;
  const int n = get_global_id(2);
  if (m0 >= CO || q0 >= NCOL) return;
  __global const float* x = X + (long) n * CI * H * W;
  __global float* y = Y + (long) n * CO * OH * OW;
  if (CO >= TM && NCOL >= TN) {
    if (m0 + TM > CO) m0 = CO - TM;
    if (q0 + TN > NCOL) q0 = NCOL - TN;
    float8 acc[TM][NV];
#pragma unroll
    for (int i = 0; i < TM; i++) {
#pragma unroll
      for (int v = 0; v < NV; v++) acc[i][v] = (float8)(0.0f);
    }
    __global const float* ap = Wt + m0 * CI * KK;
    __global const float* bp = x + q0;
    for (int ci = 0; ci < CI; ci++) {
#pragma unroll
      for (int kh = 0; kh < KH; kh++) {
#pragma unroll
        for (int kw = 0; kw < KW; kw++) {
          float8 bv[NV];
#pragma unroll
          for (int v = 0; v < NV; v++) bv[v] = vload8(v, bp + kh * DH * W + kw * DW);
#pragma unroll
          for (int i = 0; i < TM; i++) {
            const float8 av = (float8)(ap[i * CI * KK + kh * KW + kw]);
#pragma unroll
            for (int v = 0; v < NV; v++) acc[i][v] = OFFLOADCL_MADD(av, bv[v], acc[i][v]);
          }
        }
      }
      ap += KK;
      bp += H * W;
    }
    // Stores: an 8-column vector that lies inside one output row goes out with one vstore8 (through EPILOGUE8
    // where every epilogue stage has a float8 form); one that crosses into the junk columns (ow >= OW) or the
    // next row is stored lane by lane.
#pragma unroll
    for (int i = 0; i < TM; i++) {
      __global float* yc = y + (m0 + i) * OH * OW;
#pragma unroll
      for (int v = 0; v < NV; v++) {
        const int q = q0 + 8 * v;
        const int oh = q / W;
        const int ow = q - oh * W;
        if (ow + 8 <= OW) {
#ifdef EPILOGUE8
          // every epilogue stage has a float8 form (as in gemm_cpu): no spill to private memory
          vstore8(EPILOGUE8(acc[i][v], n, m0 + i, oh * OW + ow), 0, yc + oh * OW + ow);
#else
          float t[8];
          vstore8(acc[i][v], 0, t);
#pragma unroll
          for (int l = 0; l < 8; l++) t[l] = EPILOGUE(t[l], n, m0 + i, oh * OW + ow + l);
          vstore8(vload8(0, t), 0, yc + oh * OW + ow);
#endif
        } else {
          float t[8];
          vstore8(acc[i][v], 0, t);
          for (int l = 0; l < 8; l++) {
            const int ql = q + l;
            const int ohl = ql / W;
            const int owl = ql - ohl * W;
            if (owl < OW) yc[ohl * OW + owl] = EPILOGUE(t[l], n, m0 + i, ohl * OW + owl);
          }
        }
      }
    }
  } else {
    // Fewer output channels or columns than a tile: the same tile, scalar and bounds-checked.
    for (int i = 0; i < TM && m0 + i < CO; i++) {
      for (int j = 0; j < TN && q0 + j < NCOL; j++) {
        const int q = q0 + j;
        const int oh = q / W;
        const int ow = q - oh * W;
        if (ow >= OW) continue;
        float s = 0.0f;
        for (int ci = 0; ci < CI; ci++) {
          for (int kh = 0; kh < KH; kh++) {
            for (int kw = 0; kw < KW; kw++) {
              s = mad(Wt[((m0 + i) * CI + ci) * KK + kh * KW + kw], x[ci * H * W + kh * DH * W + kw * DW + q], s);
            }
          }
        }
        y[(m0 + i) * OH * OW + oh * OW + ow] = EPILOGUE(s, n, m0 + i, oh * OW + ow);
      }
    }
  }
}
#undef KK
#undef NCOL
#undef TN

//@section conv_dw_cpu
// Depthwise (one input channel per output channel) on CPUs: a work-item computes 8 consecutive outputs of one
// row of one channel as a float8, so the KH*KW weights are loaded once and every input row segment with one
// vector load: a vload8 at unit stride, a vload16 split into its even lanes at stride 2. Border tiles gather lane
// by lane with the padding read as zero. One work-item per output element (conv_direct) ran the 3x3 depthwise
// conv of the kernel benchmark at ~2 GFLOP/s.
__kernel void KNAME(__global const float* restrict X, __global const float* restrict Wt,
                    __global float* restrict Y EPI_PARAMS) {
  const int ow0 = get_global_id(0) * 8;
  const int oh = get_global_id(1);
  const int nc = get_global_id(2);
  if (ow0 >= OW || oh >= OH) return;
  const int n = nc / CO;
  const int c = nc % CO;
  const int ih0 = oh * SH - PH;
  const int iw0 = ow0 * SW - PW;
  const bool interior = (SW == 1 || SW == 2) && iw0 >= 0 && iw0 + 7 * SW + (KW - 1) * DW + (SW - 1) < W
      && ow0 + 8 <= OW;
  __global const float* x = X + (long) (n * CI + c) * H * W;
  __global const float* w = Wt + (long) c * KH * KW;
  float8 s = (float8)(0.0f);
  for (int kh = 0; kh < KH; kh++) {
    const int ih = ih0 + kh * DH;
    if (ih < 0 || ih >= H) continue;
    __global const float* xrow = x + ih * W;
#pragma unroll
    for (int kw = 0; kw < KW; kw++) {
      float8 xv;
      if (interior) {
        xv = SW == 1 ? vload8(0, xrow + iw0 + kw * DW) : vload16(0, xrow + iw0 + kw * DW).even;
      } else {
        float t[8];
        for (int l = 0; l < 8; l++) {
          const int iw = iw0 + l * SW + kw * DW;
          t[l] = (iw >= 0 && iw < W) ? xrow[iw] : 0.0f;
        }
        xv = vload8(0, t);
      }
      // mad(), not OFFLOADCL_MADD: one accumulator per work-item is bound by loads here, and fma() measured
      // slightly slower on POCL
      s = mad((float8)(w[kh * KW + kw]), xv, s);
    }
  }
  float t[8];
  vstore8(s, 0, t);
  __global float* y = Y + ((long) nc * OH + oh) * OW;
  for (int l = 0; l < 8 && ow0 + l < OW; l++) y[ow0 + l] = EPILOGUE(t[l], n, c, oh * OW + ow0 + l);
}

//@section im2col
// Im2Col: Y[n][(c * KH + i) * KW + j][oh * OW + ow] = X[n][c][oh * SH - PH + i * DH][ow * SW - PW + j * DW], or 0
// in the padding. One work-item per (position, row, batch).
__kernel void KNAME(__global const float* restrict X, __global float* restrict Y) {
  const int p = get_global_id(0);
  const int r = get_global_id(1);
  const int n = get_global_id(2);
  if (p >= OH * OW) return;
  const int j = r % KW;
  const int i = (r / KW) % KH;
  const int c = r / (KW * KH);
  const int ih = (p / OW) * SH - PH + i * DH;
  const int iw = (p % OW) * SW - PW + j * DW;
  const float v = (ih >= 0 && ih < H && iw >= 0 && iw < W) ? X[(((long) n * C + c) * H + ih) * W + iw] : 0.0f;
  Y[((long) n * (C * KH * KW) + r) * (OH * OW) + p] = v;
}

//@section im2col_cpu
// Im2Col on CPUs: a work-item fills one output row (oh) of one column-matrix row (batch, c, i, j): the OW
// positions whose source lies in the padding are zeros, the rest a copy of a segment of one input row, moved 8 at
// a time with one vector load and one vector store (stride 1, or stride 2 as the even lanes of 16) and the tail
// lane by lane. Per work-item the valid range [owLo, owHi) is computed once, so no element is bounds-checked. The
// generic kernel above spends a division chain per element; 8 positions per work-item instead of a row took 1.4-2x
// longer on squeezenet's 13x13 and stem column matrices (POCL runs work-items as loop iterations).
__kernel void KNAME(__global const float* restrict X, __global float* restrict Y) {
  const int oh = get_global_id(0);
  const int nr = get_global_id(1);
  if (oh >= OH) return;
  const int n = nr / (C * KH * KW);
  const int r = nr % (C * KH * KW);
  const int j = r % KW;
  const int i = (r / KW) % KH;
  const int c = r / (KW * KH);
  const int ih = oh * SH - PH + i * DH;
  __global float* y = Y + (long) nr * (OH * OW) + oh * OW;
  if (ih < 0 || ih >= H) {
    int ow = 0;
    for (; ow + 8 <= OW; ow += 8) vstore8((float8)(0.0f), 0, y + ow);
    for (; ow < OW; ow++) y[ow] = 0.0f;
    return;
  }
  // source column of position ow: ow * SW + off; valid where 0 <= it < W
  const int off = j * DW - PW;
  const int owLo = off >= 0 ? 0 : min(OW, (-off + SW - 1) / SW);
  const int owHi = W - off <= 0 ? owLo : max(owLo, min(OW, (W - 1 - off) / SW + 1));
  __global const float* xrow = X + (((long) n * C + c) * H + ih) * W + off;
  int ow = 0;
  for (; ow < owLo; ow++) y[ow] = 0.0f;
  if (SW == 1 || SW == 2) {
    // a vector whose last read (lane 7's source, plus lane 15's for stride 2) is inside the row
    for (; ow + 8 <= owHi && (ow + 7) * SW + (SW - 1) + off < W; ow += 8) {
      vstore8(SW == 1 ? vload8(0, xrow + ow) : vload16(0, xrow + 2 * ow).even, 0, y + ow);
    }
  }
  for (; ow < owHi; ow++) y[ow] = xrow[ow * SW];
  for (; ow < OW; ow++) y[ow] = 0.0f;
}

//@section conv_pool_cpu
//@use common.cl madd
// Conv (group 1, unit stride, no dilation) followed by a max pool over non-overlapping PKH x 2 windows
// (FusedConv with pool_kernel), on CPUs: the unpooled output is never stored. A work-item computes COB output
// channels x 8 pooled outputs (PR pooled rows of LC consecutive pooled columns: 1 x 8, or 2 x 4 for rows of at
// most 4, so the float8 lanes stay full), holding every window position's conv outputs as COB * PKH * 2 float8
// accumulators; after the epilogue it keeps their max (the pool follows the epilogue, so any activation is
// exact). Pooled column q reads input columns 2q + t, t < RW, so a row segment is, per t, the even lanes of a
// 2*LC-float load; the RH input rows of a pooled row serve PKH * KH (window row, tap row) pairs, each loaded once
// per channel. Where the 2*LC floats would pass the row's end, the load starts one float earlier and takes the
// odd lanes, so interior tiles never read past their row. Tiles with padding are gathered lane by lane with
// zeros; the last tile of a row is shifted back to end at the row's end, like conv_cpu's. Extra parameters:
// PKH (pool rows), POH POW (pooled extents), COB, LC (8 or 4), PR = 8 / LC; channels past CO in the last block
// compute channel CO-1 again, and a second pooled row past POH row POH-1; neither is stored.
#define RH (PKH + KH - 1)
#define RW (2 + KW - 1)
#if LC == 8
#define LOADR(p, step) vload16(0, p).even
#define LOADR_ODD(p, step) vload16(0, p).odd
#else
#define LOADR(p, step) (float8)(vload8(0, p).even, vload8(0, (p) + (step)).even)
#define LOADR_ODD(p, step) (float8)(vload8(0, p).odd, vload8(0, (p) + (step)).odd)
#endif
__kernel void KNAME(__global const float* restrict X, __global const float* restrict Wt,
                    __global float* restrict Y EPI_PARAMS) {
  const int pwS = get_global_id(0) * LC;
  const int ph = get_global_id(1) * PR;
  const int nb = get_global_id(2);
  if (pwS >= POW || ph >= POH) return;
  const int pw0 = POW >= LC ? min(pwS, POW - LC) : pwS;
  const int nblk = (CO + COB - 1) / COB;
  const int n = nb / nblk;
  const int co0 = (nb % nblk) * COB;
  const int ih0 = ph * PKH - PH;
  const int iw0 = pw0 * 2 - PW;
  // input rows from one pooled row of the tile to the next (0 where the next is past POH: it repeats the row)
  const int step = PR > 1 && ph + 1 < POH ? PKH * W : 0;
  const bool interior = W >= 2 * LC && iw0 >= 0 && iw0 + RW + 2 * LC - 2 <= W && ih0 >= 0
      && ih0 + (PR - 1) * PKH + RH <= H;
  float8 acc[COB][PKH * 2];
#pragma unroll
  for (int j = 0; j < COB; j++) {
#pragma unroll
    for (int e = 0; e < PKH * 2; e++) acc[j][e] = (float8)(0.0f);
  }
  __global const float* wc[COB];
#pragma unroll
  for (int j = 0; j < COB; j++) wc[j] = Wt + (long) min(co0 + j, CO - 1) * CI * KH * KW;
  for (int ci = 0; ci < CI; ci++) {
    __global const float* x = X + (long) (n * CI + ci) * H * W;
#pragma unroll
    for (int r = 0; r < RH; r++) {
      __global const float* xrow = x + (ih0 + r) * W + iw0;
      float8 xv[RW];
      if (interior) {
#pragma unroll
        for (int t = 0; t < RW; t++) {
          xv[t] = iw0 + t + 2 * LC <= W ? LOADR(xrow + t, step) : LOADR_ODD(xrow + t - 1, step);
        }
      } else {
#pragma unroll
        for (int t = 0; t < RW; t++) {
          float g[8];
          for (int l = 0; l < 8; l++) {
            const int ih = ih0 + r + (l / LC) * (step / W);
            const int iw = iw0 + 2 * (l % LC) + t;
            g[l] = (ih >= 0 && ih < H && iw >= 0 && iw < W) ? x[ih * W + iw] : 0.0f;
          }
          xv[t] = vload8(0, g);
        }
      }
#pragma unroll
      for (int dy = 0; dy < PKH; dy++) {
        const int kh = r - dy;
        if (kh < 0 || kh >= KH) continue;
#pragma unroll
        for (int kw = 0; kw < KW; kw++) {
#pragma unroll
          for (int j = 0; j < COB; j++) {
            const float8 wv = (float8)(wc[j][(ci * KH + kh) * KW + kw]);
            acc[j][dy * 2] = OFFLOADCL_MADD(wv, xv[kw], acc[j][dy * 2]);
            acc[j][dy * 2 + 1] = OFFLOADCL_MADD(wv, xv[kw + 1], acc[j][dy * 2 + 1]);
          }
        }
      }
    }
  }
#pragma unroll
  for (int j = 0; j < COB; j++) {
    const int c = co0 + j;
    if (c >= CO) break;
    float m[8];
#pragma unroll
    for (int e = 0; e < PKH * 2; e++) {
      float t[8];
      vstore8(acc[j][e], 0, t);
#pragma unroll
      for (int l = 0; l < 8; l++) {
        const int oh = min(ph + l / LC, POH - 1) * PKH + e / 2;
        const float v = EPILOGUE(t[l], n, c, oh * OW + min((pw0 + l % LC) * 2 + e % 2, OW - 1));
        // a NaN in the window wins, as in the reference
        m[l] = e == 0 || v > m[l] || isnan(v) ? v : m[l];
      }
    }
    __global float* y = Y + (long) (n * CO + c) * POH * POW;
    for (int l = 0; l < 8; l++) {
      const int py = ph + l / LC;
      const int pw = pw0 + l % LC;
      if (py < POH && pw >= pwS && pw < POW) y[py * POW + pw] = m[l];
    }
  }
}
#undef LOADR_ODD
#undef LOADR
#undef RW
#undef RH

//@section conv_pool
// Conv followed by a max pool over non-overlapping PKH x PKW windows (FusedConv with pool_kernel), for any
// device: one work-item per pooled output computes its window's conv outputs as conv_direct does, applies the
// epilogue to each and stores their max. Extra parameters: PKH PKW (pool window = stride), POH POW.
//@use common.cl conv_at
__kernel void KNAME(__global const float* restrict X, __global const float* restrict Wt,
                    __global float* restrict Y EPI_PARAMS) {
  const int pw = get_global_id(0);
  const int ph = get_global_id(1);
  const int nc = get_global_id(2);
  if (pw >= POW || ph >= POH) return;
  const int n = nc / CO;
  const int co = nc % CO;
  const int g = co / COG;
  float m = 0.0f;
  for (int e = 0; e < PKH * PKW; e++) {
    const int oh = ph * PKH + e / PKW;
    const int ow = pw * PKW + e % PKW;
    const int ih0 = oh * SH - PH;
    const int iw0 = ow * SW - PW;
    float s;
    CONV_AT(s, n, co, g, ih0, iw0);
    const float v = EPILOGUE(s, n, co, oh * OW + ow);
    m = e == 0 || v > m || isnan(v) ? v : m;
  }
  Y[((long) nc * POH + ph) * POW + pw] = m;
}
