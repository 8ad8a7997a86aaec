package io.offloadcl.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code offloadcl conformance ROOT...}: runs ONNX backend test folders (pending the conformance runner). */
@Command(name = "conformance", description = "Run ONNX backend node tests under the given roots.")
final class ConformanceCommand implements Callable<Integer> {
  @Parameters(paramLabel = "ROOT", arity = "1..*", description = "Folders holding test folders (model.onnx + test_data_set_N).")
  List<Path> roots;

  @Option(names = "--device", defaultValue = "java", paramLabel = "DEVICE", description = "java or opencl (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
  Path json;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    throw new io.offloadcl.ir.OffloadException("the conformance runner is not merged into this build yet");
  }
}
