package io.offloadcl.codegen;

import io.offloadcl.ir.Node;
import java.util.List;

/** Softmax and LogSoftmax from softmax.cl, with the opset-dependent meaning of {@code axis}. */
final class SoftmaxGen {
  private SoftmaxGen() {}

  /** Softmax / LogSoftmax; on CPU devices over the innermost axis, the float8 row kernel (softmax_rows). */
  static KernelSource generate(Node n, String name, DeviceClass dc, Epilogue epi) {
    Shapes.requireFloat(n, 1);
    long[] x = Shapes.dims(n, n.input(0));
    int r = x.length;
    boolean legacy = n.opsetVersion() > 0 && n.opsetVersion() < 13;
    long axis = n.attributes().getInt("axis", legacy ? 1 : -1);
    if (axis < 0) {
      axis += r;
    }
    long outer = 1;
    long ax = 1;
    long inner = 1;
    for (int i = 0; i < r; i++) {
      if (i < axis) {
        outer *= x[i];
      } else if (i == axis || legacy) {
        ax *= x[i];
      } else {
        inner *= x[i];
      }
    }
    boolean rows = dc == DeviceClass.CPU && inner == 1;
    Block b = new Block(name, "softmax.cl", rows ? "softmax_rows" : "softmax", n.opType() + " (node '" + n.name() + "') axis " + axis
        + (legacy ? " (coerced to 2-D)" : ""));
    b.def("OUTER", outer).def("AX", ax).def("INNER", inner).def("LOG", n.opType().equals("LogSoftmax") ? 1 : 0);
    epi.define(b, "(v, o)");
    b.def("HAS_EPILOGUE", epi.stages().isEmpty() ? 0 : 1);
    return new KernelSource(name, b.source(), "", new long[] {Math.max(1, outer * inner)}, null,
        epi.args(List.of(KernelSource.Arg.in(0), KernelSource.Arg.out(0))));
  }

  /** LayerNormalization (opset 17) in inference form: the optional Mean and InvStdDev outputs must be absent. */
  static KernelSource layerNorm(Node n, String name, DeviceClass dc, Epilogue epi) {
    Shapes.requireFloat(n, 3);
    for (int i = 1; i < n.outputs().size(); i++) {
      if (n.output(i) != null) {
        throw new io.offloadcl.ir.UnsupportedOperatorException("node '" + n.name()
            + "' (LayerNormalization): the OpenCL kernel does not write the Mean/InvStdDev outputs");
      }
    }
    long[] x = Shapes.dims(n, n.input(0));
    long axis = n.attributes().getInt("axis", -1);
    if (axis < 0) {
      axis += x.length;
    }
    long rows = 1;
    long norm = 1;
    for (int i = 0; i < x.length; i++) {
      if (i < axis) {
        rows *= x[i];
      } else {
        norm *= x[i];
      }
    }
    long[] normDims = java.util.Arrays.copyOfRange(x, (int) axis, x.length);
    boolean bias = n.inputs().size() > 2 && n.input(2) != null;
    // the row kernel reads scale and bias as plain vectors of NORM elements
    boolean rowsKernel = dc == DeviceClass.CPU && Shapes.count(Shapes.dims(n, n.input(1))) == norm
        && (!bias || Shapes.count(Shapes.dims(n, n.input(2))) == norm);
    Block b = new Block(name, "softmax.cl", rowsKernel ? "layernorm_rows" : "layernorm", "LayerNormalization (node '"
        + n.name() + "') axis " + axis);
    b.def("ROWS", rows).def("NORM", norm).def("EPS", Block.flt(n.attributes().getFloat("epsilon", 1e-5f)))
        .def("HAS_BIAS", bias ? 1 : 0)
        .def("SIDX(j)", FusedGen.bcastIndex("(j)", normDims, Shapes.dims(n, n.input(1))))
        .def("BIDX(j)", bias ? FusedGen.bcastIndex("(j)", normDims, Shapes.dims(n, n.input(2))) : "0");
    epi.define(b, "(v, o)");
    b.def("HAS_EPILOGUE", epi.stages().isEmpty() ? 0 : 1);
    // without a bias the scale buffer is bound twice; the kernel never reads it as B
    return new KernelSource(name, b.source(), "", new long[] {Math.max(1, rows)}, null, epi.args(List.of(
        KernelSource.Arg.in(0), KernelSource.Arg.in(1), KernelSource.Arg.in(bias ? 2 : 1), KernelSource.Arg.out(0))));
  }
}
