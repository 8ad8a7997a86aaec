package io.offloadcl.runtime.opencl;

import io.offloadcl.ir.DeviceException;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A graph compiled for one OpenCL device, for any input shapes: a static graph has one executor; a graph with
 * dynamic dimensions gets one executor per distinct set of input shapes, specialized on first sight (its
 * program usually comes from the program cache, since equal shapes give equal sources).
 */
public final class OpenClModel implements AutoCloseable {
  private final Graph graph;
  private final ClContext ctx;
  private final ProgramCache cache;
  private final OpenClExecutor.Options options;
  private final Map<String, OpenClExecutor> bySignature = new LinkedHashMap<>();
  private final OpenClExecutor only;
  private boolean closed;

  public OpenClModel(Graph graph, ClContext ctx, ProgramCache cache, OpenClExecutor.Options options) {
    this.graph = graph;
    this.ctx = ctx;
    this.cache = cache;
    this.options = options;
    this.only = ShapeSpecializer.isStatic(graph)
        ? new OpenClExecutor(ShapeSpecializer.fold(graph), ctx, cache, options) : null;
  }

  /** Runs the model; see {@link OpenClExecutor#run}. */
  public Map<String, TensorData> run(Map<String, TensorData> inputs) {
    return executorFor(inputs).run(inputs);
  }

  /** The executor that serves these inputs' shapes, compiling it on first use. */
  public OpenClExecutor executorFor(Map<String, TensorData> inputs) {
    if (only != null) {
      return only;
    }
    ReferenceExecutor.checkInputs(graph, inputs);
    StringBuilder sig = new StringBuilder();
    graph.inputs().forEach(v -> sig.append(Arrays.toString(inputs.get(v.name()).dims())).append(';'));
    synchronized (this) {
      if (closed) {
        throw new DeviceException("model '" + graph.name() + "' is closed");
      }
      OpenClExecutor ex = bySignature.get(sig.toString());
      if (ex == null) {
        ex = new OpenClExecutor(ShapeSpecializer.specialize(graph, inputs), ctx, cache, options);
        bySignature.put(sig.toString(), ex);
      }
      return ex;
    }
  }

  /** Executors compiled so far (one for a static graph). */
  public synchronized List<OpenClExecutor> executors() {
    List<OpenClExecutor> l = new ArrayList<>(bySignature.values());
    if (only != null) {
      l.add(only);
    }
    return l;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      executors().forEach(OpenClExecutor::close);
      bySignature.clear();
    }
  }
}
