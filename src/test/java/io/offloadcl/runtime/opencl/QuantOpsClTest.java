package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The INT8 ops (QuantizeInt8, DequantizeInt8, QConvInt8, QGemmInt8) as OpenCL kernels against their
 * runtime.cpu references, all cases of a test in one graph so each test is one program build.
 *
 * <p>Every output must match EXACTLY, float outputs included: the kernels repeat the reference's arithmetic
 * step for step (int32 sums, which are exact in any order; int to float with round-to-nearest; one float
 * multiply; the int8 requantization in double with round-half-even), and nothing in that chain is
 * order-dependent or contracted.
 */
@Tag("opencl")
class QuantOpsClTest {
  private final List<Value> outs = new ArrayList<>();

  private static TensorData int8(OpGraph g, int lo, int hi, long... dims) {
    TensorData d = TensorData.zeros(DType.INT8, dims);
    for (int i = 0; i < d.size(); i++) {
      d.setLong(i, lo + g.rnd.nextInt(hi - lo + 1));
    }
    return d;
  }

  private static TensorData floats(float[] v) {
    return TensorData.wrap(DType.FLOAT32, new long[] {v.length}, v);
  }

  /** Per-channel multipliers that spread the outputs over the int8 range, so saturation happens too. */
  private static float[] multipliers(OpGraph g, int channels, long kdim, int maxAbs) {
    float[] m = new float[channels];
    double sd = Math.sqrt(kdim) * maxAbs * maxAbs / 3.0;
    for (int i = 0; i < channels; i++) {
      m[i] = (float) (60.0 / sd * (0.5 + 2 * g.rnd.nextDouble()));
    }
    return m;
  }

  private static TensorData bias(OpGraph g, int channels, long kdim) {
    TensorData b = TensorData.zeros(DType.INT32, channels);
    for (int i = 0; i < channels; i++) {
      b.setLong(i, g.rnd.nextInt((int) (2000 * Math.sqrt(kdim) + 1)) - (int) (1000 * Math.sqrt(kdim)));
    }
    return b;
  }

  private Value add(OpGraph g, String op, Attributes at, Value... ins) {
    Node n = g.graph.addNode(op, "offloadcl", 1, op + "_" + outs.size(), Arrays.asList(ins),
        List.of("y" + outs.size()), at);
    outs.add(n.output(0));
    return n.output(0);
  }

  /** Expected values from the reference kernels, then one strict OpenCL run compared exactly. */
  private List<String> runAndCheck(OpGraph g) {
    return g.checkStrictOnCpuAgainstKernels(outs, 0, 0);
  }

  @Test
  void quantizeDequantizeAndInt8MaxPoolExactly() {
    OpGraph g = new OpGraph(71);
    // ties (x / scale = k + 0.5 must round to even), values far outside the range, NaN and infinities
    float[] special = {1.25f, -1.25f, 0.75f, -0.75f, 0.25f, 63.25f, -63.75f, 1e9f, -1e9f, Float.NaN,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, 63.5f, -63.5f, 64f};
    add(g, "QuantizeInt8", new Attributes().setFloat("scale", 0.5f), g.feed(floats(special)));
    for (long n : new long[] {1, 17, 16 * 16 + 5}) {
      Value x = g.input(-40.0, 40.0, n);
      add(g, "QuantizeInt8", new Attributes().setFloat("scale", 0.173f), x);
      add(g, "DequantizeInt8", new Attributes().setFloat("scale", 0.0371f), g.feed(int8(g, -128, 127, n)));
    }
    add(g, "DequantizeInt8", new Attributes().setFloat("scale", 1.7e-3f), g.feed(int8(g, -127, 127, 2, 3, 5, 7)));
    // int8 MaxPool (kept inside quantized regions): the MNIST windows, padding (read as absent, not as 0 or
    // -128) with a stride that leaves a partial window, and -128 in the data
    long[][] pools = {{2, 2, 0, 28}, {3, 3, 0, 14}, {3, 2, 1, 9}};
    for (long[] p : pools) {
      Node n = g.graph.addNode("MaxPool", "", 17, "MaxPool_" + outs.size(),
          List.of(g.feed(int8(g, -128, -100, 2, 3, p[3], p[3] + 1))), List.of("y" + outs.size()),
          new Attributes().setInts("kernel_shape", p[0], p[0]).setInts("strides", p[1], p[1])
              .setInts("pads", p[2], p[2], p[2], p[2]));
      outs.add(n.output(0));
    }
    runAndCheck(g);
  }

