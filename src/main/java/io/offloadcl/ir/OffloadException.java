package io.offloadcl.ir;

/**
 * The root of OffloadCL's error hierarchy. Every failure that bad input can cause is one of its subclasses,
 * with a message naming what was wrong and where (node, input, file, field).
 *
 * <p>These types live in {@code ir} because every package may import {@code ir}; they depend on nothing else.
 */
public class OffloadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public OffloadException(String message) {
    super(message);
  }

  public OffloadException(String message, Throwable cause) {
    super(message, cause);
  }
}
