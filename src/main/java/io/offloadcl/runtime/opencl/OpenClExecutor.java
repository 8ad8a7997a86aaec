package io.offloadcl.runtime.opencl;

import io.offloadcl.codegen.DeviceClass;
import io.offloadcl.codegen.KernelGenerator;
import io.offloadcl.codegen.KernelSource;
import io.offloadcl.ir.DeviceException;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.GraphException;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ir.Value;
import io.offloadcl.runtime.cpu.CpuKernel;
import io.offloadcl.runtime.cpu.CpuKernels;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a graph on one OpenCL device.
 *
 * <p>Compilation: every node gets a generated kernel; a node codegen cannot handle yet (or whose kernel does
 * not build) runs its Java reference kernel instead, with one warning per op type, unless {@code strict}. All
 * kernels go into one program, so a graph costs one build (or one cached-binary load). The memory planner
 * then walks the nodes in order, giving each intermediate a pooled buffer at its producer and returning it
 * after its last reader (views such as Reshape share their input's buffer and extend its life); kernel
 * arguments are bound once, since buffers never change after planning.
 *
 * <p>A run enqueues writes, launches and reads ordered only by events: a command waits for the writer of
 * every buffer it reads and, because buffers are reused, for the earlier readers and writer of every buffer it
 * overwrites. The host waits once, at the end, for everything it enqueued. Runs of one executor are
 * serialised by a lock (the planned buffers are shared state); separate executors run concurrently.
 */
public final class OpenClExecutor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OpenClExecutor.class);

  /** Compilation options. */
  public record Options(boolean strict, DeviceClass deviceClass, Path dumpKernelsDir) {
    /** Non-strict, device class from the device type, no dump. */
    public static Options defaults() {
      return new Options(false, null, null);
    }
  }

  /** A device buffer and the events that order access to it within a run. */
  private static final class Slot {
    final ClBuffer buffer;
    final List<ClEvent> writers = new ArrayList<>();
    final List<ClEvent> readers = new ArrayList<>();

    Slot(ClBuffer buffer) {
      this.buffer = buffer;
    }
  }

  private final Graph graph;
  private final ClContext ctx;
  private final List<Node> order;
  private final KernelSource[] sources;
  private final ClKernel[] kernels;
  private final CpuKernel[] fallbacks;
  private final Map<String, String> fallbackReasons = new TreeMap<>();
  private final Map<Value, Slot> slots = new IdentityHashMap<>();
  private final List<Slot> ownedSlots = new ArrayList<>();
  private final List<ClBuffer> buffers = new ArrayList<>();
  private final MemoryPlan plan;
  private final String programSource;
  private boolean closed;

  /**
   * Compiles the graph for the context's device.
   *
   * @throws UnsupportedOperatorException for a node with neither a kernel nor a reference (or, when strict,
   *     without a kernel)
   * @throws KernelBuildException when strict and a kernel fails to build
   */
  public OpenClExecutor(Graph graph, ClContext ctx, ProgramCache cache, Options options) {
    this.graph = graph;
    this.ctx = ctx;
    this.order = List.copyOf(graph.nodes());
    checkOrder();
    DeviceClass dc = options.deviceClass() != null ? options.deviceClass() : deviceClassOf(ctx.device());
    KernelGenerator gen = new KernelGenerator(dc);
    int n = order.size();
    sources = new KernelSource[n];
    kernels = new ClKernel[n];
    fallbacks = new CpuKernel[n];
    for (int i = 0; i < n; i++) {
      Node node = order.get(i);
      if (KernelGenerator.isView(node) && !extraOutputIsGraphOutput(graph, node)) {
        continue;
      }
      try {
        sources[i] = gen.generate(node, KernelGenerator.kernelName(i, node));
      } catch (UnsupportedOperatorException e) {
        if (options.strict()) {
          throw e;
        }
        fallBack(i, e.getMessage());
      }
    }
    try {
      programSource = build(cache, options);
      plan = planMemory();
      bindArguments();
    } catch (RuntimeException e) {
      releaseNative();
      throw e;
    }
  }

  /** The device class codegen uses by default: from the OpenCL device type, never from a vendor name. */
  public static DeviceClass deviceClassOf(ClDevice d) {
    return d.type() == ClDevice.Type.GPU ? DeviceClass.GPU : DeviceClass.CPU;
  }

  private void checkOrder() {
    Set<Value> ready = Collections.newSetFromMap(new IdentityHashMap<>());
    ready.addAll(graph.inputs());
    ready.addAll(graph.constants());
    for (Node node : order) {
      for (Value v : node.inputs()) {
        if (v != null && !ready.contains(v)) {
          throw new GraphException("node '" + node.name() + "' reads '" + v.name()
              + "' before it is produced; sort the graph topologically first");
        }
      }
      for (Value v : node.outputs()) {
        if (v != null) {
          ready.add(v);
        }
      }
    }
  }

  private void fallBack(int i, String reason) {
    Node node = order.get(i);
    CpuKernel k = CpuKernels.find(node.opType());
    if (k == null) {
      throw new UnsupportedOperatorException("node '" + node.name() + "' (" + node.opType()
          + ") has no OpenCL kernel (" + reason + ") and no Java reference kernel");
    }
    sources[i] = null;
    fallbacks[i] = k;
    if (fallbackReasons.putIfAbsent(node.opType(), reason) == null) {
      LOG.warn("{} runs on the Java CPU kernel instead of OpenCL: {}", node.opType(), reason);
    }
  }

  /**
   * Builds all kernels as one program; if that fails, finds the culprits by building each alone. Nodes whose
   * specializations are identical (same op, shapes and epilogue: common in CNNs) share one kernel function, so
   * the driver compiles it once; each node still gets its own kernel object for its arguments.
   */
  private String build(ProgramCache cache, Options options) {
    StringBuilder all = new StringBuilder("// OffloadCL program for graph '" + graph.name() + "' on "
        + ctx.device().name() + "\n\n");
    Map<String, String> byBody = new java.util.HashMap<>();
    String[] entry = new String[sources.length];
    for (int i = 0; i < sources.length; i++) {
      KernelSource s = sources[i];
      if (s == null) {
        continue;
      }
      String body = s.source().substring(s.source().indexOf('\n') + 1).replace(s.name(), "KERNEL_NAME");
      String first = byBody.putIfAbsent(body, s.name());
      entry[i] = first == null ? s.name() : first;
      if (first == null) {
        all.append(s.source()).append('\n');
      }
    }
    String src = all.toString();
    dump(options.dumpKernelsDir());
    if (src.contains("__kernel")) {
      ClProgram program;
      try {
        program = cache.get(src, "");
      } catch (KernelBuildException e) {
        if (options.strict()) {
          throw e;
        }
        for (int i = 0; i < sources.length; i++) {
          if (sources[i] != null) {
            try {
              cache.get(sources[i].source(), "");
            } catch (KernelBuildException ke) {
              fallBack(i, "its kernel failed to build: " + ke.getMessage().lines().findFirst().orElse(""));
            }
          }
        }
        return build(cache, options);
      }
      for (int i = 0; i < sources.length; i++) {
        if (sources[i] != null) {
          kernels[i] = program.kernel(entry[i]);
        }
      }
    }
    return src;
  }

  private void dump(Path dir) {
    if (dir == null) {
      return;
    }
    try {
      Files.createDirectories(dir);
      for (KernelSource s : sources) {
        if (s != null) {
          Files.writeString(dir.resolve(s.name() + ".cl"), s.source(), StandardCharsets.UTF_8);
        }
      }
    } catch (IOException e) {
      throw new DeviceException("cannot dump kernels to " + dir + ": " + e.getMessage(), e);
    }
  }

  /** A view aliases output 0 only; a further output (Dropout's mask) that the graph returns must be computed. */
  private static boolean extraOutputIsGraphOutput(Graph graph, Node node) {
    for (int i = 1; i < node.outputs().size(); i++) {
      if (node.output(i) != null && graph.isOutput(node.output(i))) {
        return true;
      }
    }
    return false;
  }

  private static long bytesOf(Node node, Value v) {
    TensorType t = v.type();
    if (t == null || t.shape() == null || !t.isStatic()) {
      throw new UnsupportedOperatorException("value '" + v.name() + "'" + (node == null ? "" : " of node '"
          + node.name() + "'") + " has no static shape (" + t + "); the OpenCL executor plans buffers ahead");
    }
    return Math.max(4, t.shape().numElements() * HostTransfer.deviceBytes(t.dtype()));
  }

  private MemoryPlan planMemory() {
    // Views share their input's buffer: map every value to the root it aliases.
    Map<Value, Value> root = new IdentityHashMap<>();
    Map<Value, Integer> lastUse = new IdentityHashMap<>();
    for (int i = 0; i < order.size(); i++) {
      Node node = order.get(i);
      for (Value v : node.inputs()) {
        if (v != null) {
          lastUse.put(rootOf(root, v), i);
        }
      }
      if (sources[i] == null && fallbacks[i] == null) { // view
        root.put(node.output(0), rootOf(root, node.input(0)));
      }
    }
    Set<Value> pinned = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Value o : graph.outputs()) {
      pinned.add(rootOf(root, o));
    }
    long io = 0;
    long consts = 0;
    for (Value in : graph.inputs()) {
      Slot s = own(bytesOf(null, in));
      slots.put(in, s);
      io += s.buffer.bytes();
    }
    for (Value c : graph.constants()) {
      if (c.uses().isEmpty() && !graph.isOutput(c)) {
        continue;
      }
      TensorData d = c.constant();
      Slot s = own(Math.max(4, (long) d.size() * HostTransfer.deviceBytes(d.dtype())));
      try (ClEvent e = ctx.write(s.buffer, HostTransfer.toDevice(d), null)) {
        ClEvent.waitAll(List.of(e));
      }
      slots.put(c, s);
      consts += s.buffer.bytes();
    }
    long intermediates = 0;
    // Pool slots are sized first and allocated after the walk, since a slot may grow.
    Map<Value, Integer> pooledIndex = new IdentityHashMap<>();
    List<long[]> poolSizes = new ArrayList<>();
    List<Integer> freeIdx = new ArrayList<>();
    for (int i = 0; i < order.size(); i++) {
      Node node = order.get(i);
      boolean view = sources[i] == null && fallbacks[i] == null;
      for (Value o : node.outputs()) {
        if (o == null || view) {
          continue;
        }
        long b = bytesOf(node, o);
        if (pinned.contains(o)) {
          Slot s = own(b);
          slots.put(o, s);
          io += b;
          continue;
        }
        intermediates += b;
        int best = -1;
        for (int f : freeIdx) {
          long sz = poolSizes.get(f)[0];
          if (sz >= b && (best < 0 || sz < poolSizes.get(best)[0])) {
            best = f;
          }
        }
        if (best < 0 && !freeIdx.isEmpty()) {
          for (int f : freeIdx) {
            if (best < 0 || poolSizes.get(f)[0] > poolSizes.get(best)[0]) {
              best = f;
            }
          }
          poolSizes.get(best)[0] = b; // grow the largest free slot rather than add one
        }
        if (best < 0) {
          poolSizes.add(new long[] {b});
          best = poolSizes.size() - 1;
        } else {
          freeIdx.remove(Integer.valueOf(best));
        }
        pooledIndex.put(o, best);
        if (!lastUse.containsKey(o)) {
          freeIdx.add(best); // never read: its slot is free again right away
        }
      }
      for (Value v : node.inputs()) {
        if (v == null) {
          continue;
        }
        Value r = rootOf(root, v);
        Integer idx = pooledIndex.get(r);
        if (idx != null && lastUse.get(r) == i && !freeIdx.contains(idx)) {
          freeIdx.add(idx);
        }
      }
    }
    List<Slot> poolSlots = new ArrayList<>();
    long peak = 0;
    for (long[] sz : poolSizes) {
      poolSlots.add(own(sz[0]));
      peak += sz[0];
    }
    pooledIndex.forEach((v, idx) -> slots.put(v, poolSlots.get(idx)));
    root.forEach((alias, r) -> {
      Slot s = slots.get(r);
      if (s == null) {
        throw new OffloadException("view '" + alias.name() + "' aliases '" + r.name() + "', which has no buffer");
      }
      slots.put(alias, s);
    });
    return new MemoryPlan(peak, intermediates, poolSlots.size(), io, consts);
  }

  private static Value rootOf(Map<Value, Value> root, Value v) {
    Value r = root.get(v);
    return r == null ? v : r;
  }

  private Slot own(long bytes) {
    ClBuffer b = ctx.buffer(bytes);
    buffers.add(b);
    Slot s = new Slot(b);
    ownedSlots.add(s);
    return s;
  }

  private void bindArguments() {
    for (int i = 0; i < order.size(); i++) {
      if (kernels[i] == null) {
        continue;
      }
      Node node = order.get(i);
      List<KernelSource.Arg> args = sources[i].args();
      for (int a = 0; a < args.size(); a++) {
        KernelSource.Arg arg = args.get(a);
        Value v = arg.kind() == KernelSource.ArgKind.INPUT ? node.input(arg.index()) : node.output(arg.index());
        kernels[i].setArg(a, slots.get(v).buffer);
      }
    }
  }

  public Graph graph() {
    return graph;
  }

  public MemoryPlan memoryPlan() {
    return plan;
  }

  /** Op types that run on the Java reference kernels, with the reason for each. */
  public Map<String, String> fallbacks() {
    return Collections.unmodifiableMap(fallbackReasons);
  }

  /** How many nodes run on Java reference kernels (each costs a device-to-host and host-to-device round trip). */
  public int hostFallbackNodes() {
    int n = 0;
    for (CpuKernel k : fallbacks) {
      if (k != null) {
        n++;
      }
    }
    return n;
  }

  /** The generated kernels, in node order (views and fallbacks have none). */
  public List<KernelSource> kernelSources() {
    List<KernelSource> l = new ArrayList<>();
    for (KernelSource s : sources) {
      if (s != null) {
        l.add(s);
      }
    }
    return l;
  }

  /** The whole program source as built. */
  public String programSource() {
    return programSource;
  }

  /**
   * Runs the graph on inputs keyed by graph-input name; returns every graph output keyed by name, in order.
   *
   * @throws io.offloadcl.ir.ShapeMismatchException when an input is missing, unknown or of the wrong type
   */
  public synchronized Map<String, TensorData> run(Map<String, TensorData> inputs) {
    if (closed) {
      throw new DeviceException("executor for graph '" + graph.name() + "' is closed");
    }
    ReferenceExecutor.checkInputs(graph, inputs);
    List<ClEvent> events = new ArrayList<>();
    List<ByteBuffer> keepAlive = new ArrayList<>();
    try {
      for (Value in : graph.inputs()) {
        Slot s = slots.get(in);
        ByteBuffer host = HostTransfer.toDevice(inputs.get(in.name()));
        keepAlive.add(host);
        ClEvent e = ctx.write(s.buffer, host, null);
        events.add(e);
        s.writers.add(e);
      }
      for (int i = 0; i < order.size(); i++) {
        if (kernels[i] != null) {
          launch(i, events);
        } else if (fallbacks[i] != null) {
          runOnHost(i, events, keepAlive);
        }
      }
      Map<String, TensorData> out = new LinkedHashMap<>();
      List<ByteBuffer> hosts = new ArrayList<>();
      for (Value o : graph.outputs()) {
        Slot s = slots.get(o);
        ByteBuffer host = HostTransfer.hostBuffer(o.type().dtype(), (int) o.type().shape().numElements());
        hosts.add(host);
        ClEvent e = ctx.read(s.buffer, host, new ArrayList<>(s.writers));
        events.add(e);
      }
      ClEvent.waitAll(events); // the one host sync of the run
      for (int j = 0; j < graph.outputs().size(); j++) {
        Value o = graph.outputs().get(j);
        out.put(o.name(), HostTransfer.fromDevice(hosts.get(j), o.type().dtype(), o.type().shape().dims()));
      }
      return out;
    } finally {
      try {
        ClEvent.waitAll(events);
      } catch (DeviceException e) {
        // already failing; the events are released below either way
      }
      for (ClEvent e : events) {
        e.close();
      }
      for (Slot s : ownedSlots) {
        s.writers.clear();
        s.readers.clear();
      }
    }
  }

  private void launch(int i, List<ClEvent> events) {
    Node node = order.get(i);
    KernelSource ks = sources[i];
    long work = 1;
    for (long g : ks.globalSize()) {
      work *= g;
    }
    if (work == 0) {
      return; // empty tensor: nothing to compute
    }
    List<ClEvent> wait = new ArrayList<>();
    List<Slot> reads = new ArrayList<>();
    List<Slot> writes = new ArrayList<>();
    for (KernelSource.Arg a : ks.args()) {
      if (a.kind() == KernelSource.ArgKind.INPUT) {
        reads.add(slots.get(node.input(a.index())));
      } else {
        writes.add(slots.get(node.output(a.index())));
      }
    }
    for (Slot s : reads) {
      wait.addAll(s.writers);
    }
    for (Slot s : writes) {
      wait.addAll(s.writers);
      wait.addAll(s.readers);
    }
    ClEvent e = ctx.launch(kernels[i], ks.globalSize(), ks.localSize(), dedupe(wait));
    events.add(e);
    for (Slot s : reads) {
      s.readers.add(e);
    }
    for (Slot s : writes) {
      s.writers.clear();
      s.readers.clear();
      s.writers.add(e);
    }
  }

  private void runOnHost(int i, List<ClEvent> events, List<ByteBuffer> keepAlive) {
    Node node = order.get(i);
    TensorData[] args = new TensorData[node.inputs().size()];
    List<ClEvent> reads = new ArrayList<>();
    List<ByteBuffer> hosts = new ArrayList<>();
    for (int j = 0; j < args.length; j++) {
      Value v = node.input(j);
      if (v == null || v.isConstant()) {
        args[j] = v == null ? null : v.constant();
        hosts.add(null);
        continue;
      }
      Slot s = slots.get(v);
      ByteBuffer h = HostTransfer.hostBuffer(v.type().dtype(), (int) v.type().shape().numElements());
      hosts.add(h);
      ClEvent e = ctx.read(s.buffer, h, new ArrayList<>(s.writers));
      events.add(e);
      reads.add(e);
      s.readers.add(e);
    }
    ClEvent.waitAll(reads);
    for (int j = 0; j < args.length; j++) {
      if (hosts.get(j) != null) {
        Value v = node.input(j);
        args[j] = HostTransfer.fromDevice(hosts.get(j), v.type().dtype(), v.type().shape().dims());
      }
    }
    TensorData[] outs;
    try {
      outs = fallbacks[i].run(node, args);
    } catch (OffloadException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new OffloadException("node '" + node.name() + "' (" + node.opType() + ") failed on the Java kernel: "
          + e, e);
    }
    for (int j = 0; j < node.outputs().size(); j++) {
      Value o = node.output(j);
      if (o == null) {
        continue;
      }
      if (j >= outs.length || outs[j] == null) {
        throw new OffloadException("node '" + node.name() + "' (" + node.opType() + ") produced no output " + j);
      }
      Slot s = slots.get(o);
      ByteBuffer h = HostTransfer.toDevice(outs[j]);
      keepAlive.add(h);
      List<ClEvent> wait = new ArrayList<>(s.writers);
      wait.addAll(s.readers);
      ClEvent e = ctx.write(s.buffer, h, dedupe(wait));
      events.add(e);
      s.writers.clear();
      s.readers.clear();
      s.writers.add(e);
    }
  }

  private static List<ClEvent> dedupe(List<ClEvent> l) {
    if (l.size() < 2) {
      return l;
    }
    Set<ClEvent> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<ClEvent> out = new ArrayList<>();
    for (ClEvent e : l) {
      if (seen.add(e)) {
        out.add(e);
      }
    }
    return out;
  }

  private void releaseNative() {
    for (ClKernel k : kernels) {
      if (k != null) {
        k.close();
      }
    }
    for (ClBuffer b : buffers) {
      b.close();
    }
    buffers.clear();
  }

  /** Releases kernels and buffers; the context and program cache belong to the caller. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      releaseNative();
    }
  }
}
