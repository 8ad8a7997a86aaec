package io.offloadcl.ir;

import java.util.Objects;

/** Element type plus shape; the shape is null when even the rank is unknown. Immutable. */
public final class TensorType {
  private final DType dtype;
  private final Shape shape;

  public TensorType(DType dtype, Shape shape) {
    this.dtype = Objects.requireNonNull(dtype, "dtype");
    this.shape = shape;
  }

  public static TensorType of(DType dtype, long... dims) {
    return new TensorType(dtype, Shape.of(dims));
  }

  public DType dtype() {
    return dtype;
  }

  /** The shape, or null when the rank is unknown. */
  public Shape shape() {
    return shape;
  }

  public boolean hasRank() {
    return shape != null;
  }

  public boolean isStatic() {
    return shape != null && shape.isStatic();
  }

  public TensorType withShape(Shape s) {
    return new TensorType(dtype, s);
  }

  /** Bytes this tensor occupies, or -1 when its shape is not static. */
  public long byteSize() {
    if (!isStatic()) {
      return -1;
    }
    return shape.numElements() * dtype.byteSize();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TensorType)) {
      return false;
    }
    TensorType t = (TensorType) o;
    return dtype == t.dtype && Objects.equals(shape, t.shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(dtype, shape);
  }

  @Override
  public String toString() {
    return dtype.shortName() + (shape == null ? "[*]" : shape.toString());
  }
}
