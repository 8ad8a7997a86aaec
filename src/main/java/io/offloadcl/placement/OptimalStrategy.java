package io.offloadcl.placement;

import java.util.Arrays;
import java.util.Locale;

/**
 * The best assignment of ops to devices under the schedule simulation, by depth-first branch and bound.
 *
 * <p>Ops are assigned in the same priority order HEFT uses, so every partial assignment is a fixed prefix of
 * the list schedule and its makespan so far can only grow: that partial makespan, raised by each placed op's
 * finish plus the shortest possible chain of successors after it, is a lower bound, and a branch whose bound
 * reaches the best complete makespan found is cut. The first incumbent is the better of HEFT and greedy, and
 * children are tried by earliest finish, so good schedules come early and most of the tree is cut.
 *
 * <p>"Optimal" means: over all assignments, given that priority order and the simulation's rules (see
 * {@link ScheduleState}). It is exact up to {@link #maxOps} ops; beyond that, or when the node or time budget
 * runs out, it returns the best schedule found with status {@link Placement.Status#GAVE_UP} and says why.
 */
public final class OptimalStrategy implements Strategy {
  private final int maxOps;
  private final long maxNodes;
  private final double maxSeconds;

  // search state
  private PlacementProblem p;
  private int[] cur;
  private int[] best;
  private double bestMakespan;
  private double[] tail;
  private long nodes;
  private long deadline;
  private boolean stopped;

  public OptimalStrategy() {
    this(25, 20_000_000L, 20.0);
  }

  /**
   * @param maxOps     largest graph searched exactly
   * @param maxNodes   search nodes before giving up
   * @param maxSeconds wall-clock seconds before giving up
   */
  public OptimalStrategy(int maxOps, long maxNodes, double maxSeconds) {
    this.maxOps = maxOps;
    this.maxNodes = maxNodes;
    this.maxSeconds = maxSeconds;
  }

  @Override
  public String name() {
    return "optimal";
  }

  /** Search nodes visited by the last {@link #place} call. */
  public long nodesVisited() {
    return nodes;
  }

  @Override
  public synchronized Placement place(PlacementProblem problem) {
    long t0 = System.nanoTime();
    this.p = problem;
    int n = p.opCount();
    int[] heft = Heft.assign(p);
    double heftMs = makespan(heft);
    best = heft;
    bestMakespan = heftMs;
    String incumbent = "heft";
    try {
      int[] greedy = greedyAssign();
      double g = makespan(greedy);
      if (g < bestMakespan) {
        best = greedy;
        bestMakespan = g;
        incumbent = "greedy";
      }
    } catch (PlacementException e) {
      // greedy may run out of memory where HEFT did not; HEFT stays the incumbent
    }
    nodes = 0;
    stopped = false;
    String note;
    Placement.Status status;
    if (n > maxOps) {
      status = Placement.Status.GAVE_UP;
      note = String.format(Locale.ROOT, "gave up: %d ops exceed the exact-search limit of %d; this is the %s schedule",
          n, maxOps, incumbent);
    } else {
      tail = new double[n];
      for (int k = n - 1; k >= 0; k--) {
        int i = p.priorityOrder[k];
        double t = 0;
        for (int j : p.succs[i]) {
          t = Math.max(t, p.minExec(j) + tail[j]);
        }
        tail[i] = t;
      }
      double lb0 = 0;
      for (int i = 0; i < n; i++) {
        if (p.preds[i].length == 0) {
          lb0 = Math.max(lb0, p.minExec(i) + tail[i]);
        }
      }
      cur = new int[n];
      deadline = t0 + (long) (maxSeconds * 1e9);
      ScheduleState root = new ScheduleState(p, false);
      root.lowerBound = lb0;
      search(root, 0);
      if (stopped) {
        status = Placement.Status.GAVE_UP;
        note = String.format(Locale.ROOT, "gave up after %d search nodes (budget %d nodes / %.0f s); best found, "
            + "%.2f%% below heft", nodes, maxNodes, maxSeconds, 100 * (heftMs - bestMakespan) / heftMs);
      } else {
        status = Placement.Status.OPTIMAL;
        note = String.format(Locale.ROOT, "proven optimal after %d search nodes", nodes);
      }
    }
    int nd = p.devices.size();
    double[][] moved = new double[n][nd];
    String[] reasons = new String[n];
    boolean explainMoves = n <= 200;
    for (int i = 0; i < n; i++) {
      Arrays.fill(moved[i], Double.NaN);
      int alt = -1;
      if (explainMoves) {
        int[] a = best.clone();
        for (int d = 0; d < nd; d++) {
          if (!p.allowed[i][d]) {
            continue;
          }
          a[i] = d;
          moved[i][d] = makespan(a);
          if (d != best[i] && (alt < 0 || moved[i][d] < moved[i][alt])) {
            alt = d;
          }
        }
      }
      String head = status == Placement.Status.OPTIMAL ? "part of the optimal assignment" : "part of the best assignment found";
      if (alt < 0 || Double.isInfinite(moved[i][alt])) {
        reasons[i] = head + (explainMoves ? "; no other device may take it" : "");
      } else {
        reasons[i] = String.format(Locale.ROOT, "%s; moving it to %s gives makespan %.4f ms (+%.2f%%)", head,
            p.devices.get(alt).id(), moved[i][alt] * 1e3, 100 * (moved[i][alt] - bestMakespan) / bestMakespan);
      }
    }
    Placement result = new Placement(p, best, name(), status, note, reasons, explainMoves ? moved : null,
        "makespan if moved there", (System.nanoTime() - t0) * 1e-9);
    this.p = null;
    return result;
  }

