package io.offloadcl.runtime.cpu;

/**
 * Matrix multiply cores for the reference kernels: {@code C[M,N] += A[M,K] * B[K,N]} over row-major slices
 * given by offset and leading dimension.
 *
 * <p>How it is fast in plain Java: the loop order is i-k-j, so the innermost loop runs along contiguous rows of
 * B and C and the JIT vectorizes it; four k steps are folded into one pass over the C row (a quarter of the C
 * loads and stores); K and N are blocked so the B panel being reused stays in cache. The parallel entry points
 * split the output into row or column blocks, one task each, on {@link NnParallel}.
 */
final class NnGemm {
  private static final int KB = 256;
  private static final int NB = 1024;
  /** Below this many multiply-adds a single thread is faster than forking. */
  private static final long PARALLEL_MACS = 1L << 17;

  private NnGemm() {}

  /** Single-threaded {@code C += A * B}. */
  static void gemm(int m, int n, int k, float[] a, int ao, int lda, float[] b, int bo, int ldb, float[] c, int co,
      int ldc) {
    for (int k0 = 0; k0 < k; k0 += KB) {
      int k1 = Math.min(k, k0 + KB);
      for (int j0 = 0; j0 < n; j0 += NB) {
        int j1 = Math.min(n, j0 + NB);
        for (int i = 0; i < m; i++) {
          int cr = co + i * ldc;
          int ar = ao + i * lda;
          int kk = k0;
          for (; kk + 4 <= k1; kk += 4) {
            float a0 = a[ar + kk];
            float a1 = a[ar + kk + 1];
            float a2 = a[ar + kk + 2];
            float a3 = a[ar + kk + 3];
            int b0 = bo + kk * ldb;
            int b1 = b0 + ldb;
            int b2 = b1 + ldb;
            int b3 = b2 + ldb;
            for (int j = j0; j < j1; j++) {
              c[cr + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
            }
          }
          for (; kk < k1; kk++) {
            float a0 = a[ar + kk];
            if (a0 == 0f) {
              continue;
            }
            int b0 = bo + kk * ldb;
            for (int j = j0; j < j1; j++) {
              c[cr + j] += a0 * b[b0 + j];
            }
          }
        }
      }
    }
  }

  /** Single-threaded {@code C += A * B} in double precision. */
  static void gemm(int m, int n, int k, double[] a, int ao, int lda, double[] b, int bo, int ldb, double[] c, int co,
      int ldc) {
    for (int k0 = 0; k0 < k; k0 += KB) {
      int k1 = Math.min(k, k0 + KB);
      for (int j0 = 0; j0 < n; j0 += NB) {
        int j1 = Math.min(n, j0 + NB);
        for (int i = 0; i < m; i++) {
          int cr = co + i * ldc;
          int ar = ao + i * lda;
          int kk = k0;
          for (; kk + 4 <= k1; kk += 4) {
            double a0 = a[ar + kk];
            double a1 = a[ar + kk + 1];
            double a2 = a[ar + kk + 2];
            double a3 = a[ar + kk + 3];
            int b0 = bo + kk * ldb;
            int b1 = b0 + ldb;
            int b2 = b1 + ldb;
            int b3 = b2 + ldb;
            for (int j = j0; j < j1; j++) {
              c[cr + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
            }
          }
          for (; kk < k1; kk++) {
            double a0 = a[ar + kk];
            int b0 = bo + kk * ldb;
            for (int j = j0; j < j1; j++) {
              c[cr + j] += a0 * b[b0 + j];
            }
          }
        }
      }
    }
  }

  /** Integer {@code C += A * B} with wrapping 64-bit arithmetic (MatMul/Gemm on int types). */
  static void gemm(int m, int n, int k, long[] a, int ao, int lda, long[] b, int bo, int ldb, long[] c, int co,
      int ldc) {
    for (int i = 0; i < m; i++) {
      int cr = co + i * ldc;
      for (int kk = 0; kk < k; kk++) {
        long a0 = a[ao + i * lda + kk];
        int b0 = bo + kk * ldb;
        for (int j = 0; j < n; j++) {
          c[cr + j] += a0 * b[b0 + j];
        }
      }
    }
  }

  /** Splits an M x N output into about {@code 2 * threads} blocks of whole rows, or whole columns when M is small. */
  private static int[] split(int m, int n, long macs) {
    int t = NnParallel.threads();
    if (t <= 1 || macs < PARALLEL_MACS) {
      return new int[] {1, 1};
    }
    int want = 2 * t;
    if (m >= want * 4 || m >= n) {
      return new int[] {Math.min(m, want), 1};
    }
    // few rows: split columns in blocks that stay multiples of 8 so inner loops keep full vectors
    int cols = Math.max(1, Math.min(want, n / 64));
    return new int[] {1, cols};
  }

  /** Parallel {@code C += A * B}. */
  static void parallel(int m, int n, int k, float[] a, int ao, int lda, float[] b, int bo, int ldb, float[] c, int co,
      int ldc) {
    int[] s = split(m, n, (long) m * n * k);
    int rb = s[0];
    int cb = s[1];
    NnParallel.forEach(rb * cb, t -> {
      int i0 = (int) ((long) m * (t / cb) / rb);
      int i1 = (int) ((long) m * (t / cb + 1) / rb);
      int j0 = colStart(n, cb, t % cb);
      int j1 = colStart(n, cb, t % cb + 1);
      if (i1 > i0 && j1 > j0) {
        gemm(i1 - i0, j1 - j0, k, a, ao + i0 * lda, lda, b, bo + j0, ldb, c, co + i0 * ldc + j0, ldc);
      }
    });
  }

  /** Parallel {@code C += A * B} in double precision. */
  static void parallel(int m, int n, int k, double[] a, int ao, int lda, double[] b, int bo, int ldb, double[] c,
      int co, int ldc) {
    int[] s = split(m, n, (long) m * n * k);
    int rb = s[0];
    int cb = s[1];
    NnParallel.forEach(rb * cb, t -> {
      int i0 = (int) ((long) m * (t / cb) / rb);
      int i1 = (int) ((long) m * (t / cb + 1) / rb);
      int j0 = colStart(n, cb, t % cb);
      int j1 = colStart(n, cb, t % cb + 1);
      if (i1 > i0 && j1 > j0) {
        gemm(i1 - i0, j1 - j0, k, a, ao + i0 * lda, lda, b, bo + j0, ldb, c, co + i0 * ldc + j0, ldc);
      }
    });
  }

  private static int colStart(int n, int blocks, int b) {
    if (b >= blocks) {
      return n;
    }
    int per = (n + blocks - 1) / blocks;
    per = (per + 7) & ~7;
    return Math.min(n, b * per);
  }

  /** Row-major transpose of an r x c matrix at offset {@code off} into a new c x r array. */
  static float[] transpose(float[] x, int off, int r, int c) {
    float[] t = new float[r * c];
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < c; j++) {
        t[j * r + i] = x[off + i * c + j];
      }
    }
    return t;
  }

  static double[] transpose(double[] x, int off, int r, int c) {
    double[] t = new double[r * c];
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < c; j++) {
        t[j * r + i] = x[off + i * c + j];
      }
    }
    return t;
  }

  static long[] transpose(long[] x, int off, int r, int c) {
    long[] t = new long[r * c];
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < c; j++) {
        t[j * r + i] = x[off + i * c + j];
      }
    }
    return t;
  }
}
