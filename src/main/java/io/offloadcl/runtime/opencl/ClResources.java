package io.offloadcl.runtime.opencl;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts live native OpenCL objects by kind. Every wrapper increments on creation and decrements once on
 * release, so a test can run a model many times and check the counts return to their baseline: a leak shows
 * as a count that keeps growing.
 */
public final class ClResources {
  /** The kinds of native object we create. */
  public enum Kind { CONTEXT, QUEUE, BUFFER, PROGRAM, KERNEL, EVENT }

  private static final Map<Kind, AtomicLong> LIVE = new EnumMap<>(Kind.class);

  static {
    for (Kind k : Kind.values()) {
      LIVE.put(k, new AtomicLong());
    }
  }

  private ClResources() {}

  static void created(Kind k) {
    LIVE.get(k).incrementAndGet();
  }

  static void released(Kind k) {
    LIVE.get(k).decrementAndGet();
  }

  /** Objects of this kind currently alive in this JVM. */
  public static long live(Kind k) {
    return LIVE.get(k).get();
  }

  /** A snapshot of every count, for reports and leak checks. */
  public static Map<Kind, Long> snapshot() {
    Map<Kind, Long> m = new EnumMap<>(Kind.class);
    LIVE.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }
}
