package io.offloadcl.placement;

import java.util.Arrays;
import java.util.Locale;

/**
 * Heterogeneous Earliest Finish Time (Topcuoglu, Hariri and Wu, IEEE TPDS 2002). Ops are visited by
 * decreasing upward rank — mean run time plus the longest mean path (with mean transfer times) to an exit —
 * and each goes to the device where it would <em>finish</em> first, counting the transfers its inputs need
 * and using idle gaps left earlier on the device (insertion). O(ops · devices · gaps) with binary search to
 * the first useful gap; a 10,000-op graph takes well under a second.
 */
public final class Heft implements Strategy {
  @Override
  public String name() {
    return "heft";
  }

  @Override
  public Placement place(PlacementProblem p) {
    long t0 = System.nanoTime();
    int n = p.opCount();
    int nd = p.devices.size();
    int[] a = new int[n];
    String[] reasons = new String[n];
    double[][] eft = new double[n][nd];
    ScheduleState s = new ScheduleState(p, false);
    for (int i : p.priorityOrder) {
      int best = -1;
      for (int d = 0; d < nd; d++) {
        eft[i][d] = s.tryPlace(i, d);
        if (Double.isInfinite(eft[i][d])) {
          continue;
        }
        if (best < 0 || eft[i][d] < eft[i][best] || (eft[i][d] == eft[i][best] && p.exec[i][d] < p.exec[i][best])) {
          best = d;
        }
      }
      if (best < 0) {
        throw noRoom(p, i, name());
      }
      s.commit(i, best);
      a[i] = best;
      int runner = -1;
      for (int d = 0; d < nd; d++) {
        if (d != best && !Double.isInfinite(eft[i][d]) && (runner < 0 || eft[i][d] < eft[i][runner])) {
          runner = d;
        }
      }
      reasons[i] = runner < 0 ? "the only device that may run it (with room left)"
          : String.format(Locale.ROOT, "earliest finish %.4f ms on %s vs %.4f ms on %s (transfers and queues included)",
              eft[i][best] * 1e3, p.devices.get(best).id(), eft[i][runner] * 1e3, p.devices.get(runner).id());
    }
    return new Placement(p, a, name(), Placement.Status.HEURISTIC, null, reasons, eft, "finish time if placed there",
        (System.nanoTime() - t0) * 1e-9);
  }

  /** The same decisions without building the report: for the exact search's first bound and for benchmarks. */
  static int[] assign(PlacementProblem p) {
    int n = p.opCount();
    int[] a = new int[n];
    Arrays.fill(a, -1);
    ScheduleState s = new ScheduleState(p, false);
    for (int i : p.priorityOrder) {
      int best = -1;
      double bestF = Double.POSITIVE_INFINITY;
      for (int d = 0; d < p.devices.size(); d++) {
        double f = s.tryPlace(i, d);
        if (f < bestF || (f == bestF && best >= 0 && !Double.isInfinite(f) && p.exec[i][d] < p.exec[i][best])) {
          best = d;
          bestF = f;
        }
      }
      if (best < 0 || Double.isInfinite(bestF)) {
        throw noRoom(p, i, "heft");
      }
      s.commit(i, best);
      a[i] = best;
    }
    return a;
  }

  static PlacementException noRoom(PlacementProblem p, int i, String strategy) {
    StringBuilder sb = new StringBuilder();
    for (int d = 0; d < p.devices.size(); d++) {
      if (p.allowed[i][d]) {
        sb.append(sb.length() == 0 ? "" : ", ").append(p.devices.get(d).id());
      }
    }
    return new PlacementException("strategy " + strategy + ": op '" + p.ops[i].name() + "' (" + p.ops[i].opType()
        + ") does not fit in the memory left on any device that may run it (" + sb + ")");
  }
}
