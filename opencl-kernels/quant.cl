// INT8 ops of the quantization rewrite (domain offloadcl): QuantizeInt8, DequantizeInt8, QConvInt8, QGemmInt8,
// and MaxPool over int8, which the rewrite leaves inside quantized regions.
// Bit-exact with runtime.cpu.QuantKernels: products of int8 values summed in int32, then per output channel
// c: (acc + B[c]) * M[c] either kept as float (float multiply, as the reference) or requantized to int8 with
// round-half-to-even in double precision and saturation to [-127, 127] ([0, 127] after Relu).
//
// Parameters (#defines from codegen): OUT_INT8 (1: char output, 0: float), RELU, HAS_BIAS; per section below.
// The vector inner loops multiply int8 pairs with one pmaddwd (16-bit products summed pairwise into int32) on
// x86 CPU devices, which POCL compiles for the host CPU with its target macros; other devices get the same
// arithmetic written portably.

//@section helpers
#ifndef OFFLOADCL_QUANT_HELPERS
#define OFFLOADCL_QUANT_HELPERS
#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif

// Sum of pairwise products: r[i] = a[2i] * b[2i] + a[2i+1] * b[2i+1], exact in int32 for 16-bit inputs.
#if defined(__x86_64__) && defined(__AVX2__)
typedef short offloadcl_v16hi __attribute__((vector_size(32)));
typedef int offloadcl_v8si __attribute__((vector_size(32)));
inline int8 q_pmadd(short16 a, short16 b) {
  offloadcl_v8si r = __builtin_ia32_pmaddwd256((offloadcl_v16hi) a, (offloadcl_v16hi) b);
  int8 o;
  __builtin_memcpy(&o, &r, 32);
  return o;
}
#else
inline int8 q_pmadd(short16 a, short16 b) {
  return convert_int8(a.even) * convert_int8(b.even) + convert_int8(a.odd) * convert_int8(b.odd);
}
#endif

// 512-bit pmaddwd where the compiler targets AVX-512BW (POCL on Skylake-AVX512 class CPUs)
#if defined(__x86_64__) && defined(__AVX512BW__) && defined(__clang__)
#define OFFLOADCL_QUANT_ZMM 1
typedef short q_v32hi __attribute__((vector_size(64)));
// patch rows of an odd number of 16-step blocks are only 32-byte aligned
typedef short q_v32hi_u __attribute__((vector_size(64), aligned(2)));
typedef char q_v32qi __attribute__((vector_size(32), aligned(1)));
typedef int q_v16si __attribute__((vector_size(64)));
// the eight pairwise sums of a 16-lane accumulator's halves, as the int8 of the 256-bit loop
inline int8 q_fold16(q_v16si a) {
  int8 lo, hi;
  __builtin_memcpy(&lo, &a, 32);
  __builtin_memcpy(&hi, ((char*) &a) + 32, 32);
  return lo + hi;
}
#else
#define OFFLOADCL_QUANT_ZMM 0
#endif

inline int q_hsum8(int8 v) {
  const int4 h = v.lo + v.hi;
  const int2 q = h.lo + h.hi;
  return q.x + q.y;
}

// The eight horizontal sums of a0..a7 as one vector (three rounds of pairwise adds instead of 8 scalar
// reductions).
inline int8 q_hsum8x8(int8 a0, int8 a1, int8 a2, int8 a3, int8 a4, int8 a5, int8 a6, int8 a7) {
  const int8 b0 = (int8)(a0.even + a0.odd, a1.even + a1.odd);
  const int8 b1 = (int8)(a2.even + a2.odd, a3.even + a3.odd);
  const int8 b2 = (int8)(a4.even + a4.odd, a5.even + a5.odd);
  const int8 b3 = (int8)(a6.even + a6.odd, a7.even + a7.odd);
  const int8 c0 = (int8)(b0.even + b0.odd, b1.even + b1.odd);
  const int8 c1 = (int8)(b2.even + b2.odd, b3.even + b3.odd);
  return (int8)(c0.even + c0.odd, c1.even + c1.odd);
}

