package io.offloadcl.runtime;

import io.offloadcl.device.Calibration;
import io.offloadcl.device.DeviceKind;
import io.offloadcl.device.DeviceMatch;
import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.ShapeInference;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import io.offloadcl.runtime.opencl.ClContext;
import io.offloadcl.runtime.opencl.ClDevice;
import io.offloadcl.runtime.opencl.OpenClExecutor;
import io.offloadcl.runtime.opencl.ProgramCache;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Measures a device with micro-benchmarks made of ordinary models run by the ordinary executors, so the
 * figures are what the runtime itself gets, not what a hand-tuned benchmark would.
 *
 * <p>Each figure comes from the difference of two chains of the same op, a long one and a one-op one: both pay
 * the same input write and output read, so the difference is the extra ops alone. GEMM: chains of MatMul
 * (X·B·B·…, B a constant of 1/n so values stay finite); bandwidth: chains of Relu over 16M floats; launch
 * overhead: chains of one-element Relu. The host link is the one-op 16M-float run less one Relu (64 MB written,
 * 64 MB read); its latency half of a one-element one-op run less one launch. Every chain runs once to warm up,
 * then {@code repeats} times; the median is kept.
 */
public final class Calibrator {
  /** Told once per timed chain; {@link #steps()} calls in all. */
  public interface Progress {
    void step(String what);
  }

  private static final long BIG = 16L << 20;
  private final int repeats;
  private final boolean quick;

  /**
   * @param repeats timed runs per chain (at least 1)
   * @param quick smaller sizes (GEMM 256, 4M floats, fewer launches) for tests and slow devices
   */
  public Calibrator(int repeats, boolean quick) {
    if (repeats < 1) {
      throw new IllegalArgumentException("repeats must be at least 1, got " + repeats);
    }
    this.repeats = repeats;
    this.quick = quick;
  }

  private int[] gemmSizes(boolean java) {
    if (quick) {
      return new int[] {java ? 128 : 256};
    }
    return java ? new int[] {256, 512} : new int[] {512, 1024};
  }

  private long elements() {
    return quick ? BIG / 4 : BIG;
  }

  private int launches() {
    return quick ? 50 : 200;
  }

  /** How many times {@link Progress#step} is called for a device (java or OpenCL). */
  public int steps(boolean java) {
    return 2 * gemmSizes(java).length + 4;
  }

  /** Measures the Java reference-kernel device. */
  public Calibration measureJava(Progress p) {
    Function<Graph, Runner> compile = g -> {
      ReferenceExecutor ex = new ReferenceExecutor(g);
      return new Runner() {
        @Override
        public void run(Map<String, TensorData> in) {
          ex.run(in);
        }

        @Override
        public void close() {}
      };
    };
    return measure(compile, true, p, "Java reference CPU device (measured)", DeviceKind.CPU, DeviceMatch.javaCpu(),
        Runtime.getRuntime().maxMemory() / 1e9, "Java reference kernels (ReferenceExecutor)");
  }

  /** Measures an OpenCL device through the OpenCL executor and its generated kernels. */
  public Calibration measureOpenCl(ClDevice d, Progress p) {
    try (ClContext ctx = ClContext.open(d); ProgramCache cache = new ProgramCache(ctx, null)) {
      Function<Graph, Runner> compile = g -> {
        OpenClExecutor ex = new OpenClExecutor(g, ctx, cache, OpenClExecutor.Options.defaults());
        return new Runner() {
          @Override
          public void run(Map<String, TensorData> in) {
            ex.run(in);
          }

          @Override
          public void close() {
            ex.close();
          }
        };
      };
      DeviceKind kind = switch (d.type()) {
        case CPU -> DeviceKind.CPU;
        case GPU -> DeviceKind.GPU;
        default -> DeviceKind.ACCELERATOR;
      };
      return measure(compile, false, p, d.name() + " (" + d.platformName() + ", measured)", kind,
          DeviceMatch.openCl(d.platformName(), d.name(), d.type().name()), d.globalMemBytes() / 1e9,
          "OpenCL device " + d.index() + " '" + d.name() + "' on '" + d.platformName() + "', driver "
              + d.driverVersion() + ", through OpenClExecutor's generated kernels");
    }
  }

