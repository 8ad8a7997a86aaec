package io.offloadcl.api;

import java.util.Arrays;
import java.util.List;

/**
 * Latency summary of one engine on one model: median, min and max of the timed runs in milliseconds. The median
 * is what benchmark figures quote, because the machine is shared and the mean follows its outliers.
 *
 * @param runs how many timed runs the figures cover
 */
public record BenchStats(int runs, double medianMs, double minMs, double maxMs) {

  /** Summarises run times given in nanoseconds; an even count takes the mean of the two middle samples. */
  public static BenchStats ofNanos(List<Long> nanos) {
    if (nanos == null || nanos.isEmpty()) {
      throw new IllegalArgumentException("no timed runs to summarise");
    }
    long[] s = nanos.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(s);
    int n = s.length;
    double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
    return new BenchStats(n, median / 1e6, s[0] / 1e6, s[n - 1] / 1e6);
  }

  /** This median over another's: above 1 means this engine is slower. */
  public double ratioTo(BenchStats other) {
    return medianMs / other.medianMs;
  }
}
