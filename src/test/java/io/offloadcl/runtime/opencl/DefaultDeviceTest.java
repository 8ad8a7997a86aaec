package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The device a session uses when it names none: a GPU, else the CPU device with the most compute units. */
class DefaultDeviceTest {
  private static ClDevice device(int index, String name, ClDevice.Type type, int units) {
    return new ClDevice(null, null, index, "Portable Computing Language", name, "pocl", type, units, 1L << 30,
        1 << 16, 4096, "OpenCL C 1.2", "3.1", "OpenCL 3.0", true);
  }

  @Test
  void poclsBasicDeviceListedFirstDoesNotBecomeTheDefault() {
    ClDevice basic = device(0, "basic-skylake", ClDevice.Type.CPU, 1);
    ClDevice pthread = device(1, "pthread-skylake", ClDevice.Type.CPU, 2);
    assertSame(pthread, OpenClPlatforms.preferred(List.of(basic, pthread)));
    assertSame(pthread, OpenClPlatforms.preferred(List.of(pthread, basic)));
  }

  @Test
  void aGpuWinsAndATieGoesToTheFirst() {
    ClDevice cpu = device(0, "cpu", ClDevice.Type.CPU, 64);
    ClDevice gpu = device(1, "gpu", ClDevice.Type.GPU, 8);
    assertSame(gpu, OpenClPlatforms.preferred(List.of(cpu, gpu)));
    ClDevice a = device(0, "pthread-a", ClDevice.Type.CPU, 2);
    ClDevice b = device(1, "pthread-b", ClDevice.Type.CPU, 2);
    assertSame(a, OpenClPlatforms.preferred(List.of(a, b)));
  }
}