  private interface Runner extends AutoCloseable {
    void run(Map<String, TensorData> in);

    @Override
    void close();
  }

  private Calibration measure(Function<Graph, Runner> compile, boolean java, Progress p, String name,
      DeviceKind kind, DeviceMatch match, double capacityGb, String how) {
    double best = 0;
    List<String> detail = new ArrayList<>();
    for (int n : gemmSizes(java)) {
      int k = 4;
      double t1 = time(compile, matMulChain(n, 1), p, "GEMM " + n + "³ ×1");
      double tk = time(compile, matMulChain(n, k + 1), p, "GEMM " + n + "³ ×" + (k + 1));
      double g = 2.0 * n * n * (double) n * k / Math.max(1e-9, tk - t1) / 1e9;
      detail.add(String.format(Locale.ROOT, "%d³: %.1f GFLOP/s", n, g));
      best = Math.max(best, g);
    }
    long e = elements();
    int k = 8;
    double big1 = time(compile, reluChain(e, 1), p, "copy " + (e >> 20) + "M ×1");
    double bigK = time(compile, reluChain(e, k + 1), p, "copy " + (e >> 20) + "M ×" + (k + 1));
    double perOp = Math.max(1e-9, (bigK - big1) / k);
    double bw = 2.0 * 4 * e / perOp / 1e9;
    int l = launches();
    double tiny1 = time(compile, reluChain(1, 1), p, "launch ×1");
    double tinyL = time(compile, reluChain(1, l + 1), p, "launch ×" + (l + 1));
    double launchUs = (tinyL - tiny1) / l * 1e6;
    double link = 2.0 * 4 * e / Math.max(1e-9, big1 - perOp) / 1e9;
    double latencyUs = (tiny1 * 1e6 - launchUs) / 2;
    String when = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    return new Calibration(name, kind, match, best, String.join(", ", detail), bw, launchUs, java, link, latencyUs,
        capacityGb, repeats, when, how + (quick ? " (quick sizes)" : ""));
  }

  /** Median seconds of {@code repeats} runs after one warm-up run. */
  private double time(Function<Graph, Runner> compile, Graph g, Progress p, String what) {
    Map<String, TensorData> in = Map.of("x", input(g.inputs().get(0)));
    try (Runner r = compile.apply(g)) {
      r.run(in);
      double[] t = new double[repeats];
      for (int i = 0; i < repeats; i++) {
        long t0 = System.nanoTime();
        r.run(in);
        t[i] = (System.nanoTime() - t0) / 1e9;
      }
      Arrays.sort(t);
      p.step(what);
      return repeats % 2 == 1 ? t[repeats / 2] : (t[repeats / 2 - 1] + t[repeats / 2]) / 2;
    }
  }

  private static TensorData input(Value v) {
    TensorData t = TensorData.zeros(DType.FLOAT32, v.type().shape().dims());
    float[] a = t.floats();
    for (int i = 0; i < a.length; i++) {
      a[i] = (i % 7) * 0.25f - 0.5f;
    }
    return t;
  }

  private static Graph matMulChain(int n, int count) {
    Graph g = new Graph("calibrate_gemm_" + n + "x" + count);
    g.opsetImports().put("", 13);
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, n, n));
    float[] b = new float[n * n];
    Arrays.fill(b, 1f / n);
    Value w = g.addConstant("b", TensorData.wrap(DType.FLOAT32, new long[] {n, n}, b));
    Value cur = x;
    for (int i = 0; i < count; i++) {
      cur = g.addNode("MatMul", "mm" + i, List.of(cur, w), List.of("y" + i), new Attributes()).output(0);
    }
    g.addOutput(cur);
    ShapeInference.run(g);
    return g;
  }

  private static Graph reluChain(long elements, int count) {
    Graph g = new Graph("calibrate_relu_" + elements + "x" + count);
    g.opsetImports().put("", 13);
    Value cur = g.addInput("x", TensorType.of(DType.FLOAT32, elements));
    for (int i = 0; i < count; i++) {
      cur = g.addNode("Relu", "relu" + i, List.of(cur), List.of("y" + i), new Attributes()).output(0);
    }
    g.addOutput(cur);
    ShapeInference.run(g);
    return g;
  }
}
