package io.offloadcl.passes.lower;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.FusedOps;
import io.offloadcl.passes.Pass;
import io.offloadcl.passes.PassContext;
import io.offloadcl.passes.Rewrites;
import java.util.ArrayList;
import java.util.List;

/**
 * For devices with matrix units but no convolution: rewrites a 2-D Conv as
 * {@code Reshape(Add(MatMul(W[M, C*kh*kw], Im2Col(X)), B[M, 1]), [N, M, OH, OW])}. The MatMul broadcasts the
 * weight matrix over the batch ({@code [M,K] x [N,K,L] -> [N,M,L]}). Fires only when the device lacks Conv and
 * has MatMul, Im2Col and Reshape (and Add when there is a bias). Limits: group 1, constant weights, explicit or
 * VALID padding, static shapes.
 */
public final class LowerConvToIm2ColMatMul implements Pass {
  @Override
  public String name() {
    return "LowerConvToIm2ColMatMul";
  }

  @Override
  public boolean run(Graph g, PassContext ctx) {
    if (ctx.supports("Conv") || !ctx.supports("MatMul") || !ctx.supports("Im2Col") || !ctx.supports("Reshape")) {
      return false;
    }
    boolean changed = false;
    for (Node conv : new ArrayList<>(g.nodes())) {
      if (Rewrites.is(conv, "Conv") && (conv.input(2) == null || ctx.supports("Add"))) {
        changed |= lower(g, conv);
      }
    }
    if (changed) {
      g.sortTopologically();
    }
    return changed;
  }

  private static boolean lower(Graph g, Node conv) {
    Value x = conv.input(0);
    Value w = conv.input(1);
    Value b = conv.input(2);
    Value y = conv.output(0);
    if (x == null || w == null || !w.isConstant() || w.constant().rank() != 4 || x.type() == null
        || !x.type().isStatic() || x.type().shape().rank() != 4 || y.type() == null || !y.type().isStatic()
        || conv.attributes().getInt("group", 1) != 1 || (b != null && !b.isConstant())) {
      return false;
    }
    String autoPad = conv.attributes().getString("auto_pad", "NOTSET");
    if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
      return false;
    }
    TensorData wd = w.constant();
    long m = wd.dim(0);
    long k = wd.dim(1) * wd.dim(2) * wd.dim(3);
    long[] kernel = {wd.dim(2), wd.dim(3)};
    long[] pads = autoPad.equals("VALID") ? new long[4] : conv.attributes().getInts("pads", new long[4]);
    Attributes ia = new Attributes().setInts("kernel_shape", kernel).setInts("pads", pads)
        .setInts("strides", conv.attributes().getInts("strides", new long[] {1, 1}))
        .setInts("dilations", conv.attributes().getInts("dilations", new long[] {1, 1}));
    long[] xd = x.type().shape().dims();
    long[] cd = FusedOps.im2colShape(xd, kernel, ia.getInts("strides", null), pads, ia.getInts("dilations", null));
    long[] yd = y.type().shape().dims();
    if (cd[2] != yd[2] * yd[3] || cd[1] != k) {
      return false;
    }
    Node cols = Rewrites.fusedNode(g, "Im2Col", conv.opsetVersion(), conv.name() + "_im2col", List.of(x), ia);
    cols.output(0).setType(new TensorType(x.type().dtype(), io.offloadcl.ir.Shape.of(cd)));
    Value wm = Rewrites.constant(g, w.name() + "_mat", wd.reshape(m, k));
    Node mm = Rewrites.onnxNode(g, "MatMul", conv.name() + "_matmul", List.of(wm, cols.output(0)), new Attributes());
    Value last = mm.output(0);
    if (b != null) {
      Value bm = Rewrites.constant(g, b.name() + "_col", b.constant().reshape(m, 1));
      Node add = Rewrites.onnxNode(g, "Add", conv.name() + "_bias", List.of(last, bm), new Attributes());
      last = add.output(0);
    }
    Value shape = Rewrites.constant(g, conv.name() + "_shape", TensorData.ofLongs(new long[] {4}, yd));
    Node reshape = Rewrites.onnxNode(g, "Reshape", conv.name() + "_reshape", List.of(last, shape), new Attributes());
    reshape.output(0).setType(y.type());
    Rewrites.replace(g, y, reshape.output(0), List.of(conv));
    return true;
  }
}
