package io.offloadcl.quant;

import io.offloadcl.ir.OffloadException;

/**
 * A calibration set or calibration file that cannot be used: an empty set, an unreadable or malformed file, or a
 * file that does not match the model. The message names the folder or file and the tensor concerned.
 */
public class CalibrationException extends OffloadException {
  private static final long serialVersionUID = 1L;

  public CalibrationException(String message) {
    super(message);
  }

  public CalibrationException(String message, Throwable cause) {
    super(message, cause);
  }
}
