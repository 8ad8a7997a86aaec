package io.offloadcl.codegen;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.UnsupportedOperatorException;
import java.util.List;

/** MatMul and Gemm from gemm.cl: the CPU register-blocked variant or the GPU local-memory variant. */
final class GemmGen {
  /**
   * The CPU variant's register tile: CPU_TM rows x 8*NV columns per work-item, NV = CPU_NV float8 vectors, or
   * CPU_NV_NARROW where N is below a wide tile (a product narrower than its tile runs the scalar path). Measured
   * on POCL (2 Zen4 cores; variants built side by side, timed interleaved in one process; GFLOP/s 6x32 / 8x24 /
   * 6x16):
   * 512^3 81.8 / 69.7 / 71.6; 2048->512 1x1 on 7x7 62.7 / 51.3 / 51.1; 3x3 512 on 7x7 via im2col 59.7 / 49.8 /
   * 45.0; 64->64 1x1 on 56x56 56.0 / 53.3 / 48.9; 3x3 256 on 14x14 via im2col 44.1 / 48.4 / 47.9. 12 x 16 lost
   * up to 2x on long-K products, 4 x 32 lost on most; 24 float8 accumulators plus 4 B vectors and a broadcast is
   * what AVX-512's 32 vector registers hold.
   */
  static final int CPU_TM = 6;
  static final int CPU_NV = 4;
  static final int CPU_NV_NARROW = 2;

  /**
   * The wide tile, CPU_TM_WIDE rows x 8*CPU_NV_WIDE columns (4 x 48, the same 24 accumulators), for products whose
   * height 6-row tiles pad by far more than 4-row ones (squeezenet's 16- and 32-channel squeeze convs: 6 x 32 computes
   * 18 or 36 rows for 16 or 32): cpuRange takes it where its padded product (rows and columns rounded up to its tiles)
   * is at most WIDE_MAX_WORK of the 6 x 32 tile's, or at most SHORT_MAX_WORK of it on reductions of at most SHORT_K
   * steps, where the stores weigh more. Standalone kernels, tiles alternated in one process (GemmTileBench, 3-4 runs of
   * 11-25 rounds on the loaded 2-core machine, medians of same-round ratios 4 x 48 / 6 x 32): 96->16 1x1 on 55x55
   * 0.80/0.88/0.85/0.95, 128->32 on 27x27 0.95/0.90/0.96/0.94, inception_v1's 192->16 and 256->32 on 27x27 0.95 and
   * 0.93, 480->16 and 512->32 on 13x13 0.98 and 0.94; squeezenet's stem via im2col (64 x 27 x 12321, 0.968 of the
   * padded work) 0.85/0.94/0.91/0.88, 16->64 1x1 on 55x55 (K 16, 0.98 of it) 0.95/0.97/0.96/1.05. Where the padding is
   * alike it loses on long reductions (576->256 on 13x13 1.05/1.03/1.11/1.04, 512->1000 on 13x13
   * 1.04/1.04/1.26/1.11/1.04) and ties on short ones, hence the margins. Also measured on those shapes and not kept:
   * 12 x 16 (0.97-1.22, 1.17 on 512->1000), 8 x 24 (0.86-1.13, inconsistent), 5 x 40, 4 x 32, 3 x 64, 2 x 88 (up to
   * 1.86), 6 x 16 on the 13 x 13 products, whose 169 columns it pads to 176 instead of 192 (0.90-1.05 on the other six,
   * 1.01-1.24 on 512->1000), and work-groups walking 8 or 16 column panels instead of one (0.95-1.05).
   */
  static final int CPU_TM_WIDE = 4;
  static final int CPU_NV_WIDE = 6;
  static final double WIDE_MAX_WORK = 0.95;
  static final double SHORT_MAX_WORK = 0.98;
  static final long SHORT_K = 32;

