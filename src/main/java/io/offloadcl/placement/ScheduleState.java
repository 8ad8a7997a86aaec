package io.offloadcl.placement;

import io.offloadcl.device.DeviceProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The schedule simulation, built one op at a time (list scheduling). The model:
 * <ul>
 *   <li>each device runs one op at a time; an op starts in the earliest idle gap of its device, at or after the
 *       moment all its inputs are present there (insertion-based, as in HEFT);</li>
 *   <li>graph inputs start in host memory; a value produced on a host-linked device reaches another device
 *       through host memory: a <em>down</em> leg on the producer's link, then an <em>up</em> leg on the
 *       consumer's link. A host-resident device (the Java CPU device) reads host memory directly;</li>
 *   <li>each device's host link carries one transfer at a time, first come first served; a value copied to
 *       the host or to a device once stays there for later consumers;</li>
 *   <li>graph outputs end in host memory, so outputs left on a host-linked device take a final down leg;</li>
 *   <li>device memory holds the weights of its ops and every value produced on or copied to it (no reuse: an
 *       upper bound); an op that would overflow it is not placed there.</li>
 * </ul>
 * The makespan is the last op's finish or the last transfer's end. Copies of this state let the exact search
 * branch cheaply.
 */
final class ScheduleState {
  static final int HOST = -1;

  /** One leg of a value's journey over one device's host link. */
  record Leg(int value, int from, int to, long bytes, double start, double end, int consumer) {}

  private final PlacementProblem p;
  final int[] device;
  final double[] start;
  final double[] finish;
  // busy intervals per device, sorted by start
  private final double[][] ivStart;
  private final double[][] ivEnd;
  private final int[] ivCount;
  private final double[] linkFree;
  /** Arrival time of value v on device d; NaN = not there. */
  private final double[][] arrival;
  /** Time value v is in host memory; NaN = not there (yet). */
  private final double[] hostTime;
  private final long[] memUsed;
  /** constOn[c][d]: weight c is already counted on device d. */
  private final boolean[][] constOn;
  private double makespan;
  private final List<Leg> legs;
  /** Lower bound on the final makespan, kept up to date by the exact search only. */
  double lowerBound;

  ScheduleState(PlacementProblem p, boolean recordLegs) {
    this.p = p;
    int n = p.ops.length;
    int nd = p.devices.size();
    int nv = p.values.size();
    device = new int[n];
    Arrays.fill(device, -1);
    start = new double[n];
    finish = new double[n];
    ivStart = new double[nd][4];
    ivEnd = new double[nd][4];
    ivCount = new int[nd];
    linkFree = new double[nd];
    arrival = new double[nv][nd];
    hostTime = new double[nv];
    for (int v = 0; v < nv; v++) {
      Arrays.fill(arrival[v], Double.NaN);
      hostTime[v] = p.valueProducer[v] < 0 ? 0 : Double.NaN;
      if (p.valueProducer[v] < 0) {
        for (int d = 0; d < nd; d++) {
          if (p.devices.get(d).hostResident()) {
            arrival[v][d] = 0;
          }
        }
      }
    }
    memUsed = new long[nd];
    constOn = new boolean[p.constBytes.length][nd];
    legs = recordLegs ? new ArrayList<>() : null;
  }

  private ScheduleState(ScheduleState o) {
    p = o.p;
    device = o.device.clone();
    start = o.start.clone();
    finish = o.finish.clone();
    int nd = o.ivCount.length;
    ivStart = new double[nd][];
    ivEnd = new double[nd][];
    for (int d = 0; d < nd; d++) {
      ivStart[d] = Arrays.copyOf(o.ivStart[d], Math.max(4, o.ivCount[d] + 1));
      ivEnd[d] = Arrays.copyOf(o.ivEnd[d], Math.max(4, o.ivCount[d] + 1));
    }
    ivCount = o.ivCount.clone();
    linkFree = o.linkFree.clone();
    arrival = new double[o.arrival.length][];
    for (int v = 0; v < arrival.length; v++) {
      arrival[v] = o.arrival[v].clone();
    }
    hostTime = o.hostTime.clone();
    memUsed = o.memUsed.clone();
    constOn = new boolean[o.constOn.length][];
    for (int c = 0; c < constOn.length; c++) {
      constOn[c] = o.constOn[c].clone();
    }
    makespan = o.makespan;
    legs = o.legs == null ? null : new ArrayList<>(o.legs);
    lowerBound = o.lowerBound;
  }

  ScheduleState copy() {
    return new ScheduleState(this);
  }

  double makespan() {
    return makespan;
  }

  List<Leg> legs() {
    return legs;
  }

  long memUsed(int d) {
    return memUsed[d];
  }

  /** Predicted finish time of op i on device d given what is scheduled so far; +∞ when not allowed or full. */
  double tryPlace(int i, int d) {
    return place(i, d, false);
  }

  /** Schedules op i on device d; returns its finish time. */
  double commit(int i, int d) {
    double f = place(i, d, true);
    if (Double.isInfinite(f)) {
      throw new IllegalStateException("op " + p.ops[i].name() + " cannot go to " + p.devices.get(d).id());
    }
    return f;
  }

