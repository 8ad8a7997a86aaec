package io.offloadcl.passes.fusion;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.FusionKind;
import io.offloadcl.ops.OpCatalog;
import io.offloadcl.ops.OpSpec;
import io.offloadcl.passes.Rewrites;
import java.util.ArrayList;
import java.util.List;

/**
 * The heavy ops that take an epilogue (kind OUT_ELEMWISE_FUSABLE in the catalog) and the fused op each turns
 * into. Shared by FuseActivation, FuseResidualAdd and FuseMatMulAdd.
 */
final class EpilogueTargets {
  private EpilogueTargets() {}

  /** The fused op type for a heavy node (itself when already fused), or null. */
  static String fusedType(Node n) {
    if (n == null) {
      return null;
    }
    OpSpec s = OpCatalog.find(n.domain(), n.opType());
    if (s == null || s.fusionKind() != FusionKind.OUT_ELEMWISE_FUSABLE) {
      return null;
    }
    if (n.domain().equals(Rewrites.FUSED_DOMAIN)) {
      if (n.attributes().has("pool_kernel")) {
        // its output is pooled: an epilogue added now would run before the max, at the unpooled position
        return null;
      }
      if (n.attributes().has("row_op")) {
        // its rows are normalized after the epilogue: a stage added now would run before the softmax
        return null;
      }
      return n.opType().equals("FusedConv") || n.opType().equals("FusedGemm") || n.opType().equals("FusedMatMul")
          ? n.opType() : null;
    }
    switch (n.opType()) {
      case "Conv":
        return "FusedConv";
      case "Gemm":
        return "FusedGemm";
      case "MatMul":
        return "FusedMatMul";
      default:
        return null;
    }
  }

  /** True when the node is fused and already has an activation. */
  static boolean hasActivation(Node n) {
    return !n.attributes().getString("activation", "").isEmpty();
  }

  static boolean hasResidual(Node n) {
    return n.attributes().getInt("residual", 0) != 0;
  }

  /**
   * The fused form of {@code heavy}: the node itself when already fused, else a new fused node with the same
   * inputs (padded to the epilogue slots) and attributes; the caller rewires uses and removes the old node.
   */
  static Node fusedFrom(Graph g, Node heavy) {
    if (heavy.domain().equals(Rewrites.FUSED_DOMAIN)) {
      return heavy;
    }
    String type = fusedType(heavy);
    int slots = type.equals("FusedMatMul") ? 2 : 3;
    List<Value> ins = new ArrayList<>();
    for (int i = 0; i < slots; i++) {
      ins.add(heavy.input(i));
    }
    Node f = Rewrites.fusedNode(g, type, heavy.opsetVersion(), heavy.name() + "_fused", ins, new Attributes(heavy.attributes()));
    f.output(0).setType(heavy.output(0).type());
    return f;
  }
}
