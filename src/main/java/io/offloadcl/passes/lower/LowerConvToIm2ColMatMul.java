package io.offloadcl.passes.lower;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
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
    Im2ColConv c = Im2ColConv.of(conv);
    if (c == null || (c.bias() != null && !c.bias().isConstant())) {
      return false;
    }
    Value cols = c.addColumns(g, conv);
    Value wm = Rewrites.constant(g, c.w().name() + "_mat", c.weights().reshape(c.m(), c.k()));
    Node mm = Rewrites.onnxNode(g, "MatMul", conv.name() + "_matmul", List.of(wm, cols), new Attributes());
    Value last = mm.output(0);
    if (c.bias() != null) {
      Value bm = Rewrites.constant(g, c.bias().name() + "_col", c.bias().constant().reshape(c.m(), 1));
      Node add = Rewrites.onnxNode(g, "Add", conv.name() + "_bias", List.of(last, bm), new Attributes());
      last = add.output(0);
    }
    Value shape = Rewrites.constant(g, conv.name() + "_shape",
        TensorData.ofLongs(new long[] {4}, c.outputDims()));
    Node reshape = Rewrites.onnxNode(g, "Reshape", conv.name() + "_reshape", List.of(last, shape), new Attributes());
    reshape.output(0).setType(c.y().type());
    Rewrites.replace(g, c.y(), reshape.output(0), List.of(conv));
    return true;
  }
}
