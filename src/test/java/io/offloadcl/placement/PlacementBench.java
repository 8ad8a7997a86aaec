package io.offloadcl.placement;

import static io.offloadcl.testing.Timing.median;

import io.offloadcl.device.CostModel;
import io.offloadcl.device.DeviceProfile;
import io.offloadcl.device.DeviceProfiles;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.onnx.OnnxImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Placement benchmarks: prints figures, asserts nothing about time. Off by default; run with
 * {@code mvn -o test -Dtest=PlacementBench -Doffloadcl.bench=true}.
 */
@Tag("bench")
@EnabledIfSystemProperty(named = "offloadcl.bench", matches = "true")
class PlacementBench {
  private static final List<List<String>> PAIRS = List.of(
      List.of("pocl-cpu", "nvidia-h100-opencl"), List.of("pocl-cpu", "nvidia-rtx4070-opencl"),
      List.of("java-cpu", "pocl-cpu"), List.of("pocl-cpu", "intel-iris-xe-opencl"),
      List.of("pocl-cpu", "adreno-740-opencl"), List.of("pocl-cpu", "matmul-npu"),
      List.of("nvidia-rtx4070-opencl", "matmul-npu"), List.of("intel-iris-xe-opencl", "adreno-740-opencl"));

  private static List<DeviceProfile> devs(List<String> ids) {
    return ids.stream().map(DeviceProfiles::bundled).toList();
  }

  @Test
  void heftOnTenThousandOps() {
    for (List<String> ids : List.of(List.of("pocl-cpu", "nvidia-h100-opencl"),
        List.of("pocl-cpu", "nvidia-h100-opencl", "matmul-npu", "java-cpu"))) {
      Graph g = RandomDags.generate(10_000, 20, 42);
      List<DeviceProfile> d = devs(ids);
      double[] problemS = new double[7];
      double[] assignS = new double[7];
      double[] fullS = new double[7];
      Placement last = null;
      for (int r = 0; r < 7; r++) {
        long t0 = System.nanoTime();
        PlacementProblem p = new PlacementProblem(g, d, Map.of(), CostModel.DEFAULT);
        long t1 = System.nanoTime();
        Heft.assign(p);
        long t2 = System.nanoTime();
        last = new Heft().place(p);
        long t3 = System.nanoTime();
        problemS[r] = (t1 - t0) * 1e-9;
        assignS[r] = (t2 - t1) * 1e-9;
        fullS[r] = (t3 - t2) * 1e-9;
      }
      System.out.printf(Locale.ROOT, "BENCH heft 10000 ops on %s: problem build %.3f s, HEFT decisions %.3f s, "
          + "HEFT with explanations + schedule report %.3f s (medians of 7; first run %.3f s); makespan %.2f ms%n",
          ids, median(problemS), median(assignS), median(fullS), problemS[0] + fullS[0], last.makespanMs());
    }
  }

  @Test
  void gapToOptimalOnSmallRandomDags() {
    Random r = new Random(2026);
    int n = 200;
    double heftGap = 0;
    double greedyGap = 0;
    double heftMax = 0;
    double greedyMax = 0;
    int heftOpt = 0;
    int greedyOpt = 0;
    int proven = 0;
    long nodes = 0;
    double optSeconds = 0;
    for (int k = 0; k < n; k++) {
      int ops = 5 + r.nextInt(16);
      Graph g = RandomDags.generate(ops, 1 + r.nextInt(4), r.nextLong());
      List<DeviceProfile> d = devs(PAIRS.get(k % PAIRS.size()));
      PlacementProblem p = new PlacementProblem(g, d, Map.of(), CostModel.DEFAULT);
      OptimalStrategy os = new OptimalStrategy();
      Placement opt = os.place(p);
      nodes += os.nodesVisited();
      optSeconds += opt.searchSeconds();
      if (opt.status() == Placement.Status.OPTIMAL) {
        proven++;
      }
      double h = new Heft().place(p).makespanMs() / opt.makespanMs() - 1;
      double gr = new GreedyStrategy().place(p).makespanMs() / opt.makespanMs() - 1;
      heftGap += h;
      greedyGap += gr;
      heftMax = Math.max(heftMax, h);
      greedyMax = Math.max(greedyMax, gr);
      heftOpt += h < 1e-9 ? 1 : 0;
      greedyOpt += gr < 1e-9 ? 1 : 0;
    }
    System.out.printf(Locale.ROOT, "BENCH %d random DAGs of 5-20 ops over %d device pairs: optimal proven on %d; "
        + "mean gap to optimal: heft %.2f%% (max %.2f%%, optimal on %d), greedy %.2f%% (max %.2f%%, optimal on %d); "
        + "exact search %.1f search nodes and %.4f s per graph on average%n", n, PAIRS.size(), proven,
        100 * heftGap / n, 100 * heftMax, heftOpt, 100 * greedyGap / n, 100 * greedyMax, greedyOpt,
        (double) nodes / n, optSeconds / n);
  }

  @Test
  void predictedSpeedupOnSharedModels() throws Exception {
    Path shared = Path.of(System.getenv().getOrDefault("OFFLOADCL_SHARED", "../shared"), "testdata");
    List<Path> models = new ArrayList<>();
    for (String m : List.of("mnist-8-opt", "tribuo-cnn-mnist", "tribuo-tinybert")) {
      models.add(shared.resolve("models").resolve(m).resolve("model.onnx"));
    }
    try (var s = Files.list(shared.resolve("onnx-light"))) {
      s.filter(f -> f.toString().endsWith(".onnx")).sorted().forEach(models::add);
    }
    for (Path m : models) {
      Graph g;
      try {
        g = OnnxImporter.load(m);
        StaticShapes.bindDynamicInputs(g, 1);
      } catch (OffloadException | UnsupportedOperationException e) {
        System.out.println("BENCH model " + m.getFileName() + " skipped: " + e.getMessage().split("\n")[0]);
        continue;
      }
      for (List<String> ids : PAIRS) {
        List<DeviceProfile> d = devs(ids);
        Map<String, Placer.Outcome> res = Placer.placeAll(g, d, Strategies.allNames(d), Map.of());
        double single = Double.POSITIVE_INFINITY;
        double hetero = Double.POSITIVE_INFINITY;
        String bestName = "";
        for (Placer.Outcome o : res.values()) {
          if (!o.ok()) {
            continue;
          }
          double ms = o.placement().makespanMs();
          if (o.strategy().startsWith("only:")) {
            single = Math.min(single, ms);
          } else if (ms < hetero) {
            hetero = ms;
            bestName = o.strategy();
          }
        }
        System.out.printf(Locale.ROOT, "BENCH %-40s %-4d ops %-44s best single %10.3f ms, best heterogeneous "
            + "(%s) %10.3f ms, speedup %.3fx%n", m.getParent().getFileName() + "/" + m.getFileName(), g.nodes().size(),
            String.join("+", ids), single, bestName, hetero, single / hetero);
      }
    }
  }

}
