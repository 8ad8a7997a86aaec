package io.offloadcl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.api.Devices;
import io.offloadcl.testing.Requirements;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

@Tag("opencl")
class DevicesCommandTest {
  @Test
  void listsPoclWithItsProfile() {
    Requirements.assumeOrFailInCi(!Devices.list().isEmpty(), "an OpenCL device (POCL: apt-get install pocl-opencl-icd ocl-icd-opencl-dev)");
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      code = new CommandLine(new Main()).execute("devices");
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, out);
    for (String field : new String[] {"platform:", "type:", "compute units:", "global memory:", "OpenCL C:", "driver version:", "profile:"}) {
      assertTrue(out.contains(field), "missing " + field + " in\n" + out);
    }
    Devices.DeviceInfo first = Devices.list().get(0);
    assertTrue(out.contains(first.name()), out);
    if (first.platform().contains("Portable Computing Language") && "CPU".equals(first.type())) {
      assertTrue(first.profiles().contains("pocl-cpu"), "POCL's CPU device should match pocl-cpu: " + first.profiles());
      assertFalse(first.profiles().contains("nvidia-h100-opencl"), first.profiles().toString());
    }
  }
}
