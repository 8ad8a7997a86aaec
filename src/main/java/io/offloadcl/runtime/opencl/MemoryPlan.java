package io.offloadcl.runtime.opencl;

/**
 * What the memory planner decided for one compiled graph: intermediates share {@code slots} pooled device
 * buffers of {@code peakBytes} in total, against {@code intermediateBytes} had each intermediate its own
 * buffer. Graph inputs, outputs and constants have their own buffers, counted apart.
 */
public record MemoryPlan(long peakBytes, long intermediateBytes, int slots, long ioBytes, long constantBytes) {
  @Override
  public String toString() {
    return String.format("device memory: %d bytes of intermediates pooled into %d buffers of %d bytes (%.0f%%);"
        + " inputs/outputs %d bytes, constants %d bytes", intermediateBytes, slots, peakBytes,
        intermediateBytes == 0 ? 100.0 : 100.0 * peakBytes / intermediateBytes, ioBytes, constantBytes);
  }
}
