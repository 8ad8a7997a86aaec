package io.offloadcl.runtime.opencl;

import io.offloadcl.ir.DeviceException;
import org.jocl.CL;

/** The seam where OpenCL status codes become {@link DeviceException}s named by their CL error. */
final class Cl {
  private Cl() {}

  static {
    // We check every status ourselves so that errors carry our context, not JOCL's.
    CL.setExceptionsEnabled(false);
  }

  static void check(int status, String what) {
    if (status != CL.CL_SUCCESS) {
      throw new DeviceException(what + " failed: " + errorName(status) + " (" + status + ")");
    }
  }

  static String errorName(int status) {
    String s = CL.stringFor_errorCode(status);
    return s == null ? "CL error " + status : s;
  }
}
