package io.offloadcl.runtime.cpu;

import static io.offloadcl.runtime.cpu.LayoutTestGraphs.attrs;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.c;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.iota;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.ls;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offloadcl.ir.TensorData;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Transpose, Slice and Pad on seeded random shapes, checked element by element against a direct
 * multi-index computation, so the copy engine's run folding is exercised on many layouts.
 */
class LayoutRandomizedTest {
  private static long[] randomDims(Random r, int rank) {
    long[] d = new long[rank];
    for (int i = 0; i < rank; i++) {
      d[i] = 1 + r.nextInt(4);
    }
    return d;
  }

  private static int[] unravel(long idx, long[] dims) {
    int[] p = new int[dims.length];
    for (int a = dims.length - 1; a >= 0; a--) {
      p[a] = (int) (idx % dims[a]);
      idx /= dims[a];
    }
    return p;
  }

  private static int ravel(int[] p, long[] dims) {
    int r = 0;
    for (int a = 0; a < dims.length; a++) {
      r = r * (int) dims[a] + p[a];
    }
    return r;
  }

  @Test
  void transposeMatchesDirectIndexing() {
    Random r = new Random(7);
    for (int trial = 0; trial < 60; trial++) {
      int rank = 1 + r.nextInt(5);
      long[] d = randomDims(r, rank);
      long[] perm = new long[rank];
      for (int i = 0; i < rank; i++) {
        perm[i] = i;
      }
      for (int i = rank - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        long t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
      TensorData x = iota(d);
      TensorData y = run("Transpose", 13, attrs().setInts("perm", perm), x).get();
      for (int i = 0; i < y.size(); i++) {
        int[] p = unravel(i, y.dims());
        int[] q = new int[rank];
        for (int a = 0; a < rank; a++) {
          q[(int) perm[a]] = p[a];
        }
        assertEquals(ravel(q, d), y.floats()[i], 0, "perm " + java.util.Arrays.toString(perm) + " dims " + java.util.Arrays.toString(d));
      }
    }
  }

  @Test
  void sliceMatchesDirectIndexing() {
    Random r = new Random(11);
    for (int trial = 0; trial < 60; trial++) {
      int rank = 1 + r.nextInt(4);
      long[] d = randomDims(r, rank);
      int a = r.nextInt(rank);
      long step = r.nextBoolean() ? 1 + r.nextInt(2) : -1 - r.nextInt(2);
      long start = r.nextInt((int) d[a] + 2) - 1;
      long end = r.nextInt((int) d[a] + 3) - 2;
      TensorData x = iota(d);
      TensorData y = run("Slice", 13, null, x, c(ls(start)), c(ls(end)), c(ls(a)), c(ls(step))).get();
      // expected indices along axis a, computed the long way
      long s0 = start < 0 ? start + d[a] : start;
      long e0 = end < 0 ? end + d[a] : end;
      java.util.List<Integer> picks = new java.util.ArrayList<>();
      if (step > 0) {
        for (long i = Math.max(0, s0); i < Math.min(d[a], e0); i += step) {
          picks.add((int) i);
        }
      } else {
        for (long i = Math.min(d[a] - 1, s0); i > Math.max(-1, e0); i += step) {
          picks.add((int) i);
        }
      }
      assertEquals(picks.size(), y.dim(a), "extent on axis " + a);
      for (int i = 0; i < y.size(); i++) {
        int[] p = unravel(i, y.dims());
        p[a] = picks.get(p[a]);
        assertEquals(ravel(p, d), y.floats()[i], 0);
      }
    }
  }

  @Test
  void edgePadMatchesClamping() {
    Random r = new Random(3);
    for (int trial = 0; trial < 40; trial++) {
      int rank = 1 + r.nextInt(3);
      long[] d = randomDims(r, rank);
      long[] pads = new long[2 * rank];
      for (int i = 0; i < pads.length; i++) {
        pads[i] = r.nextInt(3);
      }
      TensorData y = run("Pad", 13, attrs().setString("mode", "edge"), iota(d), c(ls(pads))).get();
      long[] want = new long[rank];
      for (int i = 0; i < rank; i++) {
        want[i] = d[i] + pads[i] + pads[i + rank];
      }
      assertArrayEquals(want, y.dims());
      for (int i = 0; i < y.size(); i++) {
        int[] p = unravel(i, y.dims());
        for (int k = 0; k < rank; k++) {
          p[k] = (int) Math.max(0, Math.min(d[k] - 1, p[k] - pads[k]));
        }
        assertEquals(ravel(p, d), y.floats()[i], 0);
      }
    }
  }
}
