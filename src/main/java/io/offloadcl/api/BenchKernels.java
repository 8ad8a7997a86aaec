package io.offloadcl.api;

import io.offloadcl.codegen.KernelGenerator;
import io.offloadcl.codegen.KernelSource;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.Settings;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.OpCost;
import io.offloadcl.ops.ShapeInference;
import io.offloadcl.runtime.opencl.ClBuffer;
import io.offloadcl.runtime.opencl.ClContext;
import io.offloadcl.runtime.opencl.ClEvent;
import io.offloadcl.runtime.opencl.ClKernel;
import io.offloadcl.runtime.opencl.ClProgram;
import io.offloadcl.runtime.opencl.ClQueue;
import io.offloadcl.runtime.opencl.OpenClExecutor;
import io.offloadcl.runtime.opencl.OpenClPlatforms;
import io.offloadcl.runtime.opencl.ProgramCache;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Times generated kernels one at a time on the default OpenCL device, without the executor around them: what
 * the kernel micro-benchmarks, the bandwidth figures and the per-node profile of a model are made of. The
 * executor cannot say which node a run's time went to (it waits once per run, and the queue is not a profiling
 * queue), so the profile launches every node's kernel alone, in graph order, on buffers holding the values an
 * earlier pass over the graph left there.
 */
public final class BenchKernels implements AutoCloseable {
  /** One node's kernel, timed alone. {@code kernel} is false for views (no launch) and Java fallbacks. */
  public record NodeTime(String node, String opType, boolean kernel, double ms, long flops, long bytes) {
    /** GFLOP/s of the kernel (0 when unknown). */
    public double gflops() {
      return ms > 0 && flops > 0 ? flops / (ms * 1e6) : 0;
    }

    /** GB/s of the kernel's compulsory traffic (0 when unknown). */
    public double gbps() {
      return ms > 0 && bytes > 0 ? bytes / (ms * 1e6) : 0;
    }
  }

  private final ClContext ctx;
  private final ProgramCache cache;
  private final KernelGenerator generator;

  /** Opens the default OpenCL device; programs go to the usual cache. */
  public BenchKernels() {
    Backends.checkAvailable(SessionOptions.builder().device(SessionOptions.Device.OPENCL).build());
    ctx = ClContext.open(OpenClPlatforms.defaultDevice());
    cache = new ProgramCache(ctx, Settings.cacheDir().resolve("programs"));
    generator = new KernelGenerator(OpenClExecutor.deviceClassOf(ctx.device()));
  }

  /** The device name. */
  public String device() {
    return ctx.device().name();
  }

  /** A graph compiled kernel by kernel, with a device buffer per value. */
  public final class Prepared implements AutoCloseable {
    private final List<Node> nodes;
    private final ClKernel[] kernels;
    private final KernelSource[] sources;
    private final Map<Value, ClBuffer> buffers = new IdentityHashMap<>();
    private final ClQueue queue = ctx.inOrderQueue();

