// Matrix products: MatMul (with batch broadcasting), Gemm, and 1x1 convolutions lowered to a product.
//
// C[bt][m][n] = EPILOGUE(sum_k A[bt][m][k] * B[bt][k][n], bt, m, n), C row-major M x N per batch.
// Parameters (#defines from codegen): M N K; ASM ASK BSK BSN (element strides, so transposed operands need
// no copy); BATCH_OFFSETS(bt, oa, ob) (batch index -> operand offsets, broadcasting resolved);
// EPILOGUE(v, bt, m, n) (bias, alpha/beta, activation, residual: fused work); EPI_PARAMS (its extra buffers).

//@section gemm_cpu
// OFFLOADCL_MADD is fma() where the device does fma in hardware (the program cache defines OFFLOADCL_FMA from
// CL_DEVICE_SINGLE_FP_CONFIG), else mad().
//@use common.cl madd
// CPU variant: each work-item owns a TM x (8*NV) tile of C held in registers as TM*NV float8 accumulators, so
// every loaded B vector feeds TM fused multiply-adds and every broadcast A value NV of them (GemmGen picks the
// tile; the figures are there). CPU OpenCL drivers map
// work-items to loop iterations, so the vectorization is written out rather than left to the implicit work-group
// vectorizer. A tile that would run past the last row or column is shifted back to end there instead (it
// recomputes a few outputs and stores the same values twice), so only operands smaller than one tile take the
// scalar path; on small-N products (7x7 and 14x14 feature maps) that path used to cost as much as the rest.
// The range is (row tile, column tile, batch): a work-group walks the row tiles of one B panel (GemmGen).
#define TN (8 * NV)
__kernel void KNAME(__global const float* restrict A, __global const float* restrict B,
                    __global float* restrict C EPI_PARAMS) {
  int m0 = get_global_id(0) * TM;
  int n0 = get_global_id(1) * TN;
  const int bt = get_global_id(2);
  if (m0 >= M || n0 >= N) return;
  int oa, ob;
  BATCH_OFFSETS(bt, oa, ob);
  __global const float* a = A + oa;
  __global const float* b = B + ob;
  __global float* c = C + (long) bt * M * N;
  if (BSN == 1 && M >= TM && N >= TN) {
    if (m0 + TM > M) m0 = M - TM;
    if (n0 + TN > N) n0 = N - TN;
    float8 acc[TM][NV];
#pragma unroll
    for (int i = 0; i < TM; i++) {
#pragma unroll
      for (int v = 0; v < NV; v++) acc[i][v] = (float8)(0.0f);
    }
    __global const float* ap = a + m0 * ASM;
    __global const float* bp = b + n0;
    // Four reduction steps per iteration: the standalone kernel at resnet50/squeezenet shapes ran 1.06-1.35x
    // faster (e.g. 1000x512x169 150 -> 171 GFLOP/s, 256x2304x196 139 -> 170) than with POCL's own choice;
    // unrolling by 2 or 8 measured alike, slightly behind 4.
#pragma unroll 4
    for (int k = 0; k < K; k++) {
      float8 bv[NV];
#pragma unroll
      for (int v = 0; v < NV; v++) bv[v] = vload8(v, bp + k * BSK);
#pragma unroll
      for (int i = 0; i < TM; i++) {
        const float8 av = (float8)(ap[i * ASM + k * ASK]);
        // OFFLOADCL_MADD: fma() where the device has it in hardware (one vfmadd; ~1.2x on 512^3 and 1024^3
        // against mad(), which POCL lowers to a separate multiply and add), else mad().
#pragma unroll
        for (int v = 0; v < NV; v++) acc[i][v] = OFFLOADCL_MADD(av, bv[v], acc[i][v]);
      }
    }
#pragma unroll
    for (int i = 0; i < TM; i++) {
      __global float* crow = c + (m0 + i) * N + n0;
#ifdef EPILOGUE8
      // Every epilogue stage has a float8 form (Epilogue.defineVector): one vstore8 per accumulator. The scalar
      // loop below spills the tile to private memory and stores float by float (figures in docs/benchmarks.md,
      // "Vector epilogue stores").
#pragma unroll
      for (int v = 0; v < NV; v++) vstore8(EPILOGUE8(acc[i][v], bt, m0 + i, n0 + 8 * v), v, crow);
#else
      float t[TN];
#pragma unroll
      for (int v = 0; v < NV; v++) vstore8(acc[i][v], v, t);
      for (int j = 0; j < TN; j++) crow[j] = EPILOGUE(t[j], bt, m0 + i, n0 + j);
#endif
    }
  } else if (BSK == 1 && ASK == 1 && K >= 8) {
    // B transposed (Gemm transB = 1: fully connected layers store weights N x K): rows of A and of B are both
    // contiguous in K, so each output is a dot product of float8 slices; 4 columns at a time, each A slice feeds
    // 4 of them. A one-row product (batch 1) reads B once, at memory speed; the scalar path below ran the
    // resnet50 classifier (1 x 2048 x 1000) at 4 GFLOP/s.
    for (int j0 = 0; j0 < TN && n0 + j0 < N; j0 += 4) {
      for (int i = 0; i < TM && m0 + i < M; i++) {
        __global const float* ar = a + (m0 + i) * ASM;
        float8 s[4];
#pragma unroll
        for (int q = 0; q < 4; q++) s[q] = (float8)(0.0f);
        int k = 0;
        for (; k + 8 <= K; k += 8) {
          const float8 av = vload8(0, ar + k);
#pragma unroll
          for (int q = 0; q < 4; q++) {
            // a column past N reads row N - 1 again (in bounds) and is not stored
            const int col = min(n0 + j0 + q, N - 1);
            s[q] = OFFLOADCL_MADD(av, vload8(0, b + col * BSN + k), s[q]);
          }
        }
#pragma unroll
        for (int q = 0; q < 4; q++) {
          const int col = n0 + j0 + q;
          if (col < N) {
            float4 h = s[q].lo + s[q].hi;
            float2 h2 = h.lo + h.hi;
            float v = h2.lo + h2.hi;
            for (int kk = k; kk < K; kk++) v = mad(ar[kk], b[col * BSN + kk], v);
            c[(m0 + i) * N + col] = EPILOGUE(v, bt, m0 + i, col);
          }
        }
      }
    }
  } else {
    // Operands smaller than a tile (and non-unit B column stride): the same tile, scalar and bounds-checked.
    for (int i = 0; i < TM && m0 + i < M; i++) {
      for (int j = 0; j < TN && n0 + j < N; j++) {
        float s = 0.0f;
        for (int k = 0; k < K; k++) s = mad(a[(m0 + i) * ASM + k * ASK], b[k * BSK + (n0 + j) * BSN], s);
        c[(m0 + i) * N + n0 + j] = EPILOGUE(s, bt, m0 + i, n0 + j);
      }
    }
  }
}
#undef TN