// q_requant and q_float for 8 outputs of one channel.
inline char8 q_requant8(int8 acc, float mul, int lo) {
#ifdef cl_khr_fp64
  const double8 r = rint(convert_double8(acc) * (double) mul);
  const long8 nan = isnan(r);
  const int8 v = convert_int8(clamp(r, -127.0, 127.0));
#else
  const float8 r = rint(convert_float8(acc) * mul);
  const int8 nan = isnan(r);
  const int8 v = convert_int8(clamp(r, -127.0f, 127.0f));
#endif
  return convert_char8(max(select(v, (int8)(0), convert_int8(nan)), (int8)(lo)));
}

inline float8 q_float8(int8 acc, float mul, int relu) {
  const float8 v = convert_float8(acc) * mul;
  return relu ? select(v, (float8)(0.0f), v < 0.0f) : v;
}

// The reference's saturate(double): rint (half to even), NaN to 0, clamp to [lo, 127]. Without fp64 the
// product is rounded to float first, which can move a value lying within 1 ulp of a .5 boundary by one step.
inline char q_requant(int acc, float mul, int lo) {
#ifdef cl_khr_fp64
  double r = rint((double) acc * (double) mul);
#else
  float r = rint((float) acc * mul);
#endif
  int v = isnan(r) ? 0 : r > 127 ? 127 : r < -127 ? -127 : (int) r;
  return (char) (v < lo ? lo : v);
}

// Float output: the int accumulator converts to float (round to nearest), one float multiply, then Relu.
inline float q_float(int acc, float mul, int relu) {
  const float v = (float) acc * mul;
  return relu && v < 0.0f ? 0.0f : v;
}
// Input vector of reduction step t for 16 output columns starting at input column iw0 of input row ih0 (the
// window's origin): a vload16 where a unit-stride row covers it, else a gather reading padding as zero; steps
// past the end (kt) are zero.
inline short16 q_load16(__global const char* restrict x, int t, int ih0, int iw0, int kt, int kh_, int kw_,
                        int h, int w, int sw, int dh, int dw) {
  const int ci = t / (kh_ * kw_);
  const int r = t - ci * (kh_ * kw_);
  const int kh = r / kw_;
  const int kw = r - kh * kw_;
  const int ih = ih0 + kh * dh;
  if (t >= kt || ih < 0 || ih >= h) return (short16)(0);
  __global const char* row = x + ((long) ci * h + ih) * w;
  const int iw = iw0 + kw * dw;
  if (sw == 1 && iw >= 0 && iw + 16 <= w) return convert_short16(vload16(0, row + iw));
  short v[16];
#pragma unroll
  for (int l = 0; l < 16; l++) {
    const int c = iw + l * sw;
    v[l] = (c >= 0 && c < w) ? (short) row[c] : (short) 0;
  }
  return vload16(0, v);
}
// The 8 pixels of reduction step (ci, kh, kw) of a qconv tile whose window starts at (ih0, iw0), padding as zero.
__attribute__((always_inline)) inline char8 q_gather8(__global const char* x, int ci, int kh, int kw, int ih0,
                                                     int iw0, int h, int w, int sw, int dh, int dw) {
  const int ih = ih0 + kh * dh;
  if (ih < 0 || ih >= h) return (char8)(0);
  __global const char* row = x + ((long) ci * h + ih) * w;
  const int iw = iw0 + kw * dw;
  if (sw == 1 && iw >= 0 && iw + 8 <= w) return vload8(0, row + iw);
  if (sw == 1 && w >= 8) {
    // a window hanging over one end of the row: the 8 bytes at that end, shifted into place with zeros
    // (lane 0 is the low byte)
    if (iw <= -8 || iw >= w) return (char8)(0);
    if (iw < 0) return as_char8(as_ulong(vload8(0, row)) << (8 * -iw));
    return as_char8(as_ulong(vload8(0, row + w - 8)) >> (8 * (iw - (w - 8))));
  }
  char v[8];
#pragma unroll
  for (int p = 0; p < 8; p++) {
    const int c = iw + p * sw;
    v[p] = (c >= 0 && c < w) ? row[c] : (char) 0;
  }
  return vload8(0, v);
}

