package io.offloadcl.placement;

import java.util.Locale;

/**
 * Each op on the device that computes it fastest, ignoring transfers (and thus blind to the cost of
 * ping-ponging values between devices); memory capacity is still respected.
 */
public final class GreedyStrategy implements Strategy {
  @Override
  public String name() {
    return "greedy";
  }

  @Override
  public Placement place(PlacementProblem p) {
    long t0 = System.nanoTime();
    int n = p.opCount();
    int nd = p.devices.size();
    int[] a = new int[n];
    String[] reasons = new String[n];
    ScheduleState s = new ScheduleState(p, false);
    for (int i : p.priorityOrder) {
      int best = -1;
      int second = -1;
      for (int d = 0; d < nd; d++) {
        if (!p.allowed[i][d] || Double.isInfinite(s.tryPlace(i, d))) {
          continue;
        }
        if (best < 0 || p.exec[i][d] < p.exec[i][best]) {
          second = best;
          best = d;
        } else if (second < 0 || p.exec[i][d] < p.exec[i][second]) {
          second = d;
        }
      }
      if (best < 0) {
        throw Heft.noRoom(p, i, name());
      }
      s.commit(i, best);
      a[i] = best;
      reasons[i] = second < 0
          ? "the only device that may run it (with room left)"
          : String.format(Locale.ROOT, "fastest compute: %.4f ms on %s vs %.4f ms on %s (transfers ignored)",
              p.exec[i][best] * 1e3, p.devices.get(best).id(), p.exec[i][second] * 1e3, p.devices.get(second).id());
    }
    return new Placement(p, a, name(), Placement.Status.HEURISTIC, null, reasons, null, null,
        (System.nanoTime() - t0) * 1e-9);
  }
}
