package io.offloadcl.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.ShapeInference;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Prints the throughput of the Java CPU device on a 512^3 MatMul and a ResNet-style 3x3 convolution (for the
 * record, never asserted: the machine is shared) and checks sampled results against direct dot products.
 */
class NnThroughputTest {
  private static float[] random(int n, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextFloat() - 0.5f;
    }
    return v;
  }

  private static double bestSeconds(ReferenceExecutor ex, Map<String, TensorData> feed, int reps) {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < reps; i++) {
      long t = System.nanoTime();
      ex.run(feed);
      best = Math.min(best, System.nanoTime() - t);
    }
    return best / 1e9;
  }

  @Test
  void matMul512() {
    int n = 512;
    Graph g = new Graph("mm");
    g.opsetImports().put("", 13);
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, n, n));
    float[] wv = random(n * n, 2);
    Value w = g.addConstant("w", TensorData.ofFloats(new long[] {n, n}, wv));
    Node node = g.addNode("MatMul", "mm", List.of(x, w), List.of("y"), new Attributes());
    g.addOutput(node.output(0));
    ShapeInference.run(g);
    float[] xv = random(n * n, 1);
    Map<String, TensorData> feed = Map.of("x", TensorData.ofFloats(new long[] {n, n}, xv));
    ReferenceExecutor ex = new ReferenceExecutor(g);
    float[] y = ex.run(feed).get("y").floats();
    Random pick = new Random(3);
    for (int s = 0; s < 200; s++) {
      int i = pick.nextInt(n);
      int j = pick.nextInt(n);
      double want = 0;
      for (int k = 0; k < n; k++) {
        want += (double) xv[i * n + k] * wv[k * n + j];
      }
      assertEquals(want, y[i * n + j], 1e-3, "y[" + i + "," + j + "]");
    }
    double sec = bestSeconds(ex, feed, 8);
    System.out.printf("java device: MatMul 512^3 %.1f ms, %.2f GFLOP/s (%d threads)%n", sec * 1e3,
        2.0 * n * n * n / sec / 1e9, NnParallel.threads());
  }

  @Test
  void conv3x3() {
    int c = 64;
    int hw = 56;
    Graph g = new Graph("conv");
    g.opsetImports().put("", 13);
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 1, c, hw, hw));
    float[] wv = random(c * c * 9, 5);
    Value w = g.addConstant("w", TensorData.ofFloats(new long[] {c, c, 3, 3}, wv));
    Node node = g.addNode("Conv", "conv", List.of(x, w), List.of("y"), new Attributes().setInts("pads", 1, 1, 1, 1));
    g.addOutput(node.output(0));
    ShapeInference.run(g);
    float[] xv = random(c * hw * hw, 4);
    Map<String, TensorData> feed = Map.of("x", TensorData.ofFloats(new long[] {1, c, hw, hw}, xv));
    ReferenceExecutor ex = new ReferenceExecutor(g);
    float[] y = ex.run(feed).get("y").floats();
    Random pick = new Random(6);
    for (int s = 0; s < 100; s++) {
      int o = pick.nextInt(c);
      int oy = pick.nextInt(hw);
      int ox = pick.nextInt(hw);
      double want = 0;
      for (int ci = 0; ci < c; ci++) {
        for (int ky = 0; ky < 3; ky++) {
          for (int kx = 0; kx < 3; kx++) {
            int iy = oy - 1 + ky;
            int ix = ox - 1 + kx;
            if (iy >= 0 && iy < hw && ix >= 0 && ix < hw) {
              want += (double) xv[(ci * hw + iy) * hw + ix] * wv[((o * c + ci) * 3 + ky) * 3 + kx];
            }
          }
        }
      }
      assertEquals(want, y[(o * hw + oy) * hw + ox], 1e-3);
    }
    double sec = bestSeconds(ex, feed, 5);
    double flops = 2.0 * c * c * 9 * hw * hw;
    System.out.printf("java device: Conv 64x56x56 3x3 -> 64 %.1f ms, %.2f GFLOP/s%n", sec * 1e3, flops / sec / 1e9);
  }
}
