package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;

/** Finds the device OpenCL tests run on: skips without one, except under CI=true where that is a failure. */
public final class OpenClTestSupport {
  private OpenClTestSupport() {}

  public static ClDevice requireDevice() {
    List<ClDevice> ds = OpenClPlatforms.devices();
    if (ds.isEmpty()) {
      String why = "no OpenCL device: " + OpenClPlatforms.unavailableReason();
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(why + " (CI=true: OpenCL tests must run)");
      }
      assumeTrue(false, why);
    }
    return ds.get(0);
  }
}
