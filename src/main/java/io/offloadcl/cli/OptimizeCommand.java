package io.offloadcl.cli;

import io.offloadcl.api.GraphOptimizer;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.GraphPrinter;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.passes.DefaultPipeline;
import io.offloadcl.passes.DeviceCapabilities;
import io.offloadcl.passes.GraphStats;
import io.offloadcl.passes.PassManager;
import io.offloadcl.passes.PassReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code offloadcl optimize MODEL}: runs the default pass pipeline on a model and prints one row per pass
 * (nodes and estimated bytes before/after, milliseconds), optionally writing the JSON report, the optimized
 * graph as DOT, and the graph after a named pass.
 */
@Command(name = "optimize", description = "Run the graph optimizer on a model and report what each pass did.")
final class OptimizeCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx model file.")
  Path model;

  @Option(names = "--report", paramLabel = "FILE.json", description = "Write the per-pass report as JSON.")
  Path report;

  @Option(names = "--dot", paramLabel = "FILE", description = "Write the optimized graph as Graphviz DOT.")
  Path dot;

  @Option(names = "--disable", split = ",", paramLabel = "NAME", description = "Passes or groups to skip.")
  List<String> disable = new ArrayList<>();

  @Option(names = "--dump-after", paramLabel = "NAME", description = "Print the graph after this pass.")
  String dumpAfter;

  @Option(names = "--dump-format", paramLabel = "text|dot", description = "Format of --dump-after (default text).")
  String dumpFormat = "text";

  @Option(names = "--list", description = "List the pipeline's passes with the reason for their place, then exit.")
  boolean list;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (list) {
      DefaultPipeline.create().steps().forEach(s -> out.printf("%-32s %s%n", s.name(), s.why()));
      return 0;
    }
    PassManager pm = new PassManager(DefaultPipeline.create()).disable(disable);
    if (dumpAfter != null) {
      PassManager.DumpFormat f = switch (dumpFormat.toLowerCase(java.util.Locale.ROOT)) {
        case "text" -> PassManager.DumpFormat.TEXT;
        case "dot" -> PassManager.DumpFormat.DOT;
        default -> throw new IllegalArgumentException("--dump-format must be text or dot, got '" + dumpFormat + "'");
      };
      pm.dumpAfter(dumpAfter, f, (pass, text) -> {
        out.println("--- graph after " + pass + " ---");
        out.print(text);
      });
    }
    Graph g = GraphOptimizer.load(model);
    PassReport r = pm.run(g, GraphOptimizer.context(DeviceCapabilities.ALL));
    out.println("model: " + model);
    out.print(r.toTable());
    out.println("ops after: " + format(GraphStats.opHistogram(g)));
    write(report, r.toJson());
    if (dot != null) {
      write(dot, GraphPrinter.toDot(g, null));
    }
    return 0;
  }

  private static String format(Map<String, Integer> h) {
    StringBuilder sb = new StringBuilder();
    h.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append('=').append(v));
    return sb.toString();
  }

  private static void write(Path file, String text) {
    if (file == null) {
      return;
    }
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new OffloadException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
