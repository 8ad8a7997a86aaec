package io.offloadcl.runtime.cpu;

import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;

/**
 * A plain-Java reference implementation of one operator: the oracle every OpenCL kernel is compared with, and
 * the "java" CPU device.
 */
@FunctionalInterface
public interface CpuKernel {
  /**
   * Computes the node's outputs. {@code inputs} has one entry per input slot (null for an omitted optional
   * input); the result has one entry per node output (null for an omitted output). Kernels never modify inputs.
   */
  TensorData[] run(Node node, TensorData[] inputs);
}
