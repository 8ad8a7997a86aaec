package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.codegen.DeviceClass;
import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Each op family's generated kernels against plain-loop references, on shapes with odd sizes (1, 3, 17, 255)
 * and broadcasts. Every family is one graph, so one program build.
 */
@Tag("opencl")
class OpenClOpsTest extends ClFixture {
  /** Runs every case on OpenCL (strict: no fallback) and checks it against both references. */
  private static void runAndCheck(OpGraph g, DeviceClass dc, double rtol, double atol) {
    try (OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, cache, new OpenClExecutor.Options(true, dc, null))) {
      assertTrue(ex.fallbacks().isEmpty(), ex.fallbacks().toString());
      int viaKernels = g.check(ex.run(g.feeds), rtol, atol);
      System.out.printf("%d cases, %d also checked against runtime.cpu reference kernels%n", g.expected.size(),
          viaKernels);
    }
  }

  @Test
  void elementwiseUnaryAndBroadcastingBinary() {
    OpGraph g = new OpGraph(1);
    long[][] shapes = {{3, 17, 5}, {255}, {1}};
    Map<String, DoubleUnaryOperator> unary = Map.ofEntries(
        Map.entry("Relu", x -> Math.max(0, x)), Map.entry("Sigmoid", x -> 1 / (1 + Math.exp(-x))),
        Map.entry("Tanh", Math::tanh), Map.entry("Exp", Math::exp), Map.entry("Abs", Math::abs),
        Map.entry("Neg", x -> -x), Map.entry("Erf", OpenClOpsTest::erf), Map.entry("Floor", Math::floor),
        Map.entry("Reciprocal", x -> 1 / x));
    for (long[] s : shapes) {
      Value x = g.input(s);
      for (Map.Entry<String, DoubleUnaryOperator> e : unary.entrySet()) {
        g.expect(g.node(e.getKey(), null, s, x), Ref.unary(g.feedOf(x), e.getValue()));
      }
      Value p = g.input(0.1, 3, s);
      g.expect(g.node("Log", null, s, p), Ref.unary(g.feedOf(p), Math::log));
      g.expect(g.node("Sqrt", null, s, p), Ref.unary(g.feedOf(p), Math::sqrt));
      g.expect(g.node("LeakyRelu", new Attributes().setFloat("alpha", 0.2f), s, x),
          Ref.unary(g.feedOf(x), v -> v < 0 ? 0.2 * v : v));
      g.expect(g.node("Clip", 11, null, DType.FLOAT32, s, x, g.constant(TensorData.scalarFloat(-0.5f)),
          g.constant(TensorData.scalarFloat(0.7f))), Ref.unary(g.feedOf(x), v -> Math.min(0.7, Math.max(-0.5, v))));
      g.expect(g.node("Clip", 6, new Attributes().setFloat("min", 0f), DType.FLOAT32, s, x),
          Ref.unary(g.feedOf(x), v -> Math.max(0, v)));
    }
    Map<String, DoubleBinaryOperator> binary = Map.of("Add", Double::sum, "Sub", (a, b) -> a - b,
        "Mul", (a, b) -> a * b, "Div", (a, b) -> a / b, "Max", Math::max, "Min", Math::min);
    long[][][] pairs = {
        {{3, 17, 5}, {3, 17, 5}, {3, 17, 5}}, {{3, 17, 5}, {17, 1}, {3, 17, 5}}, {{3, 17, 5}, {1}, {3, 17, 5}},
        {{3, 1, 5}, {17, 1}, {3, 17, 5}}, {{255}, {255}, {255}}, {{1, 255}, {3, 1}, {3, 255}}, {{1}, {1}, {1}}};
    for (long[][] pr : pairs) {
      Value a = g.input(pr[0]);
      Value b = g.input(0.5, 2, pr[1]);
      for (Map.Entry<String, DoubleBinaryOperator> e : binary.entrySet()) {
        g.expect(g.node(e.getKey(), null, pr[2], a, b), Ref.binary(g.feedOf(a), g.feedOf(b), pr[2], e.getValue()));
      }
      Value pa = g.input(0.1, 2, pr[0]);
      g.expect(g.node("Pow", null, pr[2], pa, b), Ref.binary(g.feedOf(pa), g.feedOf(b), pr[2], Math::pow));
    }
    // integer exponents of a negative base are defined
    Value neg = g.input(-2, -0.5, 17);
    Value two = g.constant(TensorData.ofFloats(new long[] {1}, 2f));
    g.expect(g.node("Pow", null, new long[] {17}, neg, two), Ref.unary(g.feedOf(neg), v -> v * v));
    runAndCheck(g, null, 1e-5, 1e-5);
  }

  @Test
  void matMulAndGemmBothDeviceVariants() {
    for (DeviceClass dc : DeviceClass.values()) {
      OpGraph g = new OpGraph(2);
      long[][][] mm = {{{17, 3}, {3, 255}, {17, 255}}, {{1, 17}, {17, 1}, {1, 1}}, {{33, 40}, {40, 70}, {33, 70}},
          {{2, 3, 17, 5}, {5, 9}, {2, 3, 17, 9}}, {{17}, {17, 3}, {3}}, {{4, 1, 24, 32}, {3, 32, 48}, {4, 3, 24, 48}},
          {{12, 16}, {16}, {12}}, {{1, 784}, {784, 64}, {1, 64}}, {{5, 40}, {40, 70}, {5, 70}},
          {{0, 5}, {5, 7}, {0, 7}}};
      for (long[][] c : mm) {
        Value a = g.input(c[0]);
        Value b = g.input(c[1]);
        // an empty product (M = 0) compiles with the rest of the program and yields an empty tensor
        TensorData want = TensorData.count(c[2]) == 0 ? TensorData.zeros(DType.FLOAT32, c[2])
            : Ref.matmul(g.feedOf(a), g.feedOf(b), c[2]);
        g.expect(g.node("MatMul", null, c[2], a, b), want);
      }
      int[][] gemms = {{17, 9, 33, 0, 0}, {17, 9, 33, 1, 0}, {17, 9, 33, 0, 1}, {3, 255, 1, 1, 1}, {24, 32, 48, 0, 0},
          // transposed B with rows of A contiguous: the dot-product path (K tails, N not a multiple of 4, M < 6)
          {1, 300, 70, 0, 1}, {5, 64, 37, 0, 1}, {8, 16, 40, 0, 1}, {2, 40, 70, 0, 0}};
      for (int[] c : gemms) {
        int m = c[0];
        int k = c[1];
        int n = c[2];
        boolean ta = c[3] != 0;
        boolean tb = c[4] != 0;
        Value a = g.input(ta ? new long[] {k, m} : new long[] {m, k});
        Value b = g.input(tb ? new long[] {n, k} : new long[] {k, n});
        Value bias = g.input(n);
        Value col = g.input(m, 1);
        g.expect(g.node("Gemm", new Attributes().setInt("transA", c[3]).setInt("transB", c[4]), new long[] {m, n},
            a, b, bias), Ref.gemm(g.feedOf(a), g.feedOf(b), g.feedOf(bias), ta, tb, 1, 1));
        g.expect(g.node("Gemm", new Attributes().setInt("transA", c[3]).setInt("transB", c[4])
            .setFloat("alpha", 0.5f).setFloat("beta", 2f), new long[] {m, n}, a, b, col),
            Ref.gemm(g.feedOf(a), g.feedOf(b), g.feedOf(col), ta, tb, 0.5, 2));
        g.expect(g.node("Gemm", new Attributes().setInt("transA", c[3]).setInt("transB", c[4]), new long[] {m, n},
            a, b), Ref.gemm(g.feedOf(a), g.feedOf(b), null, ta, tb, 1, 1));
      }
      runAndCheck(g, dc, 1e-4, 1e-4);
    }
  }

  @Test
  void convolutionAndPooling() {
    OpGraph g = new OpGraph(3);
    Value x = g.input(1, 3, 17, 17);
    Value w = g.input(8, 3, 3, 3);
    Value b = g.input(8);
    long[] o1 = {1, 8, 17, 17};
    g.expect(g.node("Conv", new Attributes().setInts("pads", 1, 1, 1, 1), o1, x, w, b),
        Ref.conv(g.feedOf(x), g.feedOf(w), g.feedOf(b), o1, 1, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}));
    g.expect(g.node("Conv", new Attributes().setString("auto_pad", "SAME_UPPER"), o1, x, w),
        Ref.conv(g.feedOf(x), g.feedOf(w), null, o1, 1, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}));
    // register-blocked CPU path with dilation (interior vload8 tiles) and with stride 2 (gathered lanes)
    long[] o4 = {1, 8, 17, 17};
    g.expect(g.node("Conv", new Attributes().setInts("pads", 2, 2, 2, 2).setInts("dilations", 2, 2), o4, x, w, b),
        Ref.conv(g.feedOf(x), g.feedOf(w), g.feedOf(b), o4, 1, new int[] {1, 1}, new int[] {2, 2}, new int[] {2, 2}));
    long[] o5 = {1, 8, 9, 8};
    g.expect(g.node("Conv", new Attributes().setInts("pads", 1, 0, 1, 0).setInts("strides", 2, 2), o5, x, w),
        Ref.conv(g.feedOf(x), g.feedOf(w), null, o5, 1, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 0}));
    Value x2 = g.input(2, 4, 9, 11);
    Value w2 = g.input(6, 2, 3, 2);
    long[] o2 = {2, 6, 3, 6};
    g.expect(g.node("Conv", new Attributes().setInt("group", 2).setInts("strides", 2, 2).setInts("dilations", 2, 1)
        .setInts("pads", 1, 0, 0, 1), o2, x2, w2),
        Ref.conv(g.feedOf(x2), g.feedOf(w2), null, o2, 2, new int[] {2, 2}, new int[] {2, 1}, new int[] {1, 0}));
    Value w3 = g.input(5, 3, 1, 1);
    Value b3 = g.input(5);
    long[] o3 = {1, 5, 17, 17};
    g.expect(g.node("Conv", null, o3, x, w3, b3),
        Ref.conv(g.feedOf(x), g.feedOf(w3), g.feedOf(b3), o3, 1, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0}));
    Value xd = g.input(1, 16, 7, 7);
    Value wd = g.input(16, 1, 3, 3);
    long[] od = {1, 16, 7, 7};
    g.expect(g.node("Conv", new Attributes().setInt("group", 16).setInts("pads", 1, 1, 1, 1), od, xd, wd),
        Ref.conv(g.feedOf(xd), g.feedOf(wd), null, od, 16, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}));
    long[] p1 = {1, 3, 9, 9};
    g.expect(g.node("MaxPool", new Attributes().setInts("kernel_shape", 3, 3).setInts("strides", 2, 2)
        .setInts("pads", 1, 1, 1, 1), p1, x),
        Ref.pool(g.feedOf(x), p1, true, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1, 1, 1}, false));
    long[] p2 = {1, 3, 9, 9};
    for (int inc = 0; inc < 2; inc++) {
      g.expect(g.node("AveragePool", new Attributes().setInts("kernel_shape", 2, 2).setInts("strides", 2, 2)
          .setInts("pads", 1, 1, 0, 0).setInt("count_include_pad", inc), p2, x),
          Ref.pool(g.feedOf(x), p2, false, new int[] {2, 2}, new int[] {2, 2}, new int[] {1, 1, 0, 0}, inc == 1));
    }
    Value sc = g.input(4);
    Value bi = g.input(4);
    Value mu = g.input(4);
    Value va = g.input(0.1, 2, 4);
    long[] bn = {2, 4, 9, 11};
    TensorData bnWant = TensorData.zeros(DType.FLOAT32, bn);
    for (int i = 0; i < bnWant.size(); i++) {
      int c = (i / 99) % 4;
      bnWant.setDouble(i, (g.feedOf(x2).getDouble(i) - g.feedOf(mu).getDouble(c))
          / Math.sqrt(g.feedOf(va).getDouble(c) + 1e-3) * g.feedOf(sc).getDouble(c) + g.feedOf(bi).getDouble(c));
    }
    g.expect(g.node("BatchNormalization", new Attributes().setFloat("epsilon", 1e-3f), bn, x2, sc, bi, mu, va),
        bnWant);
    long[] lrnDims = {1, 3, 17, 17};
    TensorData lrn = TensorData.zeros(DType.FLOAT32, lrnDims);
    TensorData xs = g.feedOf(x);
    for (int i = 0; i < lrn.size(); i++) {
      int c = (i / 289) % 3;
      double sq = 0;
      for (int k = Math.max(0, c - 1); k <= Math.min(2, c + 1); k++) {
        double v = xs.getDouble(k * 289 + i % 289);
        sq += v * v;
      }
      lrn.setDouble(i, xs.getDouble(i) / Math.pow(2 + 0.3 / 3 * sq, 0.6));
    }
    g.expect(g.node("LRN", new Attributes().setInt("size", 3).setFloat("alpha", 0.3f).setFloat("beta", 0.6f)
        .setFloat("bias", 2f), lrnDims, x), lrn);
    long[] gp = {2, 4, 1, 1};
    g.expect(g.node("GlobalAveragePool", null, gp, x2),
        Ref.reduce(g.feedOf(x2), new boolean[] {false, false, true, true}, gp, "mean"));
    g.expect(g.node("GlobalMaxPool", null, gp, x2),
        Ref.reduce(g.feedOf(x2), new boolean[] {false, false, true, true}, gp, "max"));
    runAndCheck(g, null, 1e-4, 1e-4);
  }

  @Test
  void softmaxAndReductions() {
    OpGraph g = new OpGraph(4);
    long[] s = {3, 17, 5};
    Value x = g.input(-5.0, 5.0, s);
    g.expect(g.node("Softmax", null, s, x), Ref.softmax(g.feedOf(x), 51, 5, 1, false));
    g.expect(g.node("Softmax", new Attributes().setInt("axis", 1), s, x), Ref.softmax(g.feedOf(x), 3, 17, 5, false));
    g.expect(g.node("Softmax", 11, new Attributes().setInt("axis", 1), DType.FLOAT32, s, x),
        Ref.softmax(g.feedOf(x), 3, 85, 1, false));
    g.expect(g.node("LogSoftmax", new Attributes().setInt("axis", 0), s, x), Ref.softmax(g.feedOf(x), 1, 3, 85, true));
    Value big = g.input(-5.0, 5.0, 2, 255);
    g.expect(g.node("Softmax", null, new long[] {2, 255}, big), Ref.softmax(g.feedOf(big), 2, 255, 1, false));
    g.expect(g.node("ReduceMean", 13, new Attributes().setInts("axes", 1), DType.FLOAT32, new long[] {3, 1, 5}, x),
        Ref.reduce(g.feedOf(x), new boolean[] {false, true, false}, new long[] {3, 1, 5}, "mean"));
    g.expect(g.node("ReduceSum", 13, new Attributes().setInt("keepdims", 0), DType.FLOAT32, new long[] {17}, x,
        g.constant(TensorData.ofLongs(new long[] {2}, 0, -1))),
        Ref.reduce(g.feedOf(x), new boolean[] {true, false, true}, new long[] {17}, "sum"));
    g.expect(g.node("ReduceMax", 13, null, DType.FLOAT32, new long[] {1, 1, 1}, x),
        Ref.reduce(g.feedOf(x), new boolean[] {true, true, true}, new long[] {1, 1, 1}, "max"));
    g.expect(g.node("ReduceSum", 11, new Attributes().setInts("axes", 0, 1), DType.FLOAT32, new long[] {1, 1, 5}, x),
        Ref.reduce(g.feedOf(x), new boolean[] {true, true, false}, new long[] {1, 1, 5}, "sum"));
    // innermost runs of >= 64 elements, a multiple of 8: the float8 row kernel (reduce_inner8)
    Value rows = g.input(-5.0, 5.0, 3, 17, 128);
    g.expect(g.node("ReduceSum", 13, new Attributes().setInt("keepdims", 0), DType.FLOAT32, new long[] {3, 17}, rows,
        g.constant(TensorData.ofLongs(new long[] {1}, -1))),
        Ref.reduce(g.feedOf(rows), new boolean[] {false, false, true}, new long[] {3, 17}, "sum"));
    g.expect(g.node("ReduceMean", 13, new Attributes().setInts("axes", 1, 2), DType.FLOAT32, new long[] {3, 1, 1}, rows),
        Ref.reduce(g.feedOf(rows), new boolean[] {false, true, true}, new long[] {3, 1, 1}, "mean"));
    g.expect(g.node("ReduceMax", 13, new Attributes().setInts("axes", 2), DType.FLOAT32, new long[] {3, 17, 1}, rows),
        Ref.reduce(g.feedOf(rows), new boolean[] {false, false, true}, new long[] {3, 17, 1}, "max"));
    g.expect(g.node("ReduceMin", 13, new Attributes().setInts("axes", 2), DType.FLOAT32, new long[] {3, 17, 1}, rows),
        Ref.reduce(g.feedOf(rows), new boolean[] {false, false, true}, new long[] {3, 17, 1}, "min"));
    runAndCheck(g, null, 1e-5, 1e-5);
  }

  @Test
  void layoutOps() {
    OpGraph g = new OpGraph(5);
    long[] s = {3, 17, 5};
    Value x = g.input(s);
    g.expect(g.node("Transpose", new Attributes().setInts("perm", 2, 0, 1), new long[] {5, 3, 17}, x),
        Ref.gatherCoords(g.feedOf(x), new long[] {5, 3, 17}, c -> new long[] {c[1], c[2], c[0]}));
    g.expect(g.node("Transpose", null, new long[] {5, 17, 3}, x),
        Ref.gatherCoords(g.feedOf(x), new long[] {5, 17, 3}, c -> new long[] {c[2], c[1], c[0]}));
    TensorData ints = TensorData.zeros(DType.INT64, 4, 6);
    for (int i = 0; i < ints.size(); i++) {
      ints.setLong(i, 1000000000000L * i - 7);
    }
    Value xi = g.feed(ints);
    g.expect(g.node("Transpose", 17, null, DType.INT64, new long[] {6, 4}, xi),
        Ref.gatherCoords(ints, new long[] {6, 4}, c -> new long[] {c[1], c[0]}));
    Value y = g.input(3, 1, 5);
    Value z = g.input(3, 255, 5);
    long[] cs = {3, 273, 5};
    g.expect(g.node("Concat", new Attributes().setInt("axis", 1), cs, x, y, z),
        Ref.gatherCoords(concatRef(g, x, y, z), cs, c -> c));
    // Slice: rows 1..16 step 3 on axis 1, reversed axis 2, opset-13 constant inputs
    long[] so = {3, 6, 5};
    g.expect(g.node("Slice", null, so, x, g.constant(TensorData.ofLongs(new long[] {2}, 1, -1)),
        g.constant(TensorData.ofLongs(new long[] {2}, 17, Long.MIN_VALUE)),
        g.constant(TensorData.ofLongs(new long[] {2}, 1, 2)), g.constant(TensorData.ofLongs(new long[] {2}, 3, -1))),
        Ref.gatherCoords(g.feedOf(x), so, c -> new long[] {c[0], 1 + 3 * c[1], 4 - c[2]}));
    g.expect(g.node("Slice", 9, new Attributes().setInts("starts", 0).setInts("ends", 2).setInts("axes", 0),
        DType.FLOAT32, new long[] {2, 17, 5}, x), Ref.gatherCoords(g.feedOf(x), new long[] {2, 17, 5}, c -> c));
    TensorData idx = TensorData.ofLongs(new long[] {2, 2}, 0, -1, 16, 3);
    Value iv = g.feed(idx);
    long[] go = {3, 2, 2, 5};
    g.expect(g.node("Gather", new Attributes().setInt("axis", 1), go, x, iv),
        Ref.gatherCoords(g.feedOf(x), go,
            c -> new long[] {c[0], Math.floorMod(idx.getLong((int) (c[1] * 2 + c[2])), 17), c[3]}));
    g.expect(g.node("Gather", null, new long[] {2, 2, 17, 5}, g.constant(g.feedOf(x)), g.feed(
        TensorData.ofLongs(new long[] {2, 2}, 2, 0, -1, 1))),
        Ref.gatherCoords(g.feedOf(x), new long[] {2, 2, 17, 5}, c -> new long[] {new long[] {2, 0, 2, 1}[(int) (c[0] * 2
            + c[1])], c[2], c[3]}));
    g.expect(g.node("Expand", null, new long[] {2, 3, 17, 5}, y, g.constant(TensorData.ofLongs(new long[] {4}, 2, 3, 17,
        5))), Ref.gatherCoords(g.feedOf(y), new long[] {2, 3, 17, 5}, c -> new long[] {c[1], 0, c[3]}));
    // Cast: truncation toward zero, to bool, from int64
    Value cf = g.input(-3.0, 3.0, 3, 17);
    TensorData cfd = g.feedOf(cf);
    TensorData toInt = TensorData.zeros(DType.INT32, 3, 17);
    TensorData toBool = TensorData.zeros(DType.BOOL, 3, 17);
    for (int i = 0; i < cfd.size(); i++) {
      if (i % 5 == 0) {
        cfd.setDouble(i, 0);
      }
      toInt.setLong(i, (long) cfd.getDouble(i));
      toBool.setLong(i, i % 5 == 0 ? 0 : 1);
    }
    g.expect(g.node("Cast", 17, new Attributes().setInt("to", DType.INT32.onnxCode()), DType.INT32, new long[] {3, 17},
        cf), toInt);
    g.expect(g.node("Cast", 17, new Attributes().setInt("to", DType.BOOL.onnxCode()), DType.BOOL, new long[] {3, 17},
        cf), toBool);
    TensorData back = TensorData.zeros(DType.FLOAT32, 4, 6);
    for (int i = 0; i < back.size(); i++) {
      back.setDouble(i, (float) ints.getLong(i));
    }
    g.expect(g.node("Cast", 17, new Attributes().setInt("to", DType.FLOAT32.onnxCode()), DType.FLOAT32,
        new long[] {4, 6}, xi), back);
    // views: Reshape of an intermediate as a graph output, and of an input feeding a kernel
    Value r = g.node("Relu", null, s, x);
    Value rv = g.node("Reshape", null, new long[] {51, 5}, r, g.constant(TensorData.ofLongs(new long[] {2}, 51, 5)));
    TensorData relu = Ref.unary(g.feedOf(x), v -> Math.max(0, v));
    g.expect(rv, relu.reshape(new long[] {51, 5}));
    Value fl = g.node("Flatten", null, new long[] {3, 85}, x);
    g.expect(g.node("Neg", null, new long[] {3, 85}, fl), Ref.unary(g.feedOf(x), v -> -v).reshape(new long[] {3, 85}));
    runAndCheck(g, null, 0, 0);
  }

  private static TensorData concatRef(OpGraph g, Value... vs) {
    TensorData out = TensorData.zeros(DType.FLOAT32, 3, 273, 5);
    int off = 0;
    for (Value v : vs) {
      TensorData d = g.feedOf(v);
      int a = (int) d.dim(1);
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < a; j++) {
          for (int k = 0; k < 5; k++) {
            out.setDouble((i * 273 + off + j) * 5 + k, d.getDouble((i * a + j) * 5 + k));
          }
        }
      }
      off += a;
    }
    return out;
  }

  /** erf by its series/continued-fraction-free Abramowitz-Stegun 7.1.26 is too coarse; integrate instead. */
  static double erf(double x) {
    // Simpson's rule on 2/sqrt(pi) * exp(-t^2) over [0, x]; plenty for float tolerance.
    int n = 2000;
    double h = x / n;
    double s = 1 + Math.exp(-x * x);
    for (int i = 1; i < n; i++) {
      double t = i * h;
      s += (i % 2 == 0 ? 2 : 4) * Math.exp(-t * t);
    }
    return 2 / Math.sqrt(Math.PI) * s * h / 3;
  }
}
