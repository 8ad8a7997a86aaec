package io.offloadcl.api;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import io.offloadcl.quant.ActivationRunner;
import io.offloadcl.quant.QuantGraphs;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link ActivationRunner} of calibration and evaluation: the reference executor over a copy of the graph
 * whose outputs also list the observed values (the executor itself only returns graph outputs). The copy and its
 * executor are kept per graph and observed set, since calibration runs the same pair for every input.
 */
public final class QuantRunner implements ActivationRunner {
  private record Key(List<String> observe) {}

  private final Map<Graph, Map<Key, ReferenceExecutor>> cache = new IdentityHashMap<>();

  @Override
  public synchronized Map<String, TensorData> run(Graph graph, Map<String, TensorData> inputs,
      Collection<String> observe) {
    Key key = new Key(List.copyOf(observe));
    ReferenceExecutor ex = cache.computeIfAbsent(graph, g -> new java.util.HashMap<>())
        .computeIfAbsent(key, k -> new ReferenceExecutor(
            observe.isEmpty() ? graph : QuantGraphs.withOutputs(graph, new ArrayList<>(observe))));
    return ex.run(inputs);
  }
}
