// Pieces that several template sections use. A section names one with a line "//@use common.cl NAME", which
// codegen replaces by that section's text (codegen.Templates), so every specialized kernel stays self-contained.

//@section madd
#ifndef OFFLOADCL_MADD
#ifdef OFFLOADCL_FMA
#define OFFLOADCL_MADD(a, b, c) fma(a, b, c)
#else
#define OFFLOADCL_MADD(a, b, c) mad(a, b, c)
#endif
#endif

//@section conv_at
// CONV_AT(s, n, co, g, ih0, iw0): s = the direct convolution sum of output channel co (group g) of batch n whose
// window starts at input row ih0 and column iw0, padding skipped rather than read (conv.cl's parameters; X and Wt
// are the kernel's input and weight pointers). conv_direct and conv_pool compute their outputs with it.
#ifndef CONV_AT
#define CONV_AT(s, n, co, g, ih0, iw0) \
  do { \
    s = 0.0f; \
    for (int ci_ = 0; ci_ < CIG; ci_++) { \
      __global const float* x_ = X + (long) ((n) * CI + (g) * CIG + ci_) * H * W; \
      __global const float* w_ = Wt + (long) ((co) * CIG + ci_) * KH * KW; \
      for (int kh_ = 0; kh_ < KH; kh_++) { \
        const int ih_ = (ih0) + kh_ * DH; \
        if (ih_ < 0 || ih_ >= H) continue; \
        for (int kw_ = 0; kw_ < KW; kw_++) { \
          const int iw_ = (iw0) + kw_ * DW; \
          if (iw_ < 0 || iw_ >= W) continue; \
          s = mad(x_[ih_ * W + iw_], w_[kh_ * KW + kw_], s); \
        } \
      } \
    } \
  } while (0)
#endif
