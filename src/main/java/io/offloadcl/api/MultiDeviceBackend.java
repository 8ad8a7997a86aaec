package io.offloadcl.api;

import io.offloadcl.device.DeviceProfile;
import io.offloadcl.device.DeviceProfiles;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Settings;
import io.offloadcl.ir.TensorData;
import io.offloadcl.placement.Placement;
import io.offloadcl.placement.Placer;
import io.offloadcl.runtime.MultiDeviceExecutor;
import io.offloadcl.runtime.RunReport;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import io.offloadcl.runtime.opencl.ShapeSpecializer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs a session's model on several devices: the graph (shape arithmetic folded; a dynamic graph specialized per
 * input signature on first sight) is placed by the options' strategy on the options' profiles, and a
 * {@link MultiDeviceExecutor} runs every op on the real device its profile binds to. The graph is taken as
 * imported, like the OpenCL backend's: fused ops have no OpenCL kernels yet.
 */
final class MultiDeviceBackend implements Backend {
  private final Graph graph;
  private final String strategy;
  private final List<DeviceProfile> profiles;
  private final List<MultiDeviceExecutor.Binding> bindings;
  private final Consumer<RunTimings> listener;
  private final Map<String, MultiDeviceExecutor> bySignature = new LinkedHashMap<>();
  private final MultiDeviceExecutor only;
  private boolean closed;

  MultiDeviceBackend(Graph graph, SessionOptions options) {
    this.graph = graph;
    this.strategy = options.strategy();
    List<DeviceProfile> ps = new ArrayList<>();
    for (String p : options.profiles()) {
      ps.add(DeviceProfiles.resolve(p.trim()));
    }
    this.profiles = MultiDeviceExecutor.distinctIds(ps);
    this.bindings = MultiDeviceExecutor.bind(profiles);
    this.listener = options.timingListener();
    this.only = ShapeSpecializer.isStatic(graph) ? compile(ShapeSpecializer.fold(graph)) : null;
  }

  private MultiDeviceExecutor compile(Graph g) {
    Placement p = Placer.place(g, profiles, strategy, Map.of());
    return new MultiDeviceExecutor(p, bindings, Settings.cacheDir().resolve("programs"));
  }

  @Override
  public String name() {
    StringBuilder b = new StringBuilder("multi[" + strategy + "]:");
    for (int i = 0; i < bindings.size(); i++) {
      b.append(i == 0 ? "" : "+").append(bindings.get(i).profile().id()).append("=").append(bindings.get(i).label());
    }
    return b.toString();
  }

  private synchronized MultiDeviceExecutor executorFor(Map<String, TensorData> inputs) {
    if (closed) {
      throw new io.offloadcl.ir.DeviceException("session on " + name() + " is closed");
    }
    if (only != null) {
      return only;
    }
    ReferenceExecutor.checkInputs(graph, inputs);
    // dims only where they suffice: binding input values would fold a model with small integer inputs (token
    // ids) into constants, leaving nothing to place
    String key = ShapeSpecializer.valueKey(graph, inputs, ShapeSpecializer.Binding.DIMS);
    MultiDeviceExecutor ex = bySignature.get(key);
    if (ex == null) {
      Graph g = ShapeSpecializer.specialize(graph, inputs, ShapeSpecializer.Binding.DIMS);
      if (ShapeSpecializer.isStatic(g)) {
        ex = compile(g);
        bySignature.put(key, ex);
        return ex;
      }
      key = ShapeSpecializer.valueKey(graph, inputs, ShapeSpecializer.Binding.ALL_VALUES);
      ex = bySignature.get(key);
      if (ex == null) {
        ex = compile(ShapeSpecializer.specialize(graph, inputs, ShapeSpecializer.Binding.ALL_VALUES));
        bySignature.put(key, ex);
      }
    }
    return ex;
  }

  @Override
  public Map<String, TensorData> run(Map<String, TensorData> inputs) {
    MultiDeviceExecutor ex = executorFor(inputs);
    // the executor serialises its runs; the report is taken under the same lock as the run it describes
    synchronized (ex) {
      Map<String, TensorData> r = ex.run(inputs);
      if (listener != null) {
        listener.accept(new RunTimings(RunReport.of(ex)));
      }
      return r;
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      if (only != null) {
        only.close();
      }
      bySignature.values().forEach(MultiDeviceExecutor::close);
    }
  }
}