// v[s] holds step s of 8 pixels; row p of the result (pixel p, 16 steps) goes to patch[p * stride]: three
// rounds of interleaving (bytes, pairs, quads), then pixel p's two 8-step halves sit in lane p of l0 and l1.
__attribute__((always_inline)) inline void q_transpose16x8(const char8* v, short16* patch, int stride) {
#ifdef __clang__
  // POCL's shuffle2 is an out-of-line element loop; clang's builtin becomes punpck instructions
#define Q_IL(a, b) __builtin_shufflevector(a, b, 0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15)
#else
#define Q_IL(a, b) shuffle2(a, b, (Q_IL_MASK)(0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15))
#endif
#define Q_IL_MASK uchar16
  const char16 u0 = Q_IL(v[0], v[1]), u1 = Q_IL(v[2], v[3]);
  const char16 u2 = Q_IL(v[4], v[5]), u3 = Q_IL(v[6], v[7]);
  const char16 u4 = Q_IL(v[8], v[9]), u5 = Q_IL(v[10], v[11]);
  const char16 u6 = Q_IL(v[12], v[13]), u7 = Q_IL(v[14], v[15]);
#undef Q_IL_MASK
#define Q_IL_MASK ushort16
  const short16 w0 = Q_IL(as_short8(u0), as_short8(u1)), w1 = Q_IL(as_short8(u2), as_short8(u3));
  const short16 w2 = Q_IL(as_short8(u4), as_short8(u5)), w3 = Q_IL(as_short8(u6), as_short8(u7));
#undef Q_IL_MASK
#define Q_IL_MASK uint16
  const long8 l0 = as_long8(Q_IL(as_int8(w0), as_int8(w1)));
  const long8 l1 = as_long8(Q_IL(as_int8(w2), as_int8(w3)));
#undef Q_IL_MASK
#undef Q_IL
  patch[0 * stride] = convert_short16(as_char16((long2)(l0.s0, l1.s0)));
  patch[1 * stride] = convert_short16(as_char16((long2)(l0.s1, l1.s1)));
  patch[2 * stride] = convert_short16(as_char16((long2)(l0.s2, l1.s2)));
  patch[3 * stride] = convert_short16(as_char16((long2)(l0.s3, l1.s3)));
  patch[4 * stride] = convert_short16(as_char16((long2)(l0.s4, l1.s4)));
  patch[5 * stride] = convert_short16(as_char16((long2)(l0.s5, l1.s5)));
  patch[6 * stride] = convert_short16(as_char16((long2)(l0.s6, l1.s6)));
  patch[7 * stride] = convert_short16(as_char16((long2)(l0.s7, l1.s7)));
}
#endif

//@section quantize
// NELEM values, 16 per work-item; q = saturate(x * INV) with INV = 1 / scale computed in float by codegen.
__kernel void KNAME(__global const float* restrict X, __global char* restrict Y) {
  const int i0 = get_global_id(0) * 16;
  if (i0 + 16 <= NELEM) {
    const float16 r = rint(vload16(0, X + i0) * INV);
    const int16 v = convert_int16(clamp(r, -127.0f, 127.0f));
    vstore16(convert_char16(select(v, (int16)(0), isnan(r))), 0, Y + i0);
  } else {
    for (int i = i0; i < NELEM; i++) {
      const float r = rint(X[i] * INV);
      Y[i] = (char) (isnan(r) ? 0 : (int) clamp(r, -127.0f, 127.0f));
    }
  }
}

//@section dequantize
// NELEM values, 16 per work-item: x = q * SCALE.
__kernel void KNAME(__global const char* restrict X, __global float* restrict Y) {
  const int i0 = get_global_id(0) * 16;
  if (i0 + 16 <= NELEM) {
    vstore16(convert_float16(vload16(0, X + i0)) * SCALE, 0, Y + i0);
  } else {
    for (int i = i0; i < NELEM; i++) Y[i] = (float) X[i] * SCALE;
  }
}

