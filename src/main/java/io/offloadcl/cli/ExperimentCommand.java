package io.offloadcl.cli;

import io.offloadcl.device.DeviceProfile;
import io.offloadcl.device.DeviceProfiles;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.placement.Placement;
import io.offloadcl.placement.PlacementCharts;
import io.offloadcl.placement.Placer;
import io.offloadcl.placement.Strategies;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code offloadcl experiment --models M... --profiles DIR --strategies all --out DIR}: every model × every
 * combination of profiles × every strategy, written to {@code results.csv}, with one plot per model of the
 * makespan per strategy per device combination, and the predicted speedup of the best heterogeneous placement
 * over the best single device printed per combination.
 */
@Command(name = "experiment", description = {
    "Place models on every combination of device profiles with every strategy; write results.csv and plots.",
    "Models are .onnx files or random:OPS[:SEED[:WIDTH]]."})
final class ExperimentCommand implements Callable<Integer> {
  @Option(names = "--models", required = true, arity = "1..*", paramLabel = "MODEL", description = "Models to place.")
  List<String> models;

  @Option(names = "--profiles", required = true, paramLabel = "DIR|LIST",
      description = "A folder of *.yaml profiles, or a comma-separated list of files / bundled ids, or 'bundled'.")
  String profiles;

  @Option(names = "--strategies", defaultValue = "all", paramLabel = "LIST",
      description = "Comma-separated strategies, or all: each device alone, greedy, heft, optimal (default: ${DEFAULT-VALUE}).")
  String strategies;

  @Option(names = "--combination-size", defaultValue = "2", paramLabel = "K",
      description = "Devices per combination (default: ${DEFAULT-VALUE}).")
  int combinationSize;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
  Path out;

  @Option(names = "--format", defaultValue = "png", paramLabel = "png|svg", description = "Plot format (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--dynamic-dim", defaultValue = "1", paramLabel = "N",
      description = "Size given to dynamic input dimensions (default: ${DEFAULT-VALUE}).")
  long dynamicDim = 1;

  @Option(names = "--no-progress", description = "No progress bar.")
  boolean noProgress;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** One CSV row. */
  private record Row(String model, int ops, String combo, String strategy, String status, double makespanMs,
      long bytes, double speedup, double searchSeconds, String error) {}

