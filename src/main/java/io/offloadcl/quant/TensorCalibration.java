package io.offloadcl.quant;

/**
 * The calibration of one activation tensor: its saturation threshold T (values beyond ±T clip), the int8 scale
 * T / 127, the method that chose T, the fraction of calibration elements beyond T, KL(P || Q) at T (NaN where the
 * cut is below 128 bins) and the max |x| seen.
 */
public record TensorCalibration(String tensor, double threshold, double scale, CalibrationMethod method,
    double saturation, double kl, double maxAbs) {

  /** Builds the record for a threshold, falling back to scale 1 for an identically-zero tensor. */
  public static TensorCalibration of(String tensor, CalibrationMethod method, ThresholdSearch.Choice c, double maxAbs) {
    double t = c.threshold() > 0 ? c.threshold() : 127.0;
    return new TensorCalibration(tensor, t, t / 127.0, method, c.saturation(), c.kl(), maxAbs);
  }
}
