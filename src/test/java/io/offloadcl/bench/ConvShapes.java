package io.offloadcl.bench;

import io.offloadcl.api.BenchKernels;
import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.api.GraphOptimizer;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.ShapeInference;
import io.offloadcl.passes.PassContext;
import io.offloadcl.passes.lower.LowerConvToIm2ColGemm;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * GFLOP/s of single Conv and MatMul kernels at the shapes resnet50 and squeezenet run, each launched alone (best of
 * a few rounds): the figures behind the conv kernel choice in ConvGen. Not a test; run it with
 * {@code mvn -q -o test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.offloadcl.bench.ConvShapes
 * -Dexec.args="conv:64,56,64,3,1,1 mm:1024,1024,1024"}: {@code conv:CI,HW,CO,K,STRIDE,GROUP[,PAD]} (pads K/2
 * unless given) and {@code mm:M,N,K}; no arguments runs a default list.
 */
public final class ConvShapes {
  private ConvShapes() {}

  private static final String[] DEFAULTS = {
    "mm:512,512,512", "mm:1024,1024,1024",
    "conv:64,56,64,1,1,1", "conv:64,56,256,1,1,1", "conv:256,56,64,1,1,1", "conv:512,28,128,1,1,1",
    "conv:1024,14,256,1,1,1", "conv:256,14,1024,1,1,1", "conv:2048,7,512,1,1,1", "conv:512,7,2048,1,1,1",
    "conv:256,56,128,1,2,1", "conv:1024,14,512,1,2,1",
    "conv:64,56,64,3,1,1", "conv:128,28,128,3,1,1", "conv:256,14,256,3,1,1", "conv:512,7,512,3,1,1",
    "conv:3,224,64,7,2,1", "conv:128,56,128,3,1,128", "conv:16,55,64,3,1,1", "conv:64,13,256,3,1,1",
  };

  public static void main(String[] args) {
    String[] specs = args.length > 0 ? args : DEFAULTS;
    int rounds = Integer.getInteger("rounds", 5);
    try (BenchKernels d = new BenchKernels()) {
      for (String s : specs) {
        if (s.startsWith("model:")) {
          profileModel(d, s.substring(6));
          continue;
        }
        if (Boolean.getBoolean("compare")) {
          compare(d, s, rounds);
          continue;
        }
        Graph g = graph(s);
        ShapeInference.run(g);
        if (Boolean.getBoolean("lower")) {
          new LowerConvToIm2ColGemm().run(g, PassContext.defaults());
        }
        Map<String, TensorData> feeds = new java.util.HashMap<>();
        for (Value in : g.inputs()) {
          feeds.put(in.name(), random(11, in.type().shape().dims()));
        }
        try (BenchKernels.Prepared p = d.prepare(g, feeds)) {
          long flops = p.flopsAndBytes()[0];
          double once = time(p, 1);
          int reps = (int) Math.max(2, Math.min(50, 0.15 / once));
          double sec = Double.MAX_VALUE;
          for (int r = 0; r < rounds; r++) {
            sec = Math.min(sec, time(p, reps));
          }
          System.out.println(String.format(Locale.ROOT, "%-26s %9.3f ms %7.1f GFLOP/s", s, sec * 1e3,
              flops / sec / 1e9));
        }
      }
    }
  }

  /** The optimized graph's kernels, each timed alone, slowest first (what a session runs, not the import). */
  private static void profileModel(BenchKernels d, String path) {
    Graph g = GraphOptimizer.load(java.nio.file.Path.of(path));
    GraphOptimizer.optimize(g);
    try (BenchKernels.Prepared p = d.prepare(g, Map.of())) {
      List<BenchKernels.NodeTime> t = new java.util.ArrayList<>(p.profile(0.05));
      t.sort((x, y) -> Double.compare(y.ms(), x.ms()));
      double total = t.stream().mapToDouble(BenchKernels.NodeTime::ms).sum();
      System.out.println(String.format(Locale.ROOT, "%s: kernels alone sum to %.2f ms", path, total));
      Map<String, double[]> byKind = new java.util.TreeMap<>();
      for (BenchKernels.NodeTime n : t) {
        Node node = g.nodes().stream().filter(x -> x.name().equals(n.node())).findFirst().orElseThrow();
        String kind = n.opType();
        if (kind.endsWith("Conv")) {
          long[] w = node.input(1).type().shape().dims();
          kind += w.length == 4 ? " " + w[2] + "x" + w[3] + (node.attributes().getInt("group", 1) > 1 ? " dw" : "")
              : "";
        }
        double[] acc = byKind.computeIfAbsent(kind, k -> new double[2]);
        acc[0] += n.ms();
        acc[1]++;
      }
      byKind.forEach((k, v) -> System.out.println(String.format(Locale.ROOT, "  %-22s %3d nodes %8.2f ms", k,
          (int) v[1], v[0])));
      for (BenchKernels.NodeTime n : t.subList(0, Math.min(15, t.size()))) {
        Node node = g.nodes().stream().filter(x -> x.name().equals(n.node())).findFirst().orElseThrow();
        StringBuilder shapes = new StringBuilder();
        for (Value v : node.inputs()) {
          shapes.append(v == null || v.type() == null ? "-" : v.type().shape()).append(' ');
        }
        System.out.println(String.format(Locale.ROOT, "  %-24s %-10s %7.3f ms %6.1f GFLOP/s %s %s", n.node(),
            n.opType(), n.ms(), n.gflops(), shapes, node.attributes()));
      }
    }
  }

