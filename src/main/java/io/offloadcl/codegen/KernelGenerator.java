package io.offloadcl.codegen;

import io.offloadcl.ir.Node;
import io.offloadcl.ir.UnsupportedOperatorException;
import java.util.Set;

/**
 * Chooses the template for a node and specializes it for the node's static shapes and the device class.
 * Ops without a template, dtypes other than the template's, or dynamic shapes raise
 * {@link UnsupportedOperatorException} with the reason, so the caller can fall back to the Java kernels.
 */
public final class KernelGenerator {
  /** Ops whose output is their first input reinterpreted: no kernel, the buffer is shared. */
  private static final Set<String> VIEWS = Set.of("Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity",
      "Dropout");

  private final DeviceClass deviceClass;

  public KernelGenerator(DeviceClass deviceClass) {
    this.deviceClass = deviceClass;
  }

  public DeviceClass deviceClass() {
    return deviceClass;
  }

  /**
   * True when the node's (only live) output is a view of input 0 with the same bytes, so the executor aliases
   * buffers instead of launching a kernel.
   */
  public static boolean isView(Node n) {
    if (!VIEWS.contains(n.opType()) || n.inputs().isEmpty() || n.input(0) == null) {
      return false;
    }
    for (int i = 1; i < n.outputs().size(); i++) {
      if (n.output(i) != null && !n.output(i).uses().isEmpty()) {
        return false; // Dropout's mask is real data (a mask that is a graph output: see OpenClExecutor)
      }
    }
    return !n.outputs().isEmpty() && n.output(0) != null;
  }

  /** A stable, readable, C-identifier kernel name for the node at position {@code index}. */
  public static String kernelName(int index, Node n) {
    String base = (n.opType() + "_" + n.name()).replaceAll("[^A-Za-z0-9_]", "_");
    if (base.length() > 48) {
      base = base.substring(0, 48);
    }
    return "k" + index + "_" + base;
  }

  /** @throws UnsupportedOperatorException when no OpenCL kernel can be generated for the node yet */
  public KernelSource generate(Node n, String kernelName) {
    return generate(n, kernelName, Epilogue.NONE);
  }

  /**
   * Generates the node's kernel with {@code epilogue} applied to every output value after the op's own
   * (after Conv's or Gemm's bias): how fused elementwise work reaches a kernel. Data-movement ops take none.
   *
   * @throws UnsupportedOperatorException when no OpenCL kernel can be generated for the node yet
   */
  public KernelSource generate(Node n, String kernelName, Epilogue epilogue) {
    String op = n.opType();
    if (FusedGen.handles(op)) {
      return FusedGen.generate(n, kernelName, deviceClass, epilogue);
    }
    if (QuantGen.handles(n)) {
      return QuantGen.generate(n, kernelName, epilogue);
    }
    if (!(n.domain().isEmpty() || n.domain().equals("ai.onnx"))) {
      throw new UnsupportedOperatorException("node '" + n.name() + "': no OpenCL template for domain '"
          + n.domain() + "' op " + op);
    }
    if (ElementwiseGen.handles(op)) {
      return ElementwiseGen.generate(n, kernelName, epilogue);
    }
    if (ReduceGen.handles(op)) {
      return ReduceGen.generate(n, kernelName, epilogue);
    }
    if (PadWhereGen.handles(op)) {
      if (!epilogue.stages().isEmpty()) {
        throw new UnsupportedOperatorException("node '" + n.name() + "' (" + op + ") moves data and takes no epilogue");
      }
      return PadWhereGen.generate(n, kernelName);
    }
    if (LayoutGen.handles(op)) {
      if (!epilogue.stages().isEmpty()) {
        throw new UnsupportedOperatorException("node '" + n.name() + "' (" + op + ") moves data and takes no epilogue");
      }
      return LayoutGen.generate(n, kernelName, deviceClass);
    }
    switch (op) {
      case "MatMul":
        return GemmGen.matMul(n, kernelName, deviceClass, epilogue);
      case "Gemm":
        return GemmGen.gemm(n, kernelName, deviceClass, epilogue);
      case "Conv":
        return ConvGen.generate(n, kernelName, deviceClass, epilogue);
      case "MaxPool":
      case "AveragePool":
      case "GlobalAveragePool":
      case "GlobalMaxPool":
        return PoolGen.generate(n, kernelName, deviceClass, epilogue);
      case "LRN":
        return PoolGen.lrn(n, kernelName, epilogue);
      case "LayerNormalization":
        return SoftmaxGen.layerNorm(n, kernelName, deviceClass, epilogue);
      case "Softmax":
      case "LogSoftmax":
        return SoftmaxGen.generate(n, kernelName, deviceClass, epilogue);
      default:
        throw new UnsupportedOperatorException("node '" + n.name() + "': no OpenCL template for " + op + " yet");
    }
  }
}
