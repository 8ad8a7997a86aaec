package io.offloadcl.cli;

import io.offloadcl.api.DemoModel;
import io.offloadcl.api.InferenceSession;
import io.offloadcl.api.ModelInfo;
import io.offloadcl.api.SessionOptions;
import io.offloadcl.api.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code offloadcl demo}: the main job on the embedded default. Builds the demo CNN in code, writes it as ONNX,
 * imports it back through the same path a user's model takes, runs a fixed input and prints the class
 * probabilities, the predicted class and the timing.
 */
@Command(name = "demo", description = "Build the embedded demo CNN, write it as ONNX, import it and run it.")
final class DemoCommand implements Callable<Integer> {
  // the first runs pay for class loading and JIT; the printed median is of steady-state runs
  static final int WARMUP = 5;

  @Option(names = "--device", defaultValue = "auto", paramLabel = "DEVICE", converter = DeviceConverter.class,
      description = "java, opencl or auto (default: ${DEFAULT-VALUE}).")
  SessionOptions.Device device;

  @Option(names = "--repeat", defaultValue = "20", paramLabel = "N",
      description = "Timed runs after " + DemoCommand.WARMUP + " warm-up runs (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--seed", defaultValue = "" + DemoModel.SEED, paramLabel = "SEED",
      description = "Weight seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--save-model", paramLabel = "FILE", description = "Keep the generated model.onnx at FILE.")
  Path saveModel;

  @CommandLine.ParentCommand
  Main main;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (repeat < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--repeat must be at least 1, got " + repeat);
    }
    PrintWriter out = spec.commandLine().getOut();
    byte[] bytes = DemoModel.onnxBytes(seed);
    Path dir = null;
    Path file;
    if (saveModel != null) {
      Path abs = saveModel.toAbsolutePath();
      Files.createDirectories(abs.getParent());
      file = abs;
    } else {
      dir = Files.createTempDirectory("offloadcl-demo-");
      file = dir.resolve("model.onnx");
    }
    try {
      Files.write(file, bytes);
      out.println("demo: built a " + bytes.length + "-byte ONNX CNN in code (seed " + seed + ") -> " + (saveModel != null ? file : "temp file"));
      SessionOptions opts = SessionOptions.builder().device(device).verbose(main.verbose).build();
      try (InferenceSession s = InferenceSession.open(file, opts)) {
        ModelInfo info = s.modelInfo();
        out.println("model: " + info.nodeCount() + " nodes " + info.opCounts() + ", " + info.constantElements()
            + " weights; input " + s.inputs().get(0) + "; output " + s.outputs().get(0));
        Map<String, Tensor> feeds = Map.of(DemoModel.INPUT, DemoModel.input());
        Map<String, Tensor> result = s.run(feeds);
        for (int i = 1; i < WARMUP; i++) {
          s.run(feeds);
        }
        long[] times = new long[repeat];
        for (int i = 0; i < repeat; i++) {
          long t0 = System.nanoTime();
          s.run(feeds);
          times[i] = System.nanoTime() - t0;
        }
        Tensor p = result.get(DemoModel.OUTPUT);
        out.println("device: " + s.device());
        StringBuilder sb = new StringBuilder("probabilities:");
        double sum = 0;
        for (int c = 0; c < p.size(); c++) {
          sb.append(String.format(Locale.ROOT, " %d=%.4f", c, p.getDouble(c)));
          sum += p.getDouble(c);
        }
        out.println(sb);
        out.println(String.format(Locale.ROOT, "argmax: class %d (p=%.4f, sum of probabilities %.6f)", p.argmax(),
            p.getDouble(p.argmax()), sum));
        out.println(new Timings(times).summary());
      }
    } finally {
      if (dir != null) {
        RunCommand.deleteTree(dir);
      }
    }
    return 0;
  }
}
