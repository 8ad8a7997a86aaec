package io.offloadcl.runtime.opencl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;

/**
 * An in-order command queue of a {@link ClContext}: each command starts after the one before it finished, so a
 * linear schedule needs no events at all, and a blocking read or map at the end waits for everything enqueued
 * before it. Used by one thread at a time (an executor gives each concurrent run its own queue).
 */
public final class ClQueue implements AutoCloseable {
  final cl_command_queue queue;
  private final String device;
  private boolean released;

  ClQueue(cl_command_queue queue, String device) {
    this.queue = queue;
    this.device = device;
    ClResources.created(ClResources.Kind.QUEUE);
  }

  /** Enqueues a kernel launch without an event; {@code local} may be null to let the driver choose. */
  public void launch(ClKernel k, long[] global, long[] local) {
    Cl.check(CL.clEnqueueNDRangeKernel(queue, k.kernel, global.length, null, global, local, 0, null, null),
        "clEnqueueNDRangeKernel(" + k.name() + ") on " + device);
  }

  /**
   * Enqueues a host-to-device copy of {@code data} (direct, position 0). Non-blocking: the caller keeps the bytes
   * unchanged until a later blocking command on this queue returned.
   */
  public void write(ClBuffer dst, ByteBuffer data, boolean blocking) {
    Cl.check(CL.clEnqueueWriteBuffer(queue, dst.mem, blocking, 0, data.remaining(), Pointer.to(data), 0, null,
        null), "clEnqueueWriteBuffer(" + data.remaining() + " bytes) on " + device);
  }

  /**
   * Copies {@code data.remaining()} bytes of {@code src} into {@code data} once everything before it ran; without
   * {@code blocking} the bytes are there after a later {@link #finish}.
   */
  public void read(ClBuffer src, ByteBuffer data, boolean blocking) {
    Cl.check(CL.clEnqueueReadBuffer(queue, src.mem, blocking, 0, data.remaining(), Pointer.to(data), 0, null,
        null), "clEnqueueReadBuffer(" + data.remaining() + " bytes) on " + device);
  }

  /**
   * Maps the whole buffer into host memory once everything before it ran, for reading or, with {@code forWrite},
   * for overwriting every byte (the old contents are not copied out). Without {@code blocking} the view is valid
   * after a later {@link #finish}. Give it back with {@link #unmap} before a kernel uses the buffer again.
   */
  public ByteBuffer map(ClBuffer b, boolean forWrite, boolean blocking) {
    int[] err = new int[1];
    ByteBuffer m = CL.clEnqueueMapBuffer(queue, b.mem, blocking,
        forWrite ? CL.CL_MAP_WRITE_INVALIDATE_REGION : CL.CL_MAP_READ, 0, b.bytes(), 0, null, null, err);
    Cl.check(err[0], "clEnqueueMapBuffer(" + b.bytes() + " bytes) on " + device);
    return m.order(ByteOrder.nativeOrder());
  }

  /** Enqueues the end of a mapping made by {@link #map}; later commands on this queue see what was written. */
  public void unmap(ClBuffer b, ByteBuffer mapped) {
    Cl.check(CL.clEnqueueUnmapMemObject(queue, b.mem, mapped, 0, null, null),
        "clEnqueueUnmapMemObject on " + device);
  }

  /** Blocks until every command enqueued so far completed. */
  public void finish() {
    Cl.check(CL.clFinish(queue), "clFinish on " + device);
  }

  @Override
  public synchronized void close() {
    if (!released) {
      released = true;
      CL.clFinish(queue);
      CL.clReleaseCommandQueue(queue);
      ClResources.released(ClResources.Kind.QUEUE);
    }
  }
}
