package io.offloadcl.passes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.GraphVerifier;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.ShapeInference;
import io.offloadcl.runtime.cpu.CpuKernel;
import io.offloadcl.runtime.cpu.CpuKernels;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Shared checks of the pass tests: build a graph twice from one recipe, optimize one copy with the passes under
 * test (verifying after every pass), compare node kinds before → after, then run both on the reference
 * executor with the same seeded inputs and compare every output at 1e-4 relative.
 */
public final class PassTesting {
  static final double RTOL = 1e-4;
  static final double ATOL = 1e-6;

  private PassTesting() {}

  /** Runs ops through the reference kernels, as the api wires it in production. */
  public static final ConstantEvaluator EVALUATOR = (n, in) -> {
    CpuKernel k = CpuKernels.find(n.opType());
    return k == null ? null : k.run(n, in);
  };

  /** A verifying context on the given device. */
  public static PassContext context(DeviceCapabilities caps) {
    return PassContext.builder().capabilities(caps).evaluator(EVALUATOR).verifyEachPass(true).build();
  }

  /** Result of {@link #optimize}: both graphs and the report. */
  public static final class Outcome {
    public final Graph before;
    public final Graph after;
    public final PassReport report;

    Outcome(Graph before, Graph after, PassReport report) {
      this.before = before;
      this.after = after;
      this.report = report;
    }

    /** Op histogram before, e.g. {Conv=1, Relu=1}. */
    public Map<String, Integer> kindsBefore() {
      return GraphStats.opHistogram(before);
    }

    public Map<String, Integer> kindsAfter() {
      return GraphStats.opHistogram(after);
    }

    public Node only(String opType) {
      Node r = null;
      for (Node n : after.nodes()) {
        if (n.opType().equals(opType)) {
          if (r != null) {
            fail("more than one " + opType + " in\n" + after);
          }
          r = n;
        }
      }
      if (r == null) {
        fail("no " + opType + " in\n" + after);
      }
      return r;
    }
  }

  /** Builds the graph twice, runs the passes (in order, as one pipeline) on one copy and checks numbers. */
  public static Outcome optimize(Supplier<Graph> recipe, DeviceCapabilities caps, Pass... passes) {
    Pipeline p = new Pipeline();
    for (Pass pass : passes) {
      p.add(pass, "under test");
    }
    return optimize(recipe, caps, p);
  }

  public static Outcome optimize(Supplier<Graph> recipe, DeviceCapabilities caps, Pipeline pipeline) {
    Graph before = recipe.get();
    ShapeInference.run(before);
    GraphVerifier.verify(before);
    Graph after = recipe.get();
    ShapeInference.run(after);
    PassReport report = new PassManager(pipeline).run(after, context(caps));
    GraphVerifier.verify(after);
    assertSameOutputs(before, after, 42);
    return new Outcome(before, after, report);
  }

  /** Runs both graphs on the same seeded inputs; outputs must match by name, shape and value. */
  public static void assertSameOutputs(Graph before, Graph after, long seed) {
    assertSameOutputs(before, after, randomInputs(before, seed));
  }

  /** Runs both graphs on {@code in}; outputs must match by name, shape and value. */
  public static void assertSameOutputs(Graph before, Graph after, Map<String, TensorData> in) {
    Map<String, TensorData> want = new ReferenceExecutor(before).run(in);
    Map<String, TensorData> got = new ReferenceExecutor(after).run(in);
    assertEquals(new ArrayList<>(want.keySet()), new ArrayList<>(got.keySet()), "graph output names");
    for (String k : want.keySet()) {
      TensorData w = want.get(k);
      TensorData g = got.get(k);
      assertArrayEquals(w.dims(), g.dims(), "shape of output " + k);
      assertEquals(w.dtype(), g.dtype(), "dtype of output " + k);
      for (int i = 0; i < w.size(); i++) {
        double a = w.getDouble(i);
        double b = g.getDouble(i);
        if (!(Math.abs(a - b) <= ATOL + RTOL * Math.max(Math.abs(a), Math.abs(b)))
            && !(Double.isNaN(a) && Double.isNaN(b))) {
          fail("output " + k + " element " + i + ": unoptimized " + a + ", optimized " + b);
        }
      }
    }
  }

  /** Seeded inputs in [-2, 2) for float inputs; dynamic dims become 1. */
  public static Map<String, TensorData> randomInputs(Graph g, long seed) {
    Random r = new Random(seed);
    Map<String, TensorData> m = new LinkedHashMap<>();
    for (Value v : g.inputs()) {
      long[] dims = v.type().shape().dims();
      for (int i = 0; i < dims.length; i++) {
        dims[i] = dims[i] < 0 ? 1 : dims[i];
      }
      TensorData d = TensorData.zeros(v.type().dtype(), dims);
      for (int i = 0; i < d.size(); i++) {
        d.setDouble(i, v.type().dtype().isFloating() ? r.nextDouble() * 4 - 2 : r.nextInt(3));
      }
      m.put(v.name(), d);
    }
    return m;
  }

  // ---- graph building shorthands ----

  /** A graph importing opset 17. */
  public static Graph graph(String name) {
    Graph g = new Graph(name);
    g.opsetImports().put("", 17);
    return g;
  }

  public static Value input(Graph g, String name, long... dims) {
    return g.addInput(name, TensorType.of(DType.FLOAT32, dims));
  }

  /** A float constant filled from a seeded generator in [-1, 1). */
  public static Value weights(Graph g, String name, long seed, long... dims) {
    Random r = new Random(seed);
    TensorData d = TensorData.zeros(DType.FLOAT32, dims);
    for (int i = 0; i < d.size(); i++) {
      d.setDouble(i, r.nextDouble() * 2 - 1);
    }
    return g.addConstant(name, d);
  }

  /** A float constant of positive values in [0.5, 1.5) (variances, scales). */
  public static Value positive(Graph g, String name, long seed, long... dims) {
    Random r = new Random(seed);
    TensorData d = TensorData.zeros(DType.FLOAT32, dims);
    for (int i = 0; i < d.size(); i++) {
      d.setDouble(i, 0.5 + r.nextDouble());
    }
    return g.addConstant(name, d);
  }

  public static Value scalar(Graph g, String name, float v) {
    return g.addConstant(name, TensorData.scalarFloat(v));
  }

  public static Value longs(Graph g, String name, long... v) {
    return g.addConstant(name, TensorData.ofLongs(new long[] {v.length}, v));
  }

  /** Adds a node with one output named {@code out}. */
  public static Value op(Graph g, String type, String out, Attributes a, Value... ins) {
    return g.addNode(type, out + "_node", Arrays.asList(ins), List.of(out), a == null ? new Attributes() : a).output(0);
  }

  public static Value op(Graph g, String type, String out, Value... ins) {
    return op(g, type, out, null, ins);
  }

  /** Histogram as a compact string for assertions, e.g. "Conv=1 Relu=1". */
  public static String kinds(Map<String, Integer> h) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Integer> e : h.entrySet()) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(e.getKey()).append('=').append(e.getValue());
    }
    return sb.toString();
  }

  public static void assertKinds(String before, String after, Outcome o) {
    assertEquals(before, kinds(o.kindsBefore()), "node kinds before");
    assertEquals(after, kinds(o.kindsAfter()), "node kinds after\n" + o.after);
  }
}
