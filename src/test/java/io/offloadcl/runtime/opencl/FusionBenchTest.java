package io.offloadcl.runtime.opencl;

import static io.offloadcl.testing.Timing.alternate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.api.GraphOptimizer;
import io.offloadcl.api.InferenceSession;
import io.offloadcl.api.SessionOptions;
import io.offloadcl.api.Tensor;
import io.offloadcl.api.TensorInfo;
import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.onnx.NamedTensor;
import io.offloadcl.onnx.OnnxTensors;
import io.offloadcl.ops.ShapeInference;
import io.offloadcl.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Fused vs unfused on the OpenCL device, same run, medians: three micro-blocks (Conv+BatchNorm+Relu, MatMul+bias+
 * Relu, a 4-op elementwise chain over 16M floats) and whole models with and without the pipeline. Prints a table;
 * excluded from the default test run (tag "bench"): run it with
 * {@code mvn -o test -Dtest=FusionBenchTest -Dsurefire.excludedGroups=}.
 */
@Tag("bench")
@Tag("opencl")
class FusionBenchTest {
  private static final Random RND = new Random(7);
  private final List<String> rows = new ArrayList<>();

  private static TensorData random(long... dims) {
    int n = (int) Arrays.stream(dims).reduce(1, (a, b) -> a * b);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (RND.nextDouble() * 2 - 1);
    }
    return TensorData.wrap(DType.FLOAT32, dims, v);
  }

  /** A fresh graph; reseeds so both builds of a block get the same weights. */
  private static Graph graph() {
    RND.setSeed(7);
    Graph g = new Graph("bench");
    g.opsetImports().put("", 17);
    return g;
  }

  private static Value node(Graph g, String op, Attributes at, Value... ins) {
    Node n = g.addNode(op, "", 17, g.freshNodeName(op), Arrays.asList(ins), List.of(g.freshValueName(op + "_y")),
        at == null ? new Attributes() : at);
    return n.output(0);
  }

  private static Graph convBnRelu() {
    Graph g = graph();
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 1, 64, 56, 56));
    Value w = g.addConstant("w", random(64, 64, 3, 3));
    Value b = g.addConstant("b", random(64));
    Value c = node(g, "Conv", new Attributes().setInts("pads", 1, 1, 1, 1).setInts("kernel_shape", 3, 3), x, w, b);
    TensorData var = random(64);
    for (int i = 0; i < 64; i++) {
      var.setDouble(i, 0.5 + Math.abs(var.getDouble(i)));
    }
    Value bn = node(g, "BatchNormalization", null, c, g.addConstant("s", random(64)), g.addConstant("bb", random(64)),
        g.addConstant("m", random(64)), g.addConstant("v", var));
    g.addOutput(node(g, "Relu", null, bn));
    ShapeInference.run(g);
    return g;
  }

  private static Graph matMulBiasRelu() {
    Graph g = graph();
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 512, 512));
    Value mm = node(g, "MatMul", null, x, g.addConstant("w", random(512, 512)));
    Value add = node(g, "Add", null, mm, g.addConstant("b", random(512)));
    g.addOutput(node(g, "Relu", null, add));
    ShapeInference.run(g);
    return g;
  }

  /**
   * relu(x * c + d) * 0.5 over 16M floats (4096 x 4096); c and d are device-resident constants, x a scalar input.
   * With {@code rowSums}, ReduceSum over axis 1 (in both variants) keeps the read-back small, so the figure is the
   * device work rather than the 64 MB copy to the host; without, the chain's own 16M-float output is read back,
   * which is the chain exactly as a model would run it.
   */
  private static Graph elementwiseChain(boolean rowSums) {
    Graph g = graph();
    long n = 4096;
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 1));
    // graph() reseeded: c and d differ from each other but not between the two builds
    Value t = node(g, "Mul", null, g.addConstant("c", random(n, n)), x);
    t = node(g, "Add", null, t, g.addConstant("d", random(n, n)));
    t = node(g, "Relu", null, t);
    t = node(g, "Mul", null, t, g.addConstant("h", TensorData.ofFloats(new long[] {1}, 0.5f)));
    g.addOutput(rowSums ? node(g, "ReduceSum", new Attributes().setInt("keepdims", 0), t,
        g.addConstant("axes", TensorData.ofLongs(new long[] {1}, 1))) : t);
    ShapeInference.run(g);
    return g;
  }

  private void block(String label, Supplier<Graph> build, Map<String, TensorData> feeds, int runs, ClContext ctx,
      ProgramCache cache) {
    Graph plain = build.get();
    Graph fused = build.get();
    GraphOptimizer.optimize(fused);
    TensorData[] a = new TensorData[1];
    TensorData[] b = new TensorData[1];
    OpenClExecutor.Options o = new OpenClExecutor.Options(true, null, null);
    double[] ms;
    try (OpenClExecutor ep = new OpenClExecutor(plain, ctx, cache, o);
        OpenClExecutor ef = new OpenClExecutor(fused, ctx, cache, o)) {
      a[0] = ep.run(feeds).values().iterator().next();
      b[0] = ef.run(feeds).values().iterator().next();
      ms = alternate(runs, List.of(() -> ep.run(feeds), () -> ef.run(feeds)));
    }
    double tp = ms[0];
    double tf = ms[1];
    assertEquals(a[0].size(), b[0].size());
    for (int i = 0; i < a[0].size(); i += 97) {
      double w = a[0].getDouble(i);
      assertTrue(Math.abs(w - b[0].getDouble(i)) <= 1e-3 + 1e-3 * Math.abs(w), label + " element " + i);
    }
    rows.add(String.format("%-34s %6d -> %-4d %10.2f %10.2f %7.2fx", label, plain.nodes().size(), fused.nodes().size(),
        tp, tf, tp / tf));
  }

  private static Path shared() {
    return Requirements.sharedDir().resolve("testdata");
  }

  private void model(String label, Path file, Map<String, Tensor> feeds, int runs) {
    Graph g = GraphOptimizer.load(file);
    int before = g.nodes().size();
    GraphOptimizer.optimize(g);
    int after = g.nodes().size();
    SessionOptions.Builder so = SessionOptions.builder().device(SessionOptions.Device.OPENCL);
    double[] ms;
    try (InferenceSession plain = InferenceSession.open(file, so.optimize(false).build());
        InferenceSession fused = InferenceSession.open(file, so.optimize(true).build())) {
      Map<String, Tensor> in = feeds != null ? feeds : arange(plain);
      ms = alternate(runs, List.of(() -> plain.run(in), () -> fused.run(in)));
    }
    rows.add(String.format("%-34s %6d -> %-4d %10.2f %10.2f %7.2fx", label, before, after, ms[0], ms[1],
        ms[0] / ms[1]));
  }

  /** The onnx-light convention: arange(n)/n in float32, dynamic dims 1. */
  private static Map<String, Tensor> arange(InferenceSession s) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (TensorInfo t : s.inputs()) {
      long[] d = t.shape().clone();
      for (int i = 0; i < d.length; i++) {
        d[i] = d[i] < 0 ? 1 : d[i];
      }
      int n = (int) Arrays.stream(d).reduce(1, (a, b) -> a * b);
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = (float) i / n;
      }
      m.put(t.name(), Tensor.ofFloats(v, d));
    }
    return m;
  }

  private static Map<String, Tensor> testData(Path dir, Graph g) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (int i = 0; i < g.inputs().size(); i++) {
      NamedTensor t = OnnxTensors.read(dir.resolve("test_data_set_0/input_" + i + ".pb"));
      m.put(t.name() != null && !t.name().isEmpty() ? t.name() : g.inputs().get(i).name(), Tensor.fromData(t.data()));
    }
    return m;
  }

  @Test
  void fusedVersusUnfused() {
    ClDevice d = OpenClTestSupport.requireDevice();
    try (ClContext ctx = ClContext.open(d); ProgramCache cache = new ProgramCache(ctx, null)) {
      block("Conv+BN+Relu 1x64x56x56 3x3 64->64", FusionBenchTest::convBnRelu, Map.of("x", random(1, 64, 56, 56)), 9,
          ctx, cache);
      block("MatMul+Bias+Relu 512x512", FusionBenchTest::matMulBiasRelu, Map.of("x", random(512, 512)), 15, ctx,
          cache);
      block("4-op chain 16M floats", () -> elementwiseChain(false),
          Map.of("x", TensorData.ofFloats(new long[] {1}, 1.5f)), 9, ctx, cache);
      block("4-op chain 16M floats (+row sums)", () -> elementwiseChain(true),
          Map.of("x", TensorData.ofFloats(new long[] {1}, 1.5f)), 9, ctx, cache);
    }
    for (String m : new String[] {"mnist-8-opt", "tribuo-cnn-mnist", "tribuo-tinybert"}) {
      Path dir = shared().resolve("models").resolve(m);
      if (Files.isDirectory(dir)) {
        model(m, dir.resolve("model.onnx"), testData(dir, GraphOptimizer.load(dir.resolve("model.onnx"))), 21);
      }
    }
    for (String m : new String[] {"light_squeezenet", "light_resnet50"}) {
      Path f = shared().resolve("onnx-light").resolve(m + ".onnx");
      if (Files.exists(f)) {
        model(m, f, null, m.contains("resnet") ? 9 : 15);
      }
    }
    System.out.println("\nFusion on " + d.name() + " (median ms; models through InferenceSession, device opencl)");
    System.out.printf("%-34s %14s %10s %10s %8s%n", "case", "nodes", "unfused", "fused", "speedup");
    rows.forEach(System.out::println);
    assertTrue(rows.size() >= 3);
  }
}