  @Test
  void qconvEveryPathAgainstReference() {
    OpGraph g = new OpGraph(72);
    // {batch, ci, co, h, w, kh, kw, stride, dilation, pad, group}: pointwise (flattened 1-D path, 49 pixels),
    // 3x3 wide enough for full 8-pixel tiles and tile ends, stride 2 grouped, depthwise, a 5x3 dilated kernel,
    // a strided 1x1 (not pointwise), odd channel counts, a 1x1 image; the largest 8-pixel patches (227 * 9 ->
    // 2048 shorts, 32 KiB), the 4-pixel tile (400 * 9) and the direct kernel (480 * 9)
    long[][] cases = {{2, 19, 8, 7, 7, 1, 1, 1, 1, 0, 1}, {1, 5, 16, 17, 37, 3, 3, 1, 1, 1, 1},
        {1, 6, 6, 11, 13, 3, 3, 2, 1, 1, 3}, {2, 8, 8, 9, 9, 3, 3, 1, 1, 1, 8}, {1, 3, 12, 20, 23, 5, 3, 1, 2, 2, 1},
        {1, 4, 6, 9, 10, 1, 1, 2, 1, 0, 1}, {1, 7, 3, 6, 5, 3, 3, 1, 1, 0, 1}, {1, 2, 4, 1, 1, 3, 3, 1, 1, 1, 1},
        {1, 227, 4, 5, 9, 3, 3, 1, 1, 1, 1}, {1, 400, 8, 4, 5, 3, 3, 1, 1, 1, 1},
        {1, 480, 8, 4, 5, 3, 3, 1, 1, 1, 1},
        // interior tiles whose channels fill whole 16-channel groups of constant-offset loads (40 = 2 * 16 + 8:
        // then the counted remainder and a part block), dilated, and a 5x5 kernel (groups of 16 channels, 400 steps)
        {1, 40, 8, 9, 30, 3, 3, 1, 1, 1, 1}, {1, 17, 8, 12, 40, 3, 3, 1, 2, 2, 1}, {1, 18, 4, 6, 21, 5, 5, 1, 1, 2, 1},
        // 2x2 (groups of 4 channels), 7x7 (no groups: counted loads only), a row narrower than 8 pixels
        {1, 9, 4, 9, 17, 2, 2, 1, 1, 0, 1}, {1, 5, 4, 12, 20, 7, 7, 1, 1, 3, 1}, {1, 16, 4, 5, 6, 3, 3, 1, 1, 1, 1}};
    int idx = 0;
    for (long[] c : cases) {
      for (int to : new int[] {1, 3}) {
        int i = idx++;
        long kdim = c[1] / c[10] * c[5] * c[6];
        Value x = g.feed(int8(g, -127, 127, c[0], c[1], c[3], c[4]));
        Value w = g.constant(int8(g, -127, 127, c[2], c[1] / c[10], c[5], c[6]));
        Value b = i % 3 == 2 ? null : g.constant(bias(g, (int) c[2], kdim));
        Value m = g.constant(floats(multipliers(g, (int) c[2], kdim, 127)));
        Attributes at = new Attributes().setInts("kernel_shape", c[5], c[6]).setInts("strides", c[7], c[7])
            .setInts("dilations", c[8], c[8]).setInts("pads", c[9], c[9], c[9], c[9]).setInt("group", c[10])
            .setInt("to", to);
        if (i % 2 == 0) {
          at.setString("activation", "Relu");
        }
        add(g, "QConvInt8", at, x, w, b, m);
      }
    }
    // requantization ties through the 8-wide store (K = 16 * 9, no scalar tail): odd sums times 0.5
    float[] half = new float[8];
    Arrays.fill(half, 0.5f);
    for (int to : new int[] {3, 1}) {
      add(g, "QConvInt8", new Attributes().setInts("kernel_shape", 3, 3).setInts("pads", 1, 1, 1, 1)
          .setInt("to", to), g.feed(int8(g, -1, 1, 1, 16, 6, 16)), g.constant(int8(g, -1, 1, 8, 16, 3, 3)), null,
          g.constant(floats(half)));
    }
    List<String> sources = runAndCheck(g);
    for (String variant : new String[] {"#define TN 8", "#define TN 4", "[quant.cl / qconv_direct]"}) {
      assertTrue(sources.stream().anyMatch(src -> src.contains(variant)), "no case reached " + variant);
    }
  }

  @Test
  void qgemmShapesTiesAndBothOutputs() {
    OpGraph g = new OpGraph(73);
    // {m, k, n}: MNIST-like 1 x 784 -> 10, sizes off the 4 x 4 tile and the 16-wide K step, K below one
    // step, and a tile-aligned block
    long[][] cases = {{1, 784, 10}, {3, 17, 5}, {17, 33, 19}, {5, 1, 3}, {64, 128, 64}, {6, 40, 13}};
    int idx = 0;
    for (long[] c : cases) {
      for (int to : new int[] {1, 3}) {
        int i = idx++;
        Value a = g.feed(int8(g, -127, 127, c[0], c[1]));
        Value w = g.constant(int8(g, -127, 127, c[2], c[1]));
        Value b = i % 3 == 1 ? null : g.constant(bias(g, (int) c[2], c[1]));
        Value m = g.constant(floats(multipliers(g, (int) c[2], c[1], 127)));
        Attributes at = new Attributes().setInt("to", to);
        if (i % 2 == 1) {
          at.setString("activation", "Relu");
        }
        add(g, "QGemmInt8", at, a, w, b, m);
      }
    }
    // rank-3 A (MatMul lowered): [2, 3, 16] x [7, 16]^T
    add(g, "QGemmInt8", new Attributes().setInt("to", 3), g.feed(int8(g, -127, 127, 2, 3, 16)),
        g.constant(int8(g, -127, 127, 7, 16)), null,
        g.constant(floats(multipliers(g, 7, 16, 127))));
    // requantization ties: small integers times 0.5 land on k + 0.5, which must round half to even
    float[] half = new float[16];
    Arrays.fill(half, 0.5f);
    for (int to : new int[] {3, 1}) {
      add(g, "QGemmInt8", new Attributes().setInt("to", to), g.feed(int8(g, -4, 4, 9, 4)),
          g.constant(int8(g, -4, 4, 16, 4)), g.constant(bias(g, 16, 0)), g.constant(floats(half)));
    }
    runAndCheck(g);
  }
}
