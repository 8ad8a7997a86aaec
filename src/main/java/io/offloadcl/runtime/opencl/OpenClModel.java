package io.offloadcl.runtime.opencl;

import io.offloadcl.ir.DeviceException;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A graph compiled for one OpenCL device, for any input shapes: a static graph has one executor; a graph with
 * dynamic dimensions gets one executor per distinct set of input shapes, specialized on first sight (its
 * program usually comes from the program cache, since equal shapes give equal sources).
 *
 * <p>Specialization binds, in order and only as far as needed: the inputs' dims; then the values of small
 * integer inputs (shape tensors); then the values of small float inputs (Resize scales, Range bounds). A graph
 * whose shapes still depend on data (NonZero, Unique, Compress) or that holds values no device buffer can
 * carry (strings) cannot be planned ahead: unless strict, it runs on the Java CPU device with one warning naming
 * the node and the reason; strict makes that an {@link UnsupportedOperatorException}.
 */
public final class OpenClModel implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OpenClModel.class);

  /** What serves one specialization: an OpenCL executor, or the reference executor as the fallback. */
  private interface Runner {
    Map<String, TensorData> run(Map<String, TensorData> inputs);
  }

  private final Graph graph;
  private final ClDeviceSet devices;
  private final OpenClExecutor.Options options;
  private final Map<String, Runner> bySignature = new LinkedHashMap<>();
  private final List<OpenClExecutor> compiled = new ArrayList<>();
  private final Runner only;
  // dims signatures whose shapes turned out to depend on input values as well, and how deep the binding went
  private final Map<String, ShapeSpecializer.Binding> binding = new HashMap<>();
  private ReferenceExecutor hostFallback;
  private boolean closed;

  /** The model on one device, whose context and cache the caller closes. */
  public OpenClModel(Graph graph, ClContext ctx, ProgramCache cache, OpenClExecutor.Options options) {
    this(graph, ClDeviceSet.of(ctx, cache), options);
  }

  /**
   * The model on whichever of {@code devices} each specialization runs fastest on ({@link ClDeviceSet#choose});
   * the caller closes the set after the model. A device class in {@code options} overrides the devices' own.
   */
  public OpenClModel(Graph graph, ClDeviceSet devices, OpenClExecutor.Options options) {
    this.graph = graph;
    this.devices = devices;
    this.options = options;
    this.only = ShapeSpecializer.isStatic(graph) ? compile(ShapeSpecializer.fold(graph), "") : null;
  }

  /** Runs the model; see {@link OpenClExecutor#run}. */
  public Map<String, TensorData> run(Map<String, TensorData> inputs) {
    return runnerFor(inputs).run(inputs);
  }

  /** The OpenCL executor that serves these inputs' shapes, compiling it on first use; null when they run on Java. */
  public OpenClExecutor executorFor(Map<String, TensorData> inputs) {
    Runner r = runnerFor(inputs);
    return r instanceof ExecutorRunner ? ((ExecutorRunner) r).exec : null;
  }

  private Runner runnerFor(Map<String, TensorData> inputs) {
    if (only != null) {
      return only;
    }
    ReferenceExecutor.checkInputs(graph, inputs);
    String dims = ShapeSpecializer.valueKey(graph, inputs, ShapeSpecializer.Binding.DIMS);
    synchronized (this) {
      if (closed) {
        throw new DeviceException("model '" + graph.name() + "' is closed");
      }
      ShapeSpecializer.Binding b = binding.getOrDefault(dims, ShapeSpecializer.Binding.DIMS);
      String key = ShapeSpecializer.valueKey(graph, inputs, b);
      Runner r = bySignature.get(key);
      if (r != null) {
        return r;
      }
      Graph g = ShapeSpecializer.specialize(graph, inputs, b);
      while (!ShapeSpecializer.isStatic(g) && b.next() != null) {
        // shapes depend on input values: specialize for those values too
        b = b.next();
        binding.put(dims, b);
        key = ShapeSpecializer.valueKey(graph, inputs, b);
        r = bySignature.get(key);
        if (r != null) {
          return r;
        }
        g = ShapeSpecializer.specialize(graph, inputs, b);
      }
      r = compile(g, key);
      bySignature.put(key, r);
      return r;
    }
  }

  private Runner compile(Graph g, String key) {
    try {
      int d = devices.choose(g);
      OpenClExecutor.Options o = options.deviceClass() != null ? options
          : new OpenClExecutor.Options(options.strict(), devices.deviceClass(d), options.dumpKernelsDir());
      OpenClExecutor ex = new OpenClExecutor(g, devices.context(d), devices.cache(d), o);
      compiled.add(ex);
      return new ExecutorRunner(ex);
    } catch (UnsupportedOperatorException e) {
      if (options.strict()) {
        throw e;
      }
      LOG.warn("graph '{}'{} runs on the Java CPU device instead of OpenCL: {}", graph.name(),
          key.isEmpty() ? "" : " for inputs " + key, e.getMessage());
      synchronized (this) {
        if (hostFallback == null) {
          hostFallback = new ReferenceExecutor(graph);
        }
        return hostFallback::run;
      }
    }
  }

  private static final class ExecutorRunner implements Runner {
    final OpenClExecutor exec;

    ExecutorRunner(OpenClExecutor exec) {
      this.exec = exec;
    }

    @Override
    public Map<String, TensorData> run(Map<String, TensorData> inputs) {
      return exec.run(inputs);
    }
  }

  /** OpenCL executors compiled so far (one for a static graph; none when everything ran on Java). */
  public synchronized List<OpenClExecutor> executors() {
    return new ArrayList<>(compiled);
  }

  /** True when some specialization could not be planned for the device and runs on the Java CPU device. */
  public synchronized boolean usesHostFallback() {
    return hostFallback != null;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      compiled.forEach(OpenClExecutor::close);
      compiled.clear();
      bySignature.clear();
    }
  }
}
