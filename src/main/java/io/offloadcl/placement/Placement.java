package io.offloadcl.placement;

import io.offloadcl.device.DeviceProfile;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where every op of a graph runs, the simulated schedule that follows, and why. A new object over the graph:
 * the graph is not changed. Times are predictions of the {@link io.offloadcl.device.CostModel}.
 */
public final class Placement {
  /** Whether the assignment is known to be the best under the simulation. */
  public enum Status {
    /** A heuristic or fixed strategy: no claim of optimality. */
    HEURISTIC,
    /** Proven best over all assignments (with the fixed priority order). */
    OPTIMAL,
    /** The exact search gave up; the result is the best found, see {@link #note()}. */
    GAVE_UP
  }

  /** One op's slot on its device. */
  public record OpSlot(String op, String opType, String device, double startMs, double endMs) {}

  /** One leg of a value over one device's host link; "host" stands for host memory. */
  public record Transfer(String value, String from, String to, long bytes, double startMs, double endMs) {}

  private final Graph graph;
  private final List<DeviceProfile> devices;
  private final String strategy;
  private final Status status;
  private final String note;
  private final Map<Node, DeviceProfile> deviceOf = new IdentityHashMap<>();
  private final List<OpSlot> slots = new ArrayList<>();
  private final List<Transfer> transfers = new ArrayList<>();
  private final List<OpExplanation> explanations = new ArrayList<>();
  private final Map<String, Double> busyMs = new LinkedHashMap<>();
  private final Map<String, Long> memoryBytes = new LinkedHashMap<>();
  private final double makespanMs;
  private final long bytesTransferred;
  private final double searchSeconds;