  /**
   * The CPU variant ranges over row tiles first: dimension 0 of the range is the row tile and one work-group holds all
   * row tiles of one 32-column panel (16 where N < 32; up to CPU_MAX_LOCAL of them), so POCL, which runs a work-group's
   * items in order on one core, streams A while that panel of B (K x 32 floats, 128 KB at K = 1024) stays in L2.
   * Columns first instead keeps a 6-row strip of A in L1 and streams all of B once per strip: 32/6 times the traffic
   * once neither operand fits in cache. Measured in one process, interleaved, medians of 9-11 rounds on the loaded
   * 2-core machine (columns-first -> rows-first, GFLOP/s): 1024^3 51.5 -> 73.7, 26.9 -> 48.0, 40.7 -> 42.4;
   * 256x196x2304 (3x3 256 on 14x14 via im2col) 43.6 -> 62.7, 39.9 -> 63.2, 38.7 -> 58.2; 128x784x1152 68.4 -> 76.6,
   * 69.1 -> 72.5; 64x12544x147 56.6 -> 63.7, 52.8 -> 54.8. Products under 2 MiB of operands first stayed columns-first
   * (512^3 measured 77.8 -> 69.5 when forced, with the older 4 x 32 tile); with the 6 x 32 tile and fma, rows-first for
   * every size took the kernels of whole models from (jars alternated, 4 rounds, medians of the per-node profile)
   * squeezenet's 26 convs 7.8-8.4 -> 4.9-6.9 ms and resnet50's 49 convs 70-73 -> 55-58 ms, resnet50's run 70-91 -> 58
   * ms: most of their products are small (N = 169 or 196 pixels). A 32-item work-group cap instead of 256 measured the
   * same within the noise. Also tried and not kept: K blocking (KC 128/256) with 2 or 4 row tiles per work-item sharing
   * one B chunk from L1, partial sums in private memory (no better than rows-first alone, 0.7x on K = 64); a fixed 8 or
   * 32 row-tile work-group (no better); the work-group copying each 128- or 256-deep chunk of its B panel into __local
   * memory between barriers, so it is contiguous and L1-resident (0.85-1.08x of rows-first alone). At 1024^3 the B
   * panel's rows are 4 KiB apart and map to few cache sets, a likely reason that product still swings with the
   * machine's load.
   */
  static final long CPU_MAX_LOCAL = 256;

  private GemmGen() {}

  /** The shape and strides of one (batched) product; everything a gemm.cl specialization needs. */
  record Product(long m, long n, long k, long asm, long ask, long bsk, long bsn, long batch, String batchOffsets) {}

  static KernelSource matMul(Node node, String name, DeviceClass dc, Epilogue epi) {
    Shapes.requireFloat(node, 2);
    long[] a = Shapes.dims(node, node.input(0));
    long[] b = Shapes.dims(node, node.input(1));
    if (a.length == 0 || b.length == 0) {
      throw new UnsupportedOperatorException("node '" + node.name() + "' (MatMul): scalar operand");
    }
    long[] a2 = a.length == 1 ? new long[] {1, a[0]} : a;
    long[] b2 = b.length == 1 ? new long[] {b[0], 1} : b;
    long m = a2[a2.length - 2];
    long k = a2[a2.length - 1];
    long n = b2[b2.length - 1];
    if (b2[b2.length - 2] != k) {
      throw new UnsupportedOperatorException("node '" + node.name() + "' (MatMul): inner dimensions " + k
          + " and " + b2[b2.length - 2] + " differ");
    }
    int br = Math.max(a2.length, b2.length) - 2;
    long[] batchDims = new long[br];
    long[] aBatch = new long[a2.length - 2];
    long[] bBatch = new long[b2.length - 2];
    System.arraycopy(a2, 0, aBatch, 0, aBatch.length);
    System.arraycopy(b2, 0, bBatch, 0, bBatch.length);
    for (int i = 0; i < br; i++) {
      long da = i - (br - aBatch.length) >= 0 ? aBatch[i - (br - aBatch.length)] : 1;
      long db = i - (br - bBatch.length) >= 0 ? bBatch[i - (br - bBatch.length)] : 1;
      batchDims[i] = Math.max(da, db);
    }
    long[] sa = Shapes.broadcastStrides(aBatch, batchDims);
    long[] sb = Shapes.broadcastStrides(bBatch, batchDims);
    for (int i = 0; i < br; i++) {
      sa[i] *= m * k;
      sb[i] *= k * n;
    }
    String offsets = Shapes.indexCode("bt", batchDims, new long[][] {sa, sb}, new String[] {"oa", "ob"});
    Product p = new Product(m, n, k, k, 1, n, 1, Shapes.count(batchDims), offsets);
    return emit(node, name, dc, p, epi, "(v, bt, m, n)", List.of(KernelSource.Arg.in(0), KernelSource.Arg.in(1),
        KernelSource.Arg.out(0)));
  }

