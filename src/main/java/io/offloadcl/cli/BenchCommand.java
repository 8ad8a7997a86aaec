package io.offloadcl.cli;

import io.offloadcl.api.Bench;
import io.offloadcl.api.BenchKernels;
import io.offloadcl.api.BenchReport;
import io.offloadcl.api.SessionOptions;
import io.offloadcl.ir.OffloadException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code offloadcl bench MODEL...}: latency per model on OffloadCL, optionally interleaved with ONNX Runtime in
 * the same loop, plus GEMM GFLOP/s, memory bandwidth and a per-node kernel profile on the OpenCL device.
 */
@Command(name = "bench", description = "Benchmark models (and GEMM / bandwidth) on OffloadCL, optionally side by"
    + " side with ONNX Runtime.")
final class BenchCommand implements Callable<Integer> {
  @Parameters(paramLabel = "MODEL", arity = "0..*", description = "The .onnx model files.")
  List<Path> models = new ArrayList<>();

  @Option(names = "--device", split = ",", defaultValue = "opencl", paramLabel = "DEVICE",
      converter = DeviceConverter.class, description = "opencl and/or java, comma-separated (default: ${DEFAULT-VALUE}).")
  List<SessionOptions.Device> devices;

  @Option(names = "--vs-onnxruntime", description = "Time ONNX Runtime 1.28 (same threads) interleaved with OffloadCL.")
  boolean vsOrt;

  @Option(names = "--threads", paramLabel = "N", description = "Threads per engine (default: the machine's cores).")
  Integer threads;

  @Option(names = "--runs", defaultValue = "30", paramLabel = "N", description = "Timed runs per engine (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--warmup", defaultValue = "5", paramLabel = "N", description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--gemm", split = ",", paramLabel = "N",
      description = "Also time an N×N×N fp32 GEMM on OpenCL (and ONNX Runtime), e.g. 512,1024.")
  List<Integer> gemm = new ArrayList<>();

  @Option(names = "--bandwidth", description = "Also measure copy / Add / Relu bandwidth over 16M floats on OpenCL.")
  boolean bandwidth;

  @Option(names = "--profile", description = "Also time every node's kernel alone on OpenCL, summed per op type.")
  boolean profile;

  @Option(names = "--int8", paramLabel = "CALIB.json",
      description = "Time the models quantized to INT8 with a calibration file written by `offloadcl quantize`.")
  Path int8;

  @Option(names = "--json", paramLabel = "FILE", description = "Write the results as JSON.")
  Path json;

  @Option(names = "--chart", paramLabel = "FILE", description = "Write a bar chart (.png or .svg).")
  Path chart;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (models.isEmpty() && gemm.isEmpty() && !bandwidth) {
      throw new CommandLine.ParameterException(spec.commandLine(), "give at least one MODEL, --gemm or --bandwidth");
    }
    if (chart != null) {
      String f = chart.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
      if (!f.endsWith(".png") && !f.endsWith(".svg")) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--chart must end in .png or .svg: " + chart);
      }
    }
    if (vsOrt) {
      Bench.requireOnnxRuntime();
    }
    int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    java.io.PrintWriter err = spec.commandLine().getErr();
    java.util.function.Consumer<String> progress = line -> {
      err.println("bench: " + line);
      err.flush();
    };
    List<Bench.ModelResult> results = new ArrayList<>();
    for (SessionOptions.Device d : devices) {
      Bench b = new Bench(new Bench.Options(d, t, runs, warmup, vsOrt), progress).int8(int8);
      for (Path m : models) {
        results.add(b.model(m));
      }
    }
    List<Bench.GemmResult> gemms = new ArrayList<>();
    Bench.Bandwidth bw = null;
    List<Bench.Profile> profiles = new ArrayList<>();
    String device = devices.toString();
    if (!gemm.isEmpty() || bandwidth || profile) {
      Bench b = new Bench(new Bench.Options(SessionOptions.Device.OPENCL, t, runs, warmup, vsOrt), progress)
          .int8(int8);
      try (BenchKernels k = new BenchKernels()) {
        device = k.device();
        for (int n : gemm) {
          gemms.add(b.gemm(n, k));
        }
        if (bandwidth) {
          bw = b.bandwidth(k, 16 * 1024 * 1024);
        }
        if (profile) {
          for (Path m : models) {
            try {
              profiles.add(b.profile(m, k));
            } catch (OffloadException e) {
              progress.accept(Bench.modelName(m) + ": profile FAILED " + e.getMessage());
            }
          }
        }
      }
    }
    Double peak = null;
    for (Bench.GemmResult g : gemms) {
      double best = Math.max(g.offloadclGflops(), Math.max(g.kernelOnlyGflops(),
          g.onnxRuntimeGflops() == null ? 0 : g.onnxRuntimeGflops()));
      peak = peak == null ? best : Math.max(peak, best);
    }
    BenchReport report = new BenchReport(Instant.now().toString(), device, Runtime.getRuntime().availableProcessors(),
        t, Bench.poclThreads(), results, gemms, bw, peak, profiles);
    java.io.PrintWriter out = spec.commandLine().getOut();
    if (!results.isEmpty()) {
      out.print(report.markdownTable());
    }
    for (Bench.GemmResult g : gemms) {
      out.printf(java.util.Locale.ROOT, "GEMM %d^3 fp32: OffloadCL %.1f GFLOP/s end to end, %.1f kernel only; ONNX Runtime %s GFLOP/s%n",
          g.n(), g.offloadclGflops(), g.kernelOnlyGflops(),
          g.onnxRuntimeGflops() == null ? "–" : String.format(java.util.Locale.ROOT, "%.1f", g.onnxRuntimeGflops()));
    }
    if (bw != null) {
      out.printf(java.util.Locale.ROOT, "bandwidth: copy %.1f GB/s, Add %.1f GB/s (%.0f%% of best), Relu %.1f GB/s (%.0f%%)%n",
          bw.copyGBps(), bw.addGBps(), 100 * bw.addFraction(), bw.reluGBps(), 100 * bw.reluFraction());
    }
    for (Bench.Profile p : profiles) {
      out.printf(java.util.Locale.ROOT, "profile %s: kernels alone sum to %.2f ms; %d node(s) on Java kernels%n",
          p.model(), p.kernelMsTotal(), p.javaFallbackNodes());
      p.byOpType().stream().limit(6).forEach(s -> out.printf(java.util.Locale.ROOT,
          "  %-22s %3d nodes %9.2f ms %5.1f%% %7.1f GFLOP/s%n", s.opType(), s.nodes(), s.ms(), 100 * s.share(), s.gflops()));
    }
    out.flush();
    if (json != null) {
      report.writeJson(json);
    }
    if (chart != null) {
      report.writeChart(chart);
    }
    return results.stream().anyMatch(r -> r.error() != null) ? 1 : 0;
  }
}
