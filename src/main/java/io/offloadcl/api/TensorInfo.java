package io.offloadcl.api;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.TensorType;
import java.util.Arrays;
import java.util.Objects;

/**
 * The declared name, element type and shape of a model input or output. A dynamic dimension is -1 in
 * {@link #shape()} and may carry a symbolic name ({@link #dimName(int)}, ONNX {@code dim_param}).
 */
public final class TensorInfo {
  private final String name;
  private final DType dtype;
  private final Shape shape;

  TensorInfo(String name, TensorType type) {
    this.name = Objects.requireNonNull(name);
    this.dtype = type == null ? null : type.dtype();
    this.shape = type == null ? null : type.shape();
  }

  /** The name the model gives this tensor; inputs are passed to {@link InferenceSession#run} under it. */
  public String name() {
    return name;
  }

  /** The element type, or null when the model does not declare it. */
  public DType dtype() {
    return dtype;
  }

  /** True when the rank is known. */
  public boolean hasShape() {
    return shape != null;
  }

  /** The dimensions, -1 for a dynamic one; null when even the rank is unknown. */
  public long[] shape() {
    return shape == null ? null : shape.dims();
  }

  /** The symbolic name of dimension {@code i} (such as "batch"), or null. */
  public String dimName(int i) {
    return shape == null ? null : shape.symbol(i);
  }

  /** True when every dimension is known. */
  public boolean isStatic() {
    return shape != null && shape.isStatic();
  }

  /** "name: float32[batch,1,28,28]"; dynamic dims print as their symbol or "?". */
  @Override
  public String toString() {
    return name + ": " + (dtype == null ? "?" : dtype.shortName()) + (shape == null ? "[*]" : shape.toString());
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TensorInfo)) {
      return false;
    }
    TensorInfo t = (TensorInfo) o;
    return name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape(), t.shape());
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, dtype, Arrays.hashCode(shape()));
  }
}
