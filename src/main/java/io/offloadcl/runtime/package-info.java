/** Executors and the memory planner; runtime.opencl is the only package importing JOCL, runtime.cpu holds the reference kernels. */
package io.offloadcl.runtime;
