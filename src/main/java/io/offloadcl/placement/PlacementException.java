package io.offloadcl.placement;

import io.offloadcl.ir.OffloadException;

/**
 * No valid placement exists under the given devices and pins: an op no device may run, a pin naming an
 * unknown device or op, or memory that no assignment fits. The message names the op and the devices.
 */
public class PlacementException extends OffloadException {
  private static final long serialVersionUID = 1L;

  public PlacementException(String message) {
    super(message);
  }
}
