package io.offloadcl.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.device.DeviceProfile;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Checks that a placement is a valid schedule, independently of how the simulation builds it. */
final class ScheduleChecks {
  private static final double EPS = 1e-9;

  private ScheduleChecks() {}

  static void assertValid(Placement pl, Graph g) {
    Map<String, Placement.OpSlot> slot = new HashMap<>();
    for (Placement.OpSlot s : pl.schedule()) {
      assertTrue(slot.put(s.op(), s) == null, "op " + s.op() + " scheduled twice");
      assertTrue(s.endMs() >= s.startMs() - EPS, "negative duration for " + s.op());
    }
    assertEquals(g.nodes().size(), slot.size(), "every op is placed exactly once");
    Map<String, DeviceProfile> byId = new HashMap<>();
    for (DeviceProfile d : pl.devices()) {
      byId.put(d.id(), d);
    }
    for (Node n : g.nodes()) {
      Placement.OpSlot s = slot.get(n.name());
      assertNotNull(s, "op " + n.name() + " has no slot");
      DeviceProfile d = byId.get(s.device());
      assertTrue(d.supports(n.opType()), n.name() + " placed on " + d.id() + " which does not support " + n.opType());
      assertEquals(d, pl.deviceOf(n));
      for (Value in : n.inputs()) {
        if (in == null || in.producer() == null) {
          continue;
        }
        Placement.OpSlot ps = slot.get(in.producer().name());
        assertTrue(ps.endMs() <= s.startMs() + EPS, n.name() + " starts before its producer " + ps.op() + " ends");
        if (!ps.device().equals(s.device())) {
          double arrive = arrival(pl, in.name(), ps, byId.get(s.device()));
          assertTrue(arrive <= s.startMs() + EPS, n.name() + " starts at " + s.startMs() + " before input "
              + in.name() + " arrives at " + arrive);
        }
      }
    }
    // one op at a time per device
    Map<String, List<double[]>> busy = new HashMap<>();
    for (Placement.OpSlot s : pl.schedule()) {
      busy.computeIfAbsent(s.device(), k -> new ArrayList<>()).add(new double[] {s.startMs(), s.endMs()});
    }
    // one transfer at a time per link
    for (Placement.Transfer t : pl.transfers()) {
      String link = t.from().equals("host") ? t.to() : t.from();
      busy.computeIfAbsent("link:" + link, k -> new ArrayList<>()).add(new double[] {t.startMs(), t.endMs()});
    }
    for (Map.Entry<String, List<double[]>> e : busy.entrySet()) {
      List<double[]> iv = e.getValue();
      iv.sort((a, b) -> Double.compare(a[0], b[0]));
      for (int k = 1; k < iv.size(); k++) {
        assertTrue(iv.get(k)[0] >= iv.get(k - 1)[1] - EPS, e.getKey() + " runs two things at once at " + iv.get(k)[0]);
      }
    }
    for (DeviceProfile d : pl.devices()) {
      assertTrue(pl.memoryBytes().get(d.id()) <= d.memoryCapacityBytes(), d.id() + " over capacity");
    }
    double last = 0;
    for (Placement.OpSlot s : pl.schedule()) {
      last = Math.max(last, s.endMs());
    }
    assertTrue(pl.makespanMs() >= last - EPS, "makespan before the last op ends");
  }

  /** When value v reaches device d: via host memory for host-resident d, else via an up leg to d. */
  private static double arrival(Placement pl, String value, Placement.OpSlot producer, DeviceProfile d) {
    double down = producer.endMs();
    boolean producerHostResident = pl.devices().stream().filter(x -> x.id().equals(producer.device())).findFirst()
        .orElseThrow().hostResident();
    if (!producerHostResident) {
      down = Double.POSITIVE_INFINITY;
      for (Placement.Transfer t : pl.transfers()) {
        if (t.value().equals(value) && t.to().equals("host")) {
          assertTrue(t.startMs() >= producer.endMs() - EPS, "value " + value + " leaves before it is produced");
          down = Math.min(down, t.endMs());
        }
      }
    }
    if (d.hostResident()) {
      return down;
    }
    double up = Double.POSITIVE_INFINITY;
    for (Placement.Transfer t : pl.transfers()) {
      if (t.value().equals(value) && t.to().equals(d.id())) {
        assertTrue(t.startMs() >= down - EPS, "value " + value + " goes up to " + d.id() + " before it is on the host");
        up = Math.min(up, t.endMs());
      }
    }
    return up;
  }
}
