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
