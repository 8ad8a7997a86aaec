package io.offloadcl.placement;

import static io.offloadcl.placement.TestDevices.VEC;
import static io.offloadcl.placement.TestDevices.cpu;
import static io.offloadcl.placement.TestDevices.gpu;
import static io.offloadcl.placement.TestDevices.unary;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.device.DeviceProfile;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Small graphs whose best schedule is worked out by hand. With the test devices a unary op on a [1000] float
 * vector (1000 flops, 8000 bytes) takes 8 µs on the CPU (memory-bound at 1 GB/s) and 0.08 µs on the GPU;
 * moving its 4000-byte value over the GPU's 1 GB/s link takes 4 µs per leg.
 */
class HandComputedPlacementTest {
  private static final double EPS = 1e-9;

  @Test
  void singleOpStaysOnCpuBecauseTheRoundTripCostsMore() {
    Graph g = new Graph("one");
    Node r = unary(g, "Relu", "r", g.addInput("x", VEC));
    g.addOutput(r.output(0));
    List<DeviceProfile> devs = List.of(cpu("cpu"), gpu("gpu"));
    // cpu: 8 µs. gpu: 4 up + 0.08 + 4 down = 8.08 µs. So the optimum is the CPU at 8 µs...
    Placement opt = Placer.place(g, devs, "optimal", Map.of());
    assertEquals("cpu", opt.deviceOf(r).id());
    assertEquals(0.008, opt.makespanMs(), EPS);
    assertEquals(Placement.Status.OPTIMAL, opt.status());
    // ...while greedy (fastest compute) and HEFT (earliest finish, blind to the final download) take the GPU.
    Placement greedy = Placer.place(g, devs, "greedy", Map.of());
    assertEquals("gpu", greedy.deviceOf(r).id());
    assertEquals(0.00808, greedy.makespanMs(), EPS);
    assertEquals(8000, greedy.bytesTransferred());
    Placement heft = Placer.place(g, devs, "heft", Map.of());
    assertEquals(0.00808, heft.makespanMs(), EPS);
    ScheduleChecks.assertValid(opt, g);
    ScheduleChecks.assertValid(heft, g);
  }

  @Test
  void chainGoesWholeToTheGpu() {
    Graph g = new Graph("chain");
    Node a = unary(g, "Relu", "a", g.addInput("x", VEC));
    Node b = unary(g, "Sigmoid", "b", a.output(0));
    Node c = unary(g, "Tanh", "c", b.output(0));
    g.addOutput(c.output(0));
    List<DeviceProfile> devs = List.of(cpu("cpu"), gpu("gpu"));
    // all on gpu: 4 + 3 x 0.08 + 4 = 8.24 µs; all on cpu: 24 µs; any split pays at least two more legs.
    Placement opt = Placer.place(g, devs, "optimal", Map.of());
    assertEquals(0.00824, opt.makespanMs(), EPS);
    assertEquals(Map.of("a", "gpu", "b", "gpu", "c", "gpu"), opt.assignment());
    assertEquals(0.024, Placer.place(g, devs, "cpu-only", Map.of()).makespanMs(), EPS);
    assertEquals(0.00824, Placer.place(g, devs, "gpu-only", Map.of()).makespanMs(), EPS);
    assertEquals(0.00824, Placer.place(g, devs, "heft", Map.of()).makespanMs(), EPS);
  }

  @Test
  void twoIndependentBranchesSplitOverTwoEqualCpus() {
    Graph g = new Graph("fork");
    var x = g.addInput("x", VEC);
    Node a = unary(g, "Relu", "a", x);
    Node b = unary(g, "Relu", "b", x);
    g.addOutput(a.output(0));
    g.addOutput(b.output(0));
    List<DeviceProfile> devs = List.of(cpu("cpu0"), cpu("cpu1"));
    // one device: 8 + 8 = 16 µs; one op each: 8 µs (host-resident devices share host memory, nothing moves).
    Placement opt = Placer.place(g, devs, "optimal", Map.of());
    assertEquals(0.008, opt.makespanMs(), EPS);
    assertTrue(!opt.deviceOf(a).id().equals(opt.deviceOf(b).id()));
    assertEquals(0, opt.bytesTransferred());
    assertEquals(0.016, Placer.place(g, devs, "only:cpu0", Map.of()).makespanMs(), EPS);
    Placement heft = Placer.place(g, devs, "heft", Map.of());
    assertEquals(0.008, heft.makespanMs(), EPS);
    assertEquals(0.008, heft.busyMs().get("cpu0"), EPS);
    assertEquals(1, heft.opsOn("cpu0").size());
    assertEquals(1, heft.opsOn("cpu1").size());
    ScheduleChecks.assertValid(heft, g);
  }

  @Test
  void explanationListsEveryDeviceAndTheTransfers() {
    Graph g = new Graph("one");
    Node r = unary(g, "Relu", "r", g.addInput("x", VEC));
    g.addOutput(r.output(0));
    Placement heft = Placer.place(g, List.of(cpu("cpu"), gpu("gpu")), "heft", Map.of());
    OpExplanation e = heft.explain("r");
    assertEquals("gpu", e.device());
    assertEquals(2, e.candidates().size());
    assertEquals(0.008, e.candidates().get(0).computeMs(), EPS);
    assertEquals(0.00008, e.candidates().get(1).computeMs(), EPS);
    // heft's score: finish time if placed there (cpu 8 µs; gpu 4 µs upload + 0.08)
    assertEquals(0.004 + 0.00008, e.candidates().get(1).score(), EPS);
    assertEquals(1, e.transfersIn().size());
    assertEquals("x", e.transfersIn().get(0).value());
    assertEquals(4000, e.transfersIn().get(0).bytes());
    assertEquals(1, e.transfersOut().size());
    assertEquals("host", e.transfersOut().get(0).to());
    assertTrue(e.reason().contains("earliest finish"), e.reason());
  }
}
