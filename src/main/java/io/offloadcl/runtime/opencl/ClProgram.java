package io.offloadcl.runtime.opencl;

import io.offloadcl.ir.DeviceException;
import org.jocl.CL;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

/** A built program; kernels are created from it by entry-point name. */
public final class ClProgram implements AutoCloseable {
  final cl_program program;
  private final boolean fromBinary;
  private boolean released;

  ClProgram(cl_program program, boolean fromBinary) {
    this.program = program;
    this.fromBinary = fromBinary;
    ClResources.created(ClResources.Kind.PROGRAM);
  }

  /** True when it was loaded from a cached binary rather than compiled from source. */
  public boolean fromBinary() {
    return fromBinary;
  }

  /** @throws DeviceException when the program has no kernel of that name */
  public ClKernel kernel(String name) {
    int[] err = new int[1];
    cl_kernel k = CL.clCreateKernel(program, name, err);
    Cl.check(err[0], "clCreateKernel(" + name + ")");
    return new ClKernel(k, name);
  }

  @Override
  public synchronized void close() {
    if (!released) {
      released = true;
      CL.clReleaseProgram(program);
      ClResources.released(ClResources.Kind.PROGRAM);
    }
  }
}