//@section qgemm
// Y[m][n] = epilogue(sum_k A[m][k] * W[n][k]): both operands run along K, so every output is a dot product of
// two contiguous int8 rows. A work-item owns a TM x TN tile held as TM*TN int8 accumulators; per 16-wide K
// step it loads TM + TN char16 rows and does TM*TN pmaddwd. Rows past the edge are clamped for loading (their
// results are not stored); the K remainder is summed scalar.
// Parameters: M N K TM TN.
#if HAS_BIAS
#define Q_BIAS(c) Bias[c]
#define Q_BIAS_PARAM __global const int* restrict Bias,
#else
#define Q_BIAS(c) 0
#define Q_BIAS_PARAM
#endif
#if OUT_INT8
#define Q_OUT_T char
#define Q_STORE(y, acc, c) (y) = q_requant((acc) + Q_BIAS(c), Mul[c], RELU ? 0 : -127)
#else
#define Q_OUT_T float
#define Q_STORE(y, acc, c) (y) = q_float((acc) + Q_BIAS(c), Mul[c], RELU)
#endif

__kernel void KNAME(__global const char* restrict A, __global const char* restrict Wt, Q_BIAS_PARAM
                    __global const float* restrict Mul, __global Q_OUT_T* restrict Y) {
  const int n0 = get_global_id(0) * TN;
  const int m0 = get_global_id(1) * TM;
  if (m0 >= M || n0 >= N) return;
  __global const char* a[TM];
  __global const char* w[TN];
#pragma unroll
  for (int i = 0; i < TM; i++) a[i] = A + (long) min(m0 + i, M - 1) * K;
#pragma unroll
  for (int j = 0; j < TN; j++) w[j] = Wt + (long) min(n0 + j, N - 1) * K;
  int8 acc[TM][TN];
#pragma unroll
  for (int i = 0; i < TM; i++)
#pragma unroll
    for (int j = 0; j < TN; j++) acc[i][j] = (int8)(0);
  int k = 0;
  for (; k + 16 <= K; k += 16) {
    short16 av[TM], wv[TN];
#pragma unroll
    for (int i = 0; i < TM; i++) av[i] = convert_short16(vload16(0, a[i] + k));
#pragma unroll
    for (int j = 0; j < TN; j++) wv[j] = convert_short16(vload16(0, w[j] + k));
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
      for (int j = 0; j < TN; j++) acc[i][j] += q_pmadd(av[i], wv[j]);
  }
  for (int i = 0; i < TM && m0 + i < M; i++) {
    for (int j = 0; j < TN && n0 + j < N; j++) {
      int s = q_hsum8(acc[i][j]);
      for (int t = k; t < K; t++) s += (int) a[i][t] * (int) w[j][t];
      Q_STORE(Y[(long) (m0 + i) * N + n0 + j], s, n0 + j);
    }
  }
}
#undef Q_BIAS
#undef Q_BIAS_PARAM
#undef Q_OUT_T
#undef Q_STORE

