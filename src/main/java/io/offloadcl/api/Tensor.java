package io.offloadcl.api;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable, dense, row-major tensor: what goes into and comes out of an {@link InferenceSession}.
 *
 * <p>The factory methods copy the array they are given and the array accessors return copies, so a Tensor never
 * changes after it is made and can be shared between threads freely. Element types are ONNX's ({@link DType});
 * the factories cover float32, float64, int64, int32, uint8 and bool, which is what models take as inputs.
 *
 * <pre>{@code
 * Tensor image = Tensor.ofFloats(pixels, 1, 1, 28, 28);
 * Tensor ids = Tensor.ofLongs(new long[] {101, 2023, 102}, 1, 3);
 * }</pre>
 */
public final class Tensor {
  private final TensorData data;

  private Tensor(TensorData data) {
    this.data = data;
  }

  /** A float32 tensor with the given shape; {@code values.length} must equal the product of the dims. */
  public static Tensor ofFloats(float[] values, long... dims) {
    return make(DType.FLOAT32, dims, Objects.requireNonNull(values, "values").clone());
  }

  /** A float64 tensor with the given shape. */
  public static Tensor ofDoubles(double[] values, long... dims) {
    return make(DType.FLOAT64, dims, Objects.requireNonNull(values, "values").clone());
  }

  /** An int64 tensor with the given shape (token ids, indices, shapes). */
  public static Tensor ofLongs(long[] values, long... dims) {
    return make(DType.INT64, dims, Objects.requireNonNull(values, "values").clone());
  }

  /** An int32 tensor with the given shape. */
  public static Tensor ofInts(int[] values, long... dims) {
    return make(DType.INT32, dims, Objects.requireNonNull(values, "values").clone());
  }

  /** A uint8 tensor; each value must lie in 0..255. */
  public static Tensor ofUint8(int[] values, long... dims) {
    for (int i = 0; i < Objects.requireNonNull(values, "values").length; i++) {
      if (values[i] < 0 || values[i] > 255) {
        throw new IllegalArgumentException("uint8 element " + i + " is " + values[i] + ", outside 0..255");
      }
    }
    return make(DType.UINT8, dims, values.clone());
  }

  /** A bool tensor with the given shape. */
  public static Tensor ofBooleans(boolean[] values, long... dims) {
    return make(DType.BOOL, dims, Objects.requireNonNull(values, "values").clone());
  }

  /** A float32 scalar (rank 0). */
  public static Tensor scalar(float value) {
    return make(DType.FLOAT32, new long[0], new float[] {value});
  }

  /** A tensor of the given dtype and shape filled with zeros (false for bool). */
  public static Tensor zeros(DType dtype, long... dims) {
    checkDims(dims);
    return new Tensor(TensorData.zeros(dtype, dims));
  }

  /**
   * Wraps a copy of an IR tensor; the library's own packages and advanced callers that already hold a
   * {@link TensorData} use it.
   */
  public static Tensor fromData(TensorData data) {
    return new Tensor(Objects.requireNonNull(data, "data").copy());
  }

  /** Wraps without copying: only for tensors that no one else holds (executor outputs). */
  static Tensor adopt(TensorData data) {
    return new Tensor(data);
  }

  private static Tensor make(DType dtype, long[] dims, Object array) {
    checkDims(dims);
    long n = TensorData.count(dims);
    int len = java.lang.reflect.Array.getLength(array);
    if (n != len) {
      throw new ShapeMismatchException(
          "a " + dtype.shortName() + " tensor of shape " + Arrays.toString(dims) + " needs " + n + " values, got " + len);
    }
    return new Tensor(TensorData.wrap(dtype, dims, array));
  }

  private static void checkDims(long[] dims) {
    Objects.requireNonNull(dims, "dims");
    for (long d : dims) {
      if (d < 0) {
        throw new ShapeMismatchException("negative dimension " + d + " in shape " + Arrays.toString(dims));
      }
    }
  }

  /** The element type. */
  public DType dtype() {
    return data.dtype();
  }

  /** The dimensions (a copy). */
  public long[] shape() {
    return data.dims();
  }

  /** The number of dimensions. */
  public int rank() {
    return data.rank();
  }

  /** The number of elements. */
  public int size() {
    return data.size();
  }

  /** The elements as float32 values, converted when the dtype is not float32 (a copy). */
  public float[] toFloatArray() {
    return data.toFloatArray();
  }

  /** The elements as doubles (bool as 0/1). */
  public double[] toDoubleArray() {
    double[] r = new double[data.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = data.getDouble(i);
    }
    return r;
  }

  /** The elements as longs (floating values truncated toward zero, bool as 0/1). */
  public long[] toLongArray() {
    return data.toLongArray();
  }

  /** The elements as ints; fails for int64 values outside the int range rather than wrapping silently. */
  public int[] toIntArray() {
    int[] r = new int[data.size()];
    for (int i = 0; i < r.length; i++) {
      long v = data.getLong(i);
      if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
        throw new ArithmeticException("element " + i + " = " + v + " does not fit an int");
      }
      r[i] = (int) v;
    }
    return r;
  }

  /** The elements as booleans (non-zero is true). */
  public boolean[] toBooleanArray() {
    if (data.dtype() == DType.BOOL) {
      return data.bools().clone();
    }
    boolean[] r = new boolean[data.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = data.getDouble(i) != 0;
    }
    return r;
  }

  /** Element {@code i} in row-major order, widened to double. */
  public double getDouble(int i) {
    return data.getDouble(i);
  }

  /** The element at a multi-dimensional index, widened to double. */
  public double getDouble(long... index) {
    return data.getDouble(flatIndex(index));
  }

  private int flatIndex(long[] index) {
    if (index.length != data.rank()) {
      throw new IndexOutOfBoundsException(
          "index " + Arrays.toString(index) + " has rank " + index.length + ", tensor has rank " + data.rank());
    }
    long flat = 0;
    for (int d = 0; d < index.length; d++) {
      if (index[d] < 0 || index[d] >= data.dim(d)) {
        throw new IndexOutOfBoundsException(
            "index " + Arrays.toString(index) + " is outside shape " + Arrays.toString(data.dims()));
      }
      flat = flat * data.dim(d) + index[d];
    }
    return (int) flat;
  }

  /** The position of the largest element in row-major order (the first one on ties); -1 when empty. */
  public int argmax() {
    int best = -1;
    double bestV = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < data.size(); i++) {
      double v = data.getDouble(i);
      if (best < 0 || v > bestV) {
        best = i;
        bestV = v;
      }
    }
    return best;
  }

  /**
   * The underlying IR tensor. It is shared, not copied: callers must not modify it. Exposed for the library's
   * own tools (writing {@code .pb} files, comparing with reference outputs).
   */
  public TensorData data() {
    return data;
  }

  /** Same dtype, shape and elements (NaN equals NaN). */
  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor && data.contentEquals(((Tensor) o).data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(data.dtype(), Arrays.hashCode(data.dims()), data.size());
  }

  /** dtype, shape and the first few elements. */
  @Override
  public String toString() {
    return data.toString();
  }
}
