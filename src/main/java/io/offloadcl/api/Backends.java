package io.offloadcl.api;

import io.offloadcl.ir.DeviceException;
import io.offloadcl.ir.Graph;
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
 *       device, e.g. POCL); failing to find a device or to compile the graph is an error.
 *   <li>{@code auto}: OpenCL when a device is present and the graph compiles for it, else Java. A graph the
 *       OpenCL executor cannot plan (dynamic shapes, say) falls back to Java with a log line; in strict mode it
 *       does not fall back silently but fails.
 * </ul>
 */
final class Backends {
  private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

  private Backends() {}

  static Backend open(Graph graph, SessionOptions options) {
    switch (options.device()) {
      case JAVA:
        return java(graph);
      case OPENCL:
        return opencl(graph, options);
      case AUTO:
      default:
        if (OpenClPlatforms.devices().isEmpty()) {
          log(options, "device auto: no OpenCL device ({}), running on java", OpenClPlatforms.unavailableReason());
          return java(graph);
        }
        try {
          return opencl(graph, options);
        } catch (OffloadException e) {
          if (options.strict()) {
            throw e;
          }
          log(options, "device auto: OpenCL cannot run graph '{}' ({}); running on java", graph.name(), e.getMessage());
          return java(graph);
        }
    }
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
   * The executor serialises its own runs (its planned buffers are shared), so concurrent session runs queue.
   */
  static Backend opencl(Graph graph, SessionOptions options) {
    checkAvailable(options);
    requireStaticShapes(graph);
    ClDevice device = OpenClPlatforms.defaultDevice();
    ClContext ctx = ClContext.open(device);
    ProgramCache cache = null;
    try {
      cache = new ProgramCache(ctx, Settings.cacheDir().resolve("programs"));
      OpenClExecutor exec = new OpenClExecutor(graph, ctx, cache,
          new OpenClExecutor.Options(options.strict(), null, null));
      if (!exec.fallbacks().isEmpty()) {
        log(options, "device opencl: ops on the Java reference kernels: {}", exec.fallbacks());
      }
      ProgramCache programs = cache;
      String name = "opencl:" + device.name();
      return new Backend() {
        @Override
        public String name() {
          return name;
        }

        @Override
        public Map<String, TensorData> run(Map<String, TensorData> inputs) {
          return exec.run(inputs);
        }

        @Override
        public void close() {
          try {
            exec.close();
          } finally {
            programs.close();
            ctx.close();
          }
        }
      };
    } catch (RuntimeException e) {
      if (cache != null) {
        cache.close();
      }
      ctx.close();
      throw e;
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
