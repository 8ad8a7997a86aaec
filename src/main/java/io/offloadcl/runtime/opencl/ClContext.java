package io.offloadcl.runtime.opencl;

import io.offloadcl.ir.DeviceException;
import java.nio.ByteBuffer;
import java.util.List;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_buffer_region;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_mem;
import org.jocl.cl_queue_properties;

/**
 * A context and one command queue on one device. The queue is out-of-order where the device allows it, so
 * ordering comes only from the events each command waits on: callers pass the events of the commands that
 * produce what they read (and of earlier readers of a buffer they overwrite). No call here drains the queue
 * except {@link #finish()}. {@link #inOrderQueue()} makes further queues, in order and without events, for runs whose
 * schedule is a sequence.
 */
public final class ClContext implements AutoCloseable {
  private final ClDevice device;
  final cl_context context;
  final cl_command_queue queue;
  private final boolean outOfOrder;
  private final boolean hostUnifiedMemory;
  private final long subBufferAlign;
  private boolean released;

  private ClContext(ClDevice device, cl_context context, cl_command_queue queue, boolean outOfOrder,
      boolean hostUnifiedMemory, long subBufferAlign) {
    this.device = device;
    this.context = context;
    this.queue = queue;
    this.outOfOrder = outOfOrder;
    this.hostUnifiedMemory = hostUnifiedMemory;
    this.subBufferAlign = subBufferAlign;
  }

  /** Opens a context and queue on the device. */
  public static ClContext open(ClDevice device) {
    return open(device, true);
  }

  /**
   * As {@link #open(ClDevice)}; without {@code mapWhereUnified} the context reports no host-unified memory, so
   * executors copy through staging buffers as on a discrete GPU (how tests cover that path on a CPU driver).
   */
  static ClContext open(ClDevice device, boolean mapWhereUnified) {
    cl_context_properties props = new cl_context_properties();
    props.addProperty(CL.CL_CONTEXT_PLATFORM, device.platformId);
    int[] err = new int[1];
    cl_context ctx = CL.clCreateContext(props, 1, new cl_device_id[] {device.deviceId}, null, null, err);
    Cl.check(err[0], "clCreateContext on " + device.name());
    ClResources.created(ClResources.Kind.CONTEXT);
    long supported = 0;
    try {
      supported = OpenClPlatforms.deviceLong(device.deviceId, CL.CL_DEVICE_QUEUE_PROPERTIES);
    } catch (DeviceException e) {
      supported = 0;
    }
    boolean ooo = (supported & CL.CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE) != 0;
    cl_queue_properties qp = new cl_queue_properties();
    if (ooo) {
      qp.addProperty(CL.CL_QUEUE_PROPERTIES, CL.CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE);
    }
    cl_command_queue q = CL.clCreateCommandQueueWithProperties(ctx, device.deviceId, qp, err);
    if (err[0] != CL.CL_SUCCESS && ooo) {
      ooo = false;
      q = CL.clCreateCommandQueueWithProperties(ctx, device.deviceId, new cl_queue_properties(), err);
    }
    if (err[0] != CL.CL_SUCCESS) {
      CL.clReleaseContext(ctx);
      ClResources.released(ClResources.Kind.CONTEXT);
      Cl.check(err[0], "clCreateCommandQueueWithProperties on " + device.name());
    }
    ClResources.created(ClResources.Kind.QUEUE);
    boolean unified = false;
    try {
      unified = mapWhereUnified
          && OpenClPlatforms.deviceInt(device.deviceId, CL.CL_DEVICE_HOST_UNIFIED_MEMORY) != 0;
    } catch (DeviceException e) {
      // OpenCL 3.0 drivers may drop the query: copying is always correct
    }
    long align = 0;
    try {
      align = OpenClPlatforms.deviceInt(device.deviceId, CL.CL_DEVICE_MEM_BASE_ADDR_ALIGN) / 8;
    } catch (DeviceException e) {
      // no sub-buffers then: every value keeps a buffer of its own
    }
    return new ClContext(device, ctx, q, ooo, unified, align);
  }

  /**
   * The byte alignment a sub-buffer's origin needs (CL_DEVICE_MEM_BASE_ADDR_ALIGN, in bytes), or 0 when the
   * device did not say: then no sub-buffers are made.
   */
  public long subBufferAlign() {
    return subBufferAlign;
  }

  /**
   * A buffer that is the region {@code [offset, offset + bytes)} of {@code parent} (clCreateSubBuffer): kernels
   * writing it write the parent. {@code offset} must be a multiple of {@link #subBufferAlign}.
   */
  public ClBuffer subBuffer(ClBuffer parent, long offset, long bytes) {
    if (subBufferAlign <= 0 || offset < 0 || offset % subBufferAlign != 0 || bytes <= 0
        || offset + bytes > parent.bytes()) {
      throw new DeviceException("a sub-buffer of " + bytes + " bytes at offset " + offset + " does not fit a "
          + parent.bytes() + "-byte buffer at the " + subBufferAlign + "-byte alignment of " + device.name());
    }
    int[] err = new int[1];
    cl_mem m = CL.clCreateSubBuffer(parent.mem, CL.CL_MEM_READ_WRITE, CL.CL_BUFFER_CREATE_TYPE_REGION,
        new cl_buffer_region(offset, bytes), err);
    Cl.check(err[0], "clCreateSubBuffer(offset " + offset + ", " + bytes + " bytes of " + parent.bytes() + ") on "
        + device.name());
    return new ClBuffer(m, bytes);
  }

