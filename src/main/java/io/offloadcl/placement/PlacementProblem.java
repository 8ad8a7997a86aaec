package io.offloadcl.placement;

import io.offloadcl.device.CostModel;
import io.offloadcl.device.DeviceProfile;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Value;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * A graph and a set of devices turned into arrays every strategy shares: ops in topological order, the
 * values flowing between them with their sizes, each op's predicted time on each device, which devices each
 * op may use (support and pins), and the priority order in which list scheduling visits the ops.
 *
 * <p>Reads the graph, never changes it. Constants (weights) are not values here: they are uploaded once when a
 * model is compiled, so they cost memory on the device that uses them but no transfer at inference time.
 */
public final class PlacementProblem {
  final Graph graph;
  final List<DeviceProfile> devices;
  final CostModel costModel;
  final Node[] ops;
  final Map<Node, Integer> opIndex = new IdentityHashMap<>();
  /** Value names, sizes, producing op (-1 = graph input, lives on the host). */
  final List<Value> values = new ArrayList<>();
  final long[] valueBytes;
  final int[] valueProducer;
  final boolean[] valueIsOutput;
  final int[][] opInputs;
  final int[][] opOutputs;
  final int[][] preds;
  final int[][] succs;
  final double[][] exec;
  final boolean[][] allowed;
  final String[][] refusal;
  final String[] pinReason;
  /** Constants (weights) each op reads, as indices into {@link #constBytes}; shared weights count once per device. */
  final int[][] opConsts;
  final long[] constBytes;
  final int[] priorityOrder;
  final double[] upwardRank;

  /**
   * @param pins op name or op type → device id; a name pin wins over a type pin
   * @throws PlacementException for a pin naming no op or device, or an op no allowed device supports
   */
  public PlacementProblem(Graph graph, List<DeviceProfile> devices, Map<String, String> pins, CostModel costModel) {
    if (devices.isEmpty()) {
      throw new PlacementException("no devices to place graph '" + graph.name() + "' on");
    }
    Set<String> ids = new LinkedHashSet<>();
    for (DeviceProfile d : devices) {
      if (!ids.add(d.id())) {
        throw new PlacementException("device id '" + d.id() + "' is given twice");
      }
    }
    this.graph = graph;
    this.devices = List.copyOf(devices);
    this.costModel = costModel;
    this.ops = topologicalOrder(graph);
    int n = ops.length;
    int nd = devices.size();
    for (int i = 0; i < n; i++) {
      opIndex.put(ops[i], i);
    }
    Map<Value, Integer> vIndex = new IdentityHashMap<>();
    for (Value v : graph.inputs()) {
      if (!v.isConstant()) {
        vIndex.put(v, values.size());
        values.add(v);
      }
    }
    for (Node op : ops) {
      for (Value v : op.outputs()) {
        if (v != null) {
          vIndex.put(v, values.size());
          values.add(v);
        }
      }
    }
    int nv = values.size();
    valueBytes = new long[nv];
    valueProducer = new int[nv];
    valueIsOutput = new boolean[nv];
    Set<Value> outputs = Collections.newSetFromMap(new IdentityHashMap<>());
    outputs.addAll(graph.outputs());
    for (int v = 0; v < nv; v++) {
      Value val = values.get(v);
      long b = val.type() == null ? -1 : val.type().byteSize();
      valueBytes[v] = Math.max(0, b);
      valueProducer[v] = val.producer() == null ? -1 : opIndex.get(val.producer());
      valueIsOutput[v] = outputs.contains(val);
    }
    opInputs = new int[n][];
    opOutputs = new int[n][];
    opConsts = new int[n][];
    Map<Value, Integer> cIndex = new IdentityHashMap<>();
    List<Long> cBytes = new ArrayList<>();
    List<Set<Integer>> predSets = new ArrayList<>();
    List<Set<Integer>> succSets = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      predSets.add(new LinkedHashSet<>());
      succSets.add(new LinkedHashSet<>());
    }
    for (int i = 0; i < n; i++) {
      Set<Integer> ins = new LinkedHashSet<>();
      Set<Integer> consts = new LinkedHashSet<>();
      for (Value in : ops[i].inputs()) {
        if (in == null) {
          continue;
        }
        if (in.isConstant()) {
          Integer ci = cIndex.get(in);
          if (ci == null) {
            ci = cBytes.size();
            cIndex.put(in, ci);
            cBytes.add(Math.max(0, in.type() == null ? 0 : in.type().byteSize()));
          }
          consts.add(ci);
          continue;
        }
        Integer vi = vIndex.get(in);
        if (vi == null) {
          continue; // an undefined value: the graph verifier reports those; nothing to move here
        }
        ins.add(vi);
        if (valueProducer[vi] >= 0) {
          predSets.get(i).add(valueProducer[vi]);
          succSets.get(valueProducer[vi]).add(i);
        }
      }
      opConsts[i] = consts.stream().mapToInt(Integer::intValue).toArray();
      opInputs[i] = ins.stream().mapToInt(Integer::intValue).toArray();
      List<Integer> outs = new ArrayList<>();
      for (Value o : ops[i].outputs()) {
        if (o != null) {
          outs.add(vIndex.get(o));
        }
      }
      opOutputs[i] = outs.stream().mapToInt(Integer::intValue).toArray();
    }
    constBytes = cBytes.stream().mapToLong(Long::longValue).toArray();
    preds = new int[n][];
    succs = new int[n][];
    for (int i = 0; i < n; i++) {
      preds[i] = predSets.get(i).stream().mapToInt(Integer::intValue).toArray();
      succs[i] = succSets.get(i).stream().mapToInt(Integer::intValue).toArray();
    }

