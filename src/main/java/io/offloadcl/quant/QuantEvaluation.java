package io.offloadcl.quant;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares a quantized model with its fp32 original on the same inputs: top-1 agreement and absolute error of the
 * first output, and per quantized layer the error of the value it hands on (dequantized where it is int8). Layer
 * errors are end-to-end up to that layer (they include what earlier layers lost), as a user sees them.
 */
public final class QuantEvaluation {
  /** Error of one layer; {@code relative} is mean |error| over mean |fp32|. */
  public record LayerError(Quantizer.Layer layer, double maxAbs, double meanAbs, double relative) {}

  /** The figures of one quantized model against fp32. */
  public record Report(CalibrationMethod method, int samples, int agree, double maxAbs, double meanAbs,
      List<LayerError> layers) {
    public double agreement() {
      return samples == 0 ? 0 : (double) agree / samples;
    }
  }

  private QuantEvaluation() {}

  public static Report evaluate(Graph fp32, Quantizer.Result q, CalibrationMethod method,
      List<Map<String, TensorData>> samples, ActivationRunner runner, Runnable onStep) {
    List<Quantizer.Layer> layers = q.layers();
    Set<String> fpObs = new LinkedHashSet<>();
    Set<String> qObs = new LinkedHashSet<>();
    for (Quantizer.Layer l : layers) {
      fpObs.add(l.fp32Value());
      qObs.add(l.quantValue());
    }
    String out = fp32.outputs().get(0).name();
    int n = layers.size();
    double[] lMax = new double[n];
    double[] lSum = new double[n];
    double[] lRef = new double[n];
    long[] lCount = new long[n];
    int agree = 0;
    double maxAbs = 0;
    double sumAbs = 0;
    long count = 0;
    for (Map<String, TensorData> in : samples) {
      Map<String, TensorData> a = runner.run(fp32, in, fpObs);
      Map<String, TensorData> b = runner.run(q.graph(), in, qObs);
      float[] ya = a.get(out).toFloatArray();
      float[] yb = floats(b.get(out), 0);
      if (argmax(ya) == argmax(yb)) {
        agree++;
      }
      for (int i = 0; i < ya.length; i++) {
        double d = Math.abs(ya[i] - yb[i]);
        maxAbs = Math.max(maxAbs, d);
        sumAbs += d;
      }
      count += ya.length;
      for (int li = 0; li < n; li++) {
        Quantizer.Layer l = layers.get(li);
        float[] fa = a.get(l.fp32Value()).toFloatArray();
        float[] fb = floats(b.get(l.quantValue()), l.int8Output() ? l.outputScale() : 0);
        for (int i = 0; i < fa.length && i < fb.length; i++) {
          double d = Math.abs(fa[i] - fb[i]);
          lMax[li] = Math.max(lMax[li], d);
          lSum[li] += d;
          lRef[li] += Math.abs(fa[i]);
        }
        lCount[li] += fa.length;
      }
      onStep.run();
    }
    List<LayerError> errs = new ArrayList<>();
    for (int li = 0; li < n; li++) {
      double mean = lCount[li] == 0 ? 0 : lSum[li] / lCount[li];
      errs.add(new LayerError(layers.get(li), lMax[li], mean, lRef[li] == 0 ? 0 : lSum[li] / lRef[li]));
    }
    errs.sort(Comparator.comparingDouble(LayerError::relative).reversed());
    return new Report(method, samples.size(), agree, maxAbs, count == 0 ? 0 : sumAbs / count, errs);
  }

  /** Float view of a value; int8 values are dequantized with {@code scale}. */
  static float[] floats(TensorData t, double scale) {
    if (t.dtype() == DType.INT8) {
      int[] q = t.ints();
      float[] r = new float[q.length];
      for (int i = 0; i < q.length; i++) {
        r[i] = (float) (q[i] * scale);
      }
      return r;
    }
    return t.toFloatArray();
  }

  static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
