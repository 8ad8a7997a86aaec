/**
 * The OpenCL runtime through JOCL, and the only package importing org.jocl: device discovery
 * ({@link io.offloadcl.runtime.opencl.OpenClPlatforms}), contexts with an event-ordered queue, buffers, the
 * program cache, and the executor that runs a graph's generated kernels ({@link
 * io.offloadcl.runtime.opencl.OpenClModel}, {@link io.offloadcl.runtime.opencl.OpenClExecutor}).
 */
package io.offloadcl.runtime.opencl;
