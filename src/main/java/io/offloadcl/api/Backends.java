package io.offloadcl.api;

import io.offloadcl.ir.DeviceException;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.GraphVerifier;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.Settings;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import io.offloadcl.runtime.opencl.ClContext;
import io.offloadcl.runtime.opencl.ClDeviceSet;
import io.offloadcl.runtime.opencl.ClDevice;
import io.offloadcl.runtime.opencl.OpenClExecutor;
import io.offloadcl.codegen.DeviceClass;
import io.offloadcl.device.DeviceKind;
import io.offloadcl.device.DeviceProfile;
import io.offloadcl.device.DeviceProfiles;
import io.offloadcl.runtime.opencl.MemoryPlan;
import io.offloadcl.runtime.opencl.OpenClModel;
import io.offloadcl.runtime.opencl.ShapeSpecializer;
import io.offloadcl.runtime.opencl.OpenClPlatforms;
import java.util.List;
import java.util.Map;
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
 *   <li>with {@link SessionOptions#profiles()}: the placement on several devices ({@link MultiDeviceBackend}).
 * </ul>
 */
final class Backends {
  private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

  private Backends() {}

  /**
   * The graph a session compiles, before any device: quantized when the options name an INT8 calibration (the
   * quantized model is already optimized), else optimized unless the options say not to. What {@code bench
   * --profile} times too.
   */
  static Graph prepared(Graph imported, SessionOptions options) {
    if (options.int8Calibration() != null) {
      // the calibration names the fp32 model's tensors as imported, so quantize before anything rewrites it
      return QuantTool.quantizedModel(imported, options.int8Calibration());
    }
    return optimized(imported, options);
  }

  static Backend open(Graph imported, SessionOptions options) {
    Graph graph = imported;
    if (options.int8Calibration() != null) {
      graph = prepared(imported, options);
      options = options.toBuilder().optimize(false).build();
    }
    if (!options.profiles().isEmpty()) {
      return new MultiDeviceBackend(graph, options);
    }
    // auto runs a dynamic graph on java, so it opens no context for one
    boolean mayUseOpenCl = options.device() == SessionOptions.Device.OPENCL
        || options.device() == SessionOptions.Device.AUTO && isStatic(graph);
    EarlyContext early = mayUseOpenCl && !OpenClPlatforms.devices().isEmpty()
        ? new EarlyContext(openClDevices().get(0)) : null;
    try {
      long t0 = System.nanoTime();
      graph = optimized(graph, options);
      long optimizeMs = (System.nanoTime() - t0) / 1_000_000;
      switch (options.device()) {
        case JAVA:
          return java(graph);
        case OPENCL:
          return opencl(graph, options, early, optimizeMs);
        case AUTO:
        default:
          if (OpenClPlatforms.devices().isEmpty()) {
            log(options, "device auto: no OpenCL device ({}), running on java", OpenClPlatforms.unavailableReason());
            return java(graph);
          }
          try {
            return opencl(graph, options, early, optimizeMs);
          } catch (OffloadException e) {
            if (options.strict()) {
              throw e;
            }
            log(options, "device auto: OpenCL cannot run graph '{}' ({}); running on java", graph.name(),
                e.getMessage());
            return java(graph);
          }
      }
    } finally {
      if (early != null) {
        early.closeIfUnused();
      }
    }
  }

  /**
   * The OpenCL context, opened on another thread while the passes run: on a cold JVM both take tens of
   * milliseconds (driver initialisation, class loading), so a session open overlaps them. Whoever does not
   * take it closes it.
   */
  private static final class EarlyContext {
    private final ClDevice device;
    private final java.util.concurrent.CompletableFuture<ClContext> future;
    private boolean taken;

    EarlyContext(ClDevice device) {
      this.device = device;
      // a thread of its own: the common pool is where the folding passes run, and they should not wait for it
      this.future = java.util.concurrent.CompletableFuture.supplyAsync(() -> ClContext.open(device), r -> {
        Thread t = new Thread(r, "offloadcl-opencl-context");
        t.setDaemon(true);
        t.start();
      });
    }

    /** The context, now the caller's to close; opening failures surface here as they would have inline. */
    synchronized ClContext take() {
      taken = true;
      try {
        return future.join();
      } catch (java.util.concurrent.CompletionException e) {
        if (e.getCause() instanceof RuntimeException) {
          throw (RuntimeException) e.getCause();
        }
        throw new DeviceException("opening an OpenCL context on " + device.name() + " failed: " + e.getCause(),
            e.getCause());
      }
    }

    synchronized void closeIfUnused() {
      if (!taken) {
        taken = true;
        try {
          // waited for, so a session that ends up on Java holds no OpenCL resources once open returns
          future.join().close();
        } catch (RuntimeException e) {
          LOG.debug("early OpenCL context on {} not needed and failed to open: {}", device.name(), e.toString());
        }
      }
    }
  }

  /**
   * The optimization pipeline's result when asked, for every device: codegen turns each fused op into one OpenCL
   * kernel, and the Java reference runs them too. The passes rewrite a copy: the imported graph, which the
   * session describes to its callers, is an earlier stage's object and stays as it was.
   */
  static Graph optimized(Graph imported, SessionOptions options) {
    if (!options.optimize()) {
      return imported;
    }
    Graph graph = imported.copy();
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
   * {@link OpenClModel} (input dims, and small integer shape inputs where shapes depend on them) and compiled on
   * first use of each specialization, kept until the session closes. Concurrent session runs on one
   * specialization take separate lanes of its executor (each with its own queue and buffers, made on first need).
   */
  static Backend opencl(Graph graph, SessionOptions options) {
    return opencl(graph, options, null, -1);
  }

  private static Backend opencl(Graph graph, SessionOptions options, EarlyContext early, long optimizeMs) {
    checkAvailable(options);
    if (options.device() == SessionOptions.Device.AUTO && !isStatic(graph)) {
      // auto keeps the promise that a session which opens also runs: a dynamic graph stays on Java
      throw new UnsupportedOperatorException("graph '" + graph.name() + "' has dynamic shapes; device auto"
          + " runs it on java (ask for device opencl to compile it per input shape)");
    }
    List<ClDevice> devices = openClDevices();
    long t0 = System.nanoTime();
    ClContext first = early != null ? early.take() : ClContext.open(devices.get(0));
    long t1 = System.nanoTime();
    ClDeviceSet set = null;
    try {
      set = ClDeviceSet.choosing(devices, devices.stream().map(Backends::profileOf).toList(), first,
          Settings.cacheDir().resolve("programs"));
      OpenClExecutor.Options eo = new OpenClExecutor.Options(options.strict(), null, options.dumpKernels());
      OpenClModel model = new OpenClModel(graph, set, eo);
      int[] builds = set.cacheCounts();
      // the open-time breakdown: where a session open's milliseconds go (see docs/benchmarks.md)
      log(options, "open '{}': optimize {} ms, OpenCL context wait {} ms, compile (codegen, program, weights) {} ms;"
          + " program cache: {} binary load(s), {} source build(s)", graph.name(), optimizeMs,
          (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000, builds[1], builds[0]);
      for (OpenClExecutor e : model.executors()) {
        if (!e.fallbacks().isEmpty()) {
          log(options, "device opencl: ops on the Java reference kernels: {}", e.fallbacks());
        }
      }
      return new OpenClBackend(set, model);
    } catch (RuntimeException e) {
      if (set != null) {
        set.close();
      } else {
        first.close();
      }
      throw e;
    }
  }

  /**
   * The OpenCL devices a session may use, the one a tie goes to first: the device the setting
   * {@code offloadcl.opencl.device} names (an index as {@code offloadcl devices} lists them) alone; else the
   * default device (a GPU, else the CPU device with most compute units) and every other device a bundled profile
   * describes, one per profile, so that the cost model can pick per input shape (POCL's basic device for a small
   * graph). The default device alone when no profile describes it: then there is nothing to compare it with.
   */
  static List<ClDevice> openClDevices() {
    java.util.Optional<String> pinned = Settings.get(OPENCL_DEVICE);
    if (pinned.isPresent()) {
      int index;
      try {
        index = Integer.parseInt(pinned.get());
      } catch (NumberFormatException e) {
        throw new DeviceException("setting " + OPENCL_DEVICE + " (" + Settings.envName(OPENCL_DEVICE) + ") is '"
            + pinned.get() + "'; expected an OpenCL device index as `offloadcl devices` lists them");
      }
      try {
        return List.of(OpenClPlatforms.device(index));
      } catch (DeviceException e) {
        throw new DeviceException("setting " + OPENCL_DEVICE + " (" + Settings.envName(OPENCL_DEVICE) + ") is "
            + index + ": " + e.getMessage(), e);
      }
    }
    ClDevice dflt = OpenClPlatforms.defaultDevice();
    List<ClDevice> r = new java.util.ArrayList<>(List.of(dflt));
    if (profileOf(dflt) != null) {
      java.util.Set<String> seen = new java.util.HashSet<>(List.of(profileOf(dflt).id()));
      for (ClDevice d : OpenClPlatforms.devices()) {
        // a second device of a make already listed would only ever tie with the first, and ties go to the first
        if (d != dflt && profileOf(d) != null && seen.add(profileOf(d).id())) {
          r.add(d);
        }
      }
    }
    return r;
  }

  /** Setting that pins OpenCL sessions to one device. */
  static final String OPENCL_DEVICE = "offloadcl.opencl.device";

  /** The bundled profile that describes a device, or null. */
  static DeviceProfile profileOf(ClDevice d) {
    return DeviceProfiles.bundledFor(d.platformName(), d.name(), d.type().name());
  }

  /** An OpenCL backend: owns the compiled model and its devices' contexts and program caches. */
  private static final class OpenClBackend implements Backend {
    private final ClDeviceSet devices;
    private final OpenClModel model;

    OpenClBackend(ClDeviceSet devices, OpenClModel model) {
      this.devices = devices;
      this.model = model;
    }

    /** "opencl:" and the device the model ran on so far (several, joined by " + ", when shapes differed). */
    @Override
    public String name() {
      java.util.Set<String> used = new java.util.LinkedHashSet<>();
      for (OpenClExecutor e : model.executors()) {
        used.add(e.device().name());
      }
      return "opencl:" + (used.isEmpty() ? devices.device(0).name() : String.join(" + ", used));
    }

    @Override
    public Map<String, TensorData> run(Map<String, TensorData> inputs) {
      return model.run(inputs);
    }

    @Override
    public Map<String, Long> counters() {
      OpenClExecutor largest = null;
      for (OpenClExecutor e : model.executors()) {
        if (largest == null || e.memoryPlan().peakBytes() > largest.memoryPlan().peakBytes()) {
          largest = e;
        }
      }
      if (largest == null) {
        return Map.of();
      }
      MemoryPlan plan = largest.memoryPlan();
      return Map.of("device_peak_bytes", plan.peakBytes(), "intermediate_bytes", plan.intermediateBytes(),
          "constant_bytes", plan.constantBytes(), "kernels_per_run", (long) largest.launchesPerRun(),
          "host_fallback_ops", (long) largest.hostFallbackNodes());
    }

    @Override
    public void close() {
      try {
        model.close();
      } finally {
        devices.close();
      }
    }
  }

  static boolean isStatic(Graph graph) {
    return ShapeSpecializer.isStatic(graph);
  }

  /**
   * The kernel variant family for a device, from the bundled profile that matches it (its {@code kind}: a GPU
   * profile gets local-memory tiling, a CPU one register blocking); null, so the executor falls back to the
   * OpenCL device type, when no profile matches. Device differences stay data, never vendor checks.
   */
  static DeviceClass deviceClass(ClDevice device) {
    DeviceProfile p = profileOf(device);
    return p == null ? null : p.kind() == DeviceKind.GPU ? DeviceClass.GPU : DeviceClass.CPU;
  }

  private static void log(SessionOptions options, String fmt, Object... args) {
    if (options.verbose()) {
      LOG.info(fmt, args);
    } else {
      LOG.debug(fmt, args);
    }
  }
}
