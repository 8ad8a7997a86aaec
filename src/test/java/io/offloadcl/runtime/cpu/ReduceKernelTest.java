package io.offloadcl.runtime.cpu;

import static io.offloadcl.runtime.cpu.ElemTestGraphs.assertFloats;
import static io.offloadcl.runtime.cpu.ElemTestGraphs.d;
import static io.offloadcl.runtime.cpu.ElemTestGraphs.f;
import static io.offloadcl.runtime.cpu.ElemTestGraphs.konst;
import static io.offloadcl.runtime.cpu.ElemTestGraphs.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ops.ShapeInference;
import org.junit.jupiter.api.Test;

class ReduceKernelTest {
  // [2,3,2]: x[i][j][k] = 6i + 2j + k
  private static final TensorData X = f(d(2, 3, 2), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);

  private static Attributes keep(long k) {
    return new Attributes().setInt("keepdims", k);
  }

  @Test
  void reduceSumAxesAsInputFromOpset13AndAsAttributeBefore() {
    TensorData axes = TensorData.ofLongs(d(1), 1);
    TensorData y = run("ReduceSum", 13, keep(0), 1, X, konst(axes))[0];
    assertArrayEquals(new long[] {2, 2}, y.dims());
    assertFloats(new float[] {6, 9, 24, 27}, y, 0);
    TensorData z = run("ReduceSum", 11, keep(1).setInts("axes", -1), 1, X)[0];
    assertArrayEquals(new long[] {2, 3, 1}, z.dims());
    assertFloats(new float[] {1, 5, 9, 13, 17, 21}, z, 0);
    // axes given only at run time
    TensorData w = run("ReduceSum", 13, keep(1), 1, X, axes)[0];
    assertArrayEquals(new long[] {2, 1, 2}, w.dims());
    assertFloats(new float[] {6, 9, 24, 27}, w, 0);
  }

  @Test
  void nonContiguousAxesAndDefaults() {
    TensorData m = run("ReduceMean", 13, keep(1).setInts("axes", 0, 2), 1, X)[0];
    assertArrayEquals(new long[] {1, 3, 1}, m.dims());
    assertFloats(new float[] {3.5f, 5.5f, 7.5f}, m, 1e-6f);
    TensorData all = run("ReduceMax", 18, keep(0), 1, X)[0];
    assertArrayEquals(new long[] {}, all.dims());
    assertFloats(new float[] {11}, all, 0);
    TensorData noop = run("ReduceMax", 18, keep(0).setInt("noop_with_empty_axes", 1), 1, X)[0];
    assertTrue(noop.contentEquals(X));
    TensorData mn = run("ReduceMin", 18, keep(0), 1, X, konst(TensorData.ofLongs(d(2), 0, 1)))[0];
    assertFloats(new float[] {0, 1}, mn, 0);
  }

