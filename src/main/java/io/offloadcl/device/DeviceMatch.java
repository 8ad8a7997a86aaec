package io.offloadcl.device;

import java.util.Locale;
import java.util.Objects;

/**
 * How a profile binds to a real device: either the plain-Java CPU device, or an OpenCL device whose platform
 * name, device name and device type contain the given substrings (case-insensitive; an absent part matches
 * anything). The runtime asks {@link #matchesOpenCl} of every device it enumerates and takes the first match.
 */
public final class DeviceMatch {
  private final boolean javaDevice;
  private final String platform;
  private final String device;
  private final String type;

  private DeviceMatch(boolean javaDevice, String platform, String device, String type) {
    this.javaDevice = javaDevice;
    this.platform = platform;
    this.device = device;
    this.type = type;
  }

  /** The Java reference-kernel CPU device. */
  public static DeviceMatch javaCpu() {
    return new DeviceMatch(true, null, null, null);
  }

  /** An OpenCL device; any argument may be null to match anything. */
  public static DeviceMatch openCl(String platform, String device, String type) {
    return new DeviceMatch(false, platform, device, type);
  }

  public boolean isJavaCpu() {
    return javaDevice;
  }

  /** Substring of the OpenCL platform name, or null. */
  public String platform() {
    return platform;
  }

  /** Substring of the OpenCL device name, or null. */
  public String device() {
    return device;
  }

  /** Substring of the OpenCL device type ("CPU", "GPU", "ACCELERATOR"), or null. */
  public String type() {
    return type;
  }

  /** Whether an OpenCL device with these names fits this profile. */
  public boolean matchesOpenCl(String platformName, String deviceName, String deviceType) {
    return !javaDevice && contains(platformName, platform) && contains(deviceName, device) && contains(deviceType, type);
  }

  private static boolean contains(String actual, String wanted) {
    if (wanted == null) {
      return true;
    }
    return actual != null && actual.toLowerCase(Locale.ROOT).contains(wanted.toLowerCase(Locale.ROOT));
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof DeviceMatch)) {
      return false;
    }
    DeviceMatch m = (DeviceMatch) o;
    return javaDevice == m.javaDevice && Objects.equals(platform, m.platform) && Objects.equals(device, m.device)
        && Objects.equals(type, m.type);
  }

  @Override
  public int hashCode() {
    return Objects.hash(javaDevice, platform, device, type);
  }

  @Override
  public String toString() {
    if (javaDevice) {
      return "java";
    }
    StringBuilder sb = new StringBuilder("opencl{");
    if (platform != null) {
      sb.append("platform~'").append(platform).append("' ");
    }
    if (device != null) {
      sb.append("device~'").append(device).append("' ");
    }
    if (type != null) {
      sb.append("type~'").append(type).append("' ");
    }
    return sb.toString().trim() + "}";
  }
}