    Prepared(Graph g, Map<String, TensorData> feeds) {
      nodes = List.copyOf(g.nodes());
      kernels = new ClKernel[nodes.size()];
      sources = new KernelSource[nodes.size()];
      StringBuilder src = new StringBuilder();
      for (int i = 0; i < nodes.size(); i++) {
        Node n = nodes.get(i);
        if (KernelGenerator.isView(n)) {
          continue;
        }
        try {
          sources[i] = generator.generate(n, KernelGenerator.kernelName(i, n));
          src.append(sources[i].source()).append('\n');
        } catch (UnsupportedOperatorException e) {
          sources[i] = null; // the executor runs it on Java; the profile lists it without a time
        }
      }
      try {
        ClProgram program = src.length() == 0 ? null : cache.get(src.toString(), "");
        for (Value v : g.values()) {
          if (v.type() == null || !v.type().isStatic() || v.type().dtype() == DType.STRING) {
            continue;
          }
          ClBuffer b = ctx.buffer(Math.max(4, v.type().shape().numElements() * deviceBytes(v.type().dtype())));
          buffers.put(v, b);
          TensorData d = v.isConstant() ? v.constant() : feeds.get(v.name());
          write(b, d != null ? d : TensorData.zeros(v.type().dtype(), v.type().shape().dims()));
        }
        // a view's output holds the same bytes as its input: copy them so later kernels read real values
        for (int i = 0; i < nodes.size(); i++) {
          if (sources[i] == null) {
            continue;
          }
          kernels[i] = program.kernel(sources[i].name());
          List<KernelSource.Arg> args = sources[i].args();
          for (int a = 0; a < args.size(); a++) {
            KernelSource.Arg arg = args.get(a);
            Node n = nodes.get(i);
            Value v = arg.kind() == KernelSource.ArgKind.INPUT ? n.input(arg.index()) : n.output(arg.index());
            ClBuffer b = buffers.get(v);
            if (b == null) {
              throw new OffloadException("node '" + n.name() + "': value '" + v.name() + "' has no static shape");
            }
            kernels[i].setArg(a, b);
          }
        }
        prime();
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }

    private void prime() {
      for (int i = 0; i < nodes.size(); i++) {
        Node n = nodes.get(i);
        if (kernels[i] != null) {
          time(i, 1);
        } else if (KernelGenerator.isView(n)) {
          ClBuffer in = buffers.get(n.input(0));
          ClBuffer out = buffers.get(n.output(0));
          if (in != null && out != null) {
            ClEvent e = ctx.copy(in, out, Math.min(in.bytes(), out.bytes()), null);
            ClEvent.waitAll(List.of(e));
            e.close();
          }
        }
      }
    }

    /**
     * Seconds per launch of node {@code i}'s kernel over {@code reps} launches in a row, enqueued as a session run
     * enqueues its kernels: on an in-order queue, without events. (Launches chained by events on the context's
     * out-of-order queue measured up to twice a small kernel's time on POCL: squeezenet's first MaxPool 0.130 ms
     * against 0.065 ms back to back.)
     */
    double time(int i, int reps) {
      KernelSource ks = sources[i];
      long t0 = System.nanoTime();
      for (int r = 0; r < reps; r++) {
        queue.launch(kernels[i], ks.globalSize(), ks.localSize());
      }
      queue.finish();
      return (System.nanoTime() - t0) / 1e9 / reps;
    }

    /** Seconds per launch of the first kernel of the graph, best of {@code rounds} rounds of {@code reps}. */
    public double secondsPerLaunch(int reps, int rounds) {
      for (int i = 0; i < kernels.length; i++) {
        if (kernels[i] != null) {
          double best = Double.MAX_VALUE;
          for (int r = 0; r < rounds; r++) {
            best = Math.min(best, time(i, reps));
          }
          return best;
        }
      }
      throw new OffloadException("graph has no node with an OpenCL kernel");
    }

    /**
     * Every kernel of the graph once, in order on an in-order queue (as a session run), then one host wait: what a
     * JMH benchmark method calls (a single-node graph is one launch; a decomposed op such as LayerNorm is several).
     */
    public void launchAll() {
      for (int i = 0; i < kernels.length; i++) {
        if (kernels[i] != null) {
          queue.launch(kernels[i], sources[i].globalSize(), sources[i].localSize());
        }
      }
      queue.finish();
    }

    /** Summed FLOPs and compulsory bytes of the nodes that have kernels (from the op catalog's cost model). */
    public long[] flopsAndBytes() {
      long f = 0;
      long b = 0;
      for (int i = 0; i < nodes.size(); i++) {
        if (kernels[i] != null) {
          OpCost c = ShapeInference.cost(nodes.get(i));
          if (c.isKnown()) {
            f += c.flops();
            b += c.bytesRead() + c.bytesWritten();
          }
        }
      }
      return new long[] {f, b};
    }

    /** Every node timed alone: its kernel launched until {@code budgetSeconds} pass (at least 3 times). */
    public List<NodeTime> profile(double budgetSeconds) {
      List<NodeTime> out = new ArrayList<>();
      for (int i = 0; i < nodes.size(); i++) {
        Node n = nodes.get(i);
        OpCost c = ShapeInference.cost(n);
        long flops = c.isKnown() ? c.flops() : 0;
        long bytes = c.isKnown() ? c.bytesRead() + c.bytesWritten() : 0;
        if (kernels[i] == null) {
          out.add(new NodeTime(n.name(), n.opType(), false, 0, flops, bytes));
          continue;
        }
        double once = time(i, 1);
        int reps = (int) Math.max(3, Math.min(200, budgetSeconds / Math.max(once, 1e-6)));
        out.add(new NodeTime(n.name(), n.opType(), true, time(i, reps) * 1e3, flops, bytes));
      }
      return out;
    }

    @Override
    public void close() {
      for (ClKernel k : kernels) {
        if (k != null) {
          k.close();
        }
      }
      for (ClBuffer b : buffers.values()) {
        b.close();
      }
      buffers.clear();
      queue.close();
    }
  }