  private double place(int i, int d, boolean commit) {
    if (!p.allowed[i][d] || device[i] >= 0) {
      return Double.POSITIVE_INFINITY;
    }
    DeviceProfile dev = p.devices.get(d);
    long addMem = 0;
    for (int c : p.opConsts[i]) {
      if (!constOn[c][d]) {
        addMem += p.constBytes[c];
      }
    }
    for (int v : p.opOutputs[i]) {
      addMem += p.valueBytes[v];
    }
    for (int v : p.opInputs[i]) {
      if (Double.isNaN(arrival[v][d])) {
        addMem += p.valueBytes[v];
      }
    }
    if (memUsed[d] + addMem > dev.memoryCapacityBytes()) {
      return Double.POSITIVE_INFINITY;
    }
    // Transfers are simulated on scratch copies of the link clocks unless committing.
    double[] links = commit ? linkFree : linkFree.clone();
    double ready = 0;
    for (int v : p.opInputs[i]) {
      double at = arrival[v][d];
      if (Double.isNaN(at)) {
        at = bringTo(v, d, i, links, commit);
      }
      ready = Math.max(ready, at);
    }
    double len = p.exec[i][d];
    double s = earliestGap(d, ready, len);
    double f = s + len;
    if (commit) {
      insertInterval(d, s, f);
      device[i] = d;
      start[i] = s;
      finish[i] = f;
      memUsed[d] += addMem;
      for (int c : p.opConsts[i]) {
        constOn[c][d] = true;
      }
      for (int v : p.opOutputs[i]) {
        arrival[v][d] = f;
        if (dev.hostResident()) {
          hostTime[v] = f;
          for (int e = 0; e < p.devices.size(); e++) {
            if (p.devices.get(e).hostResident()) {
              arrival[v][e] = f;
            }
          }
        }
      }
      makespan = Math.max(makespan, f);
    }
    return f;
  }

  /** Moves value v to device d through host memory; returns its arrival time. */
  private double bringTo(int v, int d, int consumer, double[] links, boolean commit) {
    double atHost = hostTime[v];
    if (Double.isNaN(atHost)) {
      int src = device[p.valueProducer[v]];
      double s = Math.max(finish[p.valueProducer[v]], links[src]);
      double e = s + p.costModel.leg(p.valueBytes[v], p.devices.get(src));
      links[src] = e;
      atHost = e;
      if (commit) {
        hostTime[v] = e;
        makespan = Math.max(makespan, e);
        if (legs != null) {
          legs.add(new Leg(v, src, HOST, p.valueBytes[v], s, e, consumer));
        }
        for (int h = 0; h < p.devices.size(); h++) {
          if (p.devices.get(h).hostResident()) {
            arrival[v][h] = e;
          }
        }
      }
    }
    DeviceProfile dst = p.devices.get(d);
    if (dst.hostResident()) {
      return atHost;
    }
    double s = Math.max(atHost, links[d]);
    double e = s + p.costModel.leg(p.valueBytes[v], dst);
    links[d] = e;
    if (commit) {
      arrival[v][d] = e;
      makespan = Math.max(makespan, e);
      if (legs != null) {
        legs.add(new Leg(v, HOST, d, p.valueBytes[v], s, e, consumer));
      }
    }
    return e;
  }

  /** After every op: graph outputs left on host-linked devices go down to the host. */
  void finishOutputs() {
    for (int v = 0; v < p.values.size(); v++) {
      if (p.valueIsOutput[v] && Double.isNaN(hostTime[v])) {
        int src = device[p.valueProducer[v]];
        double s = Math.max(finish[p.valueProducer[v]], linkFree[src]);
        double e = s + p.costModel.leg(p.valueBytes[v], p.devices.get(src));
        linkFree[src] = e;
        hostTime[v] = e;
        makespan = Math.max(makespan, e);
        if (legs != null) {
          legs.add(new Leg(v, src, HOST, p.valueBytes[v], s, e, -1));
        }
      }
    }
  }

  private double earliestGap(int d, double ready, double len) {
    int cnt = ivCount[d];
    double[] st = ivStart[d];
    double[] en = ivEnd[d];
    // first interval that ends after `ready`
    int lo = 0;
    int hi = cnt;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (en[mid] <= ready) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    double t = ready;
    for (int k = lo; k < cnt; k++) {
      if (st[k] - t >= len) {
        return t;
      }
      t = Math.max(t, en[k]);
    }
    return t;
  }

  /**
   * Adds a busy interval, merged with its neighbours when it touches them: the list then holds one block per
   * run of back-to-back ops, so the gap search scans gaps rather than ops and a long, busy schedule stays cheap.
   */
  private void insertInterval(int d, double s, double e) {
    int cnt = ivCount[d];
    double[] st = ivStart[d];
    double[] en = ivEnd[d];
    int k = cnt;
    while (k > 0 && st[k - 1] > s) {
      k--;
    }
    boolean joinPrev = k > 0 && en[k - 1] == s;
    boolean joinNext = k < cnt && st[k] == e;
    if (joinPrev && joinNext) {
      en[k - 1] = en[k];
      System.arraycopy(st, k + 1, st, k, cnt - k - 1);
      System.arraycopy(en, k + 1, en, k, cnt - k - 1);
      ivCount[d] = cnt - 1;
      return;
    }
    if (joinPrev) {
      en[k - 1] = e;
      return;
    }
    if (joinNext) {
      st[k] = s;
      return;
    }
    if (cnt == st.length) {
      ivStart[d] = st = Arrays.copyOf(st, cnt * 2);
      ivEnd[d] = en = Arrays.copyOf(en, cnt * 2);
    }
    System.arraycopy(st, k, st, k + 1, cnt - k);
    System.arraycopy(en, k, en, k + 1, cnt - k);
    st[k] = s;
    en[k] = e;
    ivCount[d] = cnt + 1;
  }

  /** Replays a complete assignment in the problem's priority order. */
  static ScheduleState simulate(PlacementProblem p, int[] assignment, boolean recordLegs) {
    ScheduleState s = new ScheduleState(p, recordLegs);
    for (int i : p.priorityOrder) {
      if (Double.isInfinite(s.place(i, assignment[i], true))) {
        return null;
      }
    }
    s.finishOutputs();
    return s;
  }
}
