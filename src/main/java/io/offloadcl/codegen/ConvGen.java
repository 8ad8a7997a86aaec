package io.offloadcl.codegen;

import io.offloadcl.ir.Node;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ops.NnGeometry;
import java.util.List;

/**
 * Conv: pointwise convolutions as a batched GEMM (gemm.cl), the rest direct (conv.cl): on CPUs, group-1
 * unit-stride unpadded kxk convs get conv_shift_cpu (a GEMM over shifted views of the input, no column matrix),
 * depthwise convs conv_dw_cpu, others register-blocked conv_cpu (COB channels x 8 or 16 columns) where the group's
 * output channels come in fours. passes.lower.LowerConvToIm2ColGemm rewrites strided kxk convs as Im2Col + a
 * pointwise conv and padded unit-stride ones as a padding copy + an unpadded conv, by a measured rule kept there.
 */
final class ConvGen {
  /**
   * conv_shift_cpu takes output rows narrower than this; wider ones keep conv_cpu. Measured on vgg19's shapes
   * (shifted / direct, padded, same process): 1.08x at 112 wide, 0.98x for 64 channels at 224 and 0.61x for the
   * 3-channel first layer (27-deep reduction, store-bound), so not worth a second kernel there
   * (passes.lower.LowerConvToIm2ColGemm holds the rest of the rule).
   */
  static final long SHIFT_MAX_OW = 64;

  private ConvGen() {}

