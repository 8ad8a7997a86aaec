package io.offloadcl.ir;

/** Thrown for a device profile file that is malformed or inconsistent. */
public class ProfileException extends OffloadException {
  private static final long serialVersionUID = 1L;

  public ProfileException(String message) {
    super(message);
  }

  public ProfileException(String message, Throwable cause) {
    super(message, cause);
  }
}