  @Override
  public Integer call() throws IOException {
    PrintWriter pw = spec.commandLine().getOut();
    if (!format.equals("png") && !format.equals("svg")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--format must be png or svg, got " + format);
    }
    List<DeviceProfile> all = loadProfiles(profiles);
    if (combinationSize < 1 || combinationSize > all.size()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--combination-size must be 1.." + all.size()
          + " for " + all.size() + " profiles, got " + combinationSize);
    }
    List<List<DeviceProfile>> combos = new ArrayList<>();
    combinations(all, combinationSize, 0, new ArrayList<>(), combos);
    Files.createDirectories(out);
    List<Row> rows = new ArrayList<>();
    int failed = 0;
    long total = (long) models.size() * combos.size();
    ProgressBarBuilder pbb = new ProgressBarBuilder().setTaskName("placing").setInitialMax(total)
        .setConsumer(new ConsoleProgressBarConsumer(noProgress ? new PrintStream(PrintStream.nullOutputStream())
            : System.err, 100)).setUpdateIntervalMillis(200)
        .setStyle(System.console() == null ? ProgressBarStyle.ASCII : ProgressBarStyle.COLORFUL_UNICODE_BLOCK);
    try (ProgressBar pb = pbb.build()) {
      for (String m : models) {
        String modelName = displayName(m);
        Graph g;
        try {
          g = PlaceCommand.loadModel(m, dynamicDim);
        } catch (OffloadException e) {
          // one model the importer refuses should not sink the whole matrix; it is listed in the CSV
          rows.add(new Row(modelName, 0, "", "", "not-imported", Double.NaN, 0, Double.NaN, 0, e.getMessage()));
          failed++;
          pb.stepBy(combos.size());
          continue;
        }
        Map<String, Map<String, Double>> plot = new LinkedHashMap<>();
        for (List<DeviceProfile> combo : combos) {
          String comboName = String.join("+", combo.stream().map(DeviceProfile::id).toList());
          pb.setExtraMessage(modelName + " on " + comboName);
          List<String> names = strategies.equals("all") ? Strategies.allNames(combo) : List.of(strategies.split(","));
          Map<String, Placer.Outcome> res = Placer.placeAll(g, combo, names, Map.of());
          double bestSingle = Double.POSITIVE_INFINITY;
          for (Placer.Outcome o : res.values()) {
            if (o.ok() && o.strategy().startsWith("only:")) {
              bestSingle = Math.min(bestSingle, o.placement().makespanMs());
            }
          }
          for (Placer.Outcome o : res.values()) {
            if (o.ok()) {
              Placement p = o.placement();
              rows.add(new Row(modelName, g.nodes().size(), comboName, o.strategy(),
                  p.status().name().toLowerCase(Locale.ROOT), p.makespanMs(), p.bytesTransferred(),
                  bestSingle / p.makespanMs(), p.searchSeconds(), ""));
              plot.computeIfAbsent(o.strategy(), k -> new LinkedHashMap<>())
                  .put(comboName, p.makespanMs());
            } else {
              rows.add(new Row(modelName, g.nodes().size(), comboName, o.strategy(), "refused", Double.NaN, 0,
                  Double.NaN, 0, o.error()));
            }
          }
          pb.step();
        }
        Map<String, Map<String, Double>> series = bySeries(plot);
        Path chart = out.resolve("makespan-" + modelName.replaceAll("[^A-Za-z0-9._-]", "_") + "." + format);
        PlacementCharts.save(PlacementCharts.experiment(modelName + ": predicted makespan per strategy", series), chart,
            Math.max(900, 90 * combos.size()), 650);
      }
    }
    Path csv = out.resolve("results.csv");
    StringBuilder sb = new StringBuilder(
        "model,ops,devices,strategy,status,makespan_ms,bytes_transferred,speedup_over_best_single,search_s,error\n");
    for (Row r : rows) {
      sb.append(csvField(r.model())).append(',').append(r.ops()).append(',').append(csvField(r.combo())).append(',')
          .append(csvField(r.strategy())).append(',').append(r.status()).append(',')
          .append(Double.isNaN(r.makespanMs()) ? "" : String.format(Locale.ROOT, "%.6f", r.makespanMs())).append(',')
          .append(r.bytes()).append(',')
          .append(Double.isNaN(r.speedup()) || Double.isInfinite(r.speedup()) ? ""
              : String.format(Locale.ROOT, "%.4f", r.speedup())).append(',')
          .append(String.format(Locale.ROOT, "%.4f", r.searchSeconds())).append(',').append(csvField(r.error()))
          .append('\n');
    }
    PlaceCommand.write(csv, sb.toString());
    printSummary(pw, rows);
    for (Row r : rows) {
      if (r.status().equals("not-imported")) {
        pw.println("not imported: " + r.model() + ": " + r.error());
      }
    }
    if (failed == models.size()) {
      throw new OffloadException("no model could be imported; see " + csv);
    }
    pw.println("results: " + csv);
    return 0;
  }

  /** The plot's series: the single-device runs of a combination folded into its best one, then each strategy. */
  private static Map<String, Map<String, Double>> bySeries(Map<String, Map<String, Double>> plot) {
    Map<String, Map<String, Double>> r = new LinkedHashMap<>();
    Map<String, Double> bestSingle = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Double>> e : plot.entrySet()) {
      if (e.getKey().startsWith("only:")) {
        for (Map.Entry<String, Double> c : e.getValue().entrySet()) {
          bestSingle.merge(c.getKey(), c.getValue(), Math::min);
        }
      }
    }
    r.put("best single device", bestSingle);
    for (Map.Entry<String, Map<String, Double>> e : plot.entrySet()) {
      if (!e.getKey().startsWith("only:")) {
        r.put(e.getKey(), e.getValue());
      }
    }
    return r;
  }

  /**
   * A short model name for the CSV and the plot file: the file name without extension, with its folder in
   * front when several models share a file name (the shared models are all called model.onnx).
   */
  private String displayName(String m) {
    if (m.startsWith("random:")) {
      return m;
    }
    Path p = Path.of(m);
    String base = stem(p);
    long same = models.stream().filter(o -> !o.startsWith("random:") && stem(Path.of(o)).equals(base)).count();
    Path parent = p.toAbsolutePath().getParent();
    return same > 1 && parent != null && parent.getFileName() != null ? parent.getFileName() + "-" + base : base;
  }

  private static String stem(Path p) {
    String n = p.getFileName() == null ? p.toString() : p.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }

  private static void printSummary(PrintWriter pw, List<Row> rows) {
    pw.println("predicted speedup of the best heterogeneous placement over the best single device:");
    Map<String, Double> best = new LinkedHashMap<>();
    for (Row r : rows) {
      if (!r.strategy().startsWith("only:") && !Double.isNaN(r.speedup())) {
        best.merge(r.model() + "  " + r.combo(), r.speedup(), Math::max);
      }
    }
    best.forEach((k, v) -> pw.printf(Locale.ROOT, "  %-70s %.3fx%n", k, v));
  }

  private static List<DeviceProfile> loadProfiles(String spec) {
    if (spec.equals("bundled")) {
      return DeviceProfiles.allBundled();
    }
    Path p = Path.of(spec);
    if (Files.isDirectory(p)) {
      return DeviceProfiles.loadDirectory(p);
    }
    return PlaceCommand.profiles(List.of(spec.split(",")));
  }

  private static void combinations(List<DeviceProfile> all, int k, int from, List<DeviceProfile> cur,
      List<List<DeviceProfile>> outList) {
    if (cur.size() == k) {
      outList.add(List.copyOf(cur));
      return;
    }
    for (int i = from; i < all.size(); i++) {
      cur.add(all.get(i));
      combinations(all, k, i + 1, cur, outList);
      cur.remove(cur.size() - 1);
    }
  }

  private static String csvField(String s) {
    if (s == null) {
      return "";
    }
    if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
      return '"' + s.replace("\"", "\"\"") + '"';
    }
    return s;
  }
}
