package io.offloadcl.quant;

/**
 * Counts of |x| for one activation tensor over a range fixed in advance ([0, maxAbs] of the whole calibration
 * set, found in a first pass). Because the range never adapts to the data seen so far, the counts are a plain
 * sum over inputs, so the histogram (and every threshold drawn from it) is independent of the order and batch
 * split of the calibration inputs.
 *
 * <p>Exact zeros (Relu outputs, black pixels) are counted apart: they quantize to exactly 0 at any threshold, so
 * they say nothing about where to cut, and as a spike in bin 0 they would make the entropy search favour tiny
 * thresholds (the first level would then merge the spike with real small values).
 */
public final class ActivationHistogram {
  /** Bins of |x|, as in TensorRT's entropy calibration. */
  public static final int BINS = 2048;

  private final double range;
  private final long[] counts = new long[BINS];
  private long total;
  private long zeros;

  /** @param range max |x| over the whole calibration set; 0 when the tensor is identically zero */
  public ActivationHistogram(double range) {
    if (!(range >= 0) || Double.isInfinite(range)) {
      throw new IllegalArgumentException("histogram range must be finite and >= 0, got " + range);
    }
    this.range = range;
  }

  public double range() {
    return range;
  }

  public double binWidth() {
    return range > 0 ? range / BINS : 0;
  }

  public long total() {
    return total;
  }

  /** Elements that were exactly zero (not in any bin). */
  public long zeros() {
    return zeros;
  }

  public long count(int bin) {
    return counts[bin];
  }

  /** Counts are copied, so callers may not change the histogram. */
  public long[] counts() {
    return counts.clone();
  }

  /** Adds every element of a tensor; values beyond the range (impossible after the first pass) land in the last bin. */
  public void add(float[] values) {
    if (range == 0) {
      total += values.length;
      zeros += values.length;
      return;
    }
    double perBin = BINS / range;
    for (float v : values) {
      if (v == 0) {
        zeros++;
        continue;
      }
      int b = (int) (Math.abs(v) * perBin);
      counts[b >= BINS ? BINS - 1 : b]++;
    }
    total += values.length;
  }
}