  Placement(PlacementProblem p, int[] assignment, String strategy, Status status, String note, String[] reasons,
      double[][] scores, String scoreLabel, double searchSeconds) {
    ScheduleState s = ScheduleState.simulate(p, assignment, true);
    if (s == null) {
      throw new PlacementException(strategy + ": the assignment does not fit device memory");
    }
    this.graph = p.graph;
    this.devices = p.devices;
    this.strategy = strategy;
    this.status = status;
    this.note = note;
    this.searchSeconds = searchSeconds;
    this.makespanMs = s.makespan() * 1e3;
    for (int d = 0; d < devices.size(); d++) {
      busyMs.put(devices.get(d).id(), 0.0);
      memoryBytes.put(devices.get(d).id(), s.memUsed(d));
    }
    int n = p.ops.length;
    List<List<Transfer>> in = new ArrayList<>();
    List<List<Transfer>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      in.add(new ArrayList<>());
      out.add(new ArrayList<>());
    }
    long bytes = 0;
    for (ScheduleState.Leg l : s.legs()) {
      Transfer t = new Transfer(p.values.get(l.value()).name(), l.from() < 0 ? "host" : devices.get(l.from()).id(),
          l.to() < 0 ? "host" : devices.get(l.to()).id(), l.bytes(), l.start() * 1e3, l.end() * 1e3);
      transfers.add(t);
      bytes += l.bytes();
      if (l.consumer() >= 0) {
        in.get(l.consumer()).add(t);
      }
      int prod = p.valueProducer[l.value()];
      if (prod >= 0 && l.from() >= 0) {
        out.get(prod).add(t);
      }
    }
    this.bytesTransferred = bytes;
    transfers.sort((a, b) -> Double.compare(a.startMs(), b.startMs()));
    for (int i = 0; i < n; i++) {
      DeviceProfile d = devices.get(assignment[i]);
      Node op = p.ops[i];
      deviceOf.put(op, d);
      slots.add(new OpSlot(op.name(), op.opType(), d.id(), s.start[i] * 1e3, s.finish[i] * 1e3));
      busyMs.merge(d.id(), (s.finish[i] - s.start[i]) * 1e3, Double::sum);
      List<OpExplanation.Candidate> cands = new ArrayList<>();
      for (int e = 0; e < devices.size(); e++) {
        Double score = scores == null || Double.isNaN(scores[i][e]) ? null
            : Double.isInfinite(scores[i][e]) ? null : scores[i][e] * 1e3;
        cands.add(new OpExplanation.Candidate(devices.get(e).id(),
            p.allowed[i][e] ? p.exec[i][e] * 1e3 : null, p.refusal[i][e], score, score == null ? null : scoreLabel));
      }
      String why = reasons[i];
      if (p.pinReason[i] != null) {
        why = p.pinReason[i];
      }
      explanations.add(new OpExplanation(op.name(), op.opType(), d.id(), s.start[i] * 1e3, s.finish[i] * 1e3,
          Collections.unmodifiableList(cands), List.copyOf(in.get(i)), List.copyOf(out.get(i)), why));
    }
    slots.sort((a, b) -> Double.compare(a.startMs(), b.startMs()));
  }

  public Graph graph() {
    return graph;
  }

  public List<DeviceProfile> devices() {
    return devices;
  }

  /** Strategy name as given, e.g. {@code heft}. */
  public String strategy() {
    return strategy;
  }

  public Status status() {
    return status;
  }

  /** Why the exact search gave up, or other remarks; null when there is nothing to say. */
  public String note() {
    return note;
  }

  /** Wall-clock seconds the strategy took to decide (not the predicted run time). */
  public double searchSeconds() {
    return searchSeconds;
  }

  /** The device an op runs on (null for a node not in the graph). */
  public DeviceProfile deviceOf(Node n) {
    return deviceOf.get(n);
  }

  /** Device id by op name, in topological order. */
  public Map<String, String> assignment() {
    Map<String, String> m = new LinkedHashMap<>();
    for (OpExplanation e : explanations) {
      m.put(e.op(), e.device());
    }
    return m;
  }

  /** Predicted end-to-end time, inputs in host memory to outputs in host memory. */
  public double makespanMs() {
    return makespanMs;
  }

  /** Bytes carried over host links, each leg counted once. */
  public long bytesTransferred() {
    return bytesTransferred;
  }

  /** Busy (computing) time per device id. */
  public Map<String, Double> busyMs() {
    return Collections.unmodifiableMap(busyMs);
  }

  /**
   * Device memory each device needs under the simulation's upper bound: the weights of its ops plus every
   * value produced on or copied to it.
   */
  public Map<String, Long> memoryBytes() {
    return Collections.unmodifiableMap(memoryBytes);
  }

  /** Op slots sorted by start time. */
  public List<OpSlot> schedule() {
    return Collections.unmodifiableList(slots);
  }

  /**
   * The ops of one device in the order the simulation runs them: the order an executor should submit them to
   * that device's in-order queue (cross-device inputs wait on the transfers listed in {@link #transfers()}).
   */
  public List<String> opsOn(String deviceId) {
    List<String> r = new ArrayList<>();
    for (OpSlot s : slots) {
      if (s.device().equals(deviceId)) {
        r.add(s.op());
      }
    }
    return r;
  }

  public List<Transfer> transfers() {
    return Collections.unmodifiableList(transfers);
  }

  /** One explanation per op, in topological order. */
  public List<OpExplanation> explanations() {
    return Collections.unmodifiableList(explanations);
  }

  public OpExplanation explain(String opName) {
    for (OpExplanation e : explanations) {
      if (e.op().equals(opName)) {
        return e;
      }
    }
    return null;
  }

  /** A human-readable summary with one line per op. */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "strategy %s: makespan %.4f ms, %d bytes moved, status %s%s%n", strategy,
        makespanMs, bytesTransferred, status, note == null ? "" : " (" + note + ")"));
    for (Map.Entry<String, Double> e : busyMs.entrySet()) {
      sb.append(String.format(Locale.ROOT, "  %-24s busy %.4f ms%n", e.getKey(), e.getValue()));
    }
    for (OpExplanation e : explanations) {
      sb.append(String.format(Locale.ROOT, "  %-28s %-14s -> %-22s [%.4f, %.4f] ms  %s%n", e.op(), e.opType(),
          e.device(), e.startMs(), e.endMs(), e.reason()));
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "Placement{%s, %d ops, makespan %.4f ms}", strategy, explanations.size(),
        makespanMs);
  }
}
