package io.offloadcl.passes.lower;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.FusedOps;
import io.offloadcl.passes.Rewrites;
import java.util.List;

/**
 * What both im2col lowerings need to know about a Conv, checked once: a 2-D, group-1 convolution with constant
 * weights, explicit or VALID padding and static shapes, whose Im2Col column matrix lines up with the output
 * ({@code [N, C*kh*kw, OH*OW]}). {@link #of} returns null for any other Conv, so the passes leave it alone.
 */
record Im2ColConv(Value x, Value w, Value bias, Value y, TensorData weights, long m, long k, long[] kernel,
    long[] pads, long[] strides, Attributes im2colAttributes, long[] inputDims, long[] columnDims,
    long[] outputDims) {

  static Im2ColConv of(Node conv) {
    Value x = conv.input(0);
    Value w = conv.input(1);
    Value b = conv.inputs().size() > 2 ? conv.input(2) : null;
    Value y = conv.output(0);
    if (x == null || w == null || !w.isConstant() || w.constant().rank() != 4 || x.type() == null
        || !x.type().isStatic() || x.type().shape().rank() != 4 || y.type() == null || !y.type().isStatic()
        || conv.attributes().getInt("group", 1) != 1) {
      return null;
    }
    String autoPad = conv.attributes().getString("auto_pad", "NOTSET");
    if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
      return null;
    }
    TensorData wd = w.constant();
    long[] kernel = {wd.dim(2), wd.dim(3)};
    long[] pads = autoPad.equals("VALID") ? new long[4] : conv.attributes().getInts("pads", new long[4]);
    long[] strides = conv.attributes().getInts("strides", new long[] {1, 1});
    long[] dilations = conv.attributes().getInts("dilations", new long[] {1, 1});
    Attributes ia = new Attributes().setInts("kernel_shape", kernel).setInts("pads", pads)
        .setInts("strides", strides).setInts("dilations", dilations);
    long k = wd.dim(1) * wd.dim(2) * wd.dim(3);
    long[] xd = x.type().shape().dims();
    long[] yd = y.type().shape().dims();
    long[] cd = FusedOps.im2colShape(xd, kernel, strides, pads, dilations);
    if (cd[2] != yd[2] * yd[3] || cd[1] != k) {
      return null;
    }
    if (cd[0] * cd[1] * cd[2] > Integer.MAX_VALUE) {
      return null; // the column matrix would outgrow the kernels' int indices: keep the direct conv
    }
    return new Im2ColConv(x, w, b, y, wd, wd.dim(0), k, kernel, pads, strides, ia, xd, cd, yd);
  }

  /** Adds the Im2Col node over {@link #x} to {@code g}; its output is the {@code [N, K, OH*OW]} column matrix. */
  Value addColumns(Graph g, Node conv) {
    Node cols = Rewrites.fusedNode(g, "Im2Col", conv.opsetVersion(), conv.name() + "_im2col", List.of(x),
        im2colAttributes);
    cols.output(0).setType(new TensorType(x.type().dtype(), Shape.of(columnDims)));
    return cols.output(0);
  }
}
