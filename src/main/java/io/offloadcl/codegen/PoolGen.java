package io.offloadcl.codegen;

import io.offloadcl.ir.Node;
import io.offloadcl.ir.UnsupportedOperatorException;
import java.util.List;

/** MaxPool, AveragePool and the global pools from pool.cl. */
final class PoolGen {
  private PoolGen() {}

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
   * Pools; on CPU devices the rows-of-8 variant (pool2d_vec) where its vector loads apply (stride 1 or 2 along
   * W, no dilation along W) and the float8 plane reduction for the global pools.
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
      boolean vec = dc == DeviceClass.CPU && (w.sw() == 1 || w.sw() == 2) && w.dw() == 1;
      b = new Block(name, "pool.cl", vec ? "pool2d_vec" : "pool2d", n.opType() + " (node '" + n.name() + "') "
          + w.kh() + "x" + w.kw() + "/" + w.sh() + "x" + w.sw());
      w.define(b);
      boolean includePad = n.attributes().getInt("count_include_pad", 0) != 0;
      b.def("HEND", w.h() + w.phEnd()).def("WEND", w.w() + w.pwEnd());
      if (!max) {
        b.def("FINAL_DIV", includePad ? "div" : "cnt");
      }
      global = vec ? new long[] {w.oh(), x[0] * x[1]} : new long[] {w.ow(), w.oh(), x[0] * x[1]};
      if (vec) {
        b.def("NC", x[0] * x[1]).def("PADV", max ? "(-INFINITY)" : "0.0f");
        b.def("FINALV(acc, cnt, div)", max ? "(acc)" : includePad ? "((acc) / (div))" : "((acc) / (cnt))");
      }
    }
    if (max) {
      b.def("INIT", "(-INFINITY)").def("ACC(acc, x)", "fmax((acc), (x))").def("FINAL(acc, cnt, div)", "(acc)");
    } else {
      b.def("INIT", "0.0f").def("ACC(acc, x)", "((acc) + (x))");
      b.def("FINAL(acc, cnt, div)", n.opType().startsWith("Global") ? "((acc) / (float) (cnt))"
          : "((acc) / (float) (FINAL_DIV))");
    }
    epi.define(b, "(v, nc, p)");
    b.def("HAS_EPILOGUE", epi.stages().isEmpty() ? 0 : 1);
    return new KernelSource(name, b.source(), "", global, null,
        epi.args(List.of(KernelSource.Arg.in(0), KernelSource.Arg.out(0))));
  }
}
