package io.offloadcl.api;

import io.offloadcl.device.Calibration;
import io.offloadcl.ir.DeviceException;
import io.offloadcl.runtime.Calibrator;
import io.offloadcl.runtime.opencl.ClDevice;
import io.offloadcl.runtime.opencl.OpenClPlatforms;

/**
 * Measures a real device with micro-benchmarks and makes a device profile of it: an OpenCL device by its index
 * in {@code offloadcl devices}, or {@code java} for the Java reference-kernel device.
 */
public final class DeviceCalibration {
  /** Progress of a calibration: the number of steps first, then one call per finished step. */
  public interface Listener {
    void start(int steps);

    void step(String what);
  }

  private DeviceCalibration() {}

  /**
   * @param device an OpenCL device index, or {@code java}
   * @param repeats timed runs per measurement (median kept)
   * @param quick smaller problem sizes (for tests and slow devices)
   * @throws DeviceException when the device id is neither {@code java} nor a valid OpenCL device index
   */
  public static Calibration run(String device, int repeats, boolean quick, Listener listener) {
    Calibrator c = new Calibrator(repeats, quick);
    if ("java".equalsIgnoreCase(device.trim())) {
      listener.start(c.steps(true));
      return c.measureJava(listener::step);
    }
    int index;
    try {
      index = Integer.parseInt(device.trim());
    } catch (NumberFormatException e) {
      throw new DeviceException("device '" + device + "': expected 'java' or an OpenCL device index as listed by"
          + " `offloadcl devices`");
    }
    ClDevice d = OpenClPlatforms.device(index);
    listener.start(c.steps(false));
    return c.measureOpenCl(d, listener::step);
  }
}
