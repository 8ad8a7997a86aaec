package io.offloadcl.cli;

import io.offloadcl.api.GraphOptimizer;
import io.offloadcl.device.DeviceProfile;
import io.offloadcl.device.DeviceProfiles;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.ModelFormatException;
import io.offloadcl.placement.Placement;
import io.offloadcl.placement.PlacementCharts;
import io.offloadcl.placement.PlacementJson;
import io.offloadcl.placement.Placer;
import io.offloadcl.placement.RandomDags;
import io.offloadcl.placement.StaticShapes;
import io.offloadcl.placement.Strategies;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code offloadcl place MODEL --profiles A,B [--strategy NAME|all] [--report F.json] [--gantt F.svg] [--dot F]}:
 * predicts where each op of a model should run on a set of devices, and why. Nothing runs on the devices.
 */
@Command(name = "place", description = {
    "Place every op of a model on one of several devices (by their profiles) and explain the choice.",
    "MODEL is an .onnx file, or random:OPS[:SEED[:WIDTH]] for a seeded random layered DAG."})
final class PlaceCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx model, or random:OPS[:SEED[:WIDTH]].")
  String model;

  @Option(names = "--profiles", required = true, split = ",", paramLabel = "PROFILE",
      description = "Device profiles: YAML files or bundled ids (${COMPLETION-CANDIDATES:-e.g. pocl-cpu,nvidia-h100-opencl}).")
  List<String> profiles;

  @Option(names = "--strategy", defaultValue = "heft", paramLabel = "NAME",
      description = "cpu-only, gpu-only, only:ID, greedy, heft, optimal, or all (default: ${DEFAULT-VALUE}).")
  String strategy;

  @Option(names = "--pin", split = ",", paramLabel = "OP=DEVICE",
      description = "Pin ops by name or op type to a device id, e.g. --pin Conv=pocl-cpu,fc1=nvidia-h100-opencl.")
  Map<String, String> pins = new LinkedHashMap<>();

  @Option(names = "--report", paramLabel = "FILE.json", description = "Write the JSON report here.")
  Path report;

  @Option(names = "--gantt", paramLabel = "FILE.svg",
      description = "Write a Gantt chart (SVG, or PNG for other extensions); with several strategies, one per "
          + "strategy with its name before the extension.")
  Path gantt;

  @Option(names = "--dot", paramLabel = "FILE", description = "Write the graph as DOT, ops coloured by device.")
  Path dot;

  @Option(names = "--dynamic-dim", defaultValue = "1", paramLabel = "N",
      description = "Size given to dynamic input dimensions (e.g. the batch) so every op has a cost (default: ${DEFAULT-VALUE}).")
  long dynamicDim = 1;

  @Option(names = "--explain", description = "Print one line per op: device, slot and reason.")
  boolean explain;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    List<DeviceProfile> devices = profiles(profiles);
    Graph g = loadModel(model, dynamicDim);
    int unknown = StaticShapes.opsWithUnknownCost(g);
    if (unknown > 0) {
      out.printf(Locale.ROOT, "warning: %d ops have no static cost; the model charges only their launch%n", unknown);
    }
    List<String> names = strategy.equals("all") ? Strategies.allNames(devices) : List.of(strategy.split(","));
    Map<String, Placer.Outcome> outcomes = Placer.placeAll(g, devices, names, pins);
    out.printf(Locale.ROOT, "%s: %d ops on %s%n", g.name(), g.nodes().size(),
        devices.stream().map(DeviceProfile::id).toList());
    List<Placement> placed = new ArrayList<>();
    for (Placer.Outcome o : outcomes.values()) {
      if (!o.ok()) {
        out.printf(Locale.ROOT, "  %-28s cannot place: %s%n", o.strategy(), o.error());
        continue;
      }
      Placement p = o.placement();
      placed.add(p);
      out.printf(Locale.ROOT, "  %-28s makespan %12.4f ms  moved %,14d B  %s%s%n", o.strategy(), p.makespanMs(),
          p.bytesTransferred(), p.status().name().toLowerCase(Locale.ROOT), p.note() == null ? "" : " (" + p.note() + ")");
      if (explain) {
        out.print(p.toText());
      }
    }
    if (placed.isEmpty()) {
      throw new io.offloadcl.placement.PlacementException(outcomes.values().iterator().next().error());
    }
    if (report != null) {
      write(report, PlacementJson.toJson(g, devices, outcomes.values()));
      out.println("report: " + report);
    }
    if (gantt != null) {
      for (Placement p : placed) {
        Path f = placed.size() == 1 ? gantt : withSuffix(gantt, p.strategy());
        PlacementCharts.save(PlacementCharts.gantt(p), f, 1200, 120 + 60 * (p.devices().size() * 2));
        out.println("gantt: " + f);
      }
    }
    if (dot != null) {
      for (Placement p : placed) {
        Path f = placed.size() == 1 ? dot : withSuffix(dot, p.strategy());
        write(f, PlacementCharts.dot(p));
        out.println("dot: " + f);
      }
    }
    return 0;
  }

  /** Profiles from file paths or bundled ids. */
  static List<DeviceProfile> profiles(List<String> specs) {
    List<DeviceProfile> r = new ArrayList<>();
    for (String s : specs) {
      if (!s.isBlank()) {
        r.add(DeviceProfiles.resolve(s.strip()));
      }
    }
    return r;
  }

  /**
   * An ONNX file through the importer with its dynamic input dimensions bound to {@code dynamicDim}, or
   * {@code random:OPS[:SEED[:WIDTH]]}.
   */
  static Graph loadModel(String spec, long dynamicDim) {
    if (spec.startsWith("random:")) {
      String[] parts = spec.substring(7).split(":");
      try {
        int ops = Integer.parseInt(parts[0]);
        long seed = parts.length > 1 ? Long.parseLong(parts[1]) : 1;
        int width = parts.length > 2 ? Integer.parseInt(parts[2]) : 4;
        if (ops < 1 || width < 1) {
          throw new NumberFormatException("must be positive");
        }
        return RandomDags.generate(ops, width, seed);
      } catch (NumberFormatException e) {
        throw new ModelFormatException("model '" + spec + "': expected random:OPS[:SEED[:WIDTH]] with positive "
            + "whole numbers (" + e.getMessage() + ")");
      }
    }
    Graph g = GraphOptimizer.load(Path.of(spec));
    StaticShapes.bindDynamicInputs(g, dynamicDim);
    return g;
  }

  static Path withSuffix(Path f, String strategy) {
    String name = f.getFileName().toString();
    String safe = strategy.replaceAll("[^A-Za-z0-9._-]", "-");
    int dot = name.lastIndexOf('.');
    String n = dot > 0 ? name.substring(0, dot) + "-" + safe + name.substring(dot) : name + "-" + safe;
    return f.resolveSibling(n);
  }

  static void write(Path f, String text) throws IOException {
    Path parent = f.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(f, text, StandardCharsets.UTF_8);
  }
}
