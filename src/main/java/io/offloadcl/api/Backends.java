package io.offloadcl.api;

import io.offloadcl.ir.DeviceException;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import java.util.Map;

/**
 * Chooses and builds the {@link Backend} for a session. The OpenCL runtime is not wired in yet: asking for
 * {@code opencl} explicitly fails with a {@link DeviceException}, and {@code auto} falls back to Java. Wiring it
 * means one more case here that adapts the OpenCL executor to {@link Backend}; nothing else in the API changes.
 */
final class Backends {
  static final String OPENCL_MISSING = "device 'opencl' is not available: this build of OffloadCL has no OpenCL"
      + " backend wired into InferenceSession yet; use device 'java' (or 'auto', which falls back to it)";

  private Backends() {}

  static Backend open(Graph graph, SessionOptions options) {
    switch (options.device()) {
      case JAVA:
        return java(graph);
      case OPENCL:
        throw new DeviceException(OPENCL_MISSING);
      case AUTO:
      default:
        return java(graph);
    }
  }

  /** Fails at once when the options' device cannot be used at all (before any graph is compiled). */
  static void checkAvailable(SessionOptions options) {
    if (options.device() == SessionOptions.Device.OPENCL) {
      throw new DeviceException(OPENCL_MISSING);
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
}
