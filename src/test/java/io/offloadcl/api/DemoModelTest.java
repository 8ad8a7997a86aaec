package io.offloadcl.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.GraphVerifier;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The embedded demo CNN: a valid graph, deterministic, and computed the same as a plain-Java forward pass. */
class DemoModelTest {
  @Test
  void graphIsValidAndDeterministic() {
    Graph g = DemoModel.graph(DemoModel.SEED);
    GraphVerifier.verify(g);
    assertEquals(9, g.nodes().size());
    float[] w1 = g.value("conv1.weight").constant().floats();
    assertArrayEquals(w1, DemoModel.graph(DemoModel.SEED).value("conv1.weight").constant().floats());
    assertNotEquals(Arrays.toString(w1), Arrays.toString(DemoModel.graph(1).value("conv1.weight").constant().floats()));
    Tensor in = DemoModel.input();
    assertArrayEquals(new long[] {1, 1, 28, 28}, in.shape());
    assertEquals(in, DemoModel.input());
  }

  @Test
  void onnxBytesAreReproducible() {
    assertArrayEquals(DemoModel.onnxBytes(), DemoModel.onnxBytes());
  }

  @Test
  void sessionMatchesAPlainJavaForwardPass() {
    Graph g = DemoModel.graph(DemoModel.SEED);
    float[] expected = forward(g, DemoModel.input().toFloatArray());
    try (InferenceSession s = InferenceSession.open(DemoModel.onnxBytes(), SessionOptions.builder().device("java").build())) {
      Tensor p = s.run(Map.of(DemoModel.INPUT, DemoModel.input())).get(DemoModel.OUTPUT);
      assertArrayEquals(new long[] {1, 10}, p.shape());
      assertArrayEquals(expected, p.toFloatArray(), 1e-5f);
      double sum = 0;
      for (float v : p.toFloatArray()) {
        sum += v;
      }
      assertEquals(1.0, sum, 1e-5);
    }
  }

  @Test
  void optimizedAndUnoptimizedSessionsAgree() {
    SessionOptions java = SessionOptions.builder().device("java").strict(true).build();
    Map<String, Tensor> feeds = Map.of(DemoModel.INPUT, DemoModel.input());
    try (InferenceSession plain = InferenceSession.open(DemoModel.onnxBytes(), java.toBuilder().optimize(false).build());
        InferenceSession opt = InferenceSession.open(DemoModel.onnxBytes(), java)) {
      assertArrayEquals(plain.run(feeds).get(DemoModel.OUTPUT).toFloatArray(), opt.run(feeds).get(DemoModel.OUTPUT).toFloatArray(),
          1e-6f);
      // metadata describes the model as given, not the rewritten graph
      assertEquals(9, opt.modelInfo().nodeCount());
    }
  }

  /** The CNN written out by hand, in double precision, from the graph's weights. */
  static float[] forward(Graph g, float[] image) {
    double[] x = toDouble(image);
    double[] c1 = relu(conv3x3(x, 1, 28, g.value("conv1.weight").constant().floats(), g.value("conv1.bias").constant().floats(), 4));
    double[] p1 = maxPool2(c1, 4, 28);
    double[] c2 = relu(conv3x3(p1, 4, 14, g.value("conv2.weight").constant().floats(), g.value("conv2.bias").constant().floats(), 8));
    double[] gap = new double[8];
    for (int c = 0; c < 8; c++) {
      for (int i = 0; i < 14 * 14; i++) {
        gap[c] += c2[c * 196 + i];
      }
      gap[c] /= 196;
    }
    float[] w = g.value("fc.weight").constant().floats();
    float[] b = g.value("fc.bias").constant().floats();
    double[] logits = new double[10];
    double max = Double.NEGATIVE_INFINITY;
    for (int o = 0; o < 10; o++) {
      logits[o] = b[o];
      for (int i = 0; i < 8; i++) {
        logits[o] += w[o * 8 + i] * gap[i];
      }
      max = Math.max(max, logits[o]);
    }
    double z = 0;
    for (int o = 0; o < 10; o++) {
      logits[o] = Math.exp(logits[o] - max);
      z += logits[o];
    }
    float[] p = new float[10];
    for (int o = 0; o < 10; o++) {
      p[o] = (float) (logits[o] / z);
    }
    return p;
  }

  private static double[] conv3x3(double[] x, int cin, int n, float[] w, float[] bias, int cout) {
    double[] y = new double[cout * n * n];
    for (int o = 0; o < cout; o++) {
      for (int r = 0; r < n; r++) {
        for (int c = 0; c < n; c++) {
          double s = bias[o];
          for (int i = 0; i < cin; i++) {
            for (int kr = 0; kr < 3; kr++) {
              for (int kc = 0; kc < 3; kc++) {
                int rr = r + kr - 1;
                int cc = c + kc - 1;
                if (rr >= 0 && rr < n && cc >= 0 && cc < n) {
                  s += w[((o * cin + i) * 3 + kr) * 3 + kc] * x[(i * n + rr) * n + cc];
                }
              }
            }
          }
          y[(o * n + r) * n + c] = s;
        }
      }
    }
    return y;
  }

  private static double[] maxPool2(double[] x, int ch, int n) {
    int m = n / 2;
    double[] y = new double[ch * m * m];
    for (int c = 0; c < ch; c++) {
      for (int r = 0; r < m; r++) {
        for (int k = 0; k < m; k++) {
          double v = Double.NEGATIVE_INFINITY;
          for (int dr = 0; dr < 2; dr++) {
            for (int dk = 0; dk < 2; dk++) {
              v = Math.max(v, x[(c * n + 2 * r + dr) * n + 2 * k + dk]);
            }
          }
          y[(c * m + r) * m + k] = v;
        }
      }
    }
    return y;
  }

  private static double[] relu(double[] x) {
    for (int i = 0; i < x.length; i++) {
      x[i] = Math.max(0, x[i]);
    }
    return x;
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
