package io.offloadcl.quant;

/**
 * Picks the saturation threshold T of an activation from its |x| histogram.
 *
 * <p>Entropy (after TensorRT's INT8 entropy calibration, Migacz, GTC 2017): for every candidate cut i = 128 ..
 * 2048 bins, P is the histogram clipped at i with all outliers folded into bin i - 1 (what saturation does to
 * them), Q is the same first i bins merged into 128 levels and spread back evenly over the bins that were non-zero
 * (what 8-bit quantization keeps of the shape). The threshold is the right edge of the cut with the smallest
 * KL(P || Q). Where Q is zero but P is not, Q gets a tiny epsilon taken from its non-zero bins, so the divergence
 * stays finite and the cut is not simply skipped.
 */
public final class ThresholdSearch {
  /** Quantization levels of one sign of a symmetric int8 tensor. */
  public static final int LEVELS = 128;
  private static final double EPS = 1e-4;

  private ThresholdSearch() {}

  /** A chosen threshold, the fraction of elements it saturates, and KL(P || Q) at it (NaN where not computed). */
  public record Choice(double threshold, double saturation, double kl) {}

  public static Choice choose(ActivationHistogram h, CalibrationMethod method, double percentile) {
    if (h.total() == h.zeros() || h.range() == 0) {
      return new Choice(0, 0, 0);
    }
    switch (method) {
      case MINMAX:
        return at(h, ActivationHistogram.BINS);
      case PERCENTILE:
        return at(h, percentileBin(h, percentile));
      case ENTROPY:
      default:
        return entropy(h);
    }
  }

  /** The threshold at the right edge of {@code bins} bins, with its saturation and divergence. */
  static Choice at(ActivationHistogram h, int bins) {
    long[] c = h.counts();
    double kl = bins >= LEVELS ? divergence(c, bins) : Double.NaN;
    return new Choice(bins * h.binWidth(), saturated(c, bins, h.total()), kl);
  }

  /** The fewest bins holding at least {@code percentile} % of all elements. */
  static int percentileBin(ActivationHistogram h, double percentile) {
    if (!(percentile > 0 && percentile <= 100)) {
      throw new IllegalArgumentException("percentile must be in (0, 100], got " + percentile);
    }
    double need = h.total() * (percentile / 100.0);
    long acc = h.zeros();
    for (int i = 0; i < ActivationHistogram.BINS; i++) {
      acc += h.count(i);
      if (acc >= need) {
        return i + 1;
      }
    }
    return ActivationHistogram.BINS;
  }

  static Choice entropy(ActivationHistogram h) {
    long[] c = h.counts();
    int best = ActivationHistogram.BINS;
    double bestKl = Double.POSITIVE_INFINITY;
    for (int i = LEVELS; i <= ActivationHistogram.BINS; i++) {
      double kl = divergence(c, i);
      if (kl < bestKl) {
        bestKl = kl;
        best = i;
      }
    }
    return new Choice(best * h.binWidth(), saturated(c, best, h.total()), bestKl);
  }

  private static double saturated(long[] c, int bins, long total) {
    long s = 0;
    for (int j = bins; j < c.length; j++) {
      s += c[j];
    }
    return total == 0 ? 0 : (double) s / total;
  }

  /** KL(P || Q) for a cut after {@code i} bins. */
  static double divergence(long[] c, int i) {
    double[] p = new double[i];
    for (int j = 0; j < i; j++) {
      p[j] = c[j];
    }
    for (int j = i; j < c.length; j++) {
      p[i - 1] += c[j];
    }
    double[] q = new double[i];
    for (int level = 0; level < LEVELS; level++) {
      int start = (int) ((long) level * i / LEVELS);
      int end = (int) ((long) (level + 1) * i / LEVELS);
      double sum = 0;
      int nonZero = 0;
      for (int j = start; j < end; j++) {
        sum += c[j];
        if (c[j] != 0) {
          nonZero++;
        }
      }
      if (nonZero > 0) {
        double each = sum / nonZero;
        for (int j = start; j < end; j++) {
          if (c[j] != 0) {
            q[j] = each;
          }
        }
      }
    }
    double ps = 0;
    for (double v : p) {
      ps += v;
    }
    for (int j = 0; j < i; j++) {
      p[j] /= ps;
    }
    smooth(q);
    double kl = 0;
    for (int j = 0; j < i; j++) {
      if (p[j] > 0) {
        kl += p[j] * Math.log(p[j] / q[j]);
      }
    }
    return kl;
  }

  /** Normalizes to sum 1, giving zero bins EPS taken evenly from the non-zero ones. */
  private static void smooth(double[] d) {
    double sum = 0;
    int zeros = 0;
    for (double v : d) {
      sum += v;
      if (v == 0) {
        zeros++;
      }
    }
    if (sum == 0) {
      java.util.Arrays.fill(d, 1.0 / d.length);
      return;
    }
    int nonZero = d.length - zeros;
    double take = zeros == 0 ? 0 : EPS * zeros / nonZero;
    for (int j = 0; j < d.length; j++) {
      d[j] = d[j] == 0 ? EPS : Math.max(d[j] / sum - take, EPS * 0.5);
    }
  }
}
