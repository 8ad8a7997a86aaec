package io.offloadcl.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.device.CostModel;
import io.offloadcl.device.DeviceProfile;
import io.offloadcl.device.DeviceProfiles;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.GraphVerifier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Invariants of every strategy on seeded random DAGs over the bundled profiles. */
class RandomDagPlacementTest {
  private static final List<List<String>> COMBOS = List.of(
      List.of("pocl-cpu", "nvidia-h100-opencl"),
      List.of("java-cpu", "pocl-cpu"),
      List.of("pocl-cpu", "matmul-npu"),
      List.of("intel-iris-xe-opencl", "adreno-740-opencl", "pocl-cpu"));

  @Test
  void generatorIsSeededAndWellFormed() {
    Graph a = RandomDags.generate(40, 5, 11);
    Graph b = RandomDags.generate(40, 5, 11);
    assertEquals(a.toString(), b.toString());
    assertEquals(40, a.nodes().size());
    assertTrue(!a.outputs().isEmpty());
    GraphVerifier.verify(a);
    a.values().forEach(v -> assertTrue(v.type() != null && v.type().isStatic(), v.name()));
  }

  @Test
  void everyStrategyGivesAValidScheduleAndOptimalIsNeverWorse() {
    int checked = 0;
    for (List<String> combo : COMBOS) {
      List<DeviceProfile> devs = combo.stream().map(DeviceProfiles::bundled).toList();
      for (int seed = 0; seed < 12; seed++) {
        Graph g = RandomDags.generate(4 + seed, 3, 1000L * combo.size() + seed);
        PlacementProblem p = new PlacementProblem(g, devs, Map.of(), CostModel.DEFAULT);
        double opt = Double.NaN;
        double heft = Double.NaN;
        double greedy = Double.NaN;
        for (String s : Strategies.allNames(devs)) {
          Placement pl;
          try {
            pl = Strategies.byName(s).place(p);
          } catch (PlacementException e) {
            assertTrue(s.startsWith("only:") && e.getMessage().contains("cannot run on"), s + ": " + e.getMessage());
            continue;
          }
          ScheduleChecks.assertValid(pl, g);
          checked++;
          switch (s) {
            case "optimal":
              opt = pl.makespanMs();
              assertEquals(Placement.Status.OPTIMAL, pl.status(), pl.note());
              break;
            case "heft":
              heft = pl.makespanMs();
              break;
            case "greedy":
              greedy = pl.makespanMs();
              break;
            default:
              break;
          }
        }
        assertTrue(opt <= heft + 1e-12 && opt <= greedy + 1e-12, combo + " seed " + seed + ": optimal " + opt
            + " heft " + heft + " greedy " + greedy);
      }
    }
    assertTrue(checked > 200);
  }

  @Test
  void optimalGivesUpOnLargeGraphsAndSaysSo() {
    Graph g = RandomDags.generate(60, 6, 3);
    List<DeviceProfile> devs = List.of(DeviceProfiles.bundled("pocl-cpu"), DeviceProfiles.bundled("nvidia-rtx4070-opencl"));
    Placement pl = Placer.place(g, devs, "optimal", Map.of());
    assertEquals(Placement.Status.GAVE_UP, pl.status());
    assertTrue(pl.note().contains("60 ops exceed"), pl.note());
    ScheduleChecks.assertValid(pl, g);
    Placement budget = new OptimalStrategy(100, 50, 10).place(new PlacementProblem(
        RandomDags.generate(22, 4, 5), devs, Map.of(), CostModel.DEFAULT));
    assertEquals(Placement.Status.GAVE_UP, budget.status());
    assertTrue(budget.note().contains("gave up after"), budget.note());
  }

  @Test
  void heftHandlesLargeGraphs() {
    Graph g = RandomDags.generate(2000, 20, 9);
    List<DeviceProfile> devs = List.of(DeviceProfiles.bundled("pocl-cpu"), DeviceProfiles.bundled("nvidia-h100-opencl"),
        DeviceProfiles.bundled("matmul-npu"));
    Placement pl = Placer.place(g, devs, "heft", Map.of());
    ScheduleChecks.assertValid(pl, g);
  }
}