  @Test
  void otherReductions() {
    TensorData x = f(d(2, 2), 1, -2, 3, 4);
    TensorData axes = TensorData.ofLongs(d(1), 1);
    assertFloats(new float[] {-2, 12}, run("ReduceProd", 18, keep(0), 1, x, konst(axes))[0], 0);
    assertFloats(new float[] {3, 7}, run("ReduceL1", 18, keep(0), 1, x, konst(axes))[0], 0);
    assertFloats(new float[] {(float) Math.sqrt(5), 5}, run("ReduceL2", 18, keep(0), 1, x, konst(axes))[0], 1e-6f);
    assertFloats(new float[] {5, 25}, run("ReduceSumSquare", 18, keep(0), 1, x, konst(axes))[0], 0);
    assertFloats(new float[] {(float) Math.log(7)}, run("ReduceLogSum", 18, keep(0), 1, f(d(2), 3, 4))[0], 1e-6f);
    // stable for large inputs where exp overflows
    TensorData big = f(d(2), 1000, 1000);
    assertFloats(new float[] {1000 + (float) Math.log(2)}, run("ReduceLogSumExp", 18, keep(0), 1, big)[0], 1e-6f);
    // exact int64 sums beyond 2^53
    TensorData l = TensorData.ofLongs(d(2), (1L << 60) + 1, 1);
    assertArrayEquals(new long[] {(1L << 60) + 2}, run("ReduceSum", 13, keep(0), 1, l)[0].longs());
    // empty reduction: identity elements
    TensorData empty = f(d(2, 0), new float[0]);
    assertFloats(new float[] {0, 0}, run("ReduceSum", 13, keep(0), 1, empty, konst(axes))[0], 0);
    assertFloats(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY},
        run("ReduceMax", 18, keep(0), 1, empty, konst(axes))[0], 0);
  }

  @Test
  void argMaxAndArgMin() {
    TensorData x = f(d(2, 3), 1, 5, 5, 7, 2, 7);
    TensorData a = run("ArgMax", 13, new Attributes().setInt("axis", 1), 1, x)[0];
    assertEquals(DType.INT64, a.dtype());
    assertArrayEquals(new long[] {2, 1}, a.dims());
    assertArrayEquals(new long[] {1, 0}, a.longs());
    TensorData b = run("ArgMax", 13, new Attributes().setInt("axis", 1).setInt("select_last_index", 1)
        .setInt("keepdims", 0), 1, x)[0];
    assertArrayEquals(new long[] {2, 2}, b.longs());
    TensorData c = run("ArgMin", 13, new Attributes().setInt("axis", 0).setInt("keepdims", 0), 1, x)[0];
    assertArrayEquals(new long[] {3}, c.dims());
    assertArrayEquals(new long[] {0, 1, 0}, c.longs());
  }

  @Test
  void softmaxSingleAxisVersusCoercedTo2d() {
    TensorData x = f(d(2, 2), 0, (float) Math.log(3), 1, 1);
    // opset 13: axis -1 by default
    assertFloats(new float[] {0.25f, 0.75f, 0.5f, 0.5f}, run("Softmax", 13, null, 1, x)[0], 1e-6f);
    TensorData t = f(d(1, 2, 2), 0, 0, (float) Math.log(3), (float) Math.log(3));
    // opset 13, axis 1: softmax over the middle axis only
    assertFloats(new float[] {0.25f, 0.25f, 0.75f, 0.75f},
        run("Softmax", 13, new Attributes().setInt("axis", 1), 1, t)[0], 1e-6f);
    // opset 11, axis 1: the input is viewed as [1, 4] and the whole row is normalized
    assertFloats(new float[] {0.125f, 0.125f, 0.375f, 0.375f},
        run("Softmax", 11, new Attributes().setInt("axis", 1), 1, t)[0], 1e-6f);
    assertFloats(new float[] {(float) Math.log(0.25), (float) Math.log(0.75), (float) Math.log(0.5), (float) Math.log(0.5)},
        run("LogSoftmax", 13, null, 1, x)[0], 1e-6f);
    assertFloats(new float[] {0, 1, 1, 0}, run("Hardmax", 13, null, 1, x)[0], 0);
    // large inputs stay finite
    assertFloats(new float[] {0.5f, 0.5f}, run("Softmax", 13, null, 1, f(d(2), 1e30f, 1e30f))[0], 1e-6f);
    ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> ShapeInference.run(
        ElemTestGraphs.single("Softmax", 13, new Attributes().setInt("axis", 2), 1, x)));
    assertTrue(e.getMessage().contains("'n0'"), e.getMessage());
  }

  @Test
  void layerNormalizationWithStatistics() {
    TensorData x = f(d(2, 4), 1, 2, 3, 4, -1, -1, 1, 1);
    TensorData scale = f(d(4), 1, 1, 2, 2);
    TensorData bias = f(d(4), 0, 0, 0, 10);
    Attributes a = new Attributes().setInt("axis", -1).setFloat("epsilon", 0f);
    TensorData[] r = run("LayerNormalization", 17, a, 3, x, scale, bias);
    double s = 1 / Math.sqrt(1.25);
    assertFloats(new float[] {(float) (-1.5 * s), (float) (-0.5 * s), (float) (0.5 * s * 2), (float) (1.5 * s * 2 + 10),
        -1, -1, 2, 12}, r[0], 1e-6f);
    assertArrayEquals(new long[] {2, 1}, r[1].dims());
    assertFloats(new float[] {2.5f, 0}, r[1], 1e-6f);
    assertFloats(new float[] {(float) s, 1}, r[2], 1e-6f);
    // axis 0 normalizes over everything; scale broadcasts from [4] to [2,4]; no bias
    TensorData y = run("LayerNormalization", 17, new Attributes().setInt("axis", 0), 1, x, scale)[0];
    assertArrayEquals(new long[] {2, 4}, y.dims());
    double mean = 10.0 / 8;
    double var = 0;
    for (float v : x.floats()) {
      var += (v - mean) * (v - mean);
    }
    double inv = 1 / Math.sqrt(var / 8 + 1e-5);
    assertEquals((float) ((4 - mean) * inv * 2), y.floats()[3], 1e-6f);
  }

  @Test
  void badAxesNameTheNode() {
    Graph g = ElemTestGraphs.single("ReduceSum", 13, null, 1, X, konst(TensorData.ofLongs(d(1), 3)));
    ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> ShapeInference.run(g));
    assertTrue(e.getMessage().contains("n0") && e.getMessage().contains("axis 3"), e.getMessage());
  }
}
