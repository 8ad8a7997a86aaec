package io.offloadcl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offloadcl.codegen.DeviceClass;
import io.offloadcl.runtime.opencl.ClDevice;
import io.offloadcl.runtime.opencl.OpenClPlatforms;
import io.offloadcl.testing.Requirements;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The kernel variant family comes from the matching profile's kind: POCL's CPU device matches pocl-cpu → CPU. */
@Tag("opencl")
class DeviceClassFromProfileTest {
  @Test
  void poclGetsTheCpuVariantsThroughItsProfile() {
    Requirements.assumeOrFailInCi(!OpenClPlatforms.devices().isEmpty(), "an OpenCL device");
    ClDevice d = OpenClPlatforms.device(0);
    Requirements.assumeOrFailInCi(d.platformName().contains("Portable Computing Language"), "POCL as device 0");
    assertEquals(DeviceClass.CPU, Backends.deviceClass(d));
  }
}
