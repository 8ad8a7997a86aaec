package io.offloadcl.quant;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import java.util.Collection;
import java.util.Map;

/**
 * Runs a graph and hands back intermediate values. Calibration needs every activation feeding a quantizable op,
 * but quant may not depend on the runtime, so the caller (api or cli) supplies the executor behind this seam.
 */
@FunctionalInterface
public interface ActivationRunner {
  /**
   * Runs {@code graph} on {@code inputs} (keyed by graph-input name) and returns the graph outputs plus every
   * value named in {@code observe}, keyed by value name. The graph is not modified.
   */
  Map<String, TensorData> run(Graph graph, Map<String, TensorData> inputs, Collection<String> observe);
}
