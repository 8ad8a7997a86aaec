package io.offloadcl.runtime.opencl;

import org.jocl.CL;
import org.jocl.cl_mem;

/** A device buffer of a fixed byte size. */
public final class ClBuffer implements AutoCloseable {
  final cl_mem mem;
  private final long bytes;
  private boolean released;

  ClBuffer(cl_mem mem, long bytes) {
    this.mem = mem;
    this.bytes = bytes;
    ClResources.created(ClResources.Kind.BUFFER);
  }

  public long bytes() {
    return bytes;
  }

  @Override
  public synchronized void close() {
    if (!released) {
      released = true;
      CL.clReleaseMemObject(mem);
      ClResources.released(ClResources.Kind.BUFFER);
    }
  }
}