  static KernelSource generate(Node n, String name, DeviceClass dc, Epilogue fused) {
    Shapes.requireFloat(n, 3);
    long[] x = Shapes.dims(n, n.input(0));
    long[] wt = Shapes.dims(n, n.input(1));
    long[] y = Shapes.dims(n, n.output(0));
    if (wt.length != x.length) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (Conv): weight rank " + wt.length
          + " differs from input rank " + x.length);
    }
    long[] kernel = java.util.Arrays.copyOfRange(wt, 2, wt.length);
    long[] pool = n.attributes().getInts("pool_kernel", null);
    if (pool != null) {
      return pooled(n, name, dc, x, y, kernel, pool, fused);
    }
    Windows win = Windows.of(n, x, y, kernel);
    long group = n.attributes().getInt("group", 1);
    long batch = x[0];
    long ci = x[1];
    long co = y[1];
    Epilogue epi = biasThen(n, fused);
    long hw = win.oh() * win.ow();
    if (group == 1 && win.kh() == 1 && win.kw() == 1 && win.sh() == 1 && win.sw() == 1 && win.ph() == 0
        && win.pw() == 0 && win.phEnd() == 0 && win.pwEnd() == 0) {
      // Y[n] (CO x HW) = W (CO x CI) * X[n] (CI x HW): the weights are operand A, shared by every batch.
      GemmGen.Product p = new GemmGen.Product(co, hw, ci, ci, 1, hw, 1, batch,
          "{ oa = 0; ob = (bt) * " + (ci * hw) + "; }");
      return GemmGen.emit(n, name, dc, p, epi, "(v, n, c, p)", List.of(KernelSource.Arg.in(1), KernelSource.Arg.in(0),
          KernelSource.Arg.out(0)));
    }
    if (dc == DeviceClass.CPU && group == 1 && win.ow() < SHIFT_MAX_OW && win.sh() == 1 && win.sw() == 1
        && win.ph() == 0 && win.pw() == 0 && win.phEnd() == 0 && win.pwEnd() == 0
        && win.h() == win.oh() + (win.kh() - 1) * win.dh() && win.w() == win.ow() + (win.kw() - 1) * win.dw()
        // the kernel's int indices are per batch item (the batch offset is long): input, output and weights
        && ci * win.h() * win.w() <= Integer.MAX_VALUE && co * win.oh() * win.ow() <= Integer.MAX_VALUE
        && co * ci * win.kh() * win.kw() <= Integer.MAX_VALUE) {
      return shifted(n, name, win, batch, ci, co, epi);
    }
    long cog = co / group;
    boolean depthwise = dc == DeviceClass.CPU && group == ci && group == co;
    int cob = dc == DeviceClass.CPU && !depthwise ? (cog % 8 == 0 ? 8 : cog % 4 == 0 ? 4 : 1) : 1;
    String section = depthwise ? "conv_dw_cpu" : cob > 1 ? "conv_cpu" : "conv_direct";
    Block b = new Block(name, "conv.cl", section, "Conv (node '" + n.name() + "') "
        + ci + "->" + co + " ch, " + win.kh() + "x" + win.kw() + " kernel, group " + group);
    b.def("BATCH", batch).def("CI", ci).def("CO", co).def("CIG", ci / group).def("COG", cog);
    win.define(b);
    int nv = cob > 1 ? columnVectors(win.ow()) : 1;
    if (cob > 1) {
      b.def("COB", cob).def("NV", nv);
    }
    epi.define(b, "(v, n, c, p)");
    long[] global = depthwise ? new long[] {(win.ow() + 7) / 8, win.oh(), batch * co}
        : cob > 1 ? new long[] {(win.ow() + 8L * nv - 1) / (8L * nv), win.oh(), batch * co / cob}
        : new long[] {win.ow(), win.oh(), batch * co};
    return new KernelSource(name, b.source(), "", global, null,
        epi.args(List.of(KernelSource.Arg.in(0), KernelSource.Arg.in(1), KernelSource.Arg.out(0))));
  }

  /**
   * FusedConv with {@code pool_kernel} (y is the pooled output): conv_pool_cpu on CPUs for group-1, unit-stride,
   * undilated convs under 2-wide pools (what passes.fusion.FuseMaxPoolIntoConv makes), else conv_pool, one
   * work-item per pooled output. The epilogue runs per conv output, before the max.
   */
  private static KernelSource pooled(Node n, String name, DeviceClass dc, long[] x, long[] y,
      long[] kernel, long[] pool, Epilogue fused) {
    if (x.length != 4 || pool.length != 2 || y.length != 4) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (" + n.opType() + "): pool_kernel "
          + java.util.Arrays.toString(pool) + " has an OpenCL kernel for 2-D convs only (input rank " + x.length + ")");
    }
    if (n.attributes().getInt("residual", 0) != 0) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (" + n.opType() + "): pool_kernel with a residual");
    }
    long[] convOut = NnGeometry.forward("node '" + n.name() + "'", new long[] {x[2], x[3]}, kernel, n.attributes(),
        false).out;
    long[] yc = {x[0], y[1], convOut[0], convOut[1]};
    if (y[2] != yc[2] / pool[0] || y[3] != yc[3] / pool[1]) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (" + n.opType() + "): output "
          + java.util.Arrays.toString(y) + " is not the conv output " + java.util.Arrays.toString(yc) + " pooled by "
          + java.util.Arrays.toString(pool));
    }
    Windows win = Windows.of(n, x, yc, kernel);
    long group = n.attributes().getInt("group", 1);
    long batch = x[0];
    long ci = x[1];
    long co = y[1];
    Epilogue epi = biasThen(n, fused);
    boolean cpu = dc == DeviceClass.CPU && group == 1 && pool[1] == 2 && win.sh() == 1 && win.sw() == 1
        && win.dh() == 1 && win.dw() == 1;
    Block b = new Block(name, "conv.cl", cpu ? "conv_pool_cpu" : "conv_pool", "Conv (node '" + n.name() + "') "
        + ci + "->" + co + " ch, " + win.kh() + "x" + win.kw() + " kernel, group " + group + ", max pool "
        + pool[0] + "x" + pool[1]);
    b.def("BATCH", batch).def("CI", ci).def("CO", co).def("CIG", ci / group).def("COG", co / group);
    win.define(b);
    b.def("PKH", pool[0]).def("PKW", pool[1]).def("POH", y[2]).def("POW", y[3]);
    epi.define(b, "(v, n, c, p)");
    long[] global;
    if (cpu) {
      int lc = y[3] <= 4 ? 4 : 8;
      int pr = 8 / lc;
      int cob = poolChannels(co);
      b.def("COB", cob).def("LC", lc).def("PR", pr);
      global = new long[] {(y[3] + lc - 1) / lc, (y[2] + pr - 1) / pr, batch * ((co + cob - 1) / cob)};
    } else {
      global = new long[] {y[3], y[2], batch * co};
    }
    return new KernelSource(name, b.source(), "", global, null,
        epi.args(List.of(KernelSource.Arg.in(0), KernelSource.Arg.in(1), KernelSource.Arg.out(0))));
  }

  /** The conv's bias (input 2, per output channel c), where it has one, then the fused stages. */
  private static Epilogue biasThen(Node n, Epilogue fused) {
    boolean bias = n.inputs().size() > 2 && n.input(2) != null;
    return (bias ? new Epilogue("((v) + ep0[c])", List.of(2)) : Epilogue.NONE).then(fused);
  }

  /**
   * conv_pool_cpu's output channels per work-item: 4 (16 float8 accumulators under a 2x2 pool), or 5 or 3
   * where that wastes fewer channels of the last block (tribuo's 10-channel conv: 5).
   */
  static int poolChannels(long co) {
    int best = 4;
    for (int c : new int[] {5, 3}) {
      if ((co + c - 1) / c * c - co < (co + best - 1) / best * best - co) {
        best = c;
      }
    }
    return best;
  }

  /**
   * conv_shift_cpu: the product Wt (CO x CI*KH*KW) * shifted views of X over NCOL = (OH-1)*W + OW columns, with
   * gemm_cpu's register tile and its rows-first work-groups ({@link GemmGen#cpuRange}).
   */
  private static KernelSource shifted(Node n, String name, Windows win, long batch, long ci, long co,
      Epilogue epi) {
    Block b = new Block(name, "conv.cl", "conv_shift_cpu", "Conv (node '" + n.name() + "') " + ci + "->" + co
        + " ch, " + win.kh() + "x" + win.kw() + " kernel, shifted views");
    b.def("BATCH", batch).def("CI", ci).def("CO", co);
    win.define(b);
    long ncol = (win.oh() - 1) * win.w() + win.ow();
    GemmGen.CpuRange r = GemmGen.cpuRange(co, ncol, ci * win.kh() * win.kw(), batch);
    b.def("TM", r.tm()).def("NV", r.nv());
    epi.define(b, "(v, n, c, p)");
    // EPILOGUE8 for the stores of 8 outputs inside one row, where p walks 8 consecutive positions
    epi.defineVector(b, "(v, n, c, p)");
    return new KernelSource(name, b.source(), "", r.global(), r.local(),
        epi.args(List.of(KernelSource.Arg.in(0), KernelSource.Arg.in(1), KernelSource.Arg.out(0))));
  }

  /**
   * conv_cpu's tile width in float8 vectors: 2 (16 columns, 16 accumulators with COB 8) where the row holds a
   * tile. Same-process medians, 3x3 64->64 and 256->256 at 56 wide, 1 / 2 / 3 vectors: 55 / 62 / 34 and
   * 60 / 67 / 27 GFLOP/s; 3 (24 accumulators) is slower than 1, and COB 4 with 2, 3 or 4 vectors slower than
   * COB 8 with 2 (docs/benchmarks.md, "Conv kernels").
   */
  static int columnVectors(long ow) {
    return ow >= 16 ? 2 : 1;
  }
}
