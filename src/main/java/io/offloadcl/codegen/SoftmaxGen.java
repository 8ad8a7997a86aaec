package io.offloadcl.codegen;

import io.offloadcl.ir.Node;
import java.util.List;

/** Softmax and LogSoftmax from softmax.cl, with the opset-dependent meaning of {@code axis}. */
final class SoftmaxGen {
  private SoftmaxGen() {}

  static KernelSource generate(Node n, String name, Epilogue epi) {
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
    Block b = new Block(name, "softmax.cl", "softmax", n.opType() + " (node '" + n.name() + "') axis " + axis
        + (legacy ? " (coerced to 2-D)" : ""));
    b.def("OUTER", outer).def("AX", ax).def("INNER", inner).def("LOG", n.opType().equals("LogSoftmax") ? 1 : 0);
    epi.define(b, "(v, o)");
    return new KernelSource(name, b.source(), "", new long[] {Math.max(1, outer * inner)}, null,
        epi.args(List.of(KernelSource.Arg.in(0), KernelSource.Arg.out(0))));
  }
}