//@section qconv
// NCHW convolution as a GEMM with im2col on the fly, in the dot-product form of qgemm: a work-item owns TN
// consecutive output pixels of one output row and every output channel of its group. It first copies the TN
// input patches (the reduction index t = (ci * KH + kh) * KW + kw, padding and the tail up to KPAD read as 0)
// into private memory, widened to short once, then runs TM output channels at a time over them: per 16-wide
// step TM weight rows and TN patch rows, TM*TN pmaddwd (32-wide steps on 512-bit registers where the compiler
// has AVX-512BW). The patch copy is paid once per pixel for all COG channels; with 8 pixels and unit stride it
// is built 16 steps at a time: 16 8-pixel loads (row ends shifted in with zeros) transposed in registers into
// the 8 patch rows. Pointwise convolutions arrive as a 1-D convolution over the flattened plane (H = OH = 1,
// W = OW = H * W).
// Parameters: BATCH CI CO CIG COG GROUP H W OH OW KH KW SH SW DH DW PH PW TM TN KPAD QG.
#if HAS_BIAS
#define Q_BIAS(c) Bias[c]
#define Q_BIAS_PARAM __global const int* restrict Bias,
#else
#define Q_BIAS(c) 0
#define Q_BIAS_PARAM
#endif
#if OUT_INT8
#define Q_OUT_T char
#define Q_STORE(y, acc, c) (y) = q_requant((acc) + Q_BIAS(c), Mul[c], RELU ? 0 : -127)
#else
#define Q_OUT_T float
#define Q_STORE(y, acc, c) (y) = q_float((acc) + Q_BIAS(c), Mul[c], RELU)
#endif
#define Q_KT (CIG * KH * KW)
// advances the reduction index (ci, kh, kw) by one step
#define Q_STEP(ci, kh, kw) do { if (++(kw) == KW) { (kw) = 0; if (++(kh) == KH) { (kh) = 0; (ci)++; } } } while (0)
__kernel void KNAME(__global const char* restrict X, __global const char* restrict Wt, Q_BIAS_PARAM
                    __global const float* restrict Mul, __global Q_OUT_T* restrict Y) {
  const int ow0 = get_global_id(0) * TN;
  const int oh = get_global_id(1);
  const int ng = get_global_id(2);
  if (ow0 >= OW || oh >= OH) return;
  const int n = ng / GROUP;
  const int g = ng % GROUP;
  __global const char* x = X + (long) (n * CI + g * CIG) * H * W;
#if TN == 8 && SW == 1
  // short16 rows of 16 reduction steps per pixel: each block of 16 steps is loaded as 16 pixel vectors (one
  // 8-byte load per (ci, kh, kw) in the interior) and transposed in registers, instead of 128 scalar stores
  short16 patchv[8][KPAD / 16];
#define patch(p, t) (((short*) patchv[p])[t])
#define Q_PV(j, k) patchv[j][(k) / 16]
  const int ih0 = oh * SH - PH;
  const int iw0 = ow0 * SW - PW;
  const bool inside = SW == 1 && ow0 + 8 <= OW && iw0 >= 0 && iw0 + (KW - 1) * DW + 8 <= W && ih0 >= 0
      && ih0 + (KH - 1) * DH < H;
  int ci = 0, kh = 0, kw = 0;
  int k0 = 0;
  if (inside) {
    // QG channels make a whole number of 16-step blocks (QG * KH * KW = lcm(16, KH * KW)), so within a
    // group every load offset is a compile-time constant (QG = 0: no groups, for kernels whose lcm would
    // unroll too far)
    __global const char* x0 = x + (long) ih0 * W + iw0;
#if QG
    for (; ci + QG <= CIG; ci += QG, k0 += QG * KH * KW) {
      __global const char* xc = x0 + (long) ci * H * W;
#pragma unroll
      for (int b = 0; b < QG * KH * KW / 16; b++) {
        char8 v[16];
#pragma unroll
        for (int s = 0; s < 16; s++) {
          const int t = b * 16 + s;
          v[s] = vload8(0, xc + ((t / (KH * KW)) * H + (t % (KH * KW)) / KW * DH) * W + (t % KW) * DW);
        }
        q_transpose16x8(v, &patchv[0][k0 / 16 + b], KPAD / 16);
      }
    }
#endif
    for (; k0 + 16 <= Q_KT; k0 += 16) {
      char8 v[16];
#pragma unroll
      for (int s = 0; s < 16; s++) {
        v[s] = vload8(0, x0 + ((long) ci * H + kh * DH) * W + kw * DW);
        Q_STEP(ci, kh, kw);
      }
      q_transpose16x8(v, &patchv[0][k0 / 16], KPAD / 16);
    }
  } else {
#if QG
    for (; ci + QG <= CIG; ci += QG, k0 += QG * KH * KW) {
#pragma unroll
      for (int b = 0; b < QG * KH * KW / 16; b++) {
        char8 v[16];
#pragma unroll
        for (int s = 0; s < 16; s++) {
          const int t = b * 16 + s;
          v[s] = q_gather8(x, ci + t / (KH * KW), (t % (KH * KW)) / KW, t % KW, ih0, iw0, H, W, SW, DH, DW);
        }
        q_transpose16x8(v, &patchv[0][k0 / 16 + b], KPAD / 16);
      }
    }
#endif
    for (; k0 + 16 <= Q_KT; k0 += 16) {
      char8 v[16];
#pragma unroll
      for (int s = 0; s < 16; s++) {
        v[s] = q_gather8(x, ci, kh, kw, ih0, iw0, H, W, SW, DH, DW);
        Q_STEP(ci, kh, kw);
      }
      q_transpose16x8(v, &patchv[0][k0 / 16], KPAD / 16);
    }
  }
#if Q_KT % 16 != 0
  {
    char8 v[16];
#pragma unroll
    for (int s = 0; s < 16; s++) {
      if (k0 + s < Q_KT) {
        v[s] = q_gather8(x, ci, kh, kw, ih0, iw0, H, W, SW, DH, DW);
        Q_STEP(ci, kh, kw);
      } else {
        v[s] = (char8)(0);
      }
    }
    q_transpose16x8(v, &patchv[0][k0 / 16], KPAD / 16);
  }
#endif
#else
  // short16 rows, so the dot loop reads whole vectors (a short array read by vload16 becomes piecewise loads)
  short16 patchv[TN][KPAD / 16];
#define patch(p, t) (((short*) patchv[p])[t])
#define Q_PV(j, k) patchv[j][(k) / 16]
  // a unit-stride tile whose TN pixels all exist reads each (ci, kh, kw) as one TN-byte vector; other tiles
  // gather pixel by pixel with the padding read as zero
  const int iw0 = ow0 * SW - PW;
  const bool full = SW == 1 && ow0 + TN <= OW;
  int t = 0;
  for (int ci = 0; ci < CIG; ci++) {
    for (int kh = 0; kh < KH; kh++) {
      const int ih = oh * SH - PH + kh * DH;
      const bool row = ih >= 0 && ih < H;
      __global const char* xr = x + ((long) ci * H + ih) * W;
      for (int kw = 0; kw < KW; kw++, t++) {
        const int iw = iw0 + kw * DW;
        if (full && row && iw >= 0 && iw + TN <= W) {
#if TN == 4
          const char4 v = vload4(0, xr + iw);
          patch(0, t) = v.s0; patch(1, t) = v.s1; patch(2, t) = v.s2; patch(3, t) = v.s3;
#else
#pragma unroll
          for (int p = 0; p < TN; p++) patch(p, t) = xr[iw + p];
#endif
        } else {
#pragma unroll
          for (int p = 0; p < TN; p++) {
            const int c = iw + p * SW;
            patch(p, t) = (row && ow0 + p < OW && c >= 0 && c < W) ? (short) xr[c] : (short) 0;
          }
        }
      }
    }
  }
  for (; t < KPAD; t++) {
#pragma unroll
    for (int p = 0; p < TN; p++) patch(p, t) = 0;
  }
#endif
  for (int c0 = 0; c0 < COG; c0 += TM) {
    __global const char* w[TM];
#pragma unroll
    for (int i = 0; i < TM; i++) w[i] = Wt + (long) (g * COG + min(c0 + i, COG - 1)) * Q_KT;
    int8 acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
      for (int j = 0; j < TN; j++) acc[i][j] = (int8)(0);
    int k = 0;
#if OFFLOADCL_QUANT_ZMM
    {
      // 32 reduction steps per pmaddwd on 512-bit registers: half the instructions of the 16-wide loop
      q_v16si acc2[TM][TN];
#pragma unroll
      for (int i = 0; i < TM; i++)
#pragma unroll
        for (int j = 0; j < TN; j++) acc2[i][j] = (q_v16si) ((int16)(0));
      for (; k + 32 <= Q_KT; k += 32) {
        q_v32hi wv[TM], pv[TN];
#pragma unroll
        for (int i = 0; i < TM; i++) wv[i] = __builtin_convertvector(*(__global const q_v32qi*) (w[i] + k), q_v32hi);
#pragma unroll
        for (int j = 0; j < TN; j++) pv[j] = *(const q_v32hi_u*) &patchv[j][k / 16];
#pragma unroll
        for (int i = 0; i < TM; i++)
#pragma unroll
          for (int j = 0; j < TN; j++) acc2[i][j] += __builtin_ia32_pmaddwd512(wv[i], pv[j]);
      }
#pragma unroll
      for (int i = 0; i < TM; i++)
#pragma unroll
        for (int j = 0; j < TN; j++) acc[i][j] = q_fold16(acc2[i][j]);
    }
#endif
    for (; k + 16 <= Q_KT; k += 16) {
      short16 wv[TM], pv[TN];
#pragma unroll
      for (int i = 0; i < TM; i++) wv[i] = convert_short16(vload16(0, w[i] + k));
#pragma unroll
      for (int j = 0; j < TN; j++) pv[j] = Q_PV(j, k);
#pragma unroll
      for (int i = 0; i < TM; i++)
#pragma unroll
        for (int j = 0; j < TN; j++) acc[i][j] += q_pmadd(wv[i], pv[j]);
    }
    for (int i = 0; i < TM && c0 + i < COG; i++) {
      const int co = g * COG + c0 + i;
      __global Q_OUT_T* y = Y + ((long) (n * CO + co) * OH + oh) * OW;
#if TN == 8
      if (k == Q_KT && ow0 + 8 <= OW) {
        const int8 s = q_hsum8x8(acc[i][0], acc[i][1], acc[i][2], acc[i][3], acc[i][4], acc[i][5], acc[i][6],
                                 acc[i][7]) + Q_BIAS(co);
#if OUT_INT8
        vstore8(q_requant8(s, Mul[co], RELU ? 0 : -127), 0, y + ow0);
#else
        vstore8(q_float8(s, Mul[co], RELU), 0, y + ow0);
#endif
        continue;
      }
#endif
      for (int j = 0; j < TN && ow0 + j < OW; j++) {
        int s = q_hsum8(acc[i][j]);
        for (int t = k; t < Q_KT; t++) s += (int) w[i][t] * (int) patch(j, t);
        Q_STORE(y[ow0 + j], s, co);
      }
    }
  }
}
#undef Q_KT
#undef patch
#undef Q_PV
#undef Q_STEP
#undef Q_BIAS
#undef Q_BIAS_PARAM
#undef Q_OUT_T
#undef Q_STORE