  public ClDevice device() {
    return device;
  }

  /** True when commands may run out of submission order (events alone order them). */
  public boolean outOfOrder() {
    return outOfOrder;
  }

  /**
   * True when the device reports that it shares the host's memory (CL_DEVICE_HOST_UNIFIED_MEMORY: CPU drivers such
   * as POCL, integrated GPUs): mapping a {@link #hostBuffer} then gives the host the device's bytes without a copy.
   */
  public boolean hostUnifiedMemory() {
    return hostUnifiedMemory;
  }

  /** A new in-order queue on this context's device; the caller closes it. */
  public ClQueue inOrderQueue() {
    int[] err = new int[1];
    cl_command_queue q = CL.clCreateCommandQueueWithProperties(context, device.deviceId, new cl_queue_properties(),
        err);
    Cl.check(err[0], "clCreateCommandQueueWithProperties on " + device.name());
    return new ClQueue(q, device.name());
  }

  /**
   * A buffer the driver allocates in host-accessible memory (CL_MEM_ALLOC_HOST_PTR), for inputs and outputs that
   * the host maps rather than copies; on a device with {@link #hostUnifiedMemory} the mapping is the buffer itself.
   */
  public ClBuffer hostBuffer(long bytes) {
    if (bytes <= 0) {
      bytes = 4;
    }
    int[] err = new int[1];
    cl_mem m = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE | CL.CL_MEM_ALLOC_HOST_PTR, bytes, null, err);
    Cl.check(err[0], "clCreateBuffer(" + bytes + " bytes, CL_MEM_ALLOC_HOST_PTR) on " + device.name());
    return new ClBuffer(m, bytes);
  }

  /** @throws DeviceException naming the size when the device cannot allocate it */
  public ClBuffer buffer(long bytes) {
    if (bytes <= 0) {
      bytes = 4; // OpenCL rejects zero-size buffers; empty tensors still need an argument to bind
    }
    int[] err = new int[1];
    cl_mem m = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, bytes, null, err);
    Cl.check(err[0], "clCreateBuffer(" + bytes + " bytes) on " + device.name());
    return new ClBuffer(m, bytes);
  }

  /**
   * Enqueues a host-to-device copy of {@code data} (a direct buffer, position 0, that the caller keeps alive
   * until the returned event completes).
   */
  public ClEvent write(ClBuffer dst, ByteBuffer data, List<ClEvent> waitFor) {
    cl_event[] w = ClEvent.array(waitFor);
    cl_event e = new cl_event();
    Cl.check(CL.clEnqueueWriteBuffer(queue, dst.mem, false, 0, data.remaining(), Pointer.to(data),
        w == null ? 0 : w.length, w, e), "clEnqueueWriteBuffer(" + data.remaining() + " bytes)");
    return new ClEvent(e);
  }

  /** Enqueues a device-to-host copy into {@code data} (direct, kept alive until the event completes). */
  public ClEvent read(ClBuffer src, ByteBuffer data, List<ClEvent> waitFor) {
    cl_event[] w = ClEvent.array(waitFor);
    cl_event e = new cl_event();
    Cl.check(CL.clEnqueueReadBuffer(queue, src.mem, false, 0, data.remaining(), Pointer.to(data),
        w == null ? 0 : w.length, w, e), "clEnqueueReadBuffer(" + data.remaining() + " bytes)");
    return new ClEvent(e);
  }

  /** Enqueues a device-side copy of {@code bytes} bytes. */
  public ClEvent copy(ClBuffer src, ClBuffer dst, long bytes, List<ClEvent> waitFor) {
    cl_event[] w = ClEvent.array(waitFor);
    cl_event e = new cl_event();
    Cl.check(CL.clEnqueueCopyBuffer(queue, src.mem, dst.mem, 0, 0, bytes, w == null ? 0 : w.length, w, e),
        "clEnqueueCopyBuffer(" + bytes + " bytes)");
    return new ClEvent(e);
  }

  /** Enqueues a kernel launch; {@code local} may be null to let the driver choose. */
  public ClEvent launch(ClKernel k, long[] global, long[] local, List<ClEvent> waitFor) {
    cl_event[] w = ClEvent.array(waitFor);
    cl_event e = new cl_event();
    Cl.check(CL.clEnqueueNDRangeKernel(queue, k.kernel, global.length, null, global, local,
        w == null ? 0 : w.length, w, e), "clEnqueueNDRangeKernel(" + k.name() + ")");
    return new ClEvent(e);
  }

  /** Drains the queue; for tests and shutdown, never between ops. */
  public void finish() {
    Cl.check(CL.clFinish(queue), "clFinish");
  }

  @Override
  public synchronized void close() {
    if (!released) {
      released = true;
      CL.clFinish(queue);
      CL.clReleaseCommandQueue(queue);
      ClResources.released(ClResources.Kind.QUEUE);
      CL.clReleaseContext(context);
      ClResources.released(ClResources.Kind.CONTEXT);
    }
  }
}
