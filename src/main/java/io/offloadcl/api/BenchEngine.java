package io.offloadcl.api;

/**
 * One thing the benchmark times: a model opened on an engine with its inputs bound, so that a call to
 * {@link #runOnce} is one inference and nothing else the harness would have to subtract.
 */
public interface BenchEngine extends AutoCloseable {
  /** The label in reports ("offloadcl-opencl", "onnxruntime"). */
  String label();

  /** Runs one inference on the bound inputs; outputs are produced and dropped. */
  void runOnce();

  @Override
  void close();
}
