/**
 * The plain-Java reference kernels and executor: the oracle for every OpenCL kernel and the "java" CPU device.
 * One family file per group of ops registers its kernels with {@link io.offloadcl.runtime.cpu.CpuKernels}.
 */
package io.offloadcl.runtime.cpu;
