package io.offloadcl.ir;

/** Thrown for a model file or protobuf that is malformed, truncated or inconsistent. */
public class ModelFormatException extends OffloadException {
  private static final long serialVersionUID = 1L;

  public ModelFormatException(String message) {
    super(message);
  }

  public ModelFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
