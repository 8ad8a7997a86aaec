package io.offloadcl.quant;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Calibrates the activations of a model in two passes over the calibration set: the first finds max |x| of every
 * activation feeding a quantizable op, the second histograms |x| over that fixed range. Counts are summed, so
 * neither the order nor the batching of the inputs changes any threshold. All methods share the histograms, so
 * comparing them costs no extra runs.
 */
public final class Calibrator {
  /** Default percentile of the percentile method. */
  public static final double DEFAULT_PERCENTILE = 99.99;

  private final Graph model;
  private final ActivationRunner runner;
  private double percentile = DEFAULT_PERCENTILE;
  private Runnable onStep = () -> { };

  public Calibrator(Graph model, ActivationRunner runner) {
    this.model = model;
    this.runner = runner;
  }

  public Calibrator percentile(double p) {
    this.percentile = p;
    return this;
  }

  /** Called once per input per pass (2 × the set size in all), for progress bars. */
  public Calibrator onStep(Runnable step) {
    this.onStep = step;
    return this;
  }

  /**
   * Calibrates with every given method.
   *
   * @param samples the inputs, each keyed by graph-input name; may hold any batch size the model accepts
   * @param setName the folder or label of the set, named in the error for an empty set
   * @throws CalibrationException when the set is empty or an observed activation is not float32
   */
  public Map<CalibrationMethod, CalibrationFile> calibrate(List<Map<String, TensorData>> samples, String setName,
      Set<CalibrationMethod> methods) {
    if (samples.isEmpty()) {
      throw new CalibrationException("calibration set " + setName + " holds no inputs");
    }
    List<String> names = new ArrayList<>(QuantTargets.activations(model));
    double[] maxAbs = new double[names.size()];
    for (Map<String, TensorData> in : samples) {
      Map<String, TensorData> acts = runner.run(model, in, names);
      for (int i = 0; i < names.size(); i++) {
        for (float v : floats(acts, names.get(i))) {
          float a = Math.abs(v);
          if (a > maxAbs[i]) {
            maxAbs[i] = a;
          }
        }
      }
      onStep.run();
    }
    ActivationHistogram[] hist = new ActivationHistogram[names.size()];
    for (int i = 0; i < hist.length; i++) {
      hist[i] = new ActivationHistogram(maxAbs[i]);
    }
    for (Map<String, TensorData> in : samples) {
      Map<String, TensorData> acts = runner.run(model, in, names);
      for (int i = 0; i < names.size(); i++) {
        hist[i].add(floats(acts, names.get(i)));
      }
      onStep.run();
    }
    Map<CalibrationMethod, CalibrationFile> r = new EnumMap<>(CalibrationMethod.class);
    for (CalibrationMethod m : methods) {
      Map<String, TensorCalibration> ts = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        ThresholdSearch.Choice c = ThresholdSearch.choose(hist[i], m, percentile);
        ts.put(names.get(i), TensorCalibration.of(names.get(i), m, c, maxAbs[i]));
      }
      r.put(m, new CalibrationFile(model.name(), m, samples.size(), ts));
    }
    return r;
  }

  private static float[] floats(Map<String, TensorData> acts, String name) {
    TensorData t = acts.get(name);
    if (t == null) {
      throw new CalibrationException("the runner returned no value for activation '" + name + "'");
    }
    if (t.dtype() != DType.FLOAT32) {
      throw new CalibrationException("activation '" + name + "' is " + t.dtype() + ", expected float32");
    }
    return t.floats();
  }
}
