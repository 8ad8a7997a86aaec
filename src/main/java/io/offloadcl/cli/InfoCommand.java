package io.offloadcl.cli;

import io.offloadcl.api.ModelInfo;
import io.offloadcl.api.TensorInfo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code offloadcl info MODEL}: inputs, outputs, node count per op type and opsets of a model. */
@Command(name = "info", description = "Show a model's inputs, outputs, op counts and opsets.")
final class InfoCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx model file.")
  Path model;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    ModelInfo info = ModelInfo.read(model);
    PrintWriter out = spec.commandLine().getOut();
    out.println("model: " + model);
    out.println("graph: " + info.graphName());
    StringBuilder ops = new StringBuilder();
    for (Map.Entry<String, Integer> e : info.opsets().entrySet()) {
      ops.append(ops.length() == 0 ? "" : ", ").append(e.getKey().isEmpty() ? "ai.onnx" : e.getKey()).append(' ')
          .append(e.getValue());
    }
    out.println("opsets: " + ops);
    out.println("inputs:");
    for (TensorInfo t : info.inputs()) {
      out.println("  " + t);
    }
    out.println("outputs:");
    for (TensorInfo t : info.outputs()) {
      out.println("  " + t);
    }
    out.println("nodes: " + info.nodeCount());
    for (Map.Entry<String, Integer> e : info.opCounts().entrySet()) {
      out.println(String.format("  %-24s %d", e.getKey(), e.getValue()));
    }
    out.println("constants: " + info.constantCount() + " (" + info.constantElements() + " elements)");
    return 0;
  }
}
