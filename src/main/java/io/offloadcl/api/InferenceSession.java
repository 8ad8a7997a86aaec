package io.offloadcl.api;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.GraphVerifier;
import io.offloadcl.ir.ModelFormatException;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.onnx.OnnxImporter;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded model, ready to run: what a Java service embeds.
 *
 * <pre>{@code
 * try (InferenceSession s = InferenceSession.open(Path.of("model.onnx"), SessionOptions.defaults())) {
 *   Map<String, Tensor> out = s.run(Map.of("x", Tensor.ofFloats(pixels, 1, 1, 28, 28)));
 * }
 * }</pre>
 *
 * <p>{@link #run} is thread-safe: the session holds no mutable state between calls, so one session can serve
 * many threads at once. Inputs are validated before anything runs; a missing, unknown, mistyped or misshapen
 * input raises {@link ShapeMismatchException} naming the input, what the model declares and what came.
 * {@link #close} waits for runs in flight, releases the backend, and makes later runs fail with
 * {@link IllegalStateException}.
 */
public final class InferenceSession implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InferenceSession.class);

  private final String source;
  private final Graph graph;
  private final SessionOptions options;
  private final Backend backend;
  private final List<TensorInfo> inputs;
  private final List<TensorInfo> outputs;
  private final ModelInfo info;
  // readers are runs, the writer is close(): close waits for runs in flight and no run starts after it
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private volatile boolean closed;

  private InferenceSession(String source, Graph graph, SessionOptions options) {
    this.source = source;
    this.graph = graph;
    this.options = options;
    if (options.strict()) {
      GraphVerifier.verify(graph);
    }
    List<TensorInfo> in = new ArrayList<>();
    for (Value v : graph.inputs()) {
      in.add(new TensorInfo(v.name(), v.type()));
    }
    List<TensorInfo> out = new ArrayList<>();
    for (Value v : graph.outputs()) {
      out.add(new TensorInfo(v.name(), v.type()));
    }
    this.inputs = Collections.unmodifiableList(in);
    this.outputs = Collections.unmodifiableList(out);
    this.info = ModelInfo.of(graph);
    long t0 = System.nanoTime();
    this.backend = Backends.open(graph, options);
    log("opened {} on device {} ({} nodes, backend ready in {} ms, {})", source, backend.name(),
        graph.nodes().size(), (System.nanoTime() - t0) / 1_000_000, options);
  }

  /**
   * Imports an ONNX model file and prepares it to run.
   *
   * @throws ModelFormatException when the file is missing, unreadable, malformed or truncated
   * @throws io.offloadcl.ir.UnsupportedOperatorException listing every op type the model uses that has no
   *     implementation, and its nodes
   * @throws io.offloadcl.ir.DeviceException when the requested device cannot be used
   */
  public static InferenceSession open(Path model, SessionOptions options) {
    Objects.requireNonNull(options, "options");
    Path file = existingFile(model);
    return new InferenceSession(file.toString(), OnnxImporter.load(file), options);
  }

  /** {@link #open(Path, SessionOptions)} with {@link SessionOptions#defaults()}. */
  public static InferenceSession open(Path model) {
    return open(model, SessionOptions.defaults());
  }

  /**
   * Imports an ONNX model held in memory. External-data tensors cannot be resolved from bytes; use the
   * {@link Path} overload for models that have them.
   */
  public static InferenceSession open(byte[] model, SessionOptions options) {
    Objects.requireNonNull(options, "options");
    if (model == null || model.length == 0) {
      throw new ModelFormatException("model bytes are " + (model == null ? "null" : "empty"));
    }
    return new InferenceSession("<" + model.length + " bytes>", OnnxImporter.fromBytes(model, null), options);
  }

  static Path existingFile(Path model) {
    if (model == null) {
      throw new ModelFormatException("no model file given");
    }
    if (!Files.exists(model)) {
      throw new ModelFormatException("model file not found: " + model);
    }
    if (!Files.isRegularFile(model) || !Files.isReadable(model)) {
      throw new ModelFormatException("model path is not a readable file: " + model);
    }
    return model;
  }

  /**
   * Runs the model.
   *
   * @param feeds one tensor per model input, keyed by input name
   * @return every model output keyed by name, in the model's output order
   * @throws ShapeMismatchException when an input is missing, unknown, or of the wrong dtype or shape
   * @throws IllegalStateException after {@link #close}
   */
  public Map<String, Tensor> run(Map<String, Tensor> feeds) {
    if (feeds == null) {
      throw new ShapeMismatchException("no inputs given (null map); the model's inputs are " + inputs);
    }
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("InferenceSession for " + source + " is closed; open a new session to run");
      }
      Map<String, TensorData> data = new LinkedHashMap<>();
      for (Map.Entry<String, Tensor> e : feeds.entrySet()) {
        if (e.getKey() == null) {
          throw new ShapeMismatchException("an input is keyed by null; the model's inputs are " + inputs);
        }
        if (e.getValue() == null) {
          throw new ShapeMismatchException("input '" + e.getKey() + "' is null");
        }
        data.put(e.getKey(), e.getValue().data());
      }
      ReferenceExecutor.checkInputs(graph, data);
      Map<String, TensorData> result = backend.run(data);
      Map<String, Tensor> out = new LinkedHashMap<>();
      for (Value o : graph.outputs()) {
        TensorData d = result.get(o.name());
        if (d == null) {
          throw new ShapeMismatchException("device " + backend.name() + " returned no value for output '" + o.name() + "'");
        }
        if (options.strict()) {
          checkOutput(o, d);
        }
        out.put(o.name(), Tensor.adopt(d));
      }
      return Collections.unmodifiableMap(out);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private void checkOutput(Value o, TensorData d) {
    TensorType t = o.type();
    if (t == null) {
      return;
    }
    Shape s = t.shape();
    if (t.dtype() != d.dtype() || (s != null && !s.compatibleWith(d.shape()))) {
      throw new ShapeMismatchException("output '" + o.name() + "' from device " + backend.name() + ": the model declares "
          + t + ", the run produced " + d.type());
    }
  }

  /** The model's inputs (name, dtype, shape with dynamic dims as -1), in declaration order. */
  public List<TensorInfo> inputs() {
    return inputs;
  }

  /** The model's outputs, in the order {@link #run} returns them. */
  public List<TensorInfo> outputs() {
    return outputs;
  }

  /** Op counts, opsets and weight sizes of the loaded model. */
  public ModelInfo modelInfo() {
    return info;
  }

  /** The device the session runs on: "java" or "opencl:&lt;device name&gt;" (see {@link SessionOptions.Device}). */
  public String device() {
    return backend.name();
  }

  /**
   * What the backend reports about its work, by name: on OpenCL {@code device_peak_bytes} (the memory planner's
   * peak of intermediate buffers, reused by value liveness), {@code intermediate_bytes} (the sum of all
   * intermediate tensors, what a planner without reuse would hold), {@code constant_bytes} (weights),
   * {@code kernels_per_run} and {@code host_fallback_ops}, for the largest specialization compiled so far; empty
   * for the Java device.
   */
  public Map<String, Long> backendCounters() {
    return backend.counters();
  }

  /** The options the session was opened with. */
  public SessionOptions options() {
    return options;
  }

  /** True once {@link #close} has been called. */
  public boolean isClosed() {
    return closed;
  }

  /** Waits for runs in flight, then releases the backend. Idempotent. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      backend.close();
      log("closed {}", source);
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  private void log(String fmt, Object... args) {
    if (options.verbose()) {
      LOG.info(fmt, args);
    } else {
      LOG.debug(fmt, args);
    }
  }

  @Override
  public String toString() {
    return "InferenceSession{" + source + ", device=" + backend.name() + (closed ? ", closed" : "") + "}";
  }
}
