package io.offloadcl.bench;

import io.offloadcl.api.Bench;
import io.offloadcl.api.BenchKernels;
import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.ShapeInference;
import io.offloadcl.passes.PassContext;
import io.offloadcl.passes.lower.LowerConvToIm2ColGemm;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * JMH micro-benchmarks of single generated kernels on the default OpenCL device (POCL here): one launch plus its
 * wait per invocation. Not a JUnit test, so {@code mvn verify} never runs it; run it with
 * {@code mvn -q -o test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.offloadcl.bench.KernelBenchmarks}
 * (arguments: a JMH include regex, default all). {@link #main} prints GFLOP/s and GB/s from the op catalog's
 * cost model next to each JMH score.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(0)
public class KernelBenchmarks {
  @Param({"gemm512", "gemm1024", "conv3x3", "conv1x1", "depthwise3x3", "conv3x3c256", "conv7x7s2",
      "depthwise3x3s2", "maxpool3x3s2", "globalavgpool", "softmax", "layernorm", "add", "relu", "maxpool2x2s2",
      "avgpool3x3s1", "globalmaxpool", "logsoftmax", "layernormop", "concat"})
  public String kernel;

  private BenchKernels device;
  private BenchKernels.Prepared prepared;

  /** The graph a benchmark name stands for; inputs are filled with small random values. */
  public static Graph graph(String kernel) {
    switch (kernel) {
      case "gemm512":
        return Bench.matMulGraph(512);
      case "gemm1024":
        return Bench.matMulGraph(1024);
      case "conv3x3":
        return conv(64, 56, 64, 3, 1);
      case "conv1x1":
        return conv(256, 56, 64, 1, 1);
      case "depthwise3x3":
        return conv(128, 56, 128, 3, 128);
      case "conv3x3c256":
        return conv(256, 14, 256, 3, 1);
      case "conv7x7s2":
        return conv(3, 224, 64, 7, 1, 2);
      case "depthwise3x3s2":
        return conv(128, 56, 128, 3, 128, 2);
      case "maxpool3x3s2":
        return unary("MaxPool", new long[] {1, 64, 112, 112},
            new Attributes().setInts("kernel_shape", 3, 3).setInts("strides", 2, 2).setInts("pads", 1, 1, 1, 1));
      case "globalavgpool":
        return unary("GlobalAveragePool", new long[] {1, 2048, 7, 7}, new Attributes());
      case "softmax":
        return unary("Softmax", new long[] {128, 1000}, new Attributes().setInt("axis", -1));
      case "layernorm":
        return layerNorm(128, 768);
      case "maxpool2x2s2":
        return unary("MaxPool", new long[] {1, 64, 112, 112},
            new Attributes().setInts("kernel_shape", 2, 2).setInts("strides", 2, 2));
      case "avgpool3x3s1":
        return unary("AveragePool", new long[] {1, 64, 56, 56}, new Attributes().setInts("kernel_shape", 3, 3)
            .setInts("strides", 1, 1).setInts("pads", 1, 1, 1, 1));
      case "globalmaxpool":
        return unary("GlobalMaxPool", new long[] {1, 2048, 7, 7}, new Attributes());
      case "logsoftmax":
        return unary("LogSoftmax", new long[] {128, 1000}, new Attributes().setInt("axis", -1));
      case "layernormop":
        return layerNormOp(128, 768);
      case "concat":
        return concat(new long[] {1, 64, 55, 55}, 2);
      case "add":
        return Bench.elementwiseGraph("Add", 16L << 20);
      case "relu":
        return Bench.elementwiseGraph("Relu", 16L << 20);
      default:
        throw new IllegalArgumentException("unknown kernel benchmark '" + kernel + "'");
    }
  }

  private static TensorData random(long seed, long... dims) {
    Random r = new Random(seed);
    float[] v = new float[Math.toIntExact(TensorData.count(dims))];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextFloat() - 0.5f;
    }
    return TensorData.wrap(DType.FLOAT32, dims, v);
  }

  private static Graph conv(int cin, int hw, int cout, int k, int group) {
    return conv(cin, hw, cout, k, group, 1);
  }

  /**
   * A Conv as a session runs it: LowerConvToIm2ColGemm rewrites the strided and narrow-row ones into Im2Col + a
   * pointwise conv, so those benchmarks time both kernels.
   */
  private static Graph conv(int cin, int hw, int cout, int k, int group, int stride) {
    Graph g = new Graph("conv");
    g.opsetImports().put("", 17);
    Value x = g.addInput("X", TensorType.of(DType.FLOAT32, 1, cin, hw, hw));
    Value w = g.addConstant("W", random(1, cout, cin / group, k, k));
    Value b = g.addConstant("B", random(2, cout));
    Attributes a = new Attributes().setInts("kernel_shape", k, k).setInt("group", group);
    if (k > 1) {
      a.setInts("pads", k / 2, k / 2, k / 2, k / 2);
    }
    a.setInts("strides", stride, stride);
    g.addOutput(g.addNode("Conv", "conv", List.of(x, w, b), List.of("Y"), a).output(0));
    ShapeInference.run(g);
    new LowerConvToIm2ColGemm().run(g, PassContext.defaults());
    return g;
  }

  private static Graph unary(String op, long[] dims, Attributes a) {
    Graph g = new Graph(op);
    g.opsetImports().put("", 17);
    Value x = g.addInput("X", TensorType.of(DType.FLOAT32, dims));
    g.addOutput(g.addNode(op, "n", List.of(x), List.of("Y"), a).output(0));
    return g;
  }

  /** The LayerNormalization op (opset 17) with scale and bias over the last axis. */
  private static Graph layerNormOp(int rows, int cols) {
    Graph g = new Graph("layernormop");
    g.opsetImports().put("", 17);
    Value x = g.addInput("X", TensorType.of(DType.FLOAT32, rows, cols));
    g.addOutput(g.addNode("LayerNormalization", "ln", List.of(x, g.addConstant("gamma", random(3, cols)),
        g.addConstant("beta", random(4, cols))), List.of("Y"), new Attributes().setInt("axis", -1)).output(0));
    return g;
  }

  /** Concat of {@code k} equal inputs along the channel axis (squeezenet's fire modules concat two). */
  private static Graph concat(long[] each, int k) {
    Graph g = new Graph("concat");
    g.opsetImports().put("", 17);
    List<Value> ins = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      ins.add(g.addInput("X" + i, TensorType.of(DType.FLOAT32, each)));
    }
    g.addOutput(g.addNode("Concat", "cat", ins, List.of("Y"), new Attributes().setInt("axis", 1)).output(0));
    return g;
  }

  /**
   * LayerNorm over the last axis as exported models carry it and OffloadCL runs it today (no fused kernel yet):
   * ReduceMean, Sub, Mul, ReduceMean, Add, Sqrt, Div, Mul, Add.
   */
  private static Graph layerNorm(int rows, int cols) {
    Graph g = new Graph("layernorm");
    g.opsetImports().put("", 17);
    Value x = g.addInput("X", TensorType.of(DType.FLOAT32, rows, cols));
    Attributes mean = new Attributes().setInts("axes", -1).setInt("keepdims", 1);
    Value mu = g.addNode("ReduceMean", "mean", List.of(x), List.of("mu"), mean).output(0);
    Value d = g.addNode("Sub", "sub", List.of(x, mu), List.of("d"), new Attributes()).output(0);
    Value sq = g.addNode("Mul", "sq", List.of(d, d), List.of("sq"), new Attributes()).output(0);
    Value var = g.addNode("ReduceMean", "var", List.of(sq), List.of("var"), new Attributes(mean)).output(0);
    Value eps = g.addConstant("eps", TensorData.scalarFloat(1e-5f));
    Value ve = g.addNode("Add", "addeps", List.of(var, eps), List.of("ve"), new Attributes()).output(0);
    Value sd = g.addNode("Sqrt", "sqrt", List.of(ve), List.of("sd"), new Attributes()).output(0);
    Value n = g.addNode("Div", "div", List.of(d, sd), List.of("n"), new Attributes()).output(0);
    Value sc = g.addNode("Mul", "scale", List.of(n, g.addConstant("gamma", random(3, cols))), List.of("s"),
        new Attributes()).output(0);
    g.addOutput(g.addNode("Add", "bias", List.of(sc, g.addConstant("beta", random(4, cols))), List.of("Y"),
        new Attributes()).output(0));
    return g;
  }

  @Setup(Level.Trial)
  public void setUp() {
    device = new BenchKernels();
    Graph g = graph(kernel);
    Map<String, TensorData> feeds = new java.util.HashMap<>();
    long seed = 10;
    for (Value in : g.inputs()) {
      feeds.put(in.name(), random(seed++, in.type().shape().dims()));
    }
    prepared = device.prepare(g, feeds);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    prepared.close();
    device.close();
  }

  @Benchmark
  public void launch() {
    prepared.launchAll();
  }

  /** Runs the benchmarks (args[0]: include regex) and prints GFLOP/s and GB/s per kernel. */
  public static void main(String[] args) throws RunnerException {
    String include = args.length > 0 ? args[0] : KernelBenchmarks.class.getSimpleName();
    OptionsBuilder ob = new OptionsBuilder();
    ob.include(include);
    if (args.length > 1) {
      ob.param("kernel", args[1].split(","));
    }
    List<String> lines = new ArrayList<>();
    for (RunResult r : new Runner(ob.build()).run()) {
      String k = r.getParams().getParam("kernel");
      double ms = r.getPrimaryResult().getScore();
      long[] fb;
      try (BenchKernels d = new BenchKernels(); BenchKernels.Prepared p = d.prepare(graph(k), Map.of())) {
        fb = p.flopsAndBytes();
      }
      lines.add(String.format(Locale.ROOT, "%-14s %9.3f ms %8.1f GFLOP/s %7.1f GB/s", k, ms, fb[0] / (ms * 1e6),
          fb[1] / (ms * 1e6)));
    }
    System.out.println("kernel          time/launch    GFLOP/s    GB/s (op-catalog cost model)");
    lines.forEach(System.out::println);
  }
}
