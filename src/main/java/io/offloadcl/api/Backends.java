package io.offloadcl.api;

import io.offloadcl.ir.DeviceException;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.GraphVerifier;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.Settings;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ir.Value;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import io.offloadcl.runtime.opencl.ClContext;
import io.offloadcl.runtime.opencl.ClDevice;
import io.offloadcl.runtime.opencl.OpenClExecutor;
import io.offloadcl.runtime.opencl.OpenClPlatforms;
import io.offloadcl.runtime.opencl.ProgramCache;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses and builds the {@link Backend} for a session: the one place that maps a {@link SessionOptions.Device}
 * to an executor.
 *
 * <ul>
 *   <li>{@code java}: the reference executor.
 *   <li>{@code opencl}: the OpenCL executor on the default device (a GPU when there is one, else the first
 *       device, e.g. POCL); failing to find a device or to compile the graph is an error. A graph with dynamic
 *       dimensions is compiled per input shape on first use.
 *   <li>{@code auto}: OpenCL when a device is present and the graph has static shapes and compiles for it, else
 *       Java (with a log line); in strict mode it does not fall back silently but fails.
 * </ul>
 */
final class Backends {
  private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

  private Backends() {}

  static Backend open(Graph graph, SessionOptions options) {
    switch (options.device()) {
      case JAVA:
        return java(optimized(graph, options));
      case OPENCL:
        return opencl(graph, options);
      case AUTO:
      default:
        if (OpenClPlatforms.devices().isEmpty()) {
          log(options, "device auto: no OpenCL device ({}), running on java", OpenClPlatforms.unavailableReason());
          return java(optimized(graph, options));
        }
        try {
          return opencl(graph, options);
        } catch (OffloadException e) {
          if (options.strict()) {
            throw e;
          }
          log(options, "device auto: OpenCL cannot run graph '{}' ({}); running on java", graph.name(), e.getMessage());
          return java(optimized(graph, options));
        }
    }
  }

  /**
   * Runs the optimization pipeline on the session's own graph when asked. Only the Java backend gets it for
   * now: the fused ops it produces have reference kernels but no OpenCL templates yet, so on OpenCL they would
   * run on the CPU and slow the model down; the OpenCL backend takes the graph as imported.
   */
  private static Graph optimized(Graph graph, SessionOptions options) {
    if (!options.optimize()) {
      return graph;
    }
    int before = graph.nodes().size();
    GraphOptimizer.optimize(graph);
    if (options.strict()) {
      GraphVerifier.verify(graph);
    }
    log(options, "optimized graph '{}': {} -> {} nodes", graph.name(), before, graph.nodes().size());
    return graph;
  }

  /** Fails at once when the options' device cannot be used at all (before any graph is compiled). */
  static void checkAvailable(SessionOptions options) {
    if (options.device() == SessionOptions.Device.OPENCL && OpenClPlatforms.devices().isEmpty()) {
      throw new DeviceException("device 'opencl': no OpenCL device found (" + OpenClPlatforms.unavailableReason()
          + "); install an OpenCL driver such as pocl-opencl-icd, or use device 'java'");
    }
  }

  /** The reference executor: immutable after construction, so one instance serves every thread. */
  static Backend java(Graph graph) {
    ReferenceExecutor exec = new ReferenceExecutor(graph);
    return new Backend() {
      @Override
      public String name() {
        return "java";
      }

      @Override
      public Map<String, TensorData> run(Map<String, TensorData> inputs) {
        return exec.run(inputs);
      }

      @Override
      public void close() {}
    };
  }

  /**
   * The OpenCL executor on the default device, with compiled programs cached under {@link Settings#cacheDir()}.
   * A graph with static shapes compiles once, now. A graph with dynamic dimensions is specialized per run by
   * {@link ShapeSpecializer} (input dims, and small integer shape inputs where shapes depend on them) and
   * compiled on first use of each specialization. The executor serialises its own
   * runs (its planned buffers are shared), so concurrent session runs on one specialization queue.
   */
  static Backend opencl(Graph graph, SessionOptions options) {
    checkAvailable(options);
    ClDevice device = OpenClPlatforms.defaultDevice();
    ClContext ctx = ClContext.open(device);
    ProgramCache cache = null;
    try {
      cache = new ProgramCache(ctx, Settings.cacheDir().resolve("programs"));
      OpenClExecutor.Options exOpts = new OpenClExecutor.Options(options.strict(), null, null);
      String name = "opencl:" + device.name();
      if (ShapeSpecializer.isStatic(graph)) {
        OpenClExecutor exec = new OpenClExecutor(graph, ctx, cache, exOpts);
        if (!exec.fallbacks().isEmpty()) {
          log(options, "device opencl: ops on the Java reference kernels: {}", exec.fallbacks());
        }
        return new OpenClBackend(name, ctx, cache, inputs -> exec, List.of(exec));
      }
      if (options.device() == SessionOptions.Device.AUTO) {
        // auto keeps the promise that a session which opens also runs: a dynamic graph stays on Java
        throw new UnsupportedOperatorException("graph '" + graph.name() + "' has dynamic shapes; device auto"
            + " runs it on java (ask for device opencl to compile it per input shape)");
      }
      Specializations specs = new Specializations(graph, ctx, cache, exOpts, options);
      return new OpenClBackend(name, ctx, cache, specs::executorFor, specs.all);
    } catch (RuntimeException e) {
      if (cache != null) {
        cache.close();
      }
      ctx.close();
      throw e;
    }
  }

