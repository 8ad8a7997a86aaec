package io.offloadcl.runtime;

import io.offloadcl.device.CostModel;
import io.offloadcl.device.DeviceProfile;
import io.offloadcl.device.DeviceProfiles;
import io.offloadcl.ir.DeviceException;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.placement.Placement;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import io.offloadcl.runtime.opencl.ClContext;
import io.offloadcl.runtime.opencl.ClDevice;
import io.offloadcl.runtime.opencl.OpenClExecutor;
import io.offloadcl.runtime.opencl.OpenClModel;
import io.offloadcl.runtime.opencl.OpenClPlatforms;
import io.offloadcl.runtime.opencl.ProgramCache;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Runs a {@link Placement} on real devices: every op whole on the device the placement chose.
 *
 * <p>How: the ops are put in the placement's schedule order (start time, repaired into a topological order),
 * and cut into maximal runs of ops on one device, the segments. Each OpenCL segment becomes a sub-graph of its
 * own (inputs: values made elsewhere; outputs: values read elsewhere or graph outputs) compiled into one
 * program on its bound device; the Java device runs each op as its own segment, so its time is measured per
 * op. Segments run one after another in that order; values cross devices through host memory (read back after
 * a segment, written by the next segment's executor), the Java device computing on host memory directly.
 *
 * <p>Every segment is timed from handing it its inputs to having its outputs on the host, so its measured time
 * includes its transfers; its prediction is the cost model's sum over its ops plus the transfer legs of its
 * inputs and outputs, and the run report sets the two side by side.
 */
public final class MultiDeviceExecutor implements AutoCloseable {

  /** A profile bound to a real device: an OpenCL device, or null for the Java CPU device. */
  public record Binding(DeviceProfile profile, ClDevice device) {
    public String label() {
      return device == null ? "java" : "opencl#" + device.index() + ":" + device.name();
    }
  }

  /** One segment's measurement in the last run. */
  public record SegmentTiming(int index, String device, String bound, List<String> ops, List<String> opTypes,
      double predictedMs, double measuredMs) {
    /** Relative error of the prediction, (predicted − measured) / measured. */
    public double error() {
      return measuredMs > 0 ? (predictedMs - measuredMs) / measuredMs : 0;
    }
  }

  private static final class Segment {
    final int index;
    final Binding binding;
    final List<Node> ops = new ArrayList<>();
    Graph graph;
    ReferenceExecutor java;
    OpenClModel opencl;
    double predictedMs;

    Segment(int index, Binding binding) {
      this.index = index;
      this.binding = binding;
    }
  }

  private final Placement placement;
  private final Graph graph;
  private final List<Segment> segments = new ArrayList<>();
  private final Map<Integer, ClContext> contexts = new LinkedHashMap<>();
  private final List<ProgramCache> caches = new ArrayList<>();
  private List<SegmentTiming> lastTimings = List.of();
  private double lastTotalMs;
  // measured ms per run: one entry per segment, then the total; the first (warm-up) run is left out of medians
  private final List<double[]> history = new ArrayList<>();
  private boolean closed;

  /** See {@link DeviceProfiles#distinctIds}. */
  public static List<DeviceProfile> distinctIds(List<DeviceProfile> profiles) {
    return DeviceProfiles.distinctIds(profiles);
  }

  /**
   * Binds profiles to devices: a Java-matching profile to the Java CPU device, an OpenCL profile to the first
   * enumerated OpenCL device its match rule accepts that no earlier profile took, so two identical profiles
   * bind two distinct devices in enumeration order.
   *
   * @throws DeviceException naming the profile when no free device matches it
   */
  public static List<Binding> bind(List<DeviceProfile> profiles) {
    List<ClDevice> all = profiles.stream().allMatch(p -> p.match().isJavaCpu()) ? List.of() : OpenClPlatforms.devices();
    Set<Integer> taken = new HashSet<>();
    List<Binding> r = new ArrayList<>();
    for (DeviceProfile p : profiles) {
      if (p.match().isJavaCpu()) {
        r.add(new Binding(p, null));
        continue;
      }
      // a device this profile describes best (pocl-cpu: the pthread device), else one its rule accepts that has no
      // bundled profile of its own; never one that another bundled profile describes better (POCL's basic device)
      ClDevice found = null;
      for (int pass = 0; pass < 2 && found == null; pass++) {
        for (ClDevice d : all) {
          if (!taken.contains(d.index()) && p.match().matchesOpenCl(d.platformName(), d.name(), d.type().name())
              && (pass == 0 ? ownProfile(d) != null && ownProfile(d).id().equals(baseId(p)) : ownProfile(d) == null
              || ownProfile(d).id().equals(baseId(p)) || !isBundled(p))) {
            found = d;
            break;
          }
        }
      }
      if (found == null) {
        String why = all.isEmpty() ? "no OpenCL device found (" + OpenClPlatforms.unavailableReason() + ")"
            : "the OpenCL devices are " + all + (taken.isEmpty() ? "" : ", of which " + taken + " are already bound");
        throw new DeviceException("profile '" + p.id() + "' (match " + p.match() + ") binds to no free device: " + why
            + "; for two POCL devices set POCL_DEVICES=\"pthread pthread\"");
      }
      taken.add(found.index());
      r.add(new Binding(p, found));
    }
    return r;
  }

  private static DeviceProfile ownProfile(ClDevice d) {
    return DeviceProfiles.bundledFor(d.platformName(), d.name(), d.type().name());
  }

  /** The id before {@link DeviceProfiles#distinctIds}' "#n" suffix. */
  private static String baseId(DeviceProfile p) {
    int hash = p.id().indexOf('#');
    return hash < 0 ? p.id() : p.id().substring(0, hash);
  }

  private static boolean isBundled(DeviceProfile p) {
    return DeviceProfiles.bundledIds().contains(baseId(p));
  }

  /**
   * Compiles the placement's segments on their devices.
   *
   * @param bindings one per placement device, in the placement's device order
   * @param cacheDir where OpenCL program binaries are cached; null keeps them in memory
   */
  public MultiDeviceExecutor(Placement placement, List<Binding> bindings, Path cacheDir) {
    this.placement = placement;
    this.graph = placement.graph();
    if (bindings.size() != placement.devices().size()) {
      throw new DeviceException("placement has " + placement.devices().size() + " devices but " + bindings.size()
          + " bindings were given");
    }
    Map<String, Binding> byId = new HashMap<>();
    for (int i = 0; i < bindings.size(); i++) {
      byId.put(placement.devices().get(i).id(), bindings.get(i));
    }
    try {
      cut(byId);
      for (Segment s : segments) {
        compile(s, cacheDir);
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Schedule order repaired into a topological order: among ready ops, the one the schedule starts first. */
  private List<Node> order() {
    Map<String, Integer> rank = new HashMap<>();
    int k = 0;
    for (Placement.OpSlot s : placement.schedule()) {
      rank.put(s.op(), k++);
    }
    Map<Node, Integer> missing = new IdentityHashMap<>();
    PriorityQueue<Node> ready = new PriorityQueue<>((a, b) -> Integer.compare(
        rank.getOrDefault(a.name(), Integer.MAX_VALUE), rank.getOrDefault(b.name(), Integer.MAX_VALUE)));
    for (Node n : graph.nodes()) {
      int m = 0;
      for (Value v : n.inputs()) {
        if (v != null && v.producer() != null) {
          m++;
        }
      }
      missing.put(n, m);
      if (m == 0) {
        ready.add(n);
      }
    }
    List<Node> r = new ArrayList<>();
    while (!ready.isEmpty()) {
      Node n = ready.poll();
      r.add(n);
      for (Value o : n.outputs()) {
        if (o == null) {
          continue;
        }
        for (Value.Use u : o.uses()) {
          int m = missing.merge(u.node(), -1, Integer::sum);
          if (m == 0) {
            ready.add(u.node());
          }
        }
      }
    }
    if (r.size() != graph.nodes().size()) {
      throw new OffloadException("graph '" + graph.name() + "' has a cycle: cannot order its ops for execution");
    }
    return r;
  }

  private void cut(Map<String, Binding> byId) {
    Segment cur = null;
    for (Node n : order()) {
      DeviceProfile d = placement.deviceOf(n);
      if (d == null) {
        throw new OffloadException("op '" + n.name() + "' has no device in the placement");
      }
      Binding b = byId.get(d.id());
      if (cur == null || cur.binding != b || b.device() == null) {
        cur = new Segment(segments.size(), b);
        segments.add(cur);
      }
      cur.ops.add(n);
    }
    for (Segment s : segments) {
      s.graph = subGraph(s);
      s.predictedMs = predictMs(s);
    }
  }

  /** The segment as a graph of its own: values from outside become inputs, values read outside outputs. */
  private Graph subGraph(Segment s) {
    Set<Node> inSeg = Collections.newSetFromMap(new IdentityHashMap<>());
    inSeg.addAll(s.ops);
    Graph g = new Graph(graph.name() + "_seg" + s.index);
    g.opsetImports().putAll(graph.opsetImports());
    Map<Value, Value> map = new IdentityHashMap<>();
    for (Node n : s.ops) {
      List<Value> ins = new ArrayList<>();
      for (Value v : n.inputs()) {
        if (v == null) {
          ins.add(null);
          continue;
        }
        Value m = map.get(v);
        if (m == null) {
          m = v.isConstant() ? g.addConstant(v.name(), v.constant()) : g.addInput(v.name(), v.type());
          map.put(v, m);
        }
        ins.add(m);
      }
      List<String> outNames = new ArrayList<>();
      for (Value o : n.outputs()) {
        outNames.add(o == null ? null : o.name());
      }
      Node c = g.addNode(n.opType(), n.domain(), n.opsetVersion(), n.name(), ins, outNames, n.attributes());
      for (int i = 0; i < n.outputs().size(); i++) {
        Value o = n.output(i);
        if (o != null) {
          c.output(i).setType(o.type());
          map.put(o, c.output(i));
        }
      }
    }
    for (Node n : s.ops) {
      for (Value o : n.outputs()) {
        if (o == null) {
          continue;
        }
        boolean outside = graph.isOutput(o);
        for (Node c : o.consumers()) {
          outside |= !inSeg.contains(c);
        }
        if (outside) {
          g.addOutput(map.get(o));
        }
      }
    }
    return g;
  }

  private double predictMs(Segment s) {
    DeviceProfile d = s.binding.profile();
    double sec = 0;
    for (Node n : s.ops) {
      sec += CostModel.DEFAULT.opSeconds(n, d);
    }
    for (Value v : s.graph.inputs()) {
      sec += CostModel.DEFAULT.leg(Math.max(0, v.type().byteSize()), d);
    }
    for (Value v : s.graph.outputs()) {
      sec += CostModel.DEFAULT.leg(Math.max(0, v.type().byteSize()), d);
    }
    return sec * 1e3;
  }

  private void compile(Segment s, Path cacheDir) {
    if (s.binding.device() == null) {
      s.java = new ReferenceExecutor(s.graph);
      return;
    }
    ClDevice dev = s.binding.device();
    ClContext ctx = contexts.get(dev.index());
    if (ctx == null) {
      ctx = ClContext.open(dev);
      contexts.put(dev.index(), ctx);
      caches.add(new ProgramCache(ctx, cacheDir));
    }
    ProgramCache cache = caches.get(new ArrayList<>(contexts.keySet()).indexOf(dev.index()));
    s.opencl = new OpenClModel(s.graph, ctx, cache, OpenClExecutor.Options.defaults());
  }

  /** Runs the model: inputs by graph-input name, every graph output by name, in order. */
  public synchronized Map<String, TensorData> run(Map<String, TensorData> inputs) {
    if (closed) {
      throw new DeviceException("multi-device executor for '" + graph.name() + "' is closed");
    }
    ReferenceExecutor.checkInputs(graph, inputs);
    Map<String, TensorData> host = new HashMap<>(inputs);
    for (Value c : graph.constants()) {
      host.put(c.name(), c.constant());
    }
    List<SegmentTiming> timings = new ArrayList<>();
    double[] run = new double[segments.size() + 1];
    long t0 = System.nanoTime();
    for (Segment s : segments) {
      Map<String, TensorData> feed = new LinkedHashMap<>();
      for (Value v : s.graph.inputs()) {
        TensorData t = host.get(v.name());
        if (t == null) {
          throw new OffloadException("segment " + s.index + " input '" + v.name() + "' was not produced before it");
        }
        feed.put(v.name(), t);
      }
      long s0 = System.nanoTime();
      Map<String, TensorData> out = s.java != null ? s.java.run(feed) : s.opencl.run(feed);
      long s1 = System.nanoTime();
      host.putAll(out);
      run[s.index] = (s1 - s0) / 1e6;
      List<String> names = new ArrayList<>();
      List<String> types = new ArrayList<>();
      for (Node n : s.ops) {
        names.add(n.name());
        types.add(n.opType());
      }
      timings.add(new SegmentTiming(s.index, s.binding.profile().id(), s.binding.label(), names, types,
          s.predictedMs, (s1 - s0) / 1e6));
    }
    lastTotalMs = (System.nanoTime() - t0) / 1e6;
    lastTimings = List.copyOf(timings);
    run[segments.size()] = lastTotalMs;
    history.add(run);
    Map<String, TensorData> r = new LinkedHashMap<>();
    for (Value o : graph.outputs()) {
      r.put(o.name(), host.get(o.name()));
    }
    return r;
  }

  public Placement placement() {
    return placement;
  }

  /** Number of segments (runs of ops on one device). */
  public int segmentCount() {
    return segments.size();
  }

  /** Ops each OpenCL segment runs on the Java reference kernels, by segment index (empty when none). */
  public Map<Integer, Map<String, String>> fallbacks() {
    Map<Integer, Map<String, String>> r = new LinkedHashMap<>();
    for (Segment s : segments) {
      if (s.opencl != null) {
        for (OpenClExecutor e : s.opencl.executors()) {
          if (!e.fallbacks().isEmpty()) {
            r.put(s.index, e.fallbacks());
          }
        }
      }
    }
    return r;
  }

  /** Per-segment measured and predicted times of the last run. */
  public synchronized List<SegmentTiming> lastTimings() {
    return lastTimings;
  }

  /**
   * Per-segment timings with the median measured time over all runs but the first (the first alone when there
   * is one run), so that one noisy run does not decide the cost model's error.
   */
  public synchronized List<SegmentTiming> medianTimings() {
    List<SegmentTiming> r = new ArrayList<>();
    for (SegmentTiming t : lastTimings) {
      r.add(new SegmentTiming(t.index(), t.device(), t.bound(), t.ops(), t.opTypes(), t.predictedMs(),
          median(t.index())));
    }
    return r;
  }

  /** Median measured wall time of the runs, first left out as in {@link #medianTimings()}, ms. */
  public synchronized double medianTotalMs() {
    return median(segments.size());
  }

  /** Runs so far. */
  public synchronized int runs() {
    return history.size();
  }

  private double median(int column) {
    int from = history.size() > 1 ? 1 : 0;
    double[] v = new double[history.size() - from];
    for (int i = from; i < history.size(); i++) {
      v[i - from] = history.get(i)[column];
    }
    if (v.length == 0) {
      return 0;
    }
    java.util.Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Measured wall time of the last run, ms. */
  public synchronized double lastTotalMs() {
    return lastTotalMs;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Segment s : segments) {
      if (s.opencl != null) {
        s.opencl.close();
      }
    }
    caches.forEach(ProgramCache::close);
    contexts.values().forEach(ClContext::close);
  }
}
