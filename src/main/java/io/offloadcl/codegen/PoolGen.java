package io.offloadcl.codegen;

import io.offloadcl.ir.Node;
import io.offloadcl.ir.UnsupportedOperatorException;
import java.util.ArrayList;
import java.util.List;

/** MaxPool, AveragePool and the global pools from pool.cl. */
final class PoolGen {
  private PoolGen() {}

  /** The most float8 registers a pool2d_rows segment's span may take (wider windows take pool2d). */
  private static final int MAX_NV = 8;
  /** The most segments pool2d_rows generates one by one (more: pool2d). */
  private static final int MAX_EDGES = 10;
  /**
   * pool2d_rows' work-groups, explicit so they are equal and enough for both cores with some balance on a shared
   * machine (2 to 64 groups timed alike on squeezenet's and resnet50's pools).
   */
  private static final long WORK_GROUPS = 16;

  /** LRN: a window over channels rather than space. */
  static KernelSource lrn(Node n, String name, Epilogue epi) {
    Shapes.requireFloat(n, 1);
    long[] x = Shapes.dims(n, n.input(0));
    if (x.length < 2) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (LRN): input rank " + x.length + " < 2");
    }
    long nout = Shapes.count(x);
    long size = n.attributes().getInt("size", 1);
    Block b = new Block(name, "pool.cl", "lrn", "LRN (node '" + n.name() + "') size " + size);
    b.def("NOUT", nout).def("C", x[1]).def("HW", nout / (x[0] * x[1])).def("SIZE", size)
        .def("ALPHA", Block.flt(n.attributes().getFloat("alpha", 1e-4f)))
        .def("BETA", Block.flt(n.attributes().getFloat("beta", 0.75f)))
        .def("BIAS", Block.flt(n.attributes().getFloat("bias", 1f)));
    epi.define(b, "(v, nc, p)");
    return new KernelSource(name, b.source(), "", new long[] {Math.max(1, nout)}, null,
        epi.args(List.of(KernelSource.Arg.in(0), KernelSource.Arg.out(0))));
  }

  /**
   * Defines pool2d_rows' parameters for window {@code w}, or returns false where it does not apply (a span
   * over MAX_NV registers, or more than MAX_EDGES segments outside the regular loop).
   */
  private static boolean defineRows(Block b, Windows w, boolean max) {
    int sw = (int) w.sw();
    int kw = (int) w.kw();
    int dw = (int) w.dw();
    int span = 7 * sw + (kw - 1) * dw + 1;
    int nv = (span + 7) / 8;
    if (nv > MAX_NV) {
      return false;
    }
    long ow = w.ow();
    // the regular segments at 8 * m, m in [mLo, mHi), read their whole span inside the row
    long full = ow / 8;
    long mLo = 0;
    while (mLo < full && mLo * 8 * sw - w.pw() < 0) {
      mLo++;
    }
    long mHi = full;
    while (mHi > mLo && (mHi - 1) * 8 * sw - w.pw() + span > w.w()) {
      mHi--;
    }
    List<long[]> edges = new ArrayList<>(); // {ow0, n}
    for (long m = 0; m < full; m++) {
      if (m < mLo || m >= mHi) {
        edges.add(new long[] {8 * m, 8});
      }
    }
    if (ow % 8 != 0) {
      // the last outputs: a segment ending at the row's end (recomputing some), or the whole row under 8
      edges.add(ow >= 8 ? new long[] {ow - 8, 8} : new long[] {0, ow});
    }
    if (edges.size() > MAX_EDGES) {
      return false;
    }
    String padv = max ? "(-INFINITY)" : "0.0f";
    StringBuilder decl = new StringBuilder("float8 s0 = (float8)(INIT)");
    StringBuilder load = new StringBuilder();
    StringBuilder fastLoad = new StringBuilder();
    for (int i = 0; i < nv; i++) {
      if (i > 0) {
        decl.append(", s").append(i).append(" = (float8)(INIT)");
      }
      String l = partialLoad(8 * i, 0, Math.min(8, span - 8 * i));
      load.append("s").append(i).append(" = ACC(s").append(i).append(", ").append(l).append("); ");
      fastLoad.append("{ const float8 l = ").append(l).append("; seen = l != l ? l : seen; s").append(i)
          .append(" = FACC(s").append(i).append(", l); } ");
    }
    StringBuilder edge = new StringBuilder();
    for (long[] e : edges) {
      long iw0 = e[0] * sw - w.pw();
      int tLo = (int) Math.max(0, -iw0);
      int tHi = (int) Math.max(tLo, Math.min(span, w.w() - iw0));
      edge.append("{ VDECL for (int kh = khLo; kh < khHi; kh++) { ")
          .append("__global const float* r = x + (ih0 + kh * DH) * W + ").append(iw0).append("; ");
      for (int i = 0; i < nv; i++) {
        int lo = Math.max(8 * i, tLo);
        int hi = Math.min(8 * i + 8, tHi);
        if (lo < hi) {
          edge.append("s").append(i).append(" = ACC(s").append(i).append(", ")
              .append(partialLoad(8 * i, lo - 8 * i, hi - lo)).append("); ");
        }
      }
      StringBuilder cnt = new StringBuilder("(float8)(");
      StringBuilder div = new StringBuilder("(float8)(");
      for (int j = 0; j < 8; j++) {
        int c = 0;
        for (int k = 0; k < kw; k++) {
          int t = j * sw + k * dw;
          c += t >= tLo && t < tHi ? 1 : 0;
        }
        long iwj = iw0 + (long) j * sw;
        cnt.append(j > 0 ? ", " : "").append(c).append(".0f");
        div.append(j > 0 ? ", " : "").append(Math.min(iwj + kw, w.w() + w.pwEnd()) - iwj).append(".0f");
      }
      edge.append("} res = FINALV(").append(window(sw, kw, dw, tLo, tHi, padv, "ACC")).append(", ").append(cnt)
          .append(") * rows, ").append(div).append(") * rdiv); STORE(").append(e[0]).append(", ").append(e[1])
          .append(") } ");
    }
    b.def("M_LO", mLo).def("M_HI", mHi).def("VDECL", decl + ";")
        .def("VLOAD(r)", load.toString()).def("HWIN", window(sw, kw, dw, 0, span, padv, "ACC"))
        .def("EDGES", edge.toString());
    if (max) {
      // the regular segments' fast path (pool2d_rows, NAN_CHECK): a plain compare-select max, any NaN loaded kept
      // on the side; a row whose segments read one is pooled again with the NaN-propagating ACC
      b.def("NAN_CHECK", 1).def("FACC(acc, x)", "((x) > (acc) ? (x) : (acc))")
          .def("VLOADF(r)", fastLoad.toString()).def("HWINF", window(sw, kw, dw, 0, span, padv, "FACC"));
    } else {
      b.def("NAN_CHECK", 0);
    }
    return true;
  }

  /** Span columns [at + a, at + a + width) of a row at r in lanes a.. of a float8, the other lanes zero. */
  private static String partialLoad(int at, int a, int width) {
    if (a == 0 && width == 8) {
      return "vload8(0, r + " + at + ")";
    }
    List<String> parts = new ArrayList<>();
    for (int l = 0; l < a; l++) {
      parts.add("0.0f");
    }
    int done = 0;
    for (int q : new int[] {4, 2, 1}) {
      while (width - done >= q) {
        int off = at + a + done;
        parts.add(q == 1 ? "r[" + off + "]" : "vload" + q + "(0, r + " + off + ")");
        done += q;
      }
    }
    for (int l = a + width; l < 8; l++) {
      parts.add("0.0f");
    }
    return "(float8)(" + String.join(", ", parts) + ")";
  }

  /**
   * The 8 outputs of a segment: ACC over the window columns, each the float8 of span columns j * sw + k * dw
   * as swizzles of s0.., PADV where a column lies outside [tLo, tHi), combined with the macro {@code acc}.
   */
  private static String window(int sw, int kw, int dw, int tLo, int tHi, String padv, String acc) {
    String win = null;
    for (int k = 0; k < kw; k++) {
      String g = gather(sw, k * dw, tLo, tHi, padv);
      win = win == null ? g : acc + "(" + win + ", " + g + ")";
    }
    return win;
  }

  private static String gather(int sw, int off, int tLo, int tHi, String padv) {
    if (sw == 1 && off % 8 == 0 && off >= tLo && off + 8 <= tHi) {
      return "s" + off / 8;
    }
    List<String> parts = new ArrayList<>();
    int j = 0;
    while (j < 8) {
      int t = j * sw + off;
      if (t < tLo || t >= tHi) {
        parts.add(padv);
        j++;
        continue;
      }
      int reg = t / 8;
      int len = 1;
      while (j + len < 8 && len < 4) {
        int u = (j + len) * sw + off;
        if (u >= tHi || u >= 8 * (reg + 1)) {
          break;
        }
        len++;
      }
      if (len == 3) {
        len = 2; // the 1-, 2- and 4-component swizzles
      }
      StringBuilder sb = new StringBuilder("s").append(reg).append(".s");
      for (int q = j; q < j + len; q++) {
        sb.append(Integer.toHexString((q * sw + off) % 8));
      }
      parts.add(sb.toString());
      j += len;
    }
    return "(float8)(" + String.join(", ", parts) + ")";
  }

  /**
   * Pools; on CPU devices the row-segment variant (pool2d_rows: any strides, dilations, pads and ceil_mode, a
   * window span up to MAX_NV registers and up to MAX_EDGES generated segments) and the float8 plane reduction
   * for the global pools.
   */
  static KernelSource generate(Node n, String name, DeviceClass dc, Epilogue epi) {
    Shapes.requireFloat(n, 1);
    long[] x = Shapes.dims(n, n.input(0));
    long[] y = Shapes.dims(n, n.output(0));
    boolean max = n.opType().contains("Max");
    if (n.outputs().size() > 1 && n.output(1) != null) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (MaxPool): the Indices output has no "
          + "OpenCL kernel yet");
    }
    Block b;
    long[] global;
    long[] local = null;
    if (n.opType().startsWith("Global")) {
      b = new Block(name, "pool.cl", dc == DeviceClass.CPU ? "global_pool_vec" : "global_pool",
          n.opType() + " (node '" + n.name() + "')");
      long nc = x[0] * x[1];
      b.def("NC", nc).def("HW", Shapes.count(x) / nc);
      global = new long[] {nc};
    } else {
      long[] kernel = n.attributes().getInts("kernel_shape", null);
      if (kernel == null) {
        throw new UnsupportedOperatorException("node '" + n.name() + "' (" + n.opType()
            + "): kernel_shape attribute missing");
      }
      Windows w = Windows.of(n, x, y, kernel);
      String what = n.opType() + " (node '" + n.name() + "') " + w.kh() + "x" + w.kw() + "/" + w.sh() + "x"
          + w.sw();
      b = new Block(name, "pool.cl", "pool2d_rows", what);
      boolean rows = dc == DeviceClass.CPU && defineRows(b, w, max);
      if (!rows) {
        b = new Block(name, "pool.cl", "pool2d", what);
      }
      w.define(b);
      boolean includePad = n.attributes().getInt("count_include_pad", 0) != 0;
      b.def("HEND", w.h() + w.phEnd()).def("WEND", w.w() + w.pwEnd());
      if (!max) {
        b.def("FINAL_DIV", includePad ? "div" : "cnt");
      }
      if (rows) {
        // one work-item per output row, rounded up to equal work-groups (OpenCL 1.2)
        long items = w.oh() * x[0] * x[1];
        // at least WORK_GROUPS, and more where a group would pass GemmGen's CPU work-group cap (large batches)
        long groups = Math.max(1, Math.min(items, Math.max(WORK_GROUPS,
            (items + GemmGen.CPU_MAX_LOCAL - 1) / GemmGen.CPU_MAX_LOCAL)));
        long l = (items + groups - 1) / groups;
        global = new long[] {l * groups};
        local = new long[] {l};
        b.def("NC", x[0] * x[1]);
        b.def("FINALV(acc, cnt, div)", max ? "(acc)" : includePad ? "((acc) / (div))" : "((acc) / (cnt))");
      } else {
        global = new long[] {w.ow(), w.oh(), x[0] * x[1]};
      }
    }
    if (max) {
      // NaN propagates as in the reference kernel (fmax would drop it): a NaN x fails the compare and is taken, a
      // NaN acc is kept. Two compares and two blends per vector (pool2d_rows' regular segments use FACC instead)
      b.def("INIT", "(-INFINITY)").def("ACC(acc, x)", "((acc) != (acc) ? (acc) : (acc) > (x) ? (acc) : (x))")
          .def("FINAL(acc, cnt, div)", "(acc)");
    } else {
      b.def("INIT", "0.0f").def("ACC(acc, x)", "((acc) + (x))");
      b.def("FINAL(acc, cnt, div)", n.opType().startsWith("Global") ? "((acc) / (float) (cnt))"
          : "((acc) / (float) (FINAL_DIV))");
    }
    epi.define(b, "(v, nc, p)");
    b.def("HAS_EPILOGUE", epi.stages().isEmpty() ? 0 : 1);
    return new KernelSource(name, b.source(), "", global, local,
        epi.args(List.of(KernelSource.Arg.in(0), KernelSource.Arg.out(0))));
  }
}
