package io.offloadcl.passes;

import java.util.Set;
import java.util.TreeSet;

/**
 * What the target device can run, as far as the passes need to know: fusers only create ops the device
 * supports, lowering passes fire when it does not support the original op. Device profiles implement this;
 * the default supports everything.
 */
@FunctionalInterface
public interface DeviceCapabilities {
  /** Supports every op, fused ones included. */
  DeviceCapabilities ALL = op -> true;

  boolean supports(String opType);

  /** A device that runs exactly these ops (e.g. a matmul-only accelerator). */
  static DeviceCapabilities only(String... opTypes) {
    Set<String> s = new TreeSet<>(Set.of(opTypes));
    return s::contains;
  }

  /** Everything except these ops. */
  static DeviceCapabilities allBut(String... opTypes) {
    Set<String> s = new TreeSet<>(Set.of(opTypes));
    return op -> !s.contains(op);
  }
}
