package io.offloadcl.runtime.opencl;

import io.offloadcl.codegen.DeviceClass;
import io.offloadcl.codegen.KernelGenerator;
import io.offloadcl.codegen.KernelSource;
import io.offloadcl.ir.DeviceException;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.GraphException;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.Settings;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ir.Value;
import io.offloadcl.runtime.cpu.CpuKernel;
import io.offloadcl.runtime.cpu.CpuKernels;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
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
 * after its last reader (views such as Reshape share their input's buffer and extend its life).
 *
 * <p>A run happens on a <em>lane</em>: an in-order queue with its own planned buffers and its own kernel objects,
 * their arguments bound once when the lane is made. The schedule is the node order, so the queue's order is the
 * only synchronisation a run needs: kernels are enqueued without events, outputs are read without blocking,
 * and one {@code clFinish} is the run's host wait. Everything on the hot path is made once per lane: staging
 * buffers for inputs and outputs, or, for large ones on a device that shares host memory, none at all (they live
 * in host-allocated buffers that the run maps, so the only copy is between the caller's arrays and the device's
 * bytes; a map of an input costs a wait for the device, which pays only where the copy it saves is larger).
 * Weights are uploaded once and shared by every lane. Concurrent runs take separate lanes, made on first need up
 * to {@link #MAX_LANES}; a further run waits for a lane to come free.
 */
public final class OpenClExecutor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OpenClExecutor.class);

  /** Most lanes (concurrent runs) per executor: each holds a copy of the intermediates and inputs/outputs. */
  public static final int MAX_LANES = Math.max(2, Math.min(4, Settings.availableProcessors()));

  /**
   * Inputs and outputs from this size up are mapped rather than copied on a host-unified device: below it, copying
   * through a staging buffer (about 10 GB/s) is cheaper than the device round trip a blocking map costs (~30 us).
   */
  public static final long MAP_MIN_BYTES = 256 * 1024;

  /** Staging buffer for weight uploads to a device with its own memory: bounds the host memory an open takes. */
  static final int STAGING_BYTES = 16 << 20;

  /** Compilation options. */
  public record Options(boolean strict, DeviceClass deviceClass, Path dumpKernelsDir) {
    /** Non-strict, device class from the device type, no dump. */
    public static Options defaults() {
      return new Options(false, null, null);
    }
  }

  private final Graph graph;
  private final ClContext ctx;
  private final List<Node> order;
  private final KernelSource[] sources;
  private final String[] entries;
  private final CpuKernel[] fallbacks;
  private final Map<String, String> fallbackReasons = new TreeMap<>();
  // the memory layout every lane follows: value -> slot; a slot with a shared buffer holds a constant
  private final Map<Value, Integer> slotOf = new IdentityHashMap<>();
  private final List<Long> slotBytes = new ArrayList<>();
  private final List<ClBuffer> sharedBuffers = new ArrayList<>();
  private final boolean[] hostMapped;
  private final MemoryPlan plan;
  private final String programSource;
  private ClProgram program;
  private final int[] inputSlots;
  private final int[] outputSlots;
  private final boolean[] launches;
  private final List<Lane> lanes = new ArrayList<>();
  private final ArrayDeque<Lane> idle = new ArrayDeque<>();
  private int lanesBeingMade;
  private int laneLimit = MAX_LANES;
  private boolean closed;
  // slots that are a region of another slot's buffer: slot -> {parent slot, byte offset}
  private final Map<Integer, long[]> subSlots = new java.util.HashMap<>();

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
    long t0 = System.nanoTime();
    int n = order.size();
    sources = new KernelSource[n];
    entries = new String[n];
    fallbacks = new CpuKernel[n];
    launches = new boolean[n];
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
    long t1 = System.nanoTime();
    try {
      programSource = build(cache, options);
      long t2 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        launches[i] = entries[i] != null && work(sources[i]) > 0; // an empty tensor needs no launch
      }
      plan = planMemory();
      long t3 = System.nanoTime();
      hostMapped = new boolean[slotBytes.size()];
      inputSlots = new int[graph.inputs().size()];
      outputSlots = new int[graph.outputs().size()];
      for (int j = 0; j < inputSlots.length; j++) {
        inputSlots[j] = slotOf.get(graph.inputs().get(j));
        hostMapped[inputSlots[j]] = mappable(inputSlots[j]);
      }
      for (int j = 0; j < outputSlots.length; j++) {
        outputSlots[j] = slotOf.get(graph.outputs().get(j));
        hostMapped[outputSlots[j]] = mappable(outputSlots[j]);
      }
      Lane first = new Lane();
      lanes.add(first);
      idle.push(first);
      // where an executor's construction goes (the warm-open breakdown in docs/benchmarks.md)
      LOG.debug("graph '{}': codegen {} ms, program {} ms, memory plan and weights {} ms, first lane {} ms",
          graph.name(), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000,
          (System.nanoTime() - t3) / 1_000_000);
    } catch (RuntimeException | Error e) {
      releaseNative(); // an OutOfMemoryError for direct memory too: the weights already on the device go back
      throw e;
    }
  }

  /** A slot the host maps instead of copying: large, of this lane (not a shared weight), on unified memory. */
  private boolean mappable(int slot) {
    return ctx.hostUnifiedMemory() && sharedBuffers.get(slot) == null && slotBytes.get(slot) >= MAP_MIN_BYTES;
  }

  private static long work(KernelSource ks) {
    long w = 1;
    for (long g : ks.globalSize()) {
      w *= g;
    }
    return w;
  }

  /** The device this executor runs on. */
  public ClDevice device() {
    return ctx.device();
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
          entries[i] = entry[i];
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
    Map<Value, InPlace> placed = concatsInPlace(root, pinned);
    for (Map.Entry<Value, InPlace> e : placed.entrySet()) {
      // the concat's buffer lives from its first producer to the last reader of any of its parts
      Integer partUse = lastUse.get(e.getKey());
      Integer whole = lastUse.get(e.getValue().whole());
      if (partUse != null && (whole == null || partUse > whole)) {
        lastUse.put(e.getValue().whole(), partUse);
      }
    }
    long io = 0;
    long consts = 0;
    for (Value in : graph.inputs()) {
      long b = bytesOf(null, in);
      slotOf.put(in, newSlot(b, null));
      io += b;
    }
    List<Value> used = new ArrayList<>();
    for (Value c : graph.constants()) {
      if (!c.uses().isEmpty() || graph.isOutput(c)) {
        used.add(c);
      }
    }
    consts = ctx.hostUnifiedMemory() ? uploadMapped(used) : uploadStaged(used);
    long intermediates = 0;
    // Pool slots are sized first and allocated after the walk, since a slot may grow.
    Map<Value, Integer> pooledIndex = new IdentityHashMap<>();
    List<long[]> poolSizes = new ArrayList<>();
    List<Integer> freeIdx = new ArrayList<>();
    Set<Value> allocated = Collections.newSetFromMap(new IdentityHashMap<>());
    for (int i = 0; i < order.size(); i++) {
      Node node = order.get(i);
      boolean view = sources[i] == null && fallbacks[i] == null;
      for (Value out : node.outputs()) {
        if (out == null || view) {
          continue;
        }
        // a part of an in-place concat is written into the concat's buffer, allocated with its first part
        InPlace part = placed.get(out);
        Value o = part != null ? part.whole() : out;
        if (!allocated.add(o)) {
          continue;
        }
        long b = bytesOf(node, o);
        if (pinned.contains(o)) {
          slotOf.put(o, newSlot(b, null));
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
        InPlace part = placed.get(r);
        if (part != null) {
          r = part.whole(); // a part's buffer is its concat's, whose last use covers every part's readers
        }
        Integer idx = pooledIndex.get(r);
        if (idx != null && lastUse.get(r) == i && !freeIdx.contains(idx)) {
          freeIdx.add(idx);
        }
      }
    }
    int firstPooled = slotBytes.size();
    long peak = 0;
    for (long[] sz : poolSizes) {
      newSlot(sz[0], null);
      peak += sz[0];
    }
    pooledIndex.forEach((v, idx) -> slotOf.put(v, firstPooled + idx));
    placed.forEach((v, p) -> {
      int slot = newSlot(p.bytes(), null);
      subSlots.put(slot, new long[] {slotOf.get(p.whole()), p.offset()});
      slotOf.put(v, slot);
    });
    for (int i = 0; i < order.size(); i++) {
      InPlace first = placed.get(order.get(i).input(0));
      if (launches[i] && first != null && first.whole() == order.get(i).output(0)) {
        launches[i] = false; // a concat whose inputs were written in place
      }
    }
    root.forEach((alias, r) -> {
      Integer s = slotOf.get(r);
      if (s == null) {
        throw new OffloadException("view '" + alias.name() + "' aliases '" + r.name() + "', which has no buffer");
      }
      slotOf.put(alias, s);
    });
    return new MemoryPlan(peak, intermediates, poolSizes.size(), io, consts);
  }

  /**
   * Weights on a host-unified device: each constant gets a buffer in host-accessible memory that is filled through
   * a mapping, one copy from the Java array, where a write would copy it into a fresh direct buffer and again into
   * the device's memory (resnet50: 102 MB, twice, at every session open). Returns the bytes uploaded.
   */
  private long uploadMapped(List<Value> constants) {
    long bytes = 0;
    try (ClQueue q = ctx.inOrderQueue()) {
      for (Value c : constants) {
        TensorData d = c.constant();
        ClBuffer buf = ctx.hostBuffer(HostTransfer.bytes(d.dtype(), d.size()));
        slotOf.put(c, newSlot(buf.bytes(), buf));
        ByteBuffer m = q.map(buf, true, true);
        try {
          HostTransfer.put(d, m);
        } finally {
          q.unmap(buf, m);
        }
        bytes += buf.bytes();
      }
      q.finish(); // the unmaps, before any lane's queue reads the weights
    }
    return bytes;
  }

  /**
   * Weights on a device with its own memory: constants are packed into one reused staging buffer and written
   * without waiting, one wait per filled staging buffer instead of a direct buffer and a blocking write each.
   * Returns the bytes uploaded.
   */
  private long uploadStaged(List<Value> constants) {
    long total = 0;
    for (Value c : constants) {
      total += HostTransfer.bytes(c.constant().dtype(), c.constant().size());
    }
    ByteBuffer staging = ByteBuffer.allocateDirect((int) Math.min(total, STAGING_BYTES)).order(ByteOrder.nativeOrder());
    List<ClEvent> pending = new ArrayList<>();
    List<ByteBuffer> large = new ArrayList<>(); // constants above the staging size, alive until their write ran
    long bytes = 0;
    try {
      for (Value c : constants) {
        TensorData d = c.constant();
        ClBuffer buf = ctx.buffer(HostTransfer.bytes(d.dtype(), d.size()));
        slotOf.put(c, newSlot(buf.bytes(), buf));
        bytes += buf.bytes();
        ByteBuffer src;
        boolean own = buf.bytes() > staging.capacity();
        if (own) {
          src = HostTransfer.toDevice(d);
          large.add(src);
        } else {
          if (buf.bytes() > staging.remaining()) {
            drain(pending);
            staging.clear();
          }
          int at = staging.position();
          src = staging.slice(at, (int) buf.bytes()).order(ByteOrder.nativeOrder());
          HostTransfer.put(d, src);
          staging.position(at + (int) buf.bytes());
        }
        pending.add(ctx.write(buf, src, null));
        if (own) {
          // one large copy in flight at a time: the host memory an open takes stays near the staging size
          // plus the largest weight, not the sum of all large weights
          drain(pending);
          large.clear();
          staging.clear();
        }
      }
    } finally {
      drain(pending);
    }
    return bytes;
  }

  /** Waits for and releases the events. */
  private static void drain(List<ClEvent> events) {
    try {
      ClEvent.waitAll(events);
    } finally {
      for (ClEvent e : events) {
        e.close();
      }
      events.clear();
    }
  }

  /** A value written into part of another value's buffer: an input of a Concat done in place. */
  private record InPlace(Value whole, long offset, long bytes) {}

  /**
   * The inputs of Concats that need no copy: where the concat axis is outermost (every dimension before it is 1,
   * e.g. channels of a batch-1 NCHW tensor), each input is one contiguous run of the output, so its producer can
   * write it there through a sub-buffer and the Concat launches nothing (squeezenet: 8 launches, 0.27 ms). Only
   * when every input qualifies: computed by a kernel of this graph (not an input, constant, view, Java fallback
   * or graph output), aliased by no view, in no other in-place concat, not itself an in-place concat's output,
   * distinct, non-empty, and starting at a multiple of the device's sub-buffer alignment.
   */
  private Map<Value, InPlace> concatsInPlace(Map<Value, Value> root, Set<Value> pinned) {
    Map<Value, InPlace> placed = new IdentityHashMap<>();
    long align = ctx.subBufferAlign();
    if (align <= 0) {
      return placed;
    }
    Map<Node, Integer> index = new IdentityHashMap<>();
    for (int i = 0; i < order.size(); i++) {
      index.put(order.get(i), i);
    }
    Set<Value> aliased = Collections.newSetFromMap(new IdentityHashMap<>());
    aliased.addAll(root.values());
    Set<Value> wholes = Collections.newSetFromMap(new IdentityHashMap<>());
    for (int i = 0; i < order.size(); i++) {
      Node node = order.get(i);
      if (!launches[i] || !node.opType().equals("Concat")
          || !(node.domain().isEmpty() || node.domain().equals("ai.onnx"))) {
        continue;
      }
      Value out = node.output(0);
      TensorType t = out.type();
      if (t == null || t.shape() == null || !t.isStatic() || placed.containsKey(out)) {
        continue;
      }
      long[] dims = t.shape().dims();
      int axis = (int) node.attributes().getInt("axis", 0);
      axis = axis < 0 ? axis + dims.length : axis;
      long outer = 1;
      for (int d = 0; d < axis; d++) {
        outer *= dims[d];
      }
      if (outer != 1) {
        continue;
      }
      Map<Value, InPlace> parts = new IdentityHashMap<>();
      long offset = 0;
      boolean ok = true;
      for (Value v : node.inputs()) {
        Node p = v == null ? null : v.producer();
        Integer pi = p == null ? null : index.get(p);
        long bytes = v == null || v.type() == null || !v.type().isStatic() ? 0
            : v.type().shape().numElements() * HostTransfer.deviceBytes(v.type().dtype());
        if (pi == null || !launches[pi] || bytes <= 0 || offset % align != 0 || v.isConstant()
            || graph.isInput(v) || pinned.contains(v) || rootOf(root, v) != v || aliased.contains(v)
            || placed.containsKey(v) || parts.containsKey(v) || wholes.contains(v)
            || v.type().dtype() != t.dtype()) {
          ok = false;
          break;
        }
        parts.put(v, new InPlace(out, offset, bytes));
        offset += bytes;
      }
      if (ok && offset == bytesOf(node, out)) {
        placed.putAll(parts);
        wholes.add(out);
      }
    }
    return placed;
  }

  private static Value rootOf(Map<Value, Value> root, Value v) {
    Value r = root.get(v);
    return r == null ? v : r;
  }

  /** A slot of the layout: {@code shared} is its one buffer (a constant), or null when each lane has its own. */
  private int newSlot(long bytes, ClBuffer shared) {
    slotBytes.add(bytes);
    sharedBuffers.add(shared);
    return slotBytes.size() - 1;
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

  /** The values a buffer slot holds, for error messages. */
  private String slotValues(int slot) {
    List<String> names = new ArrayList<>();
    slotOf.forEach((v, s) -> {
      if (s == slot) {
        names.add("'" + v.name() + "'");
      }
    });
    return String.join(", ", names);
  }

  /** Kernel launches per run: compiled kernels less those with nothing to do (empty outputs, in-place concats). */
  public int launchesPerRun() {
    int n = 0;
    for (boolean l : launches) {
      n += l ? 1 : 0;
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

  /** How many input and output buffers runs map instead of copying (0 unless the device shares host memory). */
  public int mappedBuffers() {
    int n = 0;
    for (boolean m : hostMapped) {
      n += m ? 1 : 0;
    }
    return n;
  }

  /** Lanes made so far: 1 until runs overlap, at most {@link #MAX_LANES}. */
  public synchronized int lanes() {
    return lanes.size();
  }

  /**
   * Runs the graph on inputs keyed by graph-input name; returns every graph output keyed by name, in order.
   * Thread-safe: concurrent runs proceed on separate lanes.
   *
   * @throws io.offloadcl.ir.ShapeMismatchException when an input is missing, unknown or of the wrong type
   */
  public Map<String, TensorData> run(Map<String, TensorData> inputs) {
    ReferenceExecutor.checkInputs(graph, inputs);
    Lane lane = acquire();
    try {
      return lane.run(inputs);
    } finally {
      release(lane);
    }
  }

  private Lane acquire() {
    synchronized (this) {
      while (true) {
        if (closed) {
          throw new DeviceException("executor for graph '" + graph.name() + "' is closed");
        }
        if (!idle.isEmpty()) {
          return idle.pop();
        }
        if (lanes.size() + lanesBeingMade < laneLimit) {
          lanesBeingMade++;
          break;
        }
        awaitLane();
      }
    }
    Lane made;
    try {
      made = new Lane(); // outside the lock: buffers and kernels take a while, and other lanes may run meanwhile
    } catch (RuntimeException | Error e) {
      synchronized (this) {
        lanesBeingMade--;
        notifyAll();
        // a further lane is an optimisation: when the device cannot hold one, runs share the lanes there are
        if (!(e instanceof DeviceException) || lanes.isEmpty() || closed) {
          throw e;
        }
        laneLimit = lanes.size();
        LOG.debug("graph '{}': no further lane ({}); {} lane(s) serve concurrent runs", graph.name(),
            e.getMessage(), laneLimit);
      }
      return acquire();
    }
    synchronized (this) {
      lanesBeingMade--;
      lanes.add(made);
      notifyAll();
    }
    return made;
  }

  private synchronized void release(Lane lane) {
    idle.push(lane);
    notifyAll();
  }

  private void awaitLane() {
    try {
      wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeviceException("interrupted while waiting for a free lane of graph '" + graph.name() + "'", e);
    }
  }

  /** One run at a time: an in-order queue, the planned buffers and the kernels bound to them. */
  private final class Lane implements AutoCloseable {
    final ClQueue queue;
    final ClBuffer[] buffers = new ClBuffer[slotBytes.size()];
    final ClKernel[] kernels = new ClKernel[order.size()];
    final ByteBuffer[] staging = new ByteBuffer[slotBytes.size()];

    Lane() {
      queue = ctx.inOrderQueue();
      try {
        for (int i = 0; i < buffers.length; i++) {
          ClBuffer shared = sharedBuffers.get(i);
          long[] sub = subSlots.get(i);
          buffers[i] = shared != null ? shared
              : sub != null ? ctx.subBuffer(buffers[(int) sub[0]], sub[1], slotBytes.get(i))
              : hostMapped[i] ? ctx.hostBuffer(slotBytes.get(i)) : ctx.buffer(slotBytes.get(i));
        }
        for (int i = 0; i < kernels.length; i++) {
          if (entries[i] == null || !launches[i]) {
            continue; // no kernel object for what never launches (empty outputs, in-place concats)
          }
          kernels[i] = program.kernel(entries[i]);
          Node node = order.get(i);
          List<KernelSource.Arg> args = sources[i].args();
          for (int a = 0; a < args.size(); a++) {
            KernelSource.Arg arg = args.get(a);
            Value v = arg.kind() == KernelSource.ArgKind.INPUT ? node.input(arg.index()) : node.output(arg.index());
            kernels[i].setArg(a, buffers[slotOf.get(v)]);
          }
        }
        for (int[] io : new int[][] {inputSlots, outputSlots}) {
          for (int slot : io) {
            if (!hostMapped[slot]) {
              staging(slot); // made now, so that no run allocates host memory for its transfers
            }
          }
        }
      } catch (RuntimeException | Error e) {
        close(); // an OutOfMemoryError for direct staging memory too: the lane's queue and buffers go back
        throw e;
      }
    }

    Map<String, TensorData> run(Map<String, TensorData> inputs) {
      try {
        List<Value> ins = graph.inputs();
        for (int j = 0; j < inputSlots.length; j++) {
          write(inputSlots[j], inputs.get(ins.get(j).name()), false);
        }
        for (int i = 0; i < kernels.length; i++) {
          if (launches[i]) {
            queue.launch(kernels[i], sources[i].globalSize(), sources[i].localSize());
          } else if (fallbacks[i] != null) {
            runOnHost(i);
          }
        }
        List<Value> outs = graph.outputs();
        ByteBuffer[] got = new ByteBuffer[outputSlots.length];
        boolean done = false;
        try {
          for (int j = 0; j < outputSlots.length; j++) {
            int slot = outputSlots[j];
            if (hostMapped[slot]) {
              got[j] = queue.map(buffers[slot], false, false);
            } else {
              got[j] = staging(slot);
              queue.read(buffers[slot], got[j], false);
            }
          }
          queue.finish(); // the one host sync of the run
          Map<String, TensorData> out = new LinkedHashMap<>();
          for (int j = 0; j < outputSlots.length; j++) {
            TensorType t = outs.get(j).type();
            out.put(outs.get(j).name(), HostTransfer.fromDevice(got[j], t.dtype(), t.shape().dims()));
          }
          done = true;
          return out;
        } finally {
          // mapped outputs are unmapped on every path: a lane must never go back idle with a buffer still mapped
          for (int j = 0; j < outputSlots.length; j++) {
            if (got[j] != null && hostMapped[outputSlots[j]]) {
              try {
                queue.unmap(buffers[outputSlots[j]], got[j]);
              } catch (DeviceException e) {
                if (done) {
                  throw e;
                }
              }
            }
          }
        }
      } catch (RuntimeException e) {
        try {
          queue.finish(); // nothing of this run may still use the lane's buffers when the next run starts
        } catch (DeviceException ignored) {
          // already failing with the first error
        }
        throw e;
      }
    }

    /** Puts {@code d} into slot {@code slot}; a fallback's output is written blocking from bytes made for it. */
    private void write(int slot, TensorData d, boolean fromFallback) {
      ClBuffer b = buffers[slot];
      if (hostMapped[slot]) {
        ByteBuffer m = queue.map(b, true, true);
        try {
          HostTransfer.put(d, m);
        } finally {
          queue.unmap(b, m); // a lane must never go back idle with a buffer still mapped
        }
      } else if (fromFallback) {
        // the lane's staging for this slot, not a new direct buffer per run: a fallback's output slot is never a
        // graph input's, so no non-blocking write of this run still reads it, and this write blocks
        ByteBuffer st = staging(slot);
        HostTransfer.put(d, st);
        st.limit((int) HostTransfer.bytes(d.dtype(), d.size()));
        try {
          queue.write(b, st, true);
        } finally {
          st.clear();
        }
      } else {
        ByteBuffer st = staging(slot);
        HostTransfer.put(d, st);
        queue.write(b, st, false); // the staging buffer stays untouched until a later blocking call of this run
      }
    }

    private TensorData read(int slot, Value v) {
      ClBuffer b = buffers[slot];
      TensorType t = v.type();
      if (hostMapped[slot]) {
        ByteBuffer m = queue.map(b, false, true);
        try {
          return HostTransfer.fromDevice(m, t.dtype(), t.shape().dims());
        } finally {
          queue.unmap(b, m);
        }
      }
      ByteBuffer st = staging(slot);
      queue.read(b, st, true);
      return HostTransfer.fromDevice(st, t.dtype(), t.shape().dims());
    }

    private ByteBuffer staging(int slot) {
      ByteBuffer st = staging[slot];
      if (st == null) {
        st = HostTransfer.direct(slotBytes.get(slot), () -> "buffer slot " + slot + " of graph '" + graph.name()
            + "' (" + slotValues(slot) + ")");
        staging[slot] = st;
      }
      return st;
    }

    private void runOnHost(int i) {
      Node node = order.get(i);
      TensorData[] args = new TensorData[node.inputs().size()];
      for (int j = 0; j < args.length; j++) {
        Value v = node.input(j);
        args[j] = v == null || v.isConstant() ? (v == null ? null : v.constant()) : read(slotOf.get(v), v);
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
        long[] planned = o.type().shape().dims();
        if (!java.util.Arrays.equals(planned, outs[j].dims()) || outs[j].dtype() != o.type().dtype()) {
          // the buffer (and its staging) was planned for the inferred type: anything else cannot go there
          throw new io.offloadcl.ir.ShapeMismatchException("node '" + node.name() + "' (" + node.opType()
              + ") on its Java kernel produced output '" + o.name() + "' as " + outs[j].type() + "; the plan expects "
              + o.type());
        }
        write(slotOf.get(o), outs[j], true);
      }
    }

    @Override
    public void close() {
      queue.close(); // waits for what is still enqueued before anything it uses goes
      for (ClKernel k : kernels) {
        if (k != null) {
          k.close();
        }
      }
      for (int i = 0; i < buffers.length; i++) {
        if (buffers[i] != null && sharedBuffers.get(i) == null) {
          buffers[i].close();
        }
      }
    }
  }

  private void releaseNative() {
    for (Lane l : lanes) {
      l.close();
    }
    lanes.clear();
    idle.clear();
    for (ClBuffer b : sharedBuffers) {
      if (b != null) {
        b.close();
      }
    }
  }

  /**
   * Waits for runs in flight, then releases lanes and weights; later runs fail. The context and program cache
   * belong to the caller.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    boolean interrupted = false;
    while (idle.size() < lanes.size() || lanesBeingMade > 0) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    releaseNative();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