  private void search(ScheduleState s, int depth) {
    if (stopped) {
      return;
    }
    if (++nodes > maxNodes || ((nodes & 1023) == 0 && System.nanoTime() > deadline)) {
      stopped = true;
      return;
    }
    int n = p.opCount();
    if (depth == n) {
      s.finishOutputs();
      if (s.makespan() < bestMakespan - 1e-15) {
        bestMakespan = s.makespan();
        best = cur.clone();
      }
      return;
    }
    int i = p.priorityOrder[depth];
    int nd = p.devices.size();
    double[] f = new double[nd];
    Integer[] order = new Integer[nd];
    for (int d = 0; d < nd; d++) {
      f[d] = s.tryPlace(i, d);
      order[d] = d;
    }
    Arrays.sort(order, (x, y) -> Double.compare(f[x], f[y]));
    for (int k = 0; k < nd; k++) {
      int d = order[k];
      if (Double.isInfinite(f[d])) {
        break;
      }
      double lb = Math.max(s.lowerBound, f[d] + tail[i]);
      if (lb >= bestMakespan - 1e-15) {
        continue;
      }
      ScheduleState child = k == nd - 1 ? s : s.copy();
      child.commit(i, d);
      child.lowerBound = Math.max(lb, child.makespan());
      cur[i] = d;
      search(child, depth + 1);
      if (stopped) {
        return;
      }
    }
  }

  private double makespan(int[] a) {
    ScheduleState s = ScheduleState.simulate(p, a, false);
    return s == null ? Double.POSITIVE_INFINITY : s.makespan();
  }

  private int[] greedyAssign() {
    int n = p.opCount();
    int[] a = new int[n];
    ScheduleState s = new ScheduleState(p, false);
    for (int i : p.priorityOrder) {
      int b = -1;
      for (int d = 0; d < p.devices.size(); d++) {
        if (!Double.isInfinite(s.tryPlace(i, d)) && (b < 0 || p.exec[i][d] < p.exec[i][b])) {
          b = d;
        }
      }
      if (b < 0) {
        throw Heft.noRoom(p, i, "greedy");
      }
      s.commit(i, b);
      a[i] = b;
    }
    return a;
  }
}