  static KernelSource gemm(Node node, String name, DeviceClass dc, Epilogue fused) {
    Shapes.requireFloat(node, 3);
    Attributes at = node.attributes();
    boolean ta = at.getInt("transA", 0) != 0;
    boolean tb = at.getInt("transB", 0) != 0;
    float alpha = at.getFloat("alpha", 1f);
    float beta = at.getFloat("beta", 1f);
    long[] a = Shapes.dims(node, node.input(0));
    long[] b = Shapes.dims(node, node.input(1));
    if (a.length != 2 || b.length != 2) {
      throw new UnsupportedOperatorException("node '" + node.name() + "' (Gemm): expected 2-D A and B, got rank "
          + a.length + " and " + b.length);
    }
    long m = ta ? a[1] : a[0];
    long k = ta ? a[0] : a[1];
    long n = tb ? b[0] : b[1];
    Product p = new Product(m, n, k, ta ? 1 : k, ta ? m : 1, tb ? 1 : n, tb ? k : 1, 1, "{ oa = 0; ob = 0; }");
    String scaled = alpha == 1f ? "(v)" : "(" + Block.flt(alpha) + " * (v))";
    Epilogue epi = new Epilogue(scaled, scaled, List.of());
    if (node.inputs().size() > 2 && node.input(2) != null && beta != 0f) {
      long[] c = Shapes.dims(node, node.input(2));
      long[] cs = Shapes.broadcastStrides(c, new long[] {m, n});
      String term = "ep0[(m) * " + cs[0] + " + (n) * " + cs[1] + "]";
      // on the float8 store C's 8 columns are consecutive floats (cs[1] 1) or one broadcast value (cs[1] 0)
      String vterm = cs[1] == 1 ? "vload8(0, ep0 + (m) * " + cs[0] + " + (n))"
          : cs[1] == 0 ? "ep0[(m) * " + cs[0] + "]" : null;
      String bs = beta == 1f ? "" : Block.flt(beta) + " * ";
      epi = new Epilogue("(" + scaled + " + " + bs + term + ")",
          vterm == null ? null : "(" + scaled + " + " + bs + vterm + ")", List.of(2));
    }
    List<KernelSource.Arg> args = List.of(KernelSource.Arg.in(0), KernelSource.Arg.in(1), KernelSource.Arg.out(0));
    String rowOp = at.getString("row_op", "");
    if (!rowOp.isEmpty()) {
      return rows(node, name, p, epi.then(fused), rowOp, args);
    }
    return emit(node, name, dc, p, epi.then(fused), "(v, bt, m, n)", args);
  }

  /** Longest row gemm_rows keeps in private memory (FuseRowSoftmaxIntoGemm fuses no longer ones). */
  static final long ROWS_MAX_N = io.offloadcl.ops.FusedOps.ROW_OP_MAX_N;

  /**
   * FusedGemm with {@code row_op}: gemm_rows, one work-item per output row, on CPU and GPU devices alike (the
   * rows it is made for are short, the products small).
   */
  private static KernelSource rows(Node node, String name, Product p, Epilogue epi, String rowOp,
      List<KernelSource.Arg> args) {
    if (!(rowOp.equals("softmax") || rowOp.equals("logsoftmax")) || p.n() < 1 || p.n() > ROWS_MAX_N) {
      throw new UnsupportedOperatorException("node '" + node.name() + "' (FusedGemm): row_op '" + rowOp + "' over rows"
          + " of " + p.n() + " columns; gemm_rows takes softmax or logsoftmax over 1 to " + ROWS_MAX_N);
    }
    Block blk = new Block(name, "gemm.cl", "gemm_rows", node.opType() + " (node '" + node.name() + "') " + p.m()
        + "x" + p.k() + " * " + p.k() + "x" + p.n() + ", " + rowOp + " over rows");
    blk.def("M", p.m()).def("N", p.n()).def("K", p.k());
    blk.def("ASM", p.asm()).def("ASK", p.ask()).def("BSK", p.bsk()).def("BSN", p.bsn());
    blk.def("LOG", rowOp.equals("logsoftmax") ? 1 : 0);
    epi.define(blk, "(v, bt, m, n)");
    return new KernelSource(name, blk.source(), "", new long[] {Math.max(1, p.m())}, null, epi.args(args));
  }

