package io.offloadcl.runtime.cpu;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** Registry of reference kernels by op type, filled in plain code by the family files. */
public final class CpuKernels {
  private static final Map<String, CpuKernel> KERNELS = new TreeMap<>();

  static {
    ElementwiseKernels.register();
    ReductionKernels.register();
    NnKernels.register();
    LayoutKernels.register();
    ShapeKernels.register();
    FusedKernels.register();
    QuantKernels.register();
  }

  private CpuKernels() {}

  static void add(String opType, CpuKernel k) {
    if (KERNELS.put(opType, k) != null) {
      throw new IllegalStateException("kernel for " + opType + " registered twice");
    }
  }

  /** The kernel for an op type, or null. */
  public static CpuKernel find(String opType) {
    return KERNELS.get(opType);
  }

  public static Map<String, CpuKernel> all() {
    return Collections.unmodifiableMap(KERNELS);
  }
}
