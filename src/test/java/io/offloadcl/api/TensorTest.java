package io.offloadcl.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import org.junit.jupiter.api.Test;

class TensorTest {
  @Test
  void factoriesCopyTheirArrayAndAccessorsReturnCopies() {
    float[] v = {1, 2, 3, 4, 5, 6};
    Tensor t = Tensor.ofFloats(v, 2, 3);
    v[0] = 99;
    assertEquals(1.0, t.getDouble(0));
    float[] got = t.toFloatArray();
    got[1] = 42;
    assertEquals(2.0, t.getDouble(1));
    long[] shape = t.shape();
    shape[0] = 7;
    assertArrayEquals(new long[] {2, 3}, t.shape());
    assertEquals(DType.FLOAT32, t.dtype());
    assertEquals(2, t.rank());
    assertEquals(6, t.size());
    assertEquals(6.0, t.getDouble(1, 2));
  }

  @Test
  void everyFactoryGivesItsDtype() {
    assertEquals(DType.INT64, Tensor.ofLongs(new long[] {1, 2}, 2).dtype());
    assertEquals(DType.INT32, Tensor.ofInts(new int[] {1, 2}, 1, 2).dtype());
    assertEquals(DType.BOOL, Tensor.ofBooleans(new boolean[] {true}, 1).dtype());
    assertEquals(DType.FLOAT64, Tensor.ofDoubles(new double[] {0.5}).dtype());
    assertEquals(DType.UINT8, Tensor.ofUint8(new int[] {0, 255}, 2).dtype());
    Tensor s = Tensor.scalar(3f);
    assertEquals(0, s.rank());
    assertEquals(1, s.size());
    assertArrayEquals(new long[] {7, -3}, Tensor.ofLongs(new long[] {7, -3}, 2).toLongArray());
    assertArrayEquals(new int[] {7, -3}, Tensor.ofLongs(new long[] {7, -3}, 2).toIntArray());
    assertArrayEquals(new boolean[] {true, false}, Tensor.ofFloats(new float[] {2, 0}, 2).toBooleanArray());
    assertArrayEquals(new double[] {1, 0}, Tensor.ofBooleans(new boolean[] {true, false}, 2).toDoubleArray());
    assertArrayEquals(new float[] {0, 0, 0}, Tensor.zeros(DType.FLOAT32, 3).toFloatArray());
  }

  @Test
  void wrongElementCountIsATypedErrorNamingShapeAndCount() {
    ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> Tensor.ofFloats(new float[5], 2, 3));
    assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("6") && e.getMessage().contains("5"),
        e.getMessage());
    assertThrows(ShapeMismatchException.class, () -> Tensor.ofLongs(new long[1], -1));
    assertThrows(IllegalArgumentException.class, () -> Tensor.ofUint8(new int[] {256}, 1));
    assertThrows(ArithmeticException.class, () -> Tensor.ofLongs(new long[] {1L << 40}, 1).toIntArray());
    assertThrows(IndexOutOfBoundsException.class, () -> Tensor.ofFloats(new float[4], 2, 2).getDouble(2, 0));
    assertThrows(IndexOutOfBoundsException.class, () -> Tensor.ofFloats(new float[4], 2, 2).getDouble(new long[] {1}));
  }

  @Test
  void fromDataCopiesAndEqualityIsByContent() {
    TensorData d = TensorData.ofFloats(new long[] {2}, 1f, 2f);
    Tensor t = Tensor.fromData(d);
    d.floats()[0] = 5;
    assertEquals(1.0, t.getDouble(0));
    assertEquals(Tensor.ofFloats(new float[] {1, 2}, 2), t);
    assertEquals(Tensor.ofFloats(new float[] {1, 2}, 2).hashCode(), t.hashCode());
    assertNotEquals(Tensor.ofFloats(new float[] {1, 2}, 1, 2), t);
    assertNotEquals(Tensor.ofDoubles(new double[] {1, 2}, 2), t);
  }

  @Test
  void argmaxTakesTheFirstLargest() {
    assertEquals(2, Tensor.ofFloats(new float[] {0.1f, 0.3f, 0.5f, 0.5f}, 1, 4).argmax());
    assertEquals(-1, Tensor.ofFloats(new float[0], 0).argmax());
  }
}
