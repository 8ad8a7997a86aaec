package io.offloadcl.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.ShapeInference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds one-node graphs, infers shapes, runs them on the reference executor, and checks the two agree. */
final class LayoutTestGraphs {
  private LayoutTestGraphs() {}

  /** Marks an input to be a graph constant (initializer) rather than a graph input. */
  static final class Const {
    final TensorData data;

    Const(TensorData data) {
      this.data = data;
    }
  }

  static Const c(TensorData d) {
    return new Const(d);
  }

  static TensorData f(long[] dims, float... v) {
    return TensorData.ofFloats(dims, v);
  }

  static TensorData l(long[] dims, long... v) {
    return TensorData.ofLongs(dims, v);
  }

  static TensorData ls(long... v) {
    return TensorData.ofLongs(new long[] {v.length}, v);
  }

  static long[] d(long... v) {
    return v;
  }

  /** 0, 1, 2, … as float32 of the given shape. */
  static TensorData iota(long... dims) {
    TensorData t = TensorData.zeros(DType.FLOAT32, dims);
    for (int i = 0; i < t.size(); i++) {
      t.floats()[i] = i;
    }
    return t;
  }

  /** Outputs and their statically inferred types. */
  static final class Result {
    final TensorData[] out;
    final TensorType[] inferred;

    Result(TensorData[] out, TensorType[] inferred) {
      this.out = out;
      this.inferred = inferred;
    }

    TensorData get() {
      return out[0];
    }
  }

  static Result run(String op, int opset, Attributes attrs, Object... ins) {
    return runN(op, opset, attrs, 1, ins);
  }

  static Result runN(String op, int opset, Attributes attrs, int nOut, Object... ins) {
    Graph g = new Graph("t");
    g.opsetImports().put("", opset);
    List<Value> vs = new ArrayList<>();
    Map<String, TensorData> feeds = new HashMap<>();
    for (int i = 0; i < ins.length; i++) {
      Object o = ins[i];
      if (o == null) {
        vs.add(null);
      } else if (o instanceof Const) {
        vs.add(g.addConstant("c" + i, ((Const) o).data));
      } else {
        TensorData t = (TensorData) o;
        vs.add(g.addInput("x" + i, t.type()));
        feeds.put("x" + i, t);
      }
    }
    List<String> outs = new ArrayList<>();
    for (int i = 0; i < nOut; i++) {
      outs.add("y" + i);
    }
    g.addNode(op, "", opset, "n", vs, outs, attrs == null ? new Attributes() : attrs);
    for (String o : outs) {
      g.addOutput(g.value(o));
    }
    ShapeInference.run(g);
    Map<String, TensorData> r = new ReferenceExecutor(g).run(feeds);
    TensorData[] res = new TensorData[nOut];
    TensorType[] types = new TensorType[nOut];
    for (int i = 0; i < nOut; i++) {
      res[i] = r.get("y" + i);
      types[i] = g.value("y" + i).type();
      assertEquals(res[i].dtype(), types[i].dtype(), "inferred dtype of output " + i);
      if (types[i].shape() != null) {
        assertTrue(types[i].shape().compatibleWith(res[i].shape()),
            "inferred " + types[i] + " vs computed " + res[i].type());
      }
    }
    return new Result(res, types);
  }

  static Attributes attrs() {
    return new Attributes();
  }

  static void assertFloats(TensorData t, long[] dims, float... expected) {
    assertArrayEquals(dims, t.dims(), "dims");
    float[] got = t.toFloatArray();
    assertEquals(expected.length, got.length, "element count");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], got[i], 1e-4 + 1e-4 * Math.abs(expected[i]), "element " + i + " of " + t);
    }
  }

  static void assertLongs(TensorData t, long[] dims, long... expected) {
    assertArrayEquals(dims, t.dims(), "dims");
    assertArrayEquals(expected, t.toLongArray(), "values of " + t);
  }
}
