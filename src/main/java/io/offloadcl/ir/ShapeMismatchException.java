package io.offloadcl.ir;

/** Thrown for a shape, dtype or attribute that does not fit what an operator or model expects. */
public class ShapeMismatchException extends OffloadException {
  private static final long serialVersionUID = 1L;

  public ShapeMismatchException(String message) {
    super(message);
  }

  public ShapeMismatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
