package io.offloadcl.cli;

import io.offloadcl.api.ConformanceBackend;
import io.offloadcl.api.ConformanceResult;
import io.offloadcl.api.ConformanceRunner;
import io.offloadcl.api.Devices;
import io.offloadcl.api.SessionOptions;
import io.offloadcl.ir.OffloadException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code offloadcl conformance ROOT...}: runs every ONNX backend test folder under the roots, one line per test
 * as it finishes, then exactly {@code conformance: N passed, M failed, U unsupported, E errors}. Exit code 1 when
 * any test FAILs or ERRORs.
 */
@Command(name = "conformance", description = "Run ONNX backend node tests (model.onnx + test_data_set_N) under the given roots.")
final class ConformanceCommand implements Callable<Integer> {
  static final int EXIT_FAILURES = 1;

  @Parameters(paramLabel = "ROOT", arity = "1..*", description = "Folders holding test folders.")
  List<Path> roots;

  @Option(names = "--device", defaultValue = "java", paramLabel = "DEVICE", converter = DeviceConverter.class,
      description = "java or opencl (default: ${DEFAULT-VALUE}).")
  SessionOptions.Device device;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write every result as JSON to FILE.")
  Path json;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (device == SessionOptions.Device.AUTO) {
      throw new CommandLine.ParameterException(spec.commandLine(), "conformance needs an explicit --device: java or opencl");
    }
    for (Path r : roots) {
      if (!Files.isDirectory(r)) {
        throw new OffloadException("conformance root not found: " + r);
      }
    }
    ConformanceBackend backend = Devices.conformanceBackend(device);
    PrintWriter out = spec.commandLine().getOut();
    ConformanceResult result = new ConformanceRunner(backend).listener(t -> {
      out.println(t.toLine());
      out.flush();
    }).run(roots);
    if (json != null) {
      result.writeJson(json);
    }
    out.println(result.summary());
    return result.failed() + result.errors() > 0 ? EXIT_FAILURES : 0;
  }
}
