// Data movement: transpose, slice, expand (one strided-copy kernel), concat, gather. These move elements
// without arithmetic, so T is the unsigned integer of the element's byte size and one kernel serves every
// dtype.
//
// Parameters: T; NOUT; strided_copy: BASE and SRC_INDEX(o, ix) (output index -> source offset, the source
// strides permuted for Transpose, scaled by steps for Slice, zero for Expand's broadcast dims); concat:
// OUTAX INNER, CONCAT_PARAMS, CONCAT_PICK; concat_blocks: OUTER, CONCAT_PARAMS, CONCAT_SELECT; gather: IT (index
// type) D (gathered dim) NIDX INNER.

//@section strided_copy
__kernel void KNAME(__global const T* restrict x, __global T* restrict y) {
  const int o = get_global_id(0);
  if (o >= NOUT) return;
  int ix;
  SRC_INDEX(o, ix);
  y[o] = x[BASE + ix];
}

//@section concat
// One work-item per output element picks the input whose slice along the axis holds it.
__kernel void KNAME(CONCAT_PARAMS, __global T* restrict y) {
  const int o = get_global_id(0);
  if (o >= NOUT) return;
  const int outer = o / (OUTAX * INNER);
  const int rem = o % (OUTAX * INNER);
  const int a = rem / INNER;
  const int inner = rem % INNER;
  T v;
  CONCAT_PICK
  y[o] = v;
}

//@section gather
// Indices are read on the device (they may be computed); negative ones count from the end, and
// out-of-range ones are clamped rather than read out of bounds.
__kernel void KNAME(__global const T* restrict x, __global const IT* restrict idx, __global T* restrict y) {
  const int o = get_global_id(0);
  if (o >= NOUT) return;
  const int inner = o % INNER;
  const int j = (o / INNER) % NIDX;
  const int outer = o / (INNER * NIDX);
  long k = (long) idx[j];
  if (k < 0) k += D;
  k = clamp(k, (long) 0, (long) (D - 1));
  y[o] = x[((long) outer * D + k) * INNER + inner];
}

//@section pad
// Pad, constant mode: PAD_INDEX(o, ix, inside) maps an output index to the input index and whether it lies
// inside the input (pads may be negative: cropping); elsewhere the output is PAD_VALUE, given as the bits of T.
__kernel void KNAME(__global const T* restrict x, __global T* restrict y) {
  const int o = get_global_id(0);
  if (o >= NOUT) return;
  long ix = 0;
  int inside = 1;
  PAD_INDEX(o, ix, inside)
  y[o] = inside ? x[ix] : (T) PAD_VALUE;
}

//@section where
// Where: y = c ? a : b with all three broadcast to the output (indices folded at codegen time).
__kernel void KNAME(__global const uchar* restrict c, __global const T* restrict a, __global const T* restrict b,
                    __global T* restrict y) {
  const int o = get_global_id(0);
  if (o >= NOUT) return;
  y[o] = c[CIDX(o)] ? a[AIDX(o)] : b[BIDX(o)];
}

//@section concat_blocks
// CPU devices: the output is OUTER rows, each the inputs' blocks side by side (input k's block is its axis
// extent times INNER elements, contiguous in both input and output). Work-item (c, outer, k) copies chunk c of
// 16 elements of input k's block in that row with one vector load and store; the last chunk of a block is
// element-wise. CONCAT_SELECT(k, outer, src, len, dst) sets the source row, block length and output offset.
__kernel void KNAME(CONCAT_PARAMS, __global T* restrict y) {
  const long c = (long) get_global_id(0) * 16;
  const int outer = get_global_id(1);
  const int k = get_global_id(2);
  if (outer >= OUTER) return;
  __global const T* src = 0;
  long len = 0;
  long dst = 0;
  CONCAT_SELECT(k, outer, src, len, dst)
  if (c >= len) return;
  if (c + 16 <= len) {
    vstore16(vload16(0, src + c), 0, y + dst + c);
  } else {
    for (long j = c; j < len; j++) y[dst + j] = src[j];
  }
}
