package io.offloadcl.api;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.Settings;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.onnx.OnnxImporter;
import io.offloadcl.onnx.OnnxWriter;
import io.offloadcl.ops.ShapeInference;
import io.offloadcl.runtime.opencl.ShapeSpecializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The benchmark harness behind {@code offloadcl bench}: per model, session open (cold: an empty program cache;
 * warm: the median of {@link #WARM_OPENS} later opens), warm-up, then OffloadCL and ONNX Runtime timed interleaved
 * in one loop, so that noise from other work on the machine lands on both; plus GEMM GFLOP/s, memory bandwidth and
 * a per-node kernel profile on the OpenCL device.
 *
 * <p>Interleaving is in blocks: each round gives every engine, in rotated order (A B, then B A, ...), untimed
 * settle runs (at least one, for at least {@link #SETTLE_NANOS}) and then {@link #BLOCK} timed runs. Run-by-run
 * alternation was measured to be unfair to whichever engine followed ONNX Runtime: tribuo-cnn-mnist 0.23 ms alone
 * and 0.61 ms median alternated run by run. Short settles were not enough either: squeezenet with the engines in
 * blocks after a 2 ms settle measured 6.96-8.03 ms against 6.23-6.71 ms alone, the same with a 50 ms settle, and
 * 5.78-6.35 ms after a 300 ms settle, ONNX Runtime unchanged at 3.65-3.76 ms. With ONNX Runtime's spinning off
 * ({@code session.intra_op.allow_spinning=0}) OffloadCL measured as alone even with the short settle, and ONNX
 * Runtime 10-15% slower, so its spinning workers were what slowed the next engine; it stays on (the default
 * users get) and the settle waits it out. Both engines get the same settle, and the blocks stay short enough that
 * drift on a shared machine still lands on both.
 */
public final class Bench {
  /**
   * What to run.
   *
   * @param threads threads per engine: ONNX Runtime intra-op threads; OffloadCL's POCL device uses every core it
   *     is allowed (POCL_MAX_PTHREAD_COUNT), so the default is the machine's core count for both
   */
  public record Options(SessionOptions.Device device, int threads, int runs, int warmup, boolean vsOnnxRuntime) {
    public Options {
      if (runs < 1 || warmup < 0 || threads < 1) {
        throw new IllegalArgumentException("runs must be >= 1, warmup >= 0 and threads >= 1; got runs=" + runs
            + ", warmup=" + warmup + ", threads=" + threads);
      }
    }
  }

  /**
   * One model on one device. Times in milliseconds; {@code onnxRuntime} and {@code ratio} are null without the
   * comparison; {@code error} holds the failure message verbatim when the model did not run.
   */
  public record ModelResult(String model, String device, String inputs, Double openColdMs, Double openWarmMs,
      Double firstRunColdMs, Double firstRunWarmMs, BenchStats offloadcl, BenchStats onnxRuntime, Double ratio,
      Double ortOpenMs, Long hostPeakBytes, Long devicePeakBytes, Long kernelsPerRun, Long hostFallbackOps,
      String error, String ranOn) {}

  /** An n×n×n fp32 product: GFLOP/s of the whole run (input and output transfers included) on each engine. */
  public record GemmResult(int n, double offloadclGflops, double kernelOnlyGflops, Double onnxRuntimeGflops,
      BenchStats offloadcl, BenchStats onnxRuntime) {}

  /** Memory bandwidth on the OpenCL device over 16M floats: copy, and the elementwise kernels against it. */
  public record Bandwidth(long elements, double copyGBps, double addGBps, double reluGBps, double peakGBps,
      double addFraction, double reluFraction) {}

  /** Time share of one op type in a model's kernel-by-kernel profile. */
  public record OpShare(String opType, int nodes, double ms, double share, double gflops) {}

  /**
   * A model's kernel-by-kernel profile on the OpenCL device: the five slowest kernels, and every node in launch
   * order (its kernel time, FLOPs and bytes, for per-layer comparisons).
   */
  public record Profile(String model, double kernelMsTotal, int javaFallbackNodes, List<OpShare> byOpType,
      List<BenchKernels.NodeTime> slowestNodes, List<BenchKernels.NodeTime> nodes) {}

  private final Options options;
  private final Consumer<String> progress;
  private Path int8Calibration;

  /** A harness reporting a line per step to {@code progress}. */
  public Bench(Options options, Consumer<String> progress) {
    this.options = options;
    this.progress = progress;
  }

  /**
   * Warm session opens per model, the median reported: one sample (the second open, with the JIT half warm and
   * the first open's garbage on the heap) moved by 100+ ms between invocations on this shared machine.
   */
  static final int WARM_OPENS = 5;

  /** Timed runs per engine in one block of {@link #interleave}. */
  public static final int BLOCK = 10;

  /** The least time an engine runs untimed before each block (see the class comment for the figures). */
  static final long SETTLE_NANOS = 300_000_000L;

  /**
   * Runs each engine {@code runs} timed times, in blocks of {@link #BLOCK}, each block after untimed settle runs
   * of the same engine (at least one, for at least {@link #SETTLE_NANOS}), engines in rotated order per round;
   * returns the nanoseconds of each timed run per engine.
   */
  public static List<List<Long>> interleave(List<? extends BenchEngine> engines, int runs) {
    return interleave(engines, runs, SETTLE_NANOS);
  }

  /** {@link #interleave(List, int)} with the least settle time per block given; 0 settles with one run. */
  public static List<List<Long>> interleave(List<? extends BenchEngine> engines, int runs, long settleNanos) {
    List<List<Long>> times = new ArrayList<>();
    for (int e = 0; e < engines.size(); e++) {
      times.add(new ArrayList<>());
    }
    int k = engines.size();
    for (int done = 0, round = 0; done < runs; done += BLOCK, round++) {
      int n = Math.min(BLOCK, runs - done);
      for (int j = 0; j < k; j++) {
        int e = (round + j) % k;
        BenchEngine engine = engines.get(e);
        long settleEnd = System.nanoTime() + settleNanos;
        do {
          engine.runOnce();
        } while (System.nanoTime() < settleEnd);
        for (int i = 0; i < n; i++) {
          long t0 = System.nanoTime();
          engine.runOnce();
          times.get(e).add(System.nanoTime() - t0);
        }
      }
    }
    return times;
  }

  /** An OffloadCL session with bound inputs as a {@link BenchEngine}. */
  static BenchEngine engine(InferenceSession s, Map<String, Tensor> feeds) {
    String label = "offloadcl-" + s.options().device().label();
    return new BenchEngine() {
      @Override
      public String label() {
        return label;
      }

      @Override
      public void runOnce() {
        s.run(feeds);
      }

      @Override
      public void close() {
        s.close();
      }
    };
  }

  /**
   * The ONNX Runtime engine, made by reflection so its classes load only here.
   *
   * @throws OffloadException when the ONNX Runtime jar is not on the classpath
   */
  static BenchEngine onnxRuntime(Object model, int threads, Map<String, TensorData> feeds) {
    requireOnnxRuntime();
    try {
      return (BenchEngine) Class.forName("io.offloadcl.api.OrtBenchEngine")
          .getDeclaredConstructor(Object.class, int.class, Map.class).newInstance(model, threads, feeds);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new OffloadException("ONNX Runtime failed to start: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new OffloadException("ONNX Runtime could not be loaded (native library?): " + e, e);
    }
  }

  /**
   * Fails fast, before anything is timed, when the ONNX Runtime jar is missing.
   *
   * @throws OffloadException saying how to put it on the classpath
   */
  public static void requireOnnxRuntime() {
    try {
      Class.forName("ai.onnxruntime.OrtEnvironment", false, Bench.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new OffloadException("ONNX Runtime is not on the classpath; run via bin/offloadcl which adds"
          + " ~/.m2/repository/com/microsoft/onnxruntime/onnxruntime/1.28.0/onnxruntime-1.28.0.jar, or"
          + " `mvn dependency:get -Dartifact=com.microsoft.onnxruntime:onnxruntime:1.28.0` (" + e + ")");
    }
  }

  /**
   * Times the models quantized to INT8 with this calibration file ({@code offloadcl quantize}) instead of in fp32;
   * null (the default) for fp32. Their results carry the device label with " int8" appended.
   */
  public Bench int8(Path calibration) {
    this.int8Calibration = calibration;
    return this;
  }

  private SessionOptions sessionOptions() {
    return SessionOptions.builder().device(options.device()).threads(options.threads()).int8(int8Calibration)
        .build();
  }

  static Map<String, Tensor> tensors(Map<String, TensorData> feeds) {
    Map<String, Tensor> t = new LinkedHashMap<>();
    feeds.forEach((k, v) -> t.put(k, Tensor.fromData(v)));
    return t;
  }

  /** Benchmarks one model; a failure is recorded in the result, not thrown. */
  public ModelResult model(Path model) {
    String name = modelName(model);
    String dev = options.device().label() + (int8Calibration == null ? "" : " int8");
    Path cacheDir = null;
    // restored afterwards; an environment value comes back as the equivalent property
    String savedCache = Settings.get("offloadcl.cache.dir").orElse(null);
    Double openCold = null;
    Double openWarm = null;
    Double firstCold = null;
    Double firstWarm = null;
    String inputsFrom = null;
    try {
      cacheDir = Files.createTempDirectory("offloadcl-bench-cache");
      System.setProperty("offloadcl.cache.dir", cacheDir.toString());
      progress.accept(name + " [" + dev + "]: opening (cold program cache)");
      long t0 = System.nanoTime();
      InferenceSession s = InferenceSession.open(model, sessionOptions());
      openCold = ms(System.nanoTime() - t0);
      Map<String, TensorData> feeds;
      try {
        feeds = BenchInputs.forModel(model, s.inputs());
        inputsFrom = Files.isDirectory(model.toAbsolutePath().getParent().resolve("test_data_set_0"))
            ? "test_data_set_0" : "arange(n)/n, dynamic dims 1";
        t0 = System.nanoTime();
        s.run(tensors(feeds));
        firstCold = ms(System.nanoTime() - t0);
      } finally {
        s.close();
      }
      progress.accept(name + " [" + dev + "]: opening " + WARM_OPENS + " times (warm program cache)");
      long[] warm = new long[WARM_OPENS];
      for (int i = 0; i < WARM_OPENS; i++) {
        if (i > 0) {
          s.close();
        }
        t0 = System.nanoTime();
        s = InferenceSession.open(model, sessionOptions());
        warm[i] = System.nanoTime() - t0;
      }
      java.util.Arrays.sort(warm);
      openWarm = ms(warm[WARM_OPENS / 2]);
      Map<String, Tensor> tfeeds = tensors(feeds);
      t0 = System.nanoTime();
      s.run(tfeeds);
      firstWarm = ms(System.nanoTime() - t0);
      List<BenchEngine> engines = new ArrayList<>();
      engines.add(engine(s, tfeeds));
      Double ortOpen = null;
      try {
        if (options.vsOnnxRuntime()) {
          t0 = System.nanoTime();
          engines.add(onnxRuntime(model, options.threads(), feeds));
          ortOpen = ms(System.nanoTime() - t0);
        }
        progress.accept(name + " [" + dev + "]: warm-up " + options.warmup() + ", then " + options.runs()
            + " interleaved runs of " + engines.stream().map(BenchEngine::label).toList());
        interleave(engines, options.warmup());
        System.gc();
        resetHeapPeaks();
        List<List<Long>> times = interleave(engines, options.runs());
        long heapPeak = heapPeak();
        BenchStats ours = BenchStats.ofNanos(times.get(0));
        BenchStats ort = engines.size() > 1 ? BenchStats.ofNanos(times.get(1)) : null;
        Map<String, Long> counters = s.backendCounters();
        ModelResult r = new ModelResult(name, dev, inputsFrom, openCold, openWarm, firstCold, firstWarm, ours, ort,
            ort == null ? null : ours.ratioTo(ort), ortOpen, heapPeak, counters.get("device_peak_bytes"),
            counters.get("kernels_per_run"), counters.get("host_fallback_ops"), null, s.device());
        progress.accept(String.format(java.util.Locale.ROOT, "%s [%s]: median %.2f ms%s", name, dev, ours.medianMs(),
            ort == null ? "" : String.format(java.util.Locale.ROOT, ", onnxruntime %.2f ms, ratio %.2f",
                ort.medianMs(), r.ratio())));
        return r;
      } finally {
        for (BenchEngine e : engines) {
          e.close();
        }
      }
    } catch (OffloadException | IllegalStateException | IOException | UncheckedIOException e) {
      String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
      progress.accept(name + " [" + dev + "]: FAILED " + msg);
      return new ModelResult(name, dev, inputsFrom, openCold, openWarm, firstCold, firstWarm, null, null, null, null,
          null, null, null, null, msg, null);
    } finally {
      if (savedCache == null) {
        System.clearProperty("offloadcl.cache.dir");
      } else {
        System.setProperty("offloadcl.cache.dir", savedCache);
      }
      deleteTree(cacheDir);
    }
  }

  /** A short model name: the file name, or the folder name for {@code model.onnx}. */
  public static String modelName(Path model) {
    String f = model.getFileName().toString();
    if (f.equals("model.onnx") && model.toAbsolutePath().getParent() != null) {
      return model.toAbsolutePath().getParent().getFileName().toString();
    }
    return f.endsWith(".onnx") ? f.substring(0, f.length() - 5) : f;
  }

  /** A graph computing {@code Y = A · B} for n×n float32 matrices, B a constant (weights, as in a model). */
  public static Graph matMulGraph(int n) {
    Graph g = new Graph("gemm" + n);
    g.opsetImports().put("", 17);
    Value a = g.addInput("A", TensorType.of(DType.FLOAT32, n, n));
    Value b = g.addConstant("B", randomFloats(n * n, 7, n, n));
    Value y = g.addNode("MatMul", "matmul", List.of(a, b), List.of("Y"), new Attributes()).output(0);
    g.addOutput(y);
    ShapeInference.run(g);
    return g;
  }

  static TensorData randomFloats(int count, long seed, long... dims) {
    Random r = new Random(seed);
    float[] v = new float[count];
    for (int i = 0; i < count; i++) {
      v[i] = r.nextFloat() - 0.5f;
    }
    return TensorData.wrap(DType.FLOAT32, dims, v);
  }

  /** GEMM n³ on the OpenCL device, end to end through a session and kernel only, and through ONNX Runtime. */
  public GemmResult gemm(int n, BenchKernels kernels) {
    progress.accept("gemm " + n + "^3: timing");
    double flops = 2.0 * n * n * n;
    Graph g = matMulGraph(n);
    byte[] onnx = OnnxWriter.toBytes(g);
    Map<String, TensorData> feeds = Map.of("A", randomFloats(n * n, 3, n, n));
    SessionOptions so = SessionOptions.builder().device(SessionOptions.Device.OPENCL).threads(options.threads()).build();
    List<BenchEngine> engines = new ArrayList<>();
    try {
      engines.add(engine(InferenceSession.open(onnx, so), tensors(feeds)));
      if (options.vsOnnxRuntime()) {
        engines.add(onnxRuntime(onnx, options.threads(), feeds));
      }
      int runs = Math.max(5, Math.min(options.runs(), n >= 1024 ? 15 : 40));
      interleave(engines, 2);
      List<List<Long>> t = interleave(engines, runs);
      BenchStats ours = BenchStats.ofNanos(t.get(0));
      BenchStats ort = engines.size() > 1 ? BenchStats.ofNanos(t.get(1)) : null;
      double kernelGflops;
      try (BenchKernels.Prepared p = kernels.prepare(matMulGraph(n), feeds)) {
        kernelGflops = flops / p.secondsPerLaunch(n >= 1024 ? 3 : 10, 3) / 1e9;
      }
      GemmResult r = new GemmResult(n, flops / (ours.medianMs() * 1e6), kernelGflops,
          ort == null ? null : flops / (ort.medianMs() * 1e6), ours, ort);
      progress.accept(String.format(java.util.Locale.ROOT, "gemm %d^3: offloadcl %.1f GFLOP/s (kernel %.1f)%s", n,
          r.offloadclGflops(), kernelGflops, ort == null ? "" : String.format(java.util.Locale.ROOT,
              ", onnxruntime %.1f GFLOP/s", r.onnxRuntimeGflops())));
      return r;
    } finally {
      for (BenchEngine e : engines) {
        e.close();
      }
    }
  }

  /** Copy, Add and Relu bandwidth over {@code elements} floats on the OpenCL device. */
  public Bandwidth bandwidth(BenchKernels kernels, int elements) {
    progress.accept("bandwidth: " + elements + " floats");
    long bytes = 4L * elements;
    double copy = kernels.copyGBps(bytes, 10);
    double add = elementwiseGBps(kernels, "Add", elements, 3 * bytes);
    double relu = elementwiseGBps(kernels, "Relu", elements, 2 * bytes);
    double peak = Math.max(copy, Math.max(add, relu));
    Bandwidth b = new Bandwidth(elements, copy, add, relu, peak, add / peak, relu / peak);
    progress.accept(String.format(java.util.Locale.ROOT, "bandwidth: copy %.1f GB/s, Add %.1f GB/s, Relu %.1f GB/s",
        copy, add, relu));
    return b;
  }

  /** A one-node graph over float32 tensors of {@code dims}: Add takes two inputs, other unary ops one. */
  public static Graph elementwiseGraph(String op, long... dims) {
    Graph g = new Graph(op.toLowerCase(java.util.Locale.ROOT));
    g.opsetImports().put("", 17);
    List<Value> ins = new ArrayList<>();
    ins.add(g.addInput("X", TensorType.of(DType.FLOAT32, dims)));
    if (op.equals("Add") || op.equals("Mul")) {
      ins.add(g.addInput("Z", TensorType.of(DType.FLOAT32, dims)));
    }
    g.addOutput(g.addNode(op, op.toLowerCase(java.util.Locale.ROOT), ins, List.of("Y"), new Attributes()).output(0));
    ShapeInference.run(g);
    return g;
  }

  private static double elementwiseGBps(BenchKernels kernels, String op, int elements, long traffic) {
    try (BenchKernels.Prepared p = kernels.prepare(elementwiseGraph(op, elements), Map.of())) {
      return traffic / p.secondsPerLaunch(10, 3) / 1e9;
    }
  }

  /**
   * The model's nodes timed one kernel at a time on the OpenCL device, summed per op type: where a run's time
   * goes. The graph is the one a session runs: optimized by the same pipeline (fused ops, folded BatchNorm), then
   * specialized to the benchmark inputs, so the profile lists the kernels a run launches.
   */
  public Profile profile(Path model, BenchKernels kernels) {
    String name = modelName(model);
    progress.accept(name + ": per-node kernel profile");
    Graph imported = OnnxImporter.load(model);
    List<TensorInfo> infos = new ArrayList<>();
    for (Value v : imported.inputs()) {
      infos.add(new TensorInfo(v.name(), v.type()));
    }
    Map<String, TensorData> feeds = BenchInputs.forModel(model, infos);
    Graph g = runGraph(imported, feeds);
    try (BenchKernels.Prepared p = kernels.prepare(g, feeds)) {
      return profile(name, g, p.profile(0.05));
    }
  }

  /** The graph a session with this harness's options compiles for these inputs. */
  Graph runGraph(Graph imported, Map<String, TensorData> feeds) {
    Graph g = Backends.prepared(imported, sessionOptions());
    // the same specialization (and folding of constant subgraphs) the OpenCL backend compiles
    Graph s = ShapeSpecializer.specialize(g, feeds, ShapeSpecializer.Binding.DIMS);
    for (ShapeSpecializer.Binding b = ShapeSpecializer.Binding.DIMS.next(); !ShapeSpecializer.isStatic(s) && b != null;
        b = b.next()) {
      s = ShapeSpecializer.specialize(g, feeds, b);
    }
    return s;
  }

  private static Profile profile(String name, Graph s, List<BenchKernels.NodeTime> nodes) {
    double total = nodes.stream().mapToDouble(BenchKernels.NodeTime::ms).sum();
    Map<String, double[]> by = new LinkedHashMap<>();
    int fallbacks = 0;
    for (BenchKernels.NodeTime t : nodes) {
      if (!t.kernel()) {
        if (!io.offloadcl.codegen.KernelGenerator.isView(s.node(t.node()))) {
          fallbacks++;
        }
        continue;
      }
      double[] a = by.computeIfAbsent(t.opType(), k -> new double[3]);
      a[0]++;
      a[1] += t.ms();
      a[2] += t.flops();
    }
    List<OpShare> shares = new ArrayList<>();
    by.forEach((op, a) -> shares.add(new OpShare(op, (int) a[0], a[1], a[1] / total,
        a[1] > 0 ? a[2] / (a[1] * 1e6) : 0)));
    shares.sort(Comparator.comparingDouble(OpShare::ms).reversed());
    List<BenchKernels.NodeTime> slow = nodes.stream().filter(BenchKernels.NodeTime::kernel)
        .sorted(Comparator.comparingDouble(BenchKernels.NodeTime::ms).reversed()).limit(5).toList();
    return new Profile(name, total, fallbacks, shares, slow, List.copyOf(nodes));
  }

  private static void resetHeapPeaks() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  /** Sum of the heap pools' peak use since the last reset: an upper bound of the live heap during the runs. */
  private static long heapPeak() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static void deleteTree(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary folder left behind is harmless
    }
  }

  /** The POCL thread limit from the environment, when set (POCL reads it itself; we only report it). */
  public static String poclThreads() {
    return Settings.get("pocl.max.pthread.count").orElse("all cores (" + Settings.availableProcessors() + ")");
  }
}
