package io.offloadcl.cli;

import io.offloadcl.api.Devices;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code offloadcl devices}: every OpenCL device found and the device profile it matches. */
@Command(name = "devices", mixinStandardHelpOptions = true,
    description = "List the OpenCL devices (platform, name, type, compute units, memory, OpenCL C, driver) and the"
        + " profile in device-profiles/ each matches; the Java CPU device is always there.")
final class DevicesCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    List<Devices.DeviceInfo> ds = Devices.list();
    System.out.println("java       Java CPU device (reference kernels)   profile: java-cpu");
    if (ds.isEmpty()) {
      System.out.println("opencl     none: " + Devices.openClUnavailableReason());
      return 0;
    }
    for (Devices.DeviceInfo d : ds) {
      System.out.printf("opencl:%-3d %s%n", d.index(), d.name());
      System.out.printf("           platform:        %s%n", d.platform());
      System.out.printf("           type:            %s%n", d.type());
      System.out.printf("           compute units:   %d%n", d.computeUnits());
      System.out.printf("           global memory:   %.1f GiB%n", d.globalMemoryBytes() / (1024.0 * 1024 * 1024));
      System.out.printf("           OpenCL C:        %s%n", d.openClC());
      System.out.printf("           driver version:  %s%n", d.driverVersion());
      System.out.printf("           profile:         %s%n", d.profiles().isEmpty() ? "(none matches; write one with calibrate)" : String.join(", ", d.profiles()));
    }
    return 0;
  }
}
