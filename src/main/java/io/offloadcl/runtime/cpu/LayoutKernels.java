package io.offloadcl.runtime.cpu;

/** Reference-kernel family file: registers its kernels with {@link CpuKernels#add}. */
final class LayoutKernels {
  private LayoutKernels() {}

  static void register() {}
}
