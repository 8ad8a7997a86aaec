package io.offloadcl.ir;

/** Thrown for a device that is missing, fails, or cannot hold or run what it is asked to. */
public class DeviceException extends OffloadException {
  private static final long serialVersionUID = 1L;

  public DeviceException(String message) {
    super(message);
  }

  public DeviceException(String message, Throwable cause) {
    super(message, cause);
  }
}
