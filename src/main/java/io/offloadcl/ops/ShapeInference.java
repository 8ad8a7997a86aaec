package io.offloadcl.ops;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Static type and shape inference over a whole graph, in topological order, with each op's {@link OpSpec}.
 * Dynamic dimensions stay dynamic (-1) and are resolved at run time from the actual inputs.
 */
public final class ShapeInference {
  private ShapeInference() {}

  public static void run(Graph g) {
    for (Node n : g.nodes()) {
      OpSpec spec = OpCatalog.find(n.domain(), n.opType());
      if (spec == null) {
        throw new UnsupportedOperatorException("no operator " + qualified(n) + " for node '" + n.name() + "'");
      }
      int given = n.inputs().size();
      while (given > 0 && n.input(given - 1) == null) {
        given--;
      }
      if (given < spec.minInputs() || given > spec.maxInputs()) {
        throw new ShapeMismatchException("node '" + n.name() + "' (" + n.opType() + ") has " + given
            + " inputs; expected " + (spec.minInputs() == spec.maxInputs() ? String.valueOf(spec.minInputs())
            : spec.minInputs() + ".." + (spec.maxInputs() == Integer.MAX_VALUE ? "n" : spec.maxInputs())));
      }
      List<TensorType> types = new ArrayList<>();
      List<TensorData> consts = new ArrayList<>();
      for (Value in : n.inputs()) {
        types.add(in == null ? null : in.type());
        consts.add(in == null ? null : in.constant());
      }
      List<TensorType> outs;
      try {
        outs = spec.inferTypes(new InferenceContext(n, types, consts));
      } catch (OffloadException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new ShapeMismatchException("node '" + n.name() + "' (" + n.opType() + "): shape inference failed: " + e, e);
      }
      for (int i = 0; i < n.outputs().size(); i++) {
        Value o = n.output(i);
        if (o != null && i < outs.size() && outs.get(i) != null) {
          o.setType(outs.get(i));
        }
      }
    }
  }

  /** Cost of a node from its current value types. */
  public static OpCost cost(Node n) {
    OpSpec spec = OpCatalog.find(n.domain(), n.opType());
    if (spec == null) {
      return OpCost.UNKNOWN;
    }
    List<TensorType> ins = new ArrayList<>();
    for (Value v : n.inputs()) {
      if (v != null) {
        ins.add(v.type());
      }
    }
    List<TensorType> outs = new ArrayList<>();
    for (Value v : n.outputs()) {
      if (v != null) {
        outs.add(v.type());
      }
    }
    return spec.cost(n, ins, outs);
  }

  private static String qualified(Node n) {
    return n.domain().isEmpty() ? n.opType() : n.domain() + "::" + n.opType();
  }
}
