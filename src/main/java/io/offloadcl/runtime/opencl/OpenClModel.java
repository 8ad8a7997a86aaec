package io.offloadcl.runtime.opencl;

import io.offloadcl.ir.DeviceException;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import java.util.ArrayList;
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
  // dims signatures whose shapes turned out to depend on input values as well
  private final java.util.Set<String> needValues = new java.util.HashSet<>();
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
    String dims = ShapeSpecializer.valueKey(graph, inputs, false);
    synchronized (this) {
      if (closed) {
        throw new DeviceException("model '" + graph.name() + "' is closed");
      }
      boolean values = needValues.contains(dims);
      String key = values ? ShapeSpecializer.valueKey(graph, inputs, true) : dims;
      OpenClExecutor ex = bySignature.get(key);
      if (ex != null) {
        return ex;
      }
      Graph g = ShapeSpecializer.specialize(graph, inputs, values);
      if (!values && !ShapeSpecializer.isStatic(g)) {
        // shapes depend on input values (shape tensors fed as inputs): specialize for those values too
        needValues.add(dims);
        key = ShapeSpecializer.valueKey(graph, inputs, true);
        ex = bySignature.get(key);
        if (ex != null) {
          return ex;
        }
        g = ShapeSpecializer.specialize(graph, inputs, true);
      }
      ex = new OpenClExecutor(g, ctx, cache, options);
      bySignature.put(key, ex);
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
