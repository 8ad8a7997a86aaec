package io.offloadcl.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Row fills: float32 tensors described by one value per row until someone asks for their array. */
class TensorDataFillTest {
  @Test
  void aRowFillReadsLikeItsArrayWithoutMakingIt() {
    TensorData t = TensorData.filledRows(new long[] {3, 2, 2}, new float[] {1.5f, -2f, 0f});
    assertEquals(12, t.size());
    assertEquals(DType.FLOAT32, t.dtype());
    for (int i = 0; i < 12; i++) {
      assertEquals(new float[] {1.5f, -2f, 0f}[i / 4], (float) t.getDouble(i), 0f);
    }
    assertEquals(-2L, t.getLong(5));
    assertThrows(IndexOutOfBoundsException.class, () -> t.getDouble(12));
    assertNotNull(t.rowValues(), "reading elements made the array");
    float[] a = t.floats();
    assertArrayEquals(new float[] {1.5f, 1.5f, 1.5f, 1.5f, -2f, -2f, -2f, -2f, 0f, 0f, 0f, 0f}, a);
    assertSame(a, t.floats(), "the array is made once and shared");
    assertNull(t.rowValues(), "once made, the array (which may be written) is what the tensor is");
    t.setDouble(0, 7);
    assertEquals(7.0, t.getDouble(0), 0);
  }

  @Test
  void reshapeCopyAndEqualityKeepAFillWithoutMakingItsArray() {
    TensorData t = TensorData.filledRows(new long[] {4, 3, 3, 3}, new float[] {1, 2, 3, 4});
    TensorData flat = t.reshape(4, 27);
    assertArrayEquals(new float[] {1, 2, 3, 4}, flat.rowValues());
    TensorData other = t.reshape(2, 54);
    assertArrayEquals(new float[] {1, 2, 3, 4}, other.rowValues(), "runs of the row-major order do not move");
    assertEquals(3.0, other.getDouble(60), 0);
    assertEquals(3.0, t.reshape(108).getDouble(60), 0);
    TensorData splat = TensorData.filled(new long[] {2, 3}, 0.5f);
    assertArrayEquals(new float[] {0.5f}, splat.reshape(3, 2).rowValues());
    TensorData c = t.copy();
    assertNotNull(c.rowValues());
    assertTrue(c.contentEquals(t));
    assertTrue(t.contentEquals(TensorData.wrap(DType.FLOAT32, t.dims(), c.toFloatArray())),
        "a fill equals the array of its values");
    assertFalse(t.contentEquals(TensorData.filledRows(new long[] {4, 3, 3, 3}, new float[] {1, 2, 3, 5})));
    assertNotNull(t.rowValues(), "copy and equality made the array");
  }

  @Test
  void aReshapedFillIsAViewThatSharesTheArrayOnceMade() {
    TensorData t = TensorData.filledRows(new long[] {2, 3}, new float[] {1, 2});
    TensorData v = t.reshape(3, 2);
    float[] a = v.floats();
    assertSame(a, t.floats(), "one array for the fill and its view");
    a[0] = 9;
    assertEquals(9.0, t.getDouble(0), 0);
    assertNull(t.rowValues(), "once the view made the array, the original is no longer described by its rows");
    assertNotNull(TensorData.filledRows(new long[] {2, 3}, new float[] {1, 2}).copy().rowValues());
  }

  @Test
  void rowsMustTileTheTensor() {
    assertThrows(IllegalArgumentException.class, () -> TensorData.filledRows(new long[] {5}, new float[] {1, 2}));
    assertThrows(IllegalArgumentException.class, () -> TensorData.filled(new long[] {-1, 2}, 1f));
    assertEquals(0, TensorData.filled(new long[] {0, 3}, 1f).floats().length);
  }
}
