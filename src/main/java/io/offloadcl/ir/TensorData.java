package io.offloadcl.ir;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense, row-major tensor held in a Java array: the constants of a graph and the values the reference
 * executor computes.
 *
 * <p>Storage by element type: {@code float[]} for float32 (and float16/bfloat16, kept widened), {@code double[]}
 * for float64, {@code int[]} for int8/uint8/int16/uint16/int32, {@code long[]} for int64/uint32/uint64,
 * {@code boolean[]} for bool and {@code String[]} for string. The array is shared, not copied: treat a
 * TensorData as immutable once it has been handed on.
 *
 * <p>A float32 tensor may also be a <em>row fill</em> ({@link #filledRows}): the row-major elements split into
 * runs of equal length, every element of run r one value, as {@code ConstantOfShape} makes them and as BN folding leaves
 * them after scaling each output channel. The array is then made only when someone asks for it; the element
 * accessors, {@link #reshape}, {@link #copy} and {@link #contentEquals} work without it, and the OpenCL upload
 * writes the values straight into device memory. Models that generate their weights this way (the onnx-light set:
 * 102 MB for resnet50) so open without allocating, filling and copying those arrays.
 */
public final class TensorData {
  private final DType dtype;
  private final long[] dims;
  private final int size;
  // the array of a plain tensor; null for a row fill
  private final Object data;
  // a row fill's values and, once asked for, its array; shared by the fill's reshaped views; null when plain
  private final Fill fill;

  /**
   * A row fill: element i is {@code rows[i / rowLength]} until someone asks for the array, which is then made
   * once and shared by every view of the fill (a reshape shares the holder, as it shares a plain array).
   */
  private static final class Fill {
    final float[] rows;
    final int rowLength;
    final int size;
    private volatile float[] array;

    Fill(float[] rows, int size) {
      this.rows = rows;
      this.size = size;
      this.rowLength = rows.length == 0 ? 0 : size / rows.length;
    }

    /** The rows while no array was made (after that the array, which may be written, is the truth). */
    float[] unmade() {
      return array == null ? rows : null;
    }

    float[] array() {
      float[] a = array;
      if (a != null) {
        return a;
      }
      synchronized (this) {
        if (array == null) {
          float[] made = new float[size];
          for (int row = 0; row < rows.length; row++) {
            Arrays.fill(made, row * rowLength, (row + 1) * rowLength, rows[row]);
          }
          array = made;
        }
        return array;
      }
    }
  }

  private TensorData(DType dtype, long[] dims, Object data) {
    this.dtype = Objects.requireNonNull(dtype);
    this.dims = dims;
    this.data = data;
    this.fill = null;
    long n = count(dims);
    if (length(data) != n) {
      throw new IllegalArgumentException(
          "tensor of shape " + Arrays.toString(dims) + " needs " + n + " elements, got " + length(data));
    }
    this.size = (int) n;
  }

  private TensorData(long[] dims, float[] rowValues) {
    this(dims, newFill(dims, rowValues));
  }

  private TensorData(long[] dims, Fill fill) {
    this.dtype = DType.FLOAT32;
    this.dims = dims;
    this.data = null;
    this.fill = fill;
    this.size = fill.size;
  }

  private static Fill newFill(long[] dims, float[] rowValues) {
    long n = count(dims);
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("tensor of shape " + Arrays.toString(dims) + " is too large");
    }
    if (rowValues.length == 0 ? n != 0 : n % rowValues.length != 0) {
      throw new IllegalArgumentException("a row fill of shape " + Arrays.toString(dims) + " cannot have "
          + rowValues.length + " rows");
    }
    return new Fill(rowValues, (int) n);
  }

  /** A float32 tensor whose every element is {@code value}, without an array until one is asked for. */
  public static TensorData filled(long[] dims, float value) {
    return filledRows(dims, new float[] {value});
  }

  /**
   * A float32 tensor of {@code rowValues.length} equal rows (row-major), row r filled with {@code rowValues[r]};
   * the element count must be a multiple of the row count. No array is made until one is asked for.
   */
  public static TensorData filledRows(long[] dims, float[] rowValues) {
    for (long d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
      }
    }
    return new TensorData(dims.clone(), rowValues.clone());
  }

  /**
   * The row values while this is a row fill not yet made into an array (a copy), else null; the rows are equal
   * runs of {@code size() / rowValues().length} elements.
   */
  public float[] rowValues() {
    float[] r = unmade();
    return r == null ? null : r.clone();
  }

  private float[] unmade() {
    return fill == null ? null : fill.unmade();
  }

  /** The array, made now for a row fill (once; its views and later callers share it). */
  private Object data() {
    return fill == null ? data : fill.array();
  }

  /** A row fill's element i. */
  private float filledAt(float[] r, int i) {
    return r[i / fill.rowLength];
  }

  /** Wraps an existing array (not copied); its class must match the dtype's storage. */
  public static TensorData wrap(DType dtype, long[] dims, Object array) {
    Class<?> want = storageClass(dtype);
    if (array == null || array.getClass() != want) {
      throw new IllegalArgumentException(
          dtype + " is stored as " + want.getSimpleName() + ", got " + (array == null ? "null" : array.getClass().getSimpleName()));
    }
    for (long d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
      }
    }
    return new TensorData(dtype, dims.clone(), array);
  }

  public static TensorData zeros(DType dtype, long... dims) {
    long n = count(dims);
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("tensor of shape " + Arrays.toString(dims) + " is too large");
    }
    return wrap(dtype, dims, allocate(dtype, (int) n));
  }

  public static TensorData ofFloats(long[] dims, float... values) {
    return wrap(DType.FLOAT32, dims, values);
  }

  public static TensorData ofLongs(long[] dims, long... values) {
    return wrap(DType.INT64, dims, values);
  }

  public static TensorData scalarFloat(float v) {
    return wrap(DType.FLOAT32, new long[0], new float[] {v});
  }

  public static TensorData scalarLong(long v) {
    return wrap(DType.INT64, new long[0], new long[] {v});
  }

  /** A new array of the storage class for {@code dtype}. */
  public static Object allocate(DType dtype, int n) {
    switch (dtype) {
      case FLOAT32: case FLOAT16: case BFLOAT16:
        return new float[n];
      case FLOAT64:
        return new double[n];
      case INT8: case UINT8: case INT16: case UINT16: case INT32:
        return new int[n];
      case INT64: case UINT32: case UINT64:
        return new long[n];
      case BOOL:
        return new boolean[n];
      case STRING:
        String[] s = new String[n];
        Arrays.fill(s, "");
        return s;
      default:
        throw new IllegalArgumentException("no storage for " + dtype);
    }
  }

  public static Class<?> storageClass(DType dtype) {
    return allocate(dtype, 0).getClass();
  }

  public DType dtype() {
    return dtype;
  }

  public long[] dims() {
    return dims.clone();
  }

  public int rank() {
    return dims.length;
  }

  public long dim(int i) {
    return dims[i];
  }

  public Shape shape() {
    return Shape.of(dims);
  }

  public TensorType type() {
    return new TensorType(dtype, shape());
  }

  /** Number of elements. */
  public int size() {
    return size;
  }

  /** The backing array (shared; made now for a row fill). */
  public Object array() {
    return data();
  }

  public float[] floats() {
    return (float[]) data();
  }

  public double[] doubles() {
    return (double[]) data();
  }

  public int[] ints() {
    return (int[]) data();
  }

  public long[] longs() {
    return (long[]) data();
  }

  public boolean[] bools() {
    return (boolean[]) data();
  }

  public String[] strings() {
    return (String[]) data();
  }

  /** Element i widened to double (bool as 0/1). */
  public double getDouble(int i) {
    float[] r = unmade();
    if (r != null) {
      Objects.checkIndex(i, size);
      return filledAt(r, i);
    }
    Object data = data();
    if (data instanceof float[]) {
      return ((float[]) data)[i];
    } else if (data instanceof double[]) {
      return ((double[]) data)[i];
    } else if (data instanceof int[]) {
      return ((int[]) data)[i];
    } else if (data instanceof long[]) {
      long v = ((long[]) data)[i];
      return dtype == DType.UINT64 && v < 0 ? (double) (v >>> 1) * 2.0 + (v & 1) : v;
    } else if (data instanceof boolean[]) {
      return ((boolean[]) data)[i] ? 1 : 0;
    }
    throw new UnsupportedOperationException("getDouble on " + dtype);
  }

  /** Element i as long (floats truncated toward zero, bool as 0/1). */
  public long getLong(int i) {
    float[] r = unmade();
    if (r != null) {
      Objects.checkIndex(i, size);
      return (long) filledAt(r, i);
    }
    Object data = data();
    if (data instanceof long[]) {
      return ((long[]) data)[i];
    } else if (data instanceof int[]) {
      return ((int[]) data)[i];
    } else if (data instanceof float[]) {
      return (long) ((float[]) data)[i];
    } else if (data instanceof double[]) {
      return (long) ((double[]) data)[i];
    } else if (data instanceof boolean[]) {
      return ((boolean[]) data)[i] ? 1 : 0;
    }
    throw new UnsupportedOperationException("getLong on " + dtype);
  }

  /** Sets element i from a double, converting as a C cast would (wrapping to the integer width). */
  public void setDouble(int i, double v) {
    Object data = data();
    if (data instanceof float[]) {
      ((float[]) data)[i] = (float) v;
    } else if (data instanceof double[]) {
      ((double[]) data)[i] = v;
    } else if (data instanceof boolean[]) {
      ((boolean[]) data)[i] = v != 0;
    } else {
      setLong(i, (long) v);
    }
  }

  /** Sets element i from a long, wrapping to the element type's width. */
  public void setLong(int i, long v) {
    Object data = data();
    if (data instanceof long[]) {
      ((long[]) data)[i] = dtype == DType.UINT32 ? v & 0xFFFFFFFFL : v;
    } else if (data instanceof int[]) {
      ((int[]) data)[i] = wrapInt(dtype, v);
    } else if (data instanceof float[]) {
      ((float[]) data)[i] = v;
    } else if (data instanceof double[]) {
      ((double[]) data)[i] = v;
    } else if (data instanceof boolean[]) {
      ((boolean[]) data)[i] = v != 0;
    } else {
      throw new UnsupportedOperationException("setLong on " + dtype);
    }
  }

  static int wrapInt(DType t, long v) {
    switch (t) {
      case INT8: return (byte) v;
      case UINT8: return (int) (v & 0xFF);
      case INT16: return (short) v;
      case UINT16: return (int) (v & 0xFFFF);
      default: return (int) v;
    }
  }

  /**
   * The same data under another shape with the same element count (no copy). A row fill's view shares the fill:
   * its rows are runs of the row-major order, which a reshape does not move, and an array made for either is
   * the other's too.
   */
  public TensorData reshape(long... newDims) {
    if (count(newDims) != size()) {
      throw new IllegalArgumentException(
          "cannot view " + Arrays.toString(dims) + " as " + Arrays.toString(newDims));
    }
    if (fill != null) {
      return new TensorData(newDims.clone(), fill);
    }
    return new TensorData(dtype, newDims.clone(), data);
  }

  /** A deep copy. */
  public TensorData copy() {
    float[] r = unmade();
    if (r != null) {
      return new TensorData(dims.clone(), r.clone());
    }
    Object data = data();
    Object c;
    if (data instanceof float[]) {
      c = ((float[]) data).clone();
    } else if (data instanceof double[]) {
      c = ((double[]) data).clone();
    } else if (data instanceof int[]) {
      c = ((int[]) data).clone();
    } else if (data instanceof long[]) {
      c = ((long[]) data).clone();
    } else if (data instanceof boolean[]) {
      c = ((boolean[]) data).clone();
    } else {
      c = ((String[]) data).clone();
    }
    return new TensorData(dtype, dims.clone(), c);
  }

  /** Values as a long[] (shape-like integer tensors); floats truncated. */
  public long[] toLongArray() {
    long[] r = new long[size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = getLong(i);
    }
    return r;
  }

  /** Values as a float[] (a copy unless already float32 storage). */
  public float[] toFloatArray() {
    if (fill == null && data instanceof float[] a) {
      return a.clone();
    }
    float[] r = new float[size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = (float) getDouble(i);
    }
    return r;
  }

  public static long count(long[] dims) {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    return n;
  }

  private static int length(Object a) {
    return java.lang.reflect.Array.getLength(a);
  }

  /** Same dtype, dims and elements (NaN equal to NaN). */
  public boolean contentEquals(TensorData o) {
    if (o == null || o.dtype != dtype || !Arrays.equals(o.dims, dims)) {
      return false;
    }
    float[] r = unmade();
    float[] or = o.unmade();
    if (r != null && or != null && r.length == or.length) {
      return Arrays.equals(r, or);
    }
    if (r != null || or != null) {
      for (int i = 0; i < size; i++) {
        if (Float.floatToIntBits((float) getDouble(i)) != Float.floatToIntBits((float) o.getDouble(i))) {
          return false;
        }
      }
      return true;
    }
    Object data = data();
    if (data instanceof float[]) {
      return Arrays.equals((float[]) data, (float[]) o.data());
    } else if (data instanceof double[]) {
      return Arrays.equals((double[]) data, (double[]) o.data());
    } else if (data instanceof int[]) {
      return Arrays.equals((int[]) data, (int[]) o.data());
    } else if (data instanceof long[]) {
      return Arrays.equals((long[]) data, (long[]) o.data());
    } else if (data instanceof boolean[]) {
      return Arrays.equals((boolean[]) data, (boolean[]) o.data());
    }
    return Arrays.equals((String[]) data, (String[]) o.data());
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(dtype.shortName()).append(Arrays.toString(dims)).append(" {");
    int n = Math.min(size(), 8);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(dtype == DType.STRING ? strings()[i] : (dtype.isFloating() ? String.valueOf(getDouble(i)) : String.valueOf(getLong(i))));
    }
    if (size() > n) {
      sb.append(", …");
    }
    return sb.append('}').toString();
  }
}
