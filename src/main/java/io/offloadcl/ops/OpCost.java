package io.offloadcl.ops;

/**
 * What one execution of an operator costs, the inputs to the cost model's read (R), compute (C) and write (W)
 * phases: floating-point operations, bytes read and bytes written. -1 marks an unknown figure (dynamic shapes).
 */
public final class OpCost {
  public static final OpCost UNKNOWN = new OpCost(-1, -1, -1);

  private final long flops;
  private final long bytesRead;
  private final long bytesWritten;

  public OpCost(long flops, long bytesRead, long bytesWritten) {
    this.flops = flops;
    this.bytesRead = bytesRead;
    this.bytesWritten = bytesWritten;
  }

  public long flops() {
    return flops;
  }

  public long bytesRead() {
    return bytesRead;
  }

  public long bytesWritten() {
    return bytesWritten;
  }

  public boolean isKnown() {
    return flops >= 0 && bytesRead >= 0 && bytesWritten >= 0;
  }

  @Override
  public String toString() {
    return "OpCost{flops=" + flops + ", read=" + bytesRead + ", written=" + bytesWritten + "}";
  }
}
