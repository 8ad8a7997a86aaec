package io.offloadcl.ir;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor shape. A dimension is a non-negative extent or {@link #DYNAMIC} (-1) when it is only known at run
 * time; a dynamic dimension may carry a symbolic name (ONNX {@code dim_param}). Immutable.
 */
public final class Shape {
  public static final long DYNAMIC = -1;
  public static final Shape SCALAR = new Shape(new long[0], null);

  private final long[] dims;
  private final String[] symbols; // null or same length as dims; entries null where not symbolic

  private Shape(long[] dims, String[] symbols) {
    this.dims = dims;
    this.symbols = symbols;
  }

  public static Shape of(long... dims) {
    for (long d : dims) {
      if (d < DYNAMIC) {
        throw new IllegalArgumentException("negative dimension " + d + " in " + Arrays.toString(dims));
      }
    }
    return new Shape(dims.clone(), null);
  }

  public static Shape of(int... dims) {
    long[] l = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      l[i] = dims[i];
    }
    return of(l);
  }

  /** A shape with symbolic names for some dynamic dimensions ({@code symbols[i]} may be null). */
  public static Shape withSymbols(long[] dims, String[] symbols) {
    if (symbols != null && symbols.length != dims.length) {
      throw new IllegalArgumentException("symbols and dims differ in length");
    }
    Shape s = of(dims);
    return new Shape(s.dims, symbols == null ? null : symbols.clone());
  }

  public int rank() {
    return dims.length;
  }

  public long dim(int i) {
    return dims[i];
  }

  /** The symbolic name of dimension i, or null. */
  public String symbol(int i) {
    return symbols == null ? null : symbols[i];
  }

  public long[] dims() {
    return dims.clone();
  }

  /** Dimensions as ints; throws if any is dynamic or too large. */
  public int[] intDims() {
    int[] r = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
        throw new IllegalStateException("shape " + this + " is not static");
      }
      r[i] = (int) dims[i];
    }
    return r;
  }

  public boolean isStatic() {
    for (long d : dims) {
      if (d < 0) {
        return false;
      }
    }
    return true;
  }

  /** Number of elements, or -1 when some dimension is dynamic. */
  public long numElements() {
    long n = 1;
    for (long d : dims) {
      if (d < 0) {
        return -1;
      }
      n *= d;
    }
    return n;
  }

  /** True when the shapes can describe the same tensor (dynamic dims match anything). */
  public boolean compatibleWith(Shape o) {
    if (o.rank() != rank()) {
      return false;
    }
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] >= 0 && o.dims[i] >= 0 && dims[i] != o.dims[i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape && Arrays.equals(dims, ((Shape) o).dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < dims.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      if (dims[i] < 0) {
        sb.append(symbol(i) != null ? symbol(i) : "?");
      } else {
        sb.append(dims[i]);
      }
    }
    return sb.append(']').toString();
  }

  /** Equality of dims including symbols. */
  public boolean sameAs(Shape o) {
    return equals(o) && Objects.equals(symbolList(), o.symbolList());
  }

  private java.util.List<String> symbolList() {
    return symbols == null ? null : Arrays.asList(symbols);
  }
}
