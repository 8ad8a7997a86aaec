package io.offloadcl.runtime.opencl;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;

/**
 * One kernel entry point of a built program. Argument setting mutates the native object, so a kernel is
 * used by one run at a time (each lane of an executor has kernel objects of its own).
 */
public final class ClKernel implements AutoCloseable {
  final cl_kernel kernel;
  private final String name;
  private boolean released;

  ClKernel(cl_kernel kernel, String name) {
    this.kernel = kernel;
    this.name = name;
    ClResources.created(ClResources.Kind.KERNEL);
  }

  public String name() {
    return name;
  }

  public void setArg(int index, ClBuffer b) {
    Cl.check(CL.clSetKernelArg(kernel, index, Sizeof.cl_mem, Pointer.to(b.mem)),
        "clSetKernelArg(" + name + ", " + index + ")");
  }

  public void setArg(int index, int v) {
    Cl.check(CL.clSetKernelArg(kernel, index, Sizeof.cl_int, Pointer.to(new int[] {v})),
        "clSetKernelArg(" + name + ", " + index + ")");
  }

  public void setArg(int index, float v) {
    Cl.check(CL.clSetKernelArg(kernel, index, Sizeof.cl_float, Pointer.to(new float[] {v})),
        "clSetKernelArg(" + name + ", " + index + ")");
  }

  @Override
  public synchronized void close() {
    if (!released) {
      released = true;
      CL.clReleaseKernel(kernel);
      ClResources.released(ClResources.Kind.KERNEL);
    }
  }
}
