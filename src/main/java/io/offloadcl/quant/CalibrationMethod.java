package io.offloadcl.quant;

import java.util.Locale;

/** How the saturation threshold T of an activation tensor is chosen from its |x| histogram. */
public enum CalibrationMethod {
  /** T minimizing KL(P || Q) between the clipped fp32 distribution and its 128-level quantization. */
  ENTROPY,
  /** T at a percentile of |x| (99.99 by default). */
  PERCENTILE,
  /** T = max |x|: no saturation. */
  MINMAX;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses "entropy", "percentile" or "minmax" (any case). */
  public static CalibrationMethod parse(String s) {
    for (CalibrationMethod m : values()) {
      if (m.id().equalsIgnoreCase(s == null ? "" : s.trim())) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown calibration method '" + s + "' (expected entropy, percentile or minmax)");
  }
}