//@section qconv_direct
// Fallback for reductions too long for qconv's private patches (codegen picks it past 32 KiB of patch).
// NCHW convolution as im2col on the fly: the reduction index t = (ci * KH + kh) * KW + kw runs along a
// weight row (W is [CO][CIG][KH][KW]). A work-item owns COB output channels x 16 consecutive output columns of
// one output row. Per pair of reduction steps (t, t + 1) it loads the two 16-pixel input vectors (one
// vload16 in the interior of unit-stride rows, a bounds-checked gather with zero padding elsewhere),
// interleaves them so each 32-bit lane holds (x_t, x_t+1) of one pixel, and multiplies them with the weight
// pair (w_t, w_t+1) of each of the COB channels: one pmaddwd per 8 pixels per channel. Pointwise convolutions
// arrive as a 1-D convolution over the flattened plane (H = OH = 1, W = OW = H * W).
// Parameters: BATCH CI CO CIG COG H W OH OW KH KW SH SW DH DW PH PW COB.
#if HAS_BIAS
#define Q_BIAS(c) Bias[c]
#define Q_BIAS_PARAM __global const int* restrict Bias,
#else
#define Q_BIAS(c) 0
#define Q_BIAS_PARAM
#endif
#if OUT_INT8
#define Q_OUT_T char
#define Q_STORE(y, acc, c) (y) = q_requant((acc) + Q_BIAS(c), Mul[c], RELU ? 0 : -127)
#else
#define Q_OUT_T float
#define Q_STORE(y, acc, c) (y) = q_float((acc) + Q_BIAS(c), Mul[c], RELU)
#endif

