package io.offloadcl.passes.cleanup;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.passes.Pass;
import io.offloadcl.passes.PassContext;
import io.offloadcl.passes.Rewrites;
import java.util.ArrayList;

/**
 * Removes nodes whose output equals their first input: Identity, inference-mode Dropout (mask unused),
 * Reshape/Expand to the input's own static shape, Transpose by the identity permutation and Cast to the
 * input's dtype.
 *
 * <p>When the output is a graph output its name must survive: the node goes only if the input is another
 * node's output that is not itself a graph output, and that value then takes the output's name. A graph input
 * or constant feeding an output keeps its Identity (an output cannot alias an input under another name).
 */
public final class EliminateIdentity implements Pass {
  @Override
  public String name() {
    return "EliminateIdentity";
  }

  @Override
  public boolean run(Graph g, PassContext ctx) {
    boolean changed = false;
    for (Node n : new ArrayList<>(g.nodes())) {
      if (g.node(n.name()) != n || !isNoOp(n)) {
        continue;
      }
      Value in = n.input(0);
      Value out = n.output(0);
      if (in == null || out == null) {
        continue;
      }
      if (g.isOutput(out)) {
        if (in.producer() == null || g.isOutput(in)) {
          continue;
        }
        String name = out.name();
        g.replaceAllUses(out, in, true);
        g.removeNode(n);
        g.renameValue(in, name);
      } else {
        g.replaceAllUses(out, in, false);
        g.removeNode(n);
      }
      changed = true;
    }
    return changed;
  }

  static boolean isNoOp(Node n) {
    if (!(n.domain().isEmpty() || n.domain().equals("ai.onnx"))) {
      return false;
    }
    for (int i = 1; i < n.outputs().size(); i++) {
      Value o = n.output(i);
      if (o != null && !o.uses().isEmpty()) {
        return false;
      }
    }
    Value in = n.input(0);
    Value out = n.output(0);
    switch (n.opType()) {
      case "Identity":
        return true;
      case "Dropout":
        return dropoutIsNoOp(n);
      case "Reshape":
      case "Expand":
        return sameStatic(in, out);
      case "Cast":
        return in != null && in.type() != null && out != null && out.type() != null
            && in.type().dtype() == DType.fromOnnx((int) n.attributes().getInt("to", -1));
      case "Transpose":
        return identityPermutation(n) && sameStatic(in, out);
      default:
        return false;
    }
  }

  private static boolean dropoutIsNoOp(Node n) {
    // opset >= 12: training_mode is input 2; absent or constant false means inference
    Value tm = n.input(2);
    if (tm != null) {
      return tm.isConstant() && tm.constant().size() == 1 && tm.constant().getDouble(0) == 0;
    }
    return n.attributes().getInt("is_test", 1) != 0 || n.opsetVersion() >= 7;
  }

  private static boolean identityPermutation(Node n) {
    long[] perm = n.attributes().getInts("perm", null);
    if (perm == null) {
      TensorType t = n.input(0).type();
      return t != null && t.hasRank() && t.shape().rank() <= 1;
    }
    for (int i = 0; i < perm.length; i++) {
      if (perm[i] != i) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameStatic(Value a, Value b) {
    return a != null && b != null && a.type() != null && b.type() != null && a.type().isStatic() && b.type().isStatic()
        && a.type().equals(b.type());
  }
}
