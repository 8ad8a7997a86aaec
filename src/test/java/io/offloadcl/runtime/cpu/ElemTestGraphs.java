package io.offloadcl.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.ShapeInference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds one-node graphs in code, infers their types and runs them on the reference executor. */
final class ElemTestGraphs {
  private ElemTestGraphs() {}

  /** Marks an input as a graph constant (initializer) rather than a graph input. */
  static final class Const {
    final TensorData data;

    Const(TensorData data) {
      this.data = data;
    }
  }

  static Const konst(TensorData d) {
    return new Const(d);
  }

  /** Graph with one node; {@code inputs} entries are TensorData (graph input), Const, or null (omitted). */
  static Graph single(String op, int opset, Attributes attrs, int outputs, Object... inputs) {
    Graph g = new Graph("t_" + op);
    g.opsetImports().put("", opset);
    List<Value> ins = new ArrayList<>();
    for (int i = 0; i < inputs.length; i++) {
      Object o = inputs[i];
      if (o == null) {
        ins.add(null);
      } else if (o instanceof Const) {
        ins.add(g.addConstant("c" + i, ((Const) o).data));
      } else {
        ins.add(g.addInput("x" + i, ((TensorData) o).type()));
      }
    }
    List<String> outs = new ArrayList<>();
    for (int i = 0; i < outputs; i++) {
      outs.add("y" + i);
    }
    Node n = g.addNode(op, "", opset, "n0", ins, outs, attrs == null ? new Attributes() : attrs);
    for (Value v : n.outputs()) {
      g.addOutput(v);
    }
    return g;
  }

  static Map<String, TensorData> feeds(Object... inputs) {
    Map<String, TensorData> m = new LinkedHashMap<>();
    for (int i = 0; i < inputs.length; i++) {
      if (inputs[i] instanceof TensorData) {
        m.put("x" + i, (TensorData) inputs[i]);
      }
    }
    return m;
  }

  /** Infers types, runs, and checks each output against its inferred type; returns outputs in order. */
  static TensorData[] run(String op, int opset, Attributes attrs, int outputs, Object... inputs) {
    Graph g = single(op, opset, attrs, outputs, inputs);
    ShapeInference.run(g);
    Map<String, TensorData> r = new ReferenceExecutor(g).run(feeds(inputs));
    TensorData[] res = new TensorData[outputs];
    for (int i = 0; i < outputs; i++) {
      res[i] = r.get("y" + i);
      Value v = g.outputs().get(i);
      assertEquals(v.type().dtype(), res[i].dtype(), op + " output " + i + " dtype vs inferred");
      assertEquals(true, v.type().shape() == null || v.type().shape().compatibleWith(res[i].shape()),
          op + " output " + i + " shape " + res[i].shape() + " vs inferred " + v.type().shape());
    }
    return res;
  }

  static TensorData run1(String op, Object... inputs) {
    return run(op, 18, null, 1, inputs)[0];
  }

  static TensorData f(long[] dims, float... v) {
    return TensorData.ofFloats(dims, v);
  }

  static long[] d(long... dims) {
    return dims;
  }

  static void assertFloats(float[] expected, TensorData actual, float tol) {
    float[] a = actual.floats();
    assertEquals(expected.length, a.length, "element count");
    for (int i = 0; i < a.length; i++) {
      float e = expected[i];
      if (Float.isNaN(e)) {
        assertEquals(true, Float.isNaN(a[i]), "element " + i + " should be NaN, got " + a[i]);
      } else if (Float.isInfinite(e)) {
        assertEquals(e, a[i], "element " + i);
      } else {
        assertEquals(e, a[i], tol * Math.max(1, Math.abs(e)), "element " + i);
      }
    }
  }
}