  /**
   * Specializes gemm.cl. The template calls {@code EPILOGUE(value, batch, row, column)}; {@code epiParams}
   * names those positions for the epilogue's expressions (a convolution lowered here calls them
   * {@code (v, n, c, p)}).
   */
  static KernelSource emit(Node node, String name, DeviceClass dc, Product p, Epilogue epi, String epiParams,
      List<KernelSource.Arg> args) {
    String section = dc == DeviceClass.GPU ? "gemm_gpu" : "gemm_cpu";
    Block blk = new Block(name, "gemm.cl", section, node.opType() + " (node '" + node.name() + "') "
        + p.m() + "x" + p.k() + " * " + p.k() + "x" + p.n() + (p.batch() > 1 ? ", batch " + p.batch() : ""));
    blk.def("M", p.m()).def("N", p.n()).def("K", p.k());
    blk.def("ASM", p.asm()).def("ASK", p.ask()).def("BSK", p.bsk()).def("BSN", p.bsn());
    blk.def("BATCH_OFFSETS(bt, oa, ob)", p.batchOffsets());
    long[] global;
    long[] local = null;
    if (dc == DeviceClass.GPU) {
      global = new long[] {roundUp(p.n(), 16), roundUp(p.m(), 16), p.batch()};
      local = new long[] {16, 16, 1};
    } else {
      CpuRange r = cpuRange(p.m(), p.n(), p.k(), p.batch());
      blk.def("TM", r.tm()).def("NV", r.nv());
      global = r.global();
      local = r.local();
    }
    epi.define(blk, epiParams);
    if (dc == DeviceClass.CPU) {
      // EPILOGUE8 where every stage has a float8 form: the full tile then stores with vstore8 instead of spilling
      // to private memory and storing float by float. Same kernel with and without it, alternated in one process
      // (EpilogueStoreBench, medians of 11 rounds, ms scalar -> vector): pointwise 64->256 on 56x56 with bias +
      // residual + Relu 0.664 -> 0.577 (0.86x), bias + Relu 0.599 -> 0.523, no epilogue 0.591 -> 0.518; 128->512
      // on 28x28 0.94x, 256->1024 on 14x14 0.96x, 512->2048 on 7x7 0.99x; squeezenet's 16->64 on 55x55 0.78x. The
      // shallower the product (K) and the more columns, the larger the store's share.
      epi.defineVector(blk, epiParams);
    }
    return new KernelSource(name, blk.source(), "", global, local, epi.args(args));
  }

  /** The CPU register tile (TM rows x 8*NV columns) and the rows-first range over an M x N product, per batch. */
  record CpuRange(long tm, int nv, long[] global, long[] local) {}

  /**
   * The tile and range gemm_cpu (and conv.cl's conv_shift_cpu, the same tile over shifted views) run with, for an
   * M x K by K x N product.
   */
  static CpuRange cpuRange(long m, long n, long k, long batch) {
    int nv = n >= 8 * CPU_NV ? CPU_NV : CPU_NV_NARROW;
    // A product with fewer rows than a tile (batch-1 classifiers) gets a tile of that height, so it still takes
    // the vector path instead of the scalar one (at least 1: an empty product still compiles, and never launches).
    long tm = Math.max(1, Math.min(CPU_TM, m));
    if (m >= CPU_TM && n >= 8L * CPU_NV_WIDE
        && padded(m, n, CPU_TM_WIDE, CPU_NV_WIDE) <= (k <= SHORT_K ? SHORT_MAX_WORK : WIDE_MAX_WORK)
        * padded(m, n, tm, nv)) {
      tm = CPU_TM_WIDE;
      nv = CPU_NV_WIDE;
    }
    long nt = (n + 8L * nv - 1) / (8L * nv);
    long mt = Math.max(1, (m + tm - 1) / tm);
    // Global rounded up to equal work-groups (OpenCL 1.2); the surplus items return at the bounds check.
    long groups = (mt + CPU_MAX_LOCAL - 1) / CPU_MAX_LOCAL;
    long l = (mt + groups - 1) / groups;
    return new CpuRange(tm, nv, new long[] {l * groups, nt, batch}, new long[] {l, 1, 1});
  }

  /** Multiply-adds per reduction step of an M x N product in TM x 8*NV tiles, edge tiles counted whole. */
  private static double padded(long m, long n, long tm, int nv) {
    return (double) roundUp(m, tm) * roundUp(n, 8L * nv);
  }

  private static long roundUp(long x, long q) {
    return (x + q - 1) / q * q;
  }
}
