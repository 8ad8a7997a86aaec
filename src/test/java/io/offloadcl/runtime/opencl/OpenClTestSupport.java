package io.offloadcl.runtime.opencl;


import java.util.List;

/** Finds the device OpenCL tests run on: skips without one, except under CI=true where that is a failure. */
public final class OpenClTestSupport {
  private OpenClTestSupport() {}

  public static ClDevice requireDevice() {
    List<ClDevice> ds = OpenClPlatforms.devices();
    io.offloadcl.testing.Requirements.assumeOrFailInCi(!ds.isEmpty(),
        "an OpenCL device (" + OpenClPlatforms.unavailableReason() + ")");
    return ds.get(0);
  }
}