#define Q_KT (CIG * KH * KW)

__kernel void KNAME(__global const char* restrict X, __global const char* restrict Wt, Q_BIAS_PARAM
                    __global const float* restrict Mul, __global Q_OUT_T* restrict Y) {
  const int ow0 = get_global_id(0) * 16;
  const int oh = get_global_id(1);
  const int nb = get_global_id(2);
  if (ow0 >= OW || oh >= OH) return;
  const int n = nb / (CO / COB);
  const int co0 = (nb % (CO / COB)) * COB;
  const int g = co0 / COG;
  __global const char* w = Wt + (long) co0 * Q_KT;
  int8 lo[COB], hi[COB];
#pragma unroll
  for (int j = 0; j < COB; j++) { lo[j] = (int8)(0); hi[j] = (int8)(0); }
  for (int t = 0; t < Q_KT; t += 2) {
    const short16 xa = q_load16(X + (long) (n * CI + g * CIG) * H * W, t, oh * SH - PH, ow0 * SW - PW, Q_KT, KH, KW, H, W, SW, DH, DW);
    const short16 xb = q_load16(X + (long) (n * CI + g * CIG) * H * W, t + 1, oh * SH - PH, ow0 * SW - PW, Q_KT, KH, KW, H, W, SW, DH, DW);
    const short16 il = shuffle2(xa, xb, (ushort16)(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
    const short16 ih = shuffle2(xa, xb, (ushort16)(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31));
#pragma unroll
    for (int j = 0; j < COB; j++) {
      const int wa = w[j * Q_KT + t];
      const int wb = t + 1 < Q_KT ? w[j * Q_KT + t + 1] : 0;
      const short16 wp = as_short16((int8)((wa & 0xffff) | (int) ((uint) wb << 16)));
      lo[j] += q_pmadd(il, wp);
      hi[j] += q_pmadd(ih, wp);
    }
  }
#pragma unroll
  for (int j = 0; j < COB; j++) {
    int s[16];
    vstore8(lo[j], 0, s);
    vstore8(hi[j], 0, s + 8);
    __global Q_OUT_T* y = Y + ((long) (n * CO + co0 + j) * OH + oh) * OW;
    for (int l = 0; l < 16 && ow0 + l < OW; l++) Q_STORE(y[ow0 + l], s[l], co0 + j);
  }
}
#undef Q_KT
#undef Q_BIAS
#undef Q_BIAS_PARAM
#undef Q_OUT_T
#undef Q_STORE

//@section qmaxpool
// MaxPool over int8 (the rewrite keeps it inside quantized regions: max commutes with the monotone
// quantization). One work-item per output; positions in the padding are skipped, as in the reference.
// Parameters: NC (batch * channels) H W OH OW KH KW SH SW DH DW PH PW.
__kernel void KNAME(__global const char* restrict X, __global char* restrict Y) {
  const int ow = get_global_id(0);
  const int oh = get_global_id(1);
  const int nc = get_global_id(2);
  if (ow >= OW || oh >= OH) return;
  __global const char* x = X + (long) nc * H * W;
  int m = -128;
  for (int kh = 0; kh < KH; kh++) {
    const int ih = oh * SH - PH + kh * DH;
    if (ih < 0 || ih >= H) continue;
    for (int kw = 0; kw < KW; kw++) {
      const int iw = ow * SW - PW + kw * DW;
      if (iw >= 0 && iw < W) m = max(m, (int) x[ih * W + iw]);
    }
  }
  Y[((long) nc * OH + oh) * OW + ow] = (char) m;
}