  /** An OpenCL backend: picks the executor for a run's inputs and owns the context and program cache. */
  private static final class OpenClBackend implements Backend {
    private final String name;
    private final ClContext ctx;
    private final ProgramCache cache;
    private final Function<Map<String, TensorData>, OpenClExecutor> pick;
    private final Collection<OpenClExecutor> executors;

    OpenClBackend(String name, ClContext ctx, ProgramCache cache, Function<Map<String, TensorData>, OpenClExecutor> pick,
        Collection<OpenClExecutor> executors) {
      this.name = name;
      this.ctx = ctx;
      this.cache = cache;
      this.pick = pick;
      this.executors = executors;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Map<String, TensorData> run(Map<String, TensorData> inputs) {
      return pick.apply(inputs).run(inputs);
    }

    @Override
    public Map<String, Long> counters() {
      long peak = -1;
      long kernels = -1;
      long fallbackNodes = -1;
      synchronized (executors) {
        for (OpenClExecutor e : executors) {
          if (e.memoryPlan().peakBytes() > peak) {
            peak = e.memoryPlan().peakBytes();
            kernels = e.kernelSources().size();
            fallbackNodes = e.hostFallbackNodes();
          }
        }
      }
      if (peak < 0) {
        return Map.of();
      }
      return Map.of("device_peak_bytes", peak, "kernels_per_run", kernels, "host_fallback_ops", fallbackNodes);
    }

    @Override
    public void close() {
      try {
        synchronized (executors) {
          for (OpenClExecutor e : executors) {
            e.close();
          }
        }
      } finally {
        cache.close();
        ctx.close();
      }
    }
  }

  /**
   * Executors for the specializations of a dynamic graph, one per distinct input shape (and shape-input values
   * where shapes depend on them), kept until the session closes: closing one early could pull it from under a
   * run on another thread.
   */
  private static final class Specializations {
    private final Graph graph;
    private final ClContext ctx;
    private final ProgramCache cache;
    private final OpenClExecutor.Options exOpts;
    private final SessionOptions options;
    private final Map<String, OpenClExecutor> byKey = new HashMap<>();
    // dims keys whose shapes turned out to depend on input values as well
    private final Set<String> needValues = new HashSet<>();
    final List<OpenClExecutor> all = new ArrayList<>();

    Specializations(Graph graph, ClContext ctx, ProgramCache cache, OpenClExecutor.Options exOpts, SessionOptions options) {
      this.graph = graph;
      this.ctx = ctx;
      this.cache = cache;
      this.exOpts = exOpts;
      this.options = options;
    }

    synchronized OpenClExecutor executorFor(Map<String, TensorData> inputs) {
      String dims = ShapeSpecializer.key(graph, inputs, false);
      boolean values = needValues.contains(dims);
      String key = values ? ShapeSpecializer.key(graph, inputs, true) : dims;
      OpenClExecutor e = byKey.get(key);
      if (e != null) {
        return e;
      }
      Graph g = ShapeSpecializer.bind(graph, inputs, false);
      if (!ShapeSpecializer.isStatic(g)) {
        needValues.add(dims);
        key = ShapeSpecializer.key(graph, inputs, true);
        e = byKey.get(key);
        if (e != null) {
          return e;
        }
        g = ShapeSpecializer.bind(graph, inputs, true);
        requireStaticShapes(g);
      }
      log(options, "device opencl: compiling graph '{}' for {}", graph.name(), key);
      e = new OpenClExecutor(g, ctx, cache, exOpts);
      byKey.put(key, e);
      synchronized (all) {
        all.add(e);
      }
      return e;
    }
  }

  /**
   * The OpenCL executor plans every buffer before the first run, so every value needs a static shape; checking
   * here turns a data-dependent shape into a typed error naming the value instead of a failure deep inside.
   */
  static void requireStaticShapes(Graph graph) {
    for (Value v : graph.values()) {
      TensorType t = v.type();
      if (t == null || !t.isStatic()) {
        throw new UnsupportedOperatorException("device 'opencl' needs static shapes; value '" + v.name() + "'"
            + (v.producer() == null ? "" : " of node '" + v.producer().name() + "' (" + v.producer().opType() + ")")
            + " is " + (t == null ? "untyped" : t.toString()) + " (the OpenCL executor plans its buffers before running)");
      }
    }
  }

  private static void log(SessionOptions options, String fmt, Object... args) {
    if (options.verbose()) {
      LOG.info(fmt, args);
    } else {
      LOG.debug(fmt, args);
    }
  }
}
