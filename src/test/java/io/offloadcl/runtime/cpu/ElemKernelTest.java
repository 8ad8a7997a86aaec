package io.offloadcl.runtime.cpu;

import static io.offloadcl.runtime.cpu.ElemTestGraphs.assertFloats;
import static io.offloadcl.runtime.cpu.ElemTestGraphs.d;
import static io.offloadcl.runtime.cpu.ElemTestGraphs.f;
import static io.offloadcl.runtime.cpu.ElemTestGraphs.konst;
import static io.offloadcl.runtime.cpu.ElemTestGraphs.run;
import static io.offloadcl.runtime.cpu.ElemTestGraphs.run1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.ShapeInference;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ElemKernelTest {

  @Test
  void addSameShapeScalarAndBias() {
    TensorData x = f(d(2, 3), 1, 2, 3, 4, 5, 6);
    assertFloats(new float[] {2, 4, 6, 8, 10, 12}, run1("Add", x, x), 0);
    assertFloats(new float[] {11, 12, 13, 14, 15, 16}, run1("Add", x, TensorData.scalarFloat(10)), 0);
    assertFloats(new float[] {9, 8, 7, 6, 5, 4}, run1("Sub", TensorData.scalarFloat(10), x), 0);
    TensorData bias = f(d(3), 100, 200, 300);
    assertFloats(new float[] {101, 202, 303, 104, 205, 306}, run1("Add", x, bias), 0);
    assertFloats(new float[] {0.01f, 0.01f, 0.01f, 0.04f, 0.025f, 0.02f}, run1("Div", x, bias), 1e-6f);
    // bias on the left
    assertFloats(new float[] {99, 198, 297, 96, 195, 294}, run1("Sub", bias, x), 0);
    assertFloats(new float[] {100, 100, 100, 25, 40, 50}, run1("Div", bias, x), 1e-6f);
    // one value per row, either side
    assertFloats(new float[] {0, 1, 2, 0, 1, 2}, run1("Sub", x, f(d(2, 1), 1, 4)), 0);
    assertFloats(new float[] {0, -1, -2, 0, -1, -2}, run1("Sub", f(d(2, 1), 1, 4), x), 0);
    TensorData x3 = f(d(2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8);
    assertFloats(new float[] {1, 2, 3, 4, 2.5f, 3, 3.5f, 4}, run1("Div", x3, f(d(2, 1, 1), 1, 2)), 0);
    // [1,2,1] against [2,2,2]: neither a leading nor a trailing block, general path
    assertFloats(new float[] {11, 12, 23, 24, 15, 16, 27, 28}, run1("Add", x3, f(d(1, 2, 1), 10, 20)), 0);
  }

  @Test
  void legacyAxisBroadcastBeforeOpset7() {
    TensorData a = f(d(2, 3, 2), 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1);
    Attributes at = new Attributes().setInt("broadcast", 1).setInt("axis", 1);
    TensorData y = run("Add", 6, at, 1, a, f(d(3), 10, 20, 30))[0];
    assertArrayEquals(new long[] {2, 3, 2}, y.dims());
    assertFloats(new float[] {10, 10, 20, 20, 30, 30, 11, 11, 21, 21, 31, 31}, y, 0);
    ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
        () -> ShapeInference.run(ElemTestGraphs.single("Mul", 6, new Attributes(), 1, a, f(d(2), 1, 2))));
    assertTrue(e.getMessage().contains("broadcast=0"), e.getMessage());
  }

  @Test
  void twoSidedBroadcastOddSizes() {
    float[] col = new float[7];
    float[] row = new float[5];
    for (int i = 0; i < 7; i++) {
      col[i] = i;
    }
    for (int j = 0; j < 5; j++) {
      row[j] = 10 * j;
    }
    TensorData y = run1("Mul", f(d(7, 1), col), f(d(1, 5), row));
    assertArrayEquals(new long[] {7, 5}, y.dims());
    float[] e = new float[35];
    for (int i = 0; i < 7; i++) {
      for (int j = 0; j < 5; j++) {
        e[i * 5 + j] = i * 10f * j;
      }
    }
    assertFloats(e, y, 0);
    // rank-3 against rank-1 of the middle-less kind: [2,1,3] + [2,1]
    TensorData z = run1("Add", f(d(2, 1, 3), 1, 2, 3, 4, 5, 6), f(d(2, 1), 10, 20));
    assertArrayEquals(new long[] {2, 2, 3}, z.dims());
    assertFloats(new float[] {11, 12, 13, 21, 22, 23, 14, 15, 16, 24, 25, 26}, z, 0);
  }

  @Test
  void parallelEdgeMulOfSameValue() {
    Graph g = new Graph("sq");
    g.opsetImports().put("", 14);
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 3));
    Node n = g.addNode("Mul", "sq", List.of(x, x), List.of("y"), new Attributes());
    g.addOutput(n.output(0));
    assertEquals(2, x.uses().size());
    ShapeInference.run(g);
    assertEquals(TensorType.of(DType.FLOAT32, 3), n.output(0).type());
    TensorData y = new ReferenceExecutor(g).run(Map.of("x", f(d(3), -2, 3, 0.5f))).get("y");
    assertFloats(new float[] {4, 9, 0.25f}, y, 0);
  }

  @Test
  void integerArithmeticWrapsAndDivTruncates() {
    TensorData a = TensorData.wrap(DType.INT32, d(4), new int[] {7, -7, 9, -9});
    TensorData b = TensorData.wrap(DType.INT32, d(4), new int[] {2, 2, -4, -4});
    assertArrayEquals(new int[] {3, -3, -2, 2}, run1("Div", a, b).ints());
    TensorData c = TensorData.wrap(DType.INT8, d(2), new int[] {100, -100});
    assertArrayEquals(new int[] {-56, 56}, run1("Add", c, c).ints());
    TensorData u = TensorData.wrap(DType.UINT8, d(2), new int[] {3, 250});
    TensorData v = TensorData.wrap(DType.UINT8, d(2), new int[] {5, 10});
    assertArrayEquals(new int[] {254, 240}, run1("Sub", u, v).ints());
    TensorData big = TensorData.wrap(DType.UINT64, d(1), new long[] {-2L}); // 2^64 - 2
    TensorData two = TensorData.wrap(DType.UINT64, d(1), new long[] {2});
    assertArrayEquals(new long[] {Long.MAX_VALUE}, run1("Div", big, two).longs());
    assertArrayEquals(new boolean[] {true}, run1("Greater", big, two).bools());
    TensorData l = TensorData.ofLongs(d(2), 1L << 40, -5);
    assertArrayEquals(new long[] {1L << 41, -10}, run1("Mul", l, TensorData.scalarLong(2)).longs());
    assertArrayEquals(new long[] {1, 2}, run("Mod", 13, new Attributes(), 1,
        TensorData.ofLongs(d(2), 7, -7), TensorData.scalarLong(3))[0].longs()); // sign of divisor
    assertArrayEquals(new long[] {1, -1}, run("Mod", 13, new Attributes().setInt("fmod", 1), 1,
        TensorData.ofLongs(d(2), 7, -7), TensorData.scalarLong(3))[0].longs());
  }

  @Test
  void comparisonsGiveBool() {
    TensorData a = f(d(4), 1, 2, 3, Float.NaN);
    TensorData b = f(d(1), 2);
    assertArrayEquals(new boolean[] {false, false, true, false}, run1("Greater", a, b).bools());
    assertArrayEquals(new boolean[] {true, false, false, false}, run1("Less", a, b).bools());
    assertArrayEquals(new boolean[] {false, true, false, false}, run1("Equal", a, b).bools());
    assertArrayEquals(new boolean[] {false, true, true, false}, run1("GreaterOrEqual", a, b).bools());
    TensorData p = TensorData.wrap(DType.BOOL, d(2), new boolean[] {true, false});
    TensorData q = TensorData.wrap(DType.BOOL, d(2), new boolean[] {true, true});
    assertArrayEquals(new boolean[] {true, false}, run1("Equal", p, q).bools());
    assertArrayEquals(new boolean[] {false, true}, run1("Xor", p, q).bools());
    assertArrayEquals(new boolean[] {true, false}, run1("And", p, q).bools());
    assertArrayEquals(new boolean[] {false, true}, run1("Not", p).bools());
  }

  @Test
  void castConversions() {
    TensorData x = f(d(5), 1.9f, -1.9f, 0f, 0.1f, 70000f);
    Attributes toInt = new Attributes().setInt("to", DType.INT32.onnxCode());
    assertArrayEquals(new int[] {1, -1, 0, 0, 70000}, run("Cast", 13, toInt, 1, x)[0].ints());
    Attributes toHalf = new Attributes().setInt("to", DType.FLOAT16.onnxCode());
    TensorData h = run("Cast", 13, toHalf, 1, x)[0];
    assertEquals(DType.FLOAT16, h.dtype());
    assertArrayEquals(new float[] {1.900390625f, -1.900390625f, 0f, 0.0999755859375f, Float.POSITIVE_INFINITY},
        h.floats());
    // Cast-1..5 named the target type
    assertArrayEquals(new long[] {1, -1, 0, 0, 70000},
        run("Cast", 5, new Attributes().setString("to", "INT64"), 1, x)[0].longs());
    Attributes toBool = new Attributes().setInt("to", DType.BOOL.onnxCode());
    assertArrayEquals(new boolean[] {true, true, false, true, true}, run("Cast", 13, toBool, 1, x)[0].bools());
    Attributes toU8 = new Attributes().setInt("to", DType.UINT8.onnxCode());
    TensorData i = TensorData.wrap(DType.INT32, d(2), new int[] {300, -1});
    assertArrayEquals(new int[] {44, 255}, run("Cast", 13, toU8, 1, i)[0].ints());
    Attributes toF = new Attributes().setInt("to", DType.FLOAT32.onnxCode());
    TensorData bo = TensorData.wrap(DType.BOOL, d(2), new boolean[] {true, false});
    assertArrayEquals(new float[] {1, 0}, run("Cast", 13, toF, 1, bo)[0].floats());
    TensorData s = TensorData.wrap(DType.STRING, d(3), new String[] {"1.5", "-INF", "NaN"});
    TensorData sf = run("Cast", 13, toF, 1, s)[0];
    assertEquals(1.5f, sf.floats()[0]);
    assertEquals(Float.NEGATIVE_INFINITY, sf.floats()[1]);
    assertTrue(Float.isNaN(sf.floats()[2]));
    Attributes toStr = new Attributes().setInt("to", DType.STRING.onnxCode());
    TensorData pr = f(d(7), 1.5f, 1e-5f, 12345678f, Float.NaN, Float.NEGATIVE_INFINITY, 0.1f, 2.5e20f);
    assertArrayEquals(new String[] {"1.5", "1e-05", "12345678.0", "NaN", "-INF", "0.1", "2.5e+20"},
        run("Cast", 13, toStr, 1, pr)[0].strings());
    assertArrayEquals(new String[] {"300", "-1"}, run("Cast", 13, toStr, 1, i)[0].strings());
    UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
        () -> ShapeInference.run(ElemTestGraphs.single("Cast", 13, toStr, 1, bo)));
    assertTrue(e.getMessage().contains("n0") && e.getMessage().contains("string"), e.getMessage());
    // CastLike takes its target type from the second input
    TensorData like = TensorData.wrap(DType.FLOAT64, d(1), new double[] {0});
    assertArrayEquals(new double[] {1.899999976158142, -1.899999976158142, 0, 0.10000000149011612, 70000},
        run("CastLike", 15, null, 1, x, like)[0].doubles(), 1e-15);
  }

  @Test
  void halfAndBfloatRounding() {
    assertEquals(65504f, ElemSupport.roundToHalf(65519f));
    assertEquals(Float.POSITIVE_INFINITY, ElemSupport.roundToHalf(65520f));
    assertEquals(5.9604644775390625e-8f, ElemSupport.roundToHalf(5e-8f)); // smallest subnormal
    assertEquals(0f, ElemSupport.roundToHalf(2.9e-8f));
    assertEquals(1f, ElemSupport.roundToHalf(1.00048828125f)); // tie to even
    assertEquals(1.001953125f, ElemSupport.roundToHalf(1.00146484375f)); // tie to even upwards
    assertEquals(1f, ElemSupport.roundToBfloat16(1.00390625f)); // tie to even
    assertEquals(3.140625f, ElemSupport.roundToBfloat16(3.14159f));
  }

  @Test
  void erfIsAccurate() {
    double[][] known = {
      {0.1, 0.1124629160182849}, {0.5, 0.5204998778130465}, {1, 0.8427007929497149},
      {2, 0.9953222650189527}, {3, 0.9999779095030014}, {-0.7, -0.6778011938374184}, {1e-9, 1.1283791670955126e-9},
    };
    for (double[] k : known) {
      assertEquals(k[1], ElemSupport.erf(k[0]), Math.abs(k[1]) * 1e-12, "erf(" + k[0] + ")");
    }
    assertEquals(1.0, ElemSupport.erf(10));
    assertEquals(-1.0, ElemSupport.erf(-7));
  }

  @Test
  void activations() {
    TensorData x = f(d(5), -3, -0.5f, 0, 0.5f, 3);
    assertFloats(new float[] {0, 0, 0, 0.5f, 3}, run1("Relu", x), 0);
    assertFloats(new float[] {0.047425873f, 0.37754067f, 0.5f, 0.62245935f, 0.95257413f}, run1("Sigmoid", x), 1e-6f);
    assertFloats(new float[] {-0.99505475f, -0.46211716f, 0, 0.46211716f, 0.99505475f}, run1("Tanh", x), 1e-6f);
    assertFloats(new float[] {-0.0040496886f, -0.15426877f, 0, 0.34573123f, 2.9959502f},
        run("Gelu", 20, null, 1, x)[0], 1e-6f);
    assertFloats(new float[] {-0.0036373f, -0.1542860f, 0, 0.3457140f, 2.9963627f},
        run("Gelu", 20, new Attributes().setString("approximate", "tanh"), 1, x)[0], 1e-5f);
    assertFloats(new float[] {0, -0.20833333f, 0, 0.29166667f, 3}, run1("HardSwish", x), 1e-6f);
    assertFloats(new float[] {0, 0.4f, 0.5f, 0.6f, 1}, run1("HardSigmoid", x), 1e-6f);
    assertFloats(new float[] {-0.3f, -0.05f, 0, 0.5f, 3},
        run("LeakyRelu", 16, new Attributes().setFloat("alpha", 0.1f), 1, x)[0], 1e-7f);
    assertFloats(new float[] {-0.3f, -0.05f, 0, 0.5f, 3},
        run1("PRelu", x, f(d(1), 0.1f)), 1e-7f);
    assertFloats(new float[] {0.048587352f, 0.47407699f, 0.69314718f, 0.97407699f, 3.0485873f}, run1("Softplus", x), 1e-6f);
    assertFloats(new float[] {-4, -0f, 0, 0, 2}, run1("Round", f(d(5), -3.5f, -0.5f, 0.4f, 0.5f, 2.5f)), 0);
    assertFloats(new float[] {3, 0.5f, 0, 0.5f, 3}, run1("Abs", x), 0);
    assertFloats(new float[] {-1.1283791e-3f}, run1("Erf", f(d(1), -1e-3f)), 1e-6f);
  }

  @Test
  void variadicAndWhere() {
    TensorData a = f(d(2, 2), 1, 5, 3, 2);
    TensorData b = f(d(2), 4, 0);
    TensorData c = f(d(1), 2.5f);
    assertFloats(new float[] {4, 5, 4, 2.5f}, run1("Max", a, b, c), 0);
    assertFloats(new float[] {1, 0, 2.5f, 0}, run1("Min", a, b, c), 0);
    assertFloats(new float[] {7.5f, 7.5f, 9.5f, 4.5f}, run1("Sum", a, b, c), 0);
    assertFloats(new float[] {2.5f, 2.5f, 9.5f / 3, 1.5f}, run1("Mean", a, b, c), 1e-6f);
    assertFloats(new float[] {1, 5, 3, 2}, run1("Sum", a), 0);
    TensorData cond = TensorData.wrap(DType.BOOL, d(2, 1), new boolean[] {true, false});
    TensorData w = run1("Where", cond, a, TensorData.scalarFloat(-1));
    assertFloats(new float[] {1, 5, -1, -1}, w, 0);
    TensorData wi = run1("Where", TensorData.wrap(DType.BOOL, d(2), new boolean[] {false, true}),
        TensorData.ofLongs(d(2), 1, 2), TensorData.ofLongs(d(2), 3, 4));
    assertArrayEquals(new long[] {3, 2}, wi.longs());
  }

  @Test
  void powMixedTypes() {
    assertFloats(new float[] {1, 4, 9}, run1("Pow", f(d(3), 1, 2, 3), TensorData.ofLongs(d(1), 2)), 0);
    assertFloats(new float[] {1, 1.4142135f, 1.7320508f}, run1("Pow", f(d(3), 1, 2, 3), TensorData.scalarFloat(0.5f)), 1e-6f);
    TensorData i = TensorData.wrap(DType.INT32, d(3), new int[] {2, 3, -2});
    assertArrayEquals(new int[] {8, 27, -8}, run1("Pow", i, TensorData.wrap(DType.INT32, d(1), new int[] {3})).ints());
  }

  @Test
  void clipByOpset() {
    TensorData x = f(d(4), -2, -0.5f, 0.5f, 2);
    Attributes old = new Attributes().setFloat("min", -1).setFloat("max", 1);
    assertFloats(new float[] {-1, -0.5f, 0.5f, 1}, run("Clip", 6, old, 1, x)[0], 0);
    // opset 11+: min omitted, max given as a constant input
    assertFloats(new float[] {-2, -0.5f, 0, 0},
        run("Clip", 13, null, 1, x, null, konst(TensorData.scalarFloat(0)))[0], 0);
    TensorData xi = TensorData.wrap(DType.INT8, d(3), new int[] {-100, 5, 100});
    TensorData lo = TensorData.wrap(DType.INT8, d(), new int[] {-10});
    TensorData hi = TensorData.wrap(DType.INT8, d(), new int[] {10});
    assertArrayEquals(new int[] {-10, 5, 10}, run("Clip", 13, null, 1, xi, lo, hi)[0].ints());
  }

  @Test
  void dropoutInferenceAndTraining() {
    TensorData x = f(d(3), 1, 2, 3);
    TensorData[] r = run("Dropout", 13, null, 2, x);
    assertFloats(new float[] {1, 2, 3}, r[0], 0);
    assertArrayEquals(new boolean[] {true, true, true}, r[1].bools());
    TensorData[] old = run("Dropout", 7, new Attributes().setFloat("ratio", 0.3f), 2, x);
    assertFloats(new float[] {1, 2, 3}, old[0], 0);
    assertFloats(new float[] {1, 1, 1}, old[1], 0);
    TensorData yes = TensorData.wrap(DType.BOOL, d(), new boolean[] {true});
    UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class, () -> ShapeInference.run(
        ElemTestGraphs.single("Dropout", 13, null, 1, x, konst(TensorData.scalarFloat(0.5f)), konst(yes))));
    assertTrue(e.getMessage().contains("n0") && e.getMessage().contains("training"), e.getMessage());
    // ratio 0 in training mode is the identity
    TensorData[] z = run("Dropout", 13, null, 2, x, konst(TensorData.scalarFloat(0f)), konst(yes));
    assertFloats(new float[] {1, 2, 3}, z[0], 0);
    // a training flag that arrives only at run time is caught by the kernel
    UnsupportedOperatorException k = assertThrows(UnsupportedOperatorException.class,
        () -> run("Dropout", 13, null, 1, x, TensorData.scalarFloat(0.5f), yes));
    assertTrue(k.getMessage().contains("n0"), k.getMessage());
  }

  @Test
  void dtypeAndShapeErrorsNameTheNode() {
    TensorData i = TensorData.wrap(DType.INT32, d(2), new int[] {1, 2});
    UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
        () -> ShapeInference.run(ElemTestGraphs.single("Exp", 13, null, 1, i)));
    assertTrue(e.getMessage().contains("'n0'") && e.getMessage().contains("int32"), e.getMessage());
    ShapeMismatchException s = assertThrows(ShapeMismatchException.class,
        () -> ShapeInference.run(ElemTestGraphs.single("Add", 14, null, 1, f(d(2, 3), new float[6]), f(d(4), new float[4]))));
    assertTrue(s.getMessage().contains("'n0'") && s.getMessage().contains("[4]"), s.getMessage());
    ShapeMismatchException m = assertThrows(ShapeMismatchException.class,
        () -> ShapeInference.run(ElemTestGraphs.single("Add", 14, null, 1, i, f(d(2), 1, 2))));
    assertTrue(m.getMessage().contains("int32") && m.getMessage().contains("float32"), m.getMessage());
    UnsupportedOperatorException b = assertThrows(UnsupportedOperatorException.class,
        () -> ShapeInference.run(ElemTestGraphs.single("And", 7, null, 1, i, i)));
    assertTrue(b.getMessage().contains("int32"), b.getMessage());
  }

  @Test
  void largeSameShapeAddIsFast() {
    int n = 1 << 20;
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    TensorData x = f(d(n), a);
    Graph g = ElemTestGraphs.single("Add", 14, null, 1, x, x);
    ShapeInference.run(g);
    ReferenceExecutor ex = new ReferenceExecutor(g);
    Map<String, TensorData> feeds = ElemTestGraphs.feeds(x, x);
    ex.run(feeds);
    long t0 = System.nanoTime();
    TensorData y = ex.run(feeds).get("y0");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(2f * (n - 1), y.floats()[n - 1]);
    assertTrue(ms < 500, "1M-element Add took " + ms + " ms");
  }
}
