package io.offloadcl.cli;

import java.util.Arrays;
import java.util.Locale;

/** Wall-clock times of repeated runs, summarized as median, min and max. */
final class Timings {
  private final long[] nanos;

  Timings(long[] nanos) {
    this.nanos = nanos.clone();
    Arrays.sort(this.nanos);
  }

  double medianMs() {
    int n = nanos.length;
    double m = n % 2 == 1 ? nanos[n / 2] : (nanos[n / 2 - 1] + nanos[n / 2]) / 2.0;
    return m / 1e6;
  }

  double minMs() {
    return nanos[0] / 1e6;
  }

  double maxMs() {
    return nanos[nanos.length - 1] / 1e6;
  }

  int count() {
    return nanos.length;
  }

  /** "time: median 1.234 ms (min 1.100, max 1.500) over 10 runs". */
  String summary() {
    return String.format(Locale.ROOT, "time: median %.3f ms (min %.3f, max %.3f) over %d run%s", medianMs(), minMs(),
        maxMs(), count(), count() == 1 ? "" : "s");
  }
}
