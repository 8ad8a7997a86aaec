package io.offloadcl.api;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.offloadcl.ir.DeviceException;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.TensorData;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ONNX Runtime side of a benchmark: the only class that touches {@code ai.onnxruntime}. The harness makes it
 * by reflection ({@link Bench#onnxRuntime}), so the ONNX Runtime jar is loaded only when a comparison is asked for
 * and stays out of the core runtime's dependencies.
 *
 * <p>ONNX Runtime gets the same thread budget as OffloadCL: {@code threads} intra-op threads, one inter-op
 * thread, sequential execution, all graph optimizations on (its default for users).
 */
final class OrtBenchEngine implements BenchEngine {
  private final OrtSession session;
  private final OrtSession.SessionOptions options;
  private final Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
  private final long openNanos;

  /** Opens {@code model} (a {@link Path} or the model's bytes) and binds {@code inputs}. */
  OrtBenchEngine(Object model, int threads, Map<String, TensorData> inputs) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try {
      options = new OrtSession.SessionOptions();
      options.setIntraOpNumThreads(Math.max(1, threads));
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      long t0 = System.nanoTime();
      session = model instanceof Path p ? env.createSession(p.toString(), options)
          : env.createSession((byte[]) model, options);
      openNanos = System.nanoTime() - t0;
      for (Map.Entry<String, TensorData> e : inputs.entrySet()) {
        feeds.put(e.getKey(), tensor(env, e.getKey(), e.getValue()));
      }
    } catch (OrtException e) {
      close();
      throw new DeviceException("ONNX Runtime could not open " + describe(model) + ": " + e.getMessage(), e);
    }
  }

  private static String describe(Object model) {
    return model instanceof Path p ? p.toString() : "a model built in code";
  }

  private static OnnxTensor tensor(OrtEnvironment env, String name, TensorData d) throws OrtException {
    long[] dims = d.dims();
    switch (d.dtype()) {
      case FLOAT32:
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(d.floats()), dims);
      case FLOAT64:
        return OnnxTensor.createTensor(env, DoubleBuffer.wrap(d.doubles()), dims);
      case INT64:
        return OnnxTensor.createTensor(env, LongBuffer.wrap(d.longs()), dims);
      case INT32:
        return OnnxTensor.createTensor(env, IntBuffer.wrap(d.ints()), dims);
      default:
        throw new OffloadException("input '" + name + "': the ONNX Runtime comparison feeds float32, float64, int64"
            + " and int32 inputs; this one is " + d.dtype());
    }
  }

  /** How long ONNX Runtime took to create the session. */
  long openNanos() {
    return openNanos;
  }

  @Override
  public String label() {
    return "onnxruntime";
  }

  @Override
  public void runOnce() {
    try (OrtSession.Result r = session.run(feeds)) {
      if (r.size() == 0) {
        throw new OffloadException("ONNX Runtime returned no outputs");
      }
    } catch (OrtException e) {
      throw new DeviceException("ONNX Runtime run failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    for (OnnxTensor t : feeds.values()) {
      t.close();
    }
    feeds.clear();
    try {
      if (session != null) {
        session.close();
      }
    } catch (OrtException e) {
      throw new DeviceException("ONNX Runtime session did not close: " + e.getMessage(), e);
    } finally {
      if (options != null) {
        options.close();
      }
    }
  }
}
