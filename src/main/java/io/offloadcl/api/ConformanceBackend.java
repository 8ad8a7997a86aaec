package io.offloadcl.api;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import java.util.Map;

/**
 * An executor the {@link ConformanceRunner} checks against the ONNX backend tests' expected outputs. The Java
 * reference is {@link #reference()}; an OpenCL backend plugs in the same way.
 */
public interface ConformanceBackend {
  /** Short name for reports ("reference", "opencl:pocl"). */
  String name();

  /**
   * Runs an imported graph once.
   *
   * @param inputs graph-input name → tensor, for every graph input
   * @return graph-output name → tensor, for every graph output
   * @throws io.offloadcl.ir.UnsupportedOperatorException when the backend cannot run some op (reported as
   *     UNSUPPORTED, not as an error)
   */
  Map<String, TensorData> run(Graph graph, Map<String, TensorData> inputs);

  /** The plain-Java {@link ReferenceExecutor}. */
  static ConformanceBackend reference() {
    return new ConformanceBackend() {
      @Override
      public String name() {
        return "reference";
      }

      @Override
      public Map<String, TensorData> run(Graph graph, Map<String, TensorData> inputs) {
        return new ReferenceExecutor(graph).run(inputs);
      }
    };
  }
}