    Map<String, Integer> deviceIndex = new HashMap<>();
    for (int d = 0; d < nd; d++) {
      deviceIndex.put(devices.get(d).id(), d);
    }
    Map<String, String> pinMap = pins == null ? Map.of() : new LinkedHashMap<>(pins);
    Set<String> usedPins = new LinkedHashSet<>();
    pinReason = new String[n];
    exec = new double[n][nd];
    allowed = new boolean[n][nd];
    refusal = new String[n][nd];
    for (int i = 0; i < n; i++) {
      Node op = ops[i];
      String pinKey = pinMap.containsKey(op.name()) ? op.name() : pinMap.containsKey(op.opType()) ? op.opType() : null;
      Integer pinned = null;
      if (pinKey != null) {
        usedPins.add(pinKey);
        pinned = deviceIndex.get(pinMap.get(pinKey));
        if (pinned == null) {
          throw new PlacementException("pin '" + pinKey + "' → '" + pinMap.get(pinKey) + "' names no device; devices: "
              + deviceIndex.keySet());
        }
        pinReason[i] = "pinned to " + pinMap.get(pinKey) + " by " + (pinKey.equals(op.name()) ? "op name" : "op type")
            + " '" + pinKey + "'";
      }
      boolean any = false;
      exec[i] = costModel.opSeconds(op, devices);
      for (int d = 0; d < nd; d++) {
        DeviceProfile dev = devices.get(d);
        if (!dev.supports(op.opType())) {
          refusal[i][d] = dev.id() + " does not support " + op.opType();
        } else if (pinned != null && pinned != d) {
          refusal[i][d] = pinReason[i];
        } else {
          allowed[i][d] = true;
          any = true;
        }
      }
      if (!any) {
        StringBuilder why = new StringBuilder();
        for (int d = 0; d < nd; d++) {
          why.append(d == 0 ? "" : "; ").append(refusal[i][d]);
        }
        throw new PlacementException("op '" + op.name() + "' (" + op.opType() + ") cannot be placed on any of "
            + deviceIndex.keySet() + ": " + why);
      }
    }
    for (String k : pinMap.keySet()) {
      if (!usedPins.contains(k)) {
        throw new PlacementException("pin '" + k + "' matches no op name or op type in graph '" + graph.name() + "'");
      }
    }
    upwardRank = computeUpwardRanks();
    priorityOrder = computePriorityOrder();
  }

  public Graph graph() {
    return graph;
  }

  public List<DeviceProfile> devices() {
    return devices;
  }

  public CostModel costModel() {
    return costModel;
  }

  public int opCount() {
    return ops.length;
  }

  /** Ops in the topological order the problem indexes them by. */
  public List<Node> ops() {
    return List.of(ops);
  }

  /** Predicted seconds of op i on device d (+∞ where unsupported). */
  public double execSeconds(int op, int device) {
    return exec[op][device];
  }

  public boolean allowed(int op, int device) {
    return allowed[op][device];
  }

  /** The fastest allowed device for an op, ignoring everything else. */
  int fastestDevice(int i) {
    int best = -1;
    for (int d = 0; d < devices.size(); d++) {
      if (allowed[i][d] && (best < 0 || exec[i][d] < exec[i][best])) {
        best = d;
      }
    }
    return best;
  }

  double minExec(int i) {
    return exec[i][fastestDevice(i)];
  }

  /**
   * HEFT's upward rank: an op's mean time over its allowed devices plus the longest such path (with mean
   * transfer times) to an exit. Ops with a higher rank lie on a longer remaining path and go first.
   */
  private double[] computeUpwardRanks() {
    int n = ops.length;
    int nd = devices.size();
    double[] rank = new double[n];
    for (int i = n - 1; i >= 0; i--) {
      double sum = 0;
      int cnt = 0;
      for (int d = 0; d < nd; d++) {
        if (allowed[i][d]) {
          sum += exec[i][d];
          cnt++;
        }
      }
      double best = 0;
      for (int j : succs[i]) {
        long bytes = 0;
        for (int v : opOutputs[i]) {
          for (int u : opInputs[j]) {
            if (u == v) {
              bytes += valueBytes[v];
            }
          }
        }
        best = Math.max(best, meanTransfer(bytes) + rank[j]);
      }
      rank[i] = sum / cnt + best;
    }
    return rank;
  }

  private double meanTransfer(long bytes) {
    int nd = devices.size();
    if (nd < 2) {
      return 0;
    }
    double s = 0;
    for (int a = 0; a < nd; a++) {
      for (int b = 0; b < nd; b++) {
        if (a != b) {
          s += costModel.transferSeconds(bytes, devices.get(a), devices.get(b));
        }
      }
    }
    return s / (nd * (nd - 1));
  }

  /** Ready-list order by decreasing upward rank: always topological, even where ranks tie. */
  private int[] computePriorityOrder() {
    int n = ops.length;
    int[] pending = new int[n];
    for (int i = 0; i < n; i++) {
      pending[i] = preds[i].length;
    }
    PriorityQueue<Integer> ready = new PriorityQueue<>((a, b) -> {
      int c = Double.compare(upwardRank[b], upwardRank[a]);
      return c != 0 ? c : Integer.compare(a, b);
    });
    for (int i = 0; i < n; i++) {
      if (pending[i] == 0) {
        ready.add(i);
      }
    }
    int[] order = new int[n];
    int k = 0;
    while (!ready.isEmpty()) {
      int i = ready.poll();
      order[k++] = i;
      for (int j : succs[i]) {
        if (--pending[j] == 0) {
          ready.add(j);
        }
      }
    }
    return order;
  }

  /** Kahn's algorithm on a snapshot, so that the graph itself is left as it is. */
  private static Node[] topologicalOrder(Graph g) {
    List<Node> nodes = g.nodes();
    Map<Node, Integer> pending = new IdentityHashMap<>();
    for (Node n : nodes) {
      Set<Node> ps = Collections.newSetFromMap(new IdentityHashMap<>());
      for (Value in : n.inputs()) {
        if (in != null && in.producer() != null) {
          ps.add(in.producer());
        }
      }
      pending.put(n, ps.size());
    }
    Deque<Node> ready = new ArrayDeque<>();
    for (Node n : nodes) {
      if (pending.get(n) == 0) {
        ready.add(n);
      }
    }
    List<Node> order = new ArrayList<>();
    while (!ready.isEmpty()) {
      Node n = ready.poll();
      order.add(n);
      Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
      for (Value o : n.outputs()) {
        if (o == null) {
          continue;
        }
        for (Node c : o.consumers()) {
          Integer p = pending.get(c);
          if (p != null && seen.add(c)) {
            pending.put(c, p - 1);
            if (p - 1 == 0) {
              ready.add(c);
            }
          }
        }
      }
    }
    if (order.size() != nodes.size()) {
      throw new PlacementException("graph '" + g.name() + "' has a cycle; no schedule exists");
    }
    return order.toArray(new Node[0]);
  }

  @Override
  public String toString() {
    return "PlacementProblem{" + graph.name() + ", " + ops.length + " ops, devices=" + Arrays.toString(
        devices.stream().map(DeviceProfile::id).toArray()) + "}";
  }
}
