package io.offloadcl.api;

import io.offloadcl.runtime.RunReport;

/**
 * How a multi-device run's measured times compare with the cost model's predictions: per segment (an op on the
 * Java device, a run of ops in one OpenCL program elsewhere) and in total. Handed to
 * {@link SessionOptions#timingListener()} after each run.
 */
public final class RunTimings {
  private final RunReport report;

  RunTimings(RunReport report) {
    this.report = report;
  }

  /** A text table: segment, device, ops, predicted ms, measured ms, error; then the totals. */
  public String table() {
    return report.table();
  }

  /** The same as JSON: {@code segments[]} with {@code predictedMs}, {@code measuredMs}, {@code error}, and totals. */
  public String toJson() {
    return report.toJson();
  }

  /** Mean of |predicted − measured| / measured over the segments. */
  public double meanAbsError() {
    return report.meanAbsError();
  }

  public double predictedMakespanMs() {
    return report.predictedMakespanMs();
  }

  public double measuredMs() {
    return report.measuredTotalMs();
  }
}
