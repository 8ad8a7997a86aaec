package io.offloadcl.cli;

import io.offloadcl.api.QuantTool;
import io.offloadcl.ir.OffloadException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code offloadcl quantize MODEL --calibration DIR --method entropy|percentile|minmax|all --out CALIB.json
 * [--evaluate DIR]}: INT8 calibration with a progress bar on stderr, and optionally a report against fp32.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true,
    description = {"Calibrates a model for INT8 (activations: saturating per-tensor threshold; weights: per-channel "
        + "max-abs) and writes the calibration file.",
        "DIR is a folder of test_data_set_* folders or of input .pb files, or generated:N[:SEED] for N generated "
            + "inputs (rendered digits for MNIST-like models, seeded random otherwise)."})
public final class QuantizeCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "the fp32 ONNX model")
  Path model;

  @Option(names = "--calibration", required = true, paramLabel = "DIR", description = "calibration set")
  String calibration;

  @Option(names = "--method", defaultValue = "entropy", paramLabel = "METHOD",
      description = "entropy, percentile, minmax or all (default: ${DEFAULT-VALUE})")
  String method;

  @Option(names = "--percentile", defaultValue = "99.99", description = "percentile of |x| for --method percentile "
      + "(default: ${DEFAULT-VALUE})")
  double percentile;

  @Option(names = "--out", required = true, paramLabel = "CALIB.json",
      description = "calibration file; with --method all, CALIB.METHOD.json for each method")
  Path out;

  @Option(names = "--evaluate", paramLabel = "DIR", description = "report int8 against fp32 on this set")
  String evaluate;

  @Override
  public Integer call() {
    try {
      var methods = QuantTool.methods(method);
      QuantTool tool = QuantTool.open(model);
      var set = tool.loadSet(calibration);
      Map<String, Path> files;
      try (ProgressBar pb = bar("calibrating", 2L * set.size())) {
        files = tool.calibrate(set, calibration, methods, percentile, out, pb::step);
      }
      files.forEach((m, p) -> System.out.println(m + " calibration written to " + p));
      if (evaluate != null) {
        var eval = tool.loadSet(evaluate);
        String report;
        try (ProgressBar pb = bar("evaluating", tool.evaluationSteps(eval.size()))) {
          report = tool.evaluate(eval, evaluate, pb::step);
        }
        System.out.print(report);
      }
      return 0;
    } catch (OffloadException | IllegalArgumentException e) {
      System.err.println("quantize: " + e.getMessage());
      return 2;
    }
  }

  private static ProgressBar bar(String task, long max) {
    return new ProgressBarBuilder().setTaskName(task).setInitialMax(max)
        .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUpdateIntervalMillis(200).build();
  }
}