  /** Compiles {@code g} (static shapes; inferred here) kernel by kernel; graph inputs are filled from feeds. */
  public Prepared prepare(Graph g, Map<String, TensorData> feeds) {
    ShapeInference.run(g);
    return new Prepared(g, feeds);
  }

  /** Device-to-device copy bandwidth in GB/s (bytes read plus bytes written), best of a few rounds. */
  public double copyGBps(long bytes, int reps) {
    try (ClBuffer a = ctx.buffer(bytes); ClBuffer b = ctx.buffer(bytes)) {
      write(a, TensorData.zeros(DType.FLOAT32, bytes / 4));
      write(b, TensorData.zeros(DType.FLOAT32, bytes / 4));
      double best = 0;
      for (int round = 0; round < 3; round++) {
        List<ClEvent> events = new ArrayList<>();
        long t0 = System.nanoTime();
        ClEvent prev = null;
        for (int r = 0; r < reps; r++) {
          prev = r % 2 == 0 ? ctx.copy(a, b, bytes, prev == null ? null : List.of(prev))
              : ctx.copy(b, a, bytes, List.of(prev));
          events.add(prev);
        }
        ClEvent.waitAll(events);
        double s = (System.nanoTime() - t0) / 1e9;
        events.forEach(ClEvent::close);
        best = Math.max(best, 2.0 * bytes * reps / s / 1e9);
      }
      return best;
    }
  }

  private void write(ClBuffer b, TensorData d) {
    ByteBuffer host = toDevice(d, b.bytes());
    ClEvent e = ctx.write(b, host, null);
    ClEvent.waitAll(List.of(e));
    e.close();
  }

  private static int deviceBytes(DType t) {
    return t == DType.FLOAT16 || t == DType.BFLOAT16 ? 4 : t.byteSize();
  }

  private static ByteBuffer toDevice(TensorData d, long bytes) {
    ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
    int n = d.size();
    switch (d.dtype()) {
      case FLOAT32, FLOAT16, BFLOAT16 -> b.asFloatBuffer().put(d.floats());
      case FLOAT64 -> b.asDoubleBuffer().put(d.doubles());
      case INT32 -> b.asIntBuffer().put(d.ints());
      case INT64, UINT64 -> b.asLongBuffer().put(d.longs());
      case BOOL -> {
        boolean[] v = d.bools();
        for (int i = 0; i < n; i++) {
          b.put(i, (byte) (v[i] ? 1 : 0));
        }
      }
      case INT8, UINT8 -> {
        for (int i = 0; i < n; i++) {
          b.put(i, (byte) d.getLong(i));
        }
      }
      default -> {
        // other widths: left as zeros; the profile only needs plausible bytes there
      }
    }
    return b;
  }

  @Override
  public void close() {
    try {
      cache.close();
    } finally {
      ctx.close();
    }
  }
}
