package io.offloadcl.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.runtime.cpu.CpuKernels;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The int8 kernels against the float reference kernels on integer-valued data, and their speed. */
class QuantKernelTest {
  private static int[] randInt8(Random r, int n) {
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextInt(255) - 127;
    }
    return v;
  }

  private static float[] asFloat(int[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = v[i];
    }
    return f;
  }

  private static Node node(String op, String domain, int inputs, Attributes a) {
    Graph g = new Graph("k");
    g.opsetImports().put("", 17);
    List<Value> ins = new java.util.ArrayList<>();
    for (int i = 0; i < inputs; i++) {
      ins.add(g.addInput("i" + i, null));
    }
    return g.addNode(op, domain, domain.isEmpty() ? 17 : 1, op, ins, List.of("y"), a);
  }

  private static Attributes convAttrs(int stride, int dil, int pad, int group) {
    return new Attributes().setInts("kernel_shape", 3, 3).setInts("strides", stride, stride)
        .setInts("dilations", dil, dil).setInts("pads", pad, pad, pad, pad).setInt("group", group);
  }

  /** QConvInt8 with int8 output equals float Conv on the same integers, then multiply, Relu, round, clamp. */
  @Test
  void convMatchesFloatConvOnIntegers() {
    Random r = new Random(1);
    int[][] cases = {{1, 1, 1, 1}, {2, 1, 1, 1}, {1, 2, 2, 1}, {1, 1, 0, 2}, {2, 1, 1, 4}};
    for (int[] c : cases) {
      int group = c[3];
      long[] xs = {2, 8, 9, 11};
      long[] ws = {8, 8 / group, 3, 3};
      int[] x = randInt8(r, 2 * 8 * 9 * 11);
      int[] w = randInt8(r, (int) (8 * (8 / group) * 9));
      int[] b = new int[8];
      float[] bf = new float[8];
      float[] mul = new float[8];
      for (int i = 0; i < 8; i++) {
        b[i] = r.nextInt(20001) - 10000;
        bf[i] = b[i];
        mul[i] = (float) (r.nextDouble() * 2e-4);
      }
      Attributes a = convAttrs(c[0], c[1], c[2], group);
      TensorData[] ref = CpuKernels.find("Conv").run(node("Conv", "", 3, a), new TensorData[] {
          TensorData.wrap(DType.FLOAT32, xs, asFloat(x)), TensorData.wrap(DType.FLOAT32, ws, asFloat(w)),
          TensorData.wrap(DType.FLOAT32, new long[] {8}, bf)});
      Attributes qa = new Attributes(a).setString("activation", "Relu").setInt("to", 3);
      TensorData[] got = CpuKernels.find("QConvInt8").run(node("QConvInt8", "offloadcl", 4, qa), new TensorData[] {
          TensorData.wrap(DType.INT8, xs, x), TensorData.wrap(DType.INT8, ws, w),
          TensorData.wrap(DType.INT32, new long[] {8}, b), TensorData.wrap(DType.FLOAT32, new long[] {8}, mul)});
      assertTrue(Arrays.equals(ref[0].dims(), got[0].dims()), Arrays.toString(c));
      int plane = (int) (ref[0].dim(2) * ref[0].dim(3));
      float[] rf = ref[0].floats();
      int[] gi = got[0].ints();
      for (int i = 0; i < rf.length; i++) {
        int ch = (i / plane) % 8;
        long expect = Math.max(0, Math.min(127, Math.round(Math.rint(rf[i] * (double) mul[ch]))));
        assertEquals(expect, gi[i], 1, "case " + Arrays.toString(c) + " element " + i);
      }
    }
  }

  @Test
  void gemmMatchesAndFloatOutputIsTheDequantizedAccumulator() {
    Random r = new Random(2);
    int m = 7;
    int k = 33;
    int n = 5;
    int[] a = randInt8(r, m * k);
    int[] w = randInt8(r, n * k);
    float[] mul = {0.5f, 0.25f, 1f, 2f, 0.125f};
    TensorData[] got = CpuKernels.find("QGemmInt8").run(
        node("QGemmInt8", "offloadcl", 4, new Attributes().setInt("to", 1)), new TensorData[] {
            TensorData.wrap(DType.INT8, new long[] {m, k}, a), TensorData.wrap(DType.INT8, new long[] {n, k}, w), null,
            TensorData.wrap(DType.FLOAT32, new long[] {n}, mul)});
    float[] y = got[0].floats();
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        long s = 0;
        for (int t = 0; t < k; t++) {
          s += (long) a[i * k + t] * w[j * k + t];
        }
        assertEquals(s * mul[j], y[i * n + j], 1e-3);
      }
    }
    TensorData[] q = CpuKernels.find("QuantizeInt8").run(node("QuantizeInt8", "offloadcl", 1,
        new Attributes().setFloat("scale", 0.5f)), new TensorData[] {TensorData.ofFloats(new long[] {5},
            0.25f, 0.75f, -100f, 63.4f, -0.74f)});
    assertTrue(Arrays.equals(new int[] {0, 2, -127, 127, -1}, q[0].ints()), Arrays.toString(q[0].ints()));
  }

  /** Java reference speed, int8 vs fp32, for conv and gemm shapes; prints the figures, checks the results agree. */
  @Test
  void int8VersusFp32ReferenceSpeed() {
    Random r = new Random(3);
    StringBuilder sb = new StringBuilder("int8 vs fp32 Java reference kernels:");
    long[][] convs = {{1, 8, 14, 14, 16, 5}, {1, 32, 28, 28, 64, 3}};
    for (long[] s : convs) {
      long[] xs = {s[0], s[1], s[2], s[3]};
      long[] ws = {s[4], s[1], s[5], s[5]};
      int[] x = randInt8(r, (int) TensorData.count(xs));
      int[] w = randInt8(r, (int) TensorData.count(ws));
      float[] mul = new float[(int) s[4]];
      Arrays.fill(mul, 1f);
      int pad = (int) s[5] / 2;
      Attributes a = new Attributes().setInts("kernel_shape", s[5], s[5]).setInts("pads", pad, pad, pad, pad);
      Node fn = node("Conv", "", 2, a);
      Node qn = node("QConvInt8", "offloadcl", 4, new Attributes(a).setInt("to", 1));
      TensorData[] fin = {TensorData.wrap(DType.FLOAT32, xs, asFloat(x)), TensorData.wrap(DType.FLOAT32, ws, asFloat(w))};
      TensorData[] qin = {TensorData.wrap(DType.INT8, xs, x), TensorData.wrap(DType.INT8, ws, w), null,
          TensorData.wrap(DType.FLOAT32, new long[] {s[4]}, mul)};
      double tf = time(() -> CpuKernels.find("Conv").run(fn, fin));
      double tq = time(() -> CpuKernels.find("QConvInt8").run(qn, qin));
      float[] yf = CpuKernels.find("Conv").run(fn, fin)[0].floats();
      float[] yq = CpuKernels.find("QConvInt8").run(qn, qin)[0].floats();
      for (int i = 0; i < yf.length; i++) {
        assertEquals(yf[i], yq[i], Math.abs(yf[i]) * 1e-5 + 1e-3);
      }
      sb.append(String.format("%n  Conv x%s w%s: fp32 %.3f ms, int8 %.3f ms, speed-up %.2fx", Arrays.toString(xs),
          Arrays.toString(ws), tf, tq, tf / tq));
    }
    int[][] gemms = {{1, 320, 50}, {64, 512, 512}};
    for (int[] s : gemms) {
      int[] a = randInt8(r, s[0] * s[1]);
      int[] w = randInt8(r, s[2] * s[1]);
      float[] mul = new float[s[2]];
      Arrays.fill(mul, 1f);
      Node fn = node("Gemm", "", 2, new Attributes().setInt("transB", 1));
      Node qn = node("QGemmInt8", "offloadcl", 4, new Attributes().setInt("to", 1));
      TensorData[] fin = {TensorData.wrap(DType.FLOAT32, new long[] {s[0], s[1]}, asFloat(a)),
          TensorData.wrap(DType.FLOAT32, new long[] {s[2], s[1]}, asFloat(w))};
      TensorData[] qin = {TensorData.wrap(DType.INT8, new long[] {s[0], s[1]}, a),
          TensorData.wrap(DType.INT8, new long[] {s[2], s[1]}, w), null,
          TensorData.wrap(DType.FLOAT32, new long[] {s[2]}, mul)};
      double tf = time(() -> CpuKernels.find("Gemm").run(fn, fin));
      double tq = time(() -> CpuKernels.find("QGemmInt8").run(qn, qin));
      float[] yf = CpuKernels.find("Gemm").run(fn, fin)[0].floats();
      float[] yq = CpuKernels.find("QGemmInt8").run(qn, qin)[0].floats();
      for (int i = 0; i < yf.length; i++) {
        assertEquals(yf[i], yq[i], Math.abs(yf[i]) * 1e-5 + 1e-3);
      }
      sb.append(String.format("%n  Gemm [%d,%d]x[%d,%d]^T: fp32 %.3f ms, int8 %.3f ms, speed-up %.2fx", s[0], s[1],
          s[2], s[1], tf, tq, tf / tq));
    }
    System.out.println(sb);
  }

  /**
   * Fastest of 15 timed runs after about 300 ms of warm-up (so both are JIT-compiled); the minimum, since the
   * machine is shared and interference only ever adds time.
   */
  private static double time(Runnable r) {
    long end = System.nanoTime() + 300_000_000L;
    while (System.nanoTime() < end) {
      r.run();
    }
    double[] t = new double[15];
    for (int i = 0; i < t.length; i++) {
      long s = System.nanoTime();
      r.run();
      t[i] = (System.nanoTime() - s) / 1e6;
    }
    Arrays.sort(t);
    return t[0];
  }
}
