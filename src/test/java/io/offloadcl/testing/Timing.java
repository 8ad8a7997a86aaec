package io.offloadcl.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Timing helpers for the bench-tagged tests: medians, and runners timed in alternating rounds. */
public final class Timing {
  private Timing() {}

  /** The median (the upper one for an even count). */
  public static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }

  /** The median of a list (the upper one for an even count). */
  public static double median(List<Double> v) {
    return median(v.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /**
   * Median milliseconds of {@code runs} executions of each runner after one warm-up each, alternating between
   * them so that load from other processes hits both alike.
   */
  public static double[] alternate(int runs, List<Runnable> runners) {
    runners.forEach(Runnable::run);
    List<List<Double>> t = new ArrayList<>();
    runners.forEach(r -> t.add(new ArrayList<>()));
    for (int i = 0; i < runs; i++) {
      for (int j = 0; j < runners.size(); j++) {
        long t0 = System.nanoTime();
        runners.get(j).run();
        t.get(j).add((System.nanoTime() - t0) / 1e6);
      }
    }
    return t.stream().mapToDouble(Timing::median).toArray();
  }
}