//@section gemm_gpu
// GPU variant: 16 x 16 work-groups stage 16 x 16 tiles of A and B in local memory, so each global element is
// read once per tile instead of once per output; the +1 column pad avoids local-memory bank conflicts.
__kernel __attribute__((reqd_work_group_size(16, 16, 1)))
void KNAME(__global const float* restrict A, __global const float* restrict B,
           __global float* restrict C EPI_PARAMS) {
  const int n = get_global_id(0);
  const int m = get_global_id(1);
  const int bt = get_global_id(2);
  const int ln = get_local_id(0);
  const int lm = get_local_id(1);
  __local float As[16][17];
  __local float Bs[16][17];
  int oa, ob;
  BATCH_OFFSETS(bt, oa, ob);
  __global const float* a = A + oa;
  __global const float* b = B + ob;
  float acc = 0.0f;
  for (int k0 = 0; k0 < K; k0 += 16) {
    As[lm][ln] = (m < M && k0 + ln < K) ? a[m * ASM + (k0 + ln) * ASK] : 0.0f;
    Bs[lm][ln] = (k0 + lm < K && n < N) ? b[(k0 + lm) * BSK + n * BSN] : 0.0f;
    barrier(CLK_LOCAL_MEM_FENCE);
#pragma unroll
    for (int kk = 0; kk < 16; kk++) acc = mad(As[lm][kk], Bs[kk][ln], acc);
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (m < M && n < N) C[(long) bt * M * N + m * N + n] = EPILOGUE(acc, bt, m, n);
}

//@section gemm_rows
// FusedGemm with row_op (Softmax/LogSoftmax over each output row, after the epilogue): one work-item per row
// computes all N <= 256 outputs into private memory, applies the epilogue, normalizes the row and stores it, so
// the softmax needs no launch of its own (tribuo's MNIST head: 1 x 50 x 10, where a launch costs as much as the
// product). Extra parameter: LOG (1: LogSoftmax, 0: Softmax). Numerics as softmax.cl's softmax_rows: the row
// max (fmax, so NaNs are skipped there and then spread through the sum) is subtracted before exp.
//@use common.cl madd
__kernel void KNAME(__global const float* restrict A, __global const float* restrict B,
                    __global float* restrict C EPI_PARAMS) {
  const int m = get_global_id(0);
  if (m >= M) return;
  const int bt = 0;
  __global const float* ar = A + m * ASM;
  float y[N];
  if (BSK == 1 && ASK == 1 && K >= 8) {
    // B transposed (N x K, fully connected weights): each output is a dot product of contiguous float8 slices
    for (int j = 0; j < N; j++) {
      __global const float* br = B + j * BSN;
      float8 s = (float8)(0.0f);
      int k = 0;
      for (; k + 8 <= K; k += 8) s = OFFLOADCL_MADD(vload8(0, ar + k), vload8(0, br + k), s);
      float4 h = s.lo + s.hi;
      float2 h2 = h.lo + h.hi;
      float v = h2.lo + h2.hi;
      for (; k < K; k++) v = mad(ar[k], br[k], v);
      y[j] = v;
    }
  } else if (BSN == 1 && N >= 8) {
    // B row-major (K x N): the row accumulates as float8 runs, one broadcast A value per reduction step
    float8 acc[N / 8 + 1]; // + 1: N < 8 declares it too (that branch is then dead)
    for (int v = 0; v < N / 8; v++) acc[v] = (float8)(0.0f);
    for (int j = N / 8 * 8; j < N; j++) y[j] = 0.0f;
    for (int k = 0; k < K; k++) {
      const float a = ar[k * ASK];
      __global const float* br = B + k * BSK;
      for (int v = 0; v < N / 8; v++) acc[v] = OFFLOADCL_MADD((float8)(a), vload8(v, br), acc[v]);
      for (int j = N / 8 * 8; j < N; j++) y[j] = mad(a, br[j], y[j]);
    }
    for (int v = 0; v < N / 8; v++) vstore8(acc[v], v, y);
  } else {
    for (int j = 0; j < N; j++) {
      float s = 0.0f;
      for (int k = 0; k < K; k++) s = mad(ar[k * ASK], B[k * BSK + j * BSN], s);
      y[j] = s;
    }
  }
  float mx = -INFINITY;
  for (int j = 0; j < N; j++) {
    y[j] = EPILOGUE(y[j], bt, m, j);
    mx = fmax(mx, y[j]);
  }
  float s = 0.0f;
  for (int j = 0; j < N; j++) s += exp(y[j] - mx);
  __global float* c = C + m * N;
#if LOG
  const float ls = log(s);
  for (int j = 0; j < N; j++) c[j] = y[j] - mx - ls;
#else
  const float inv = 1.0f / s;
  for (int j = 0; j < N; j++) c[j] = exp(y[j] - mx) * inv;
#endif
}
