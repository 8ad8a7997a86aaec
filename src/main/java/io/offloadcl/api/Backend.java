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

  /** Releases native resources; the Java backend holds none. */
  @Override
  void close();
}
