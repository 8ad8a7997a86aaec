package io.offloadcl.api;

import io.offloadcl.ir.Graph;
import io.offloadcl.onnx.OnnxImporter;
import io.offloadcl.passes.ConstantEvaluator;
import io.offloadcl.passes.DefaultPipeline;
import io.offloadcl.passes.DeviceCapabilities;
import io.offloadcl.passes.PassContext;
import io.offloadcl.passes.PassReport;
import io.offloadcl.runtime.cpu.CpuKernel;
import io.offloadcl.runtime.cpu.CpuKernels;
import java.nio.file.Path;

/**
 * The seam between the optimizer and the rest: passes may not import the runtime, and the CLI may not import
 * the importer or the runtime, so this is where a model is loaded for optimizing and where constant folding
 * gets the reference kernels as its evaluator.
 */
public final class GraphOptimizer {
  private GraphOptimizer() {}

  /** Imports a model with shape inference done (what the passes expect). */
  public static Graph load(Path model) {
    return OnnxImporter.load(model);
  }

  /** Constant folding through the plain-Java reference kernels; null for ops without one (they stay). */
  public static ConstantEvaluator referenceEvaluator() {
    return (node, inputs) -> {
      CpuKernel k = CpuKernels.find(node.opType());
      return k == null ? null : k.run(node, inputs);
    };
  }

  /** A pass context for the given device with the reference evaluator. */
  public static PassContext context(DeviceCapabilities device) {
    return PassContext.builder().capabilities(device).evaluator(referenceEvaluator()).build();
  }

  /** Runs the default pipeline over {@code g} in place for a device that supports every op. */
  public static PassReport optimize(Graph g) {
    return DefaultPipeline.optimize(g, context(DeviceCapabilities.ALL));
  }
}
