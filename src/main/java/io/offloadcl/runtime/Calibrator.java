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
import java.util.Random;
import java.util.function.Function;

/**
 * Measures a device with micro-benchmarks made of ordinary models run by the ordinary executors, so the
 * figures are what the runtime itself gets, not what a hand-tuned benchmark would.
 *
 * <p>Each figure comes from the difference of two chains of the same op, a long one and a one-op one: both pay
 * the same input write and output read, so the difference is the extra ops alone. GEMM: chains of MatMul
 * (X·B·B·…, B a random constant); bandwidth: chains of Relu over 16M floats; launch
 * overhead: chains of one-element Relu. The host link is the one-op 16M-float run less one Relu (64 MB written,
 * 64 MB read); its latency half of a one-element one-op run less one launch. The two chains of a pair are warmed up, then
 * run in alternation {@code repeats} times; the median of the differences is kept.
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
    return gemmSizes(java).length + 2;
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
      double[] t = timePair(compile, matMulChain(n, 1), matMulChain(n, k + 1), p, "GEMM " + n + "³");
      double flops = 2.0 * n * n * (double) n;
      // the difference alone can flatter (noise in the one-op run); the long chain's mean per op, transfers
      // included, cannot, so the lower of the two is kept
      double byDiff = flops * k / perExtra(t, k) / 1e9;
      double byMean = flops * (k + 1) / t[1] / 1e9;
      double g = Math.min(byDiff, byMean);
      detail.add(String.format(Locale.ROOT, "%d³: %.1f GFLOP/s (by difference %.1f)", n, g, byDiff));
      best = Math.max(best, g);
    }
    long e = elements();
    int k = quick ? 8 : 24;
    double[] big = timePair(compile, reluChain(e, 1), reluChain(e, k + 1), p, "copy " + (e >> 20) + "M floats");
    double perOp = perExtra(big, k);
    double bw = 2.0 * 4 * e / perOp / 1e9;
    int l = launches();
    double[] tiny = timePair(compile, reluChain(1, 1), reluChain(1, l + 1), p, "launches");
    double launchUs = perExtra(tiny, l) * 1e6;
    double link = 2.0 * 4 * e / Math.max(1e-9, big[0] - perOp) / 1e9;
    double latencyUs = (tiny[0] * 1e6 - launchUs) / 2;
    String when = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    return new Calibration(name, kind, match, best, String.join(", ", detail), bw, launchUs, java, link, latencyUs,
        capacityGb, repeats, when, how + (quick ? " (quick sizes)" : ""));
  }

  /**
   * Seconds per extra op of the long chain over the one-op chain. When noise makes the difference vanish (the
   * fixed part swamped it), the long chain's mean per op is taken instead: an upper bound, never a division by
   * nothing.
   *
   * @param t the one-op chain's median, the long chain's median, the median of their run-by-run difference
   */
  private static double perExtra(double[] t, int extra) {
    double d = t[2] / extra;
    return d > 0.05 * t[1] / (extra + 1) ? d : t[1] / (extra + 1);
  }

  /**
   * Times a one-op chain and a long chain run by run in alternation, so both see the same machine state (JIT
   * tier, caches, other load), after warm-up runs of each. Returns the median of the short runs, of the long
   * runs, and of the long-minus-short differences, in seconds; one progress step per call.
   */
  private double[] timePair(Function<Graph, Runner> compile, Graph one, Graph chain, Progress p, String what) {
    Map<String, TensorData> in1 = Map.of("x", input(one.inputs().get(0)));
    Map<String, TensorData> inK = Map.of("x", input(chain.inputs().get(0)));
    try (Runner r1 = compile.apply(one); Runner rk = compile.apply(chain)) {
      for (int i = 0; i < Math.max(3, repeats / 2); i++) {
        r1.run(in1);
        rk.run(inK);
      }
      double[] a = new double[repeats];
      double[] b = new double[repeats];
      double[] d = new double[repeats];
      for (int i = 0; i < repeats; i++) {
        long t0 = System.nanoTime();
        r1.run(in1);
        long t1 = System.nanoTime();
        rk.run(inK);
        long t2 = System.nanoTime();
        a[i] = (t1 - t0) / 1e9;
        b[i] = (t2 - t1) / 1e9;
        d[i] = b[i] - a[i];
      }
      p.step(what);
      return new double[] {median(a), median(b), median(d)};
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  // random values: a kernel that skips zeros or a constant pattern must not flatter the figures
  private static TensorData input(Value v) {
    TensorData t = TensorData.zeros(DType.FLOAT32, v.type().shape().dims());
    float[] a = t.floats();
    Random r = new Random(42);
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return t;
  }

  private static Graph matMulChain(int n, int count) {
    Graph g = new Graph("calibrate_gemm_" + n + "x" + count);
    g.opsetImports().put("", 13);
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, n, n));
    // Gaussian entries of variance 1/n keep the chain's values near unit size: no overflow, no denormals
    float[] b = new float[n * n];
    Random r = new Random(7);
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) (r.nextGaussian() / Math.sqrt(n));
    }
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
