package io.offloadcl.cli;

import io.offloadcl.api.DeviceCalibration;
import io.offloadcl.device.Calibration;
import io.offloadcl.device.DeviceProfile;
import io.offloadcl.device.DeviceProfiles;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code offloadcl calibrate --device ID --out FILE.yaml}: measures GEMM throughput, elementwise bandwidth,
 * launch overhead and host↔device transfer on a real device and writes a device profile, checked by loading it
 * back.
 */
@Command(name = "calibrate", description = "Measure a device with micro-benchmarks and write a device profile.")
final class CalibrateCommand implements Callable<Integer> {
  @Option(names = "--device", required = true, paramLabel = "ID",
      description = "OpenCL device index (see `offloadcl devices`) or 'java'.")
  String device;

  @Option(names = "--out", required = true, paramLabel = "FILE.yaml", description = "Where to write the profile.")
  Path out;

  @Option(names = "--repeat", defaultValue = "5", paramLabel = "N",
      description = "Timed runs per measurement; the median is kept (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--quick", description = "Smaller sizes (GEMM 256, 4M floats): faster, noisier.")
  boolean quick;

  @Option(names = "--no-progress", description = "No progress bar on stderr.")
  boolean noProgress;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (repeat < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--repeat must be at least 1, got " + repeat);
    }
    ProgressBar[] bar = new ProgressBar[1];
    Calibration c;
    try {
      c = DeviceCalibration.run(device, repeat, quick, new DeviceCalibration.Listener() {
        @Override
        public void start(int steps) {
          bar[0] = new ProgressBarBuilder().setTaskName("calibrating").setInitialMax(steps)
              .setConsumer(new ConsoleProgressBarConsumer(noProgress
                  ? new PrintStream(PrintStream.nullOutputStream()) : System.err, 100))
              .setUpdateIntervalMillis(200)
              .setStyle(System.console() == null ? ProgressBarStyle.ASCII : ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
              .build();
        }

        @Override
        public void step(String what) {
          bar[0].setExtraMessage(what);
          bar[0].step();
        }
      });
    } finally {
      if (bar[0] != null) {
        bar[0].close();
      }
    }
    Path abs = out.toAbsolutePath();
    if (abs.getParent() != null) {
      Files.createDirectories(abs.getParent());
    }
    Files.writeString(out, c.toYaml());
    DeviceProfile p = DeviceProfiles.load(out);
    PrintWriter w = spec.commandLine().getOut();
    w.println("device: " + c.name());
    w.println(String.format(Locale.ROOT, "GEMM         %10.2f GFLOP/s   (%s)", c.gemmGflops(), c.gemmDetail()));
    w.println(String.format(Locale.ROOT, "bandwidth    %10.2f GB/s", c.bandwidthGBs()));
    w.println(String.format(Locale.ROOT, "launch       %10.2f us", c.launchUs()));
    if (!c.hostResident()) {
      w.println(String.format(Locale.ROOT, "host link    %10.2f GB/s, latency %.1f us", c.linkGBs(), c.linkLatencyUs()));
    }
    w.println("profile '" + p.id() + "' written to " + out);
    return 0;
  }
}