  /**
   * One conv as it is (codegen's direct or shifted kernel), under the im2col rule and under the shifted-view rule
   * (LowerConvToIm2ColGemm(false / true)), prepared side by side and timed in alternating rounds (best of each), so
   * machine load hits all alike; prints all three and the im2col/shifted ratio.
   */
  private static void compare(BenchKernels d, String spec, int rounds) {
    Graph direct = graph(spec);
    ShapeInference.run(direct);
    Graph lowered = graph(spec);
    ShapeInference.run(lowered);
    new LowerConvToIm2ColGemm(false).run(lowered, PassContext.defaults());
    Graph shifted = graph(spec);
    ShapeInference.run(shifted);
    new LowerConvToIm2ColGemm(true).run(shifted, PassContext.defaults());
    Map<String, TensorData> feeds = Map.of("X", random(11, direct.inputs().get(0).type().shape().dims()));
    try (BenchKernels.Prepared a = d.prepare(direct, feeds); BenchKernels.Prepared b = d.prepare(lowered, feeds);
        BenchKernels.Prepared c = d.prepare(shifted, feeds)) {
      long flops = a.flopsAndBytes()[0];
      int reps = (int) Math.max(2, Math.min(30, 0.1 / time(a, 1)));
      double ta = Double.MAX_VALUE;
      double tb = Double.MAX_VALUE;
      double tc = Double.MAX_VALUE;
      for (int r = 0; r < rounds; r++) {
        ta = Math.min(ta, time(a, reps));
        tb = Math.min(tb, time(b, reps));
        tc = Math.min(tc, time(c, reps));
      }
      System.out.println(String.format(Locale.ROOT, "%-26s as is %8.3f ms %6.1f GFLOP/s | im2col rule %8.3f ms %6.1f"
          + " GFLOP/s | shifted rule %8.3f ms %6.1f GFLOP/s | im2col/shifted %.2f", spec, ta * 1e3, flops / ta / 1e9,
          tb * 1e3, flops / tb / 1e9, tc * 1e3, flops / tc / 1e9, tb / tc));
    }
  }

  private static double time(BenchKernels.Prepared p, int reps) {
    long t0 = System.nanoTime();
    for (int i = 0; i < reps; i++) {
      p.launchAll();
    }
    return (System.nanoTime() - t0) / 1e9 / reps;
  }

  static Graph graph(String spec) {
    String[] kv = spec.split(":");
    String[] p = kv[1].split(",");
    int[] v = new int[p.length];
    for (int i = 0; i < p.length; i++) {
      v[i] = Integer.parseInt(p[i]);
    }
    Graph g = new Graph(kv[0]);
    g.opsetImports().put("", 17);
    if (kv[0].equals("mm")) {
      Value a = g.addConstant("A", random(1, v[0], v[2]));
      Value b = g.addInput("B", TensorType.of(DType.FLOAT32, v[2], v[1]));
      g.addOutput(g.addNode("MatMul", "mm", List.of(a, b), List.of("Y"), new Attributes()).output(0));
      return g;
    }
    int ci = v[0];
    int hw = v[1];
    int co = v[2];
    int k = v[3];
    int group = v[5];
    int pad = v.length > 6 ? v[6] : k / 2;
    Value x = g.addInput("X", TensorType.of(DType.FLOAT32, 1, ci, hw, hw));
    Value w = g.addConstant("W", random(1, co, ci / group, k, k));
    Value b = g.addConstant("B", random(2, co));
    Attributes a = new Attributes().setInts("kernel_shape", k, k).setInt("group", group)
        .setInts("strides", v[4], v[4]).setInts("pads", pad, pad, pad, pad);
    g.addOutput(g.addNode("Conv", "conv", List.of(x, w, b), List.of("Y"), a).output(0));
    return g;
  }

  private static TensorData random(long seed, long... dims) {
    Random r = new Random(seed);
    float[] v = new float[Math.toIntExact(TensorData.count(dims))];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextFloat() - 0.5f;
    }
    return TensorData.wrap(DType.FLOAT32, dims, v);
  }
}
