package io.offloadcl.ir;

/** Thrown for an operator (or a form of one) that OffloadCL cannot run. */
public class UnsupportedOperatorException extends OffloadException {
  private static final long serialVersionUID = 1L;

  public UnsupportedOperatorException(String message) {
    super(message);
  }

  public UnsupportedOperatorException(String message, Throwable cause) {
    super(message, cause);
  }
}
