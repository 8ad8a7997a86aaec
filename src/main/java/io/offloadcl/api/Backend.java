package io.offloadcl.api;

import io.offloadcl.ir.TensorData;
import java.util.Map;

/**
 * What a session runs its model on. A backend is built once per session, must be safe for concurrent
 * {@link #run} calls, and owns whatever native resources it holds until {@link #close}. This is the seam where
 * a device plugs in: {@link Backends} picks one from {@link SessionOptions#device()}.
 */
interface Backend extends AutoCloseable {
  /** Short device name for messages and reports ("java", "opencl:<device>"). */
  String name();

  /** Runs the model on validated inputs keyed by graph-input name; returns every graph output by name. */
  Map<String, TensorData> run(Map<String, TensorData> inputs);

  /**
   * Counters a benchmark reports: for OpenCL "device_peak_bytes" (largest memory plan), "kernels_per_run" and
   * "host_fallback_ops" (nodes on Java kernels) of the largest specialization compiled so far. Empty when the
   * backend has none.
   */
  default Map<String, Long> counters() {
    return Map.of();
  }

  /** Releases native resources; the Java backend holds none. */
  @Override
  void close();
}
