/** The OpenCL runtime through JOCL: devices, buffers, programs and their cache, launches. The only package importing org.jocl. */
package io.offloadcl.runtime.opencl;
