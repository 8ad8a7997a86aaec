package io.offloadcl.runtime.opencl;

import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * One OpenCL device as discovered: what {@code offloadcl devices} lists and what codegen needs to pick kernel
 * variants. Immutable; holds the native ids so a {@link ClContext} can be opened on it.
 */
public final class ClDevice {
  /** The OpenCL device type, reduced to the classes codegen distinguishes. */
  public enum Type { CPU, GPU, ACCELERATOR, OTHER }

  final cl_platform_id platformId;
  final cl_device_id deviceId;
  private final int index;
  private final String platformName;
  private final String name;
  private final String vendor;
  private final Type type;
  private final int computeUnits;
  private final long globalMemBytes;
  private final long localMemBytes;
  private final long maxWorkGroupSize;
  private final String openClCVersion;
  private final String driverVersion;
  private final String deviceVersion;
  private final boolean hardwareFma;

  ClDevice(cl_platform_id platformId, cl_device_id deviceId, int index, String platformName, String name,
      String vendor, Type type, int computeUnits, long globalMemBytes, long localMemBytes, long maxWorkGroupSize,
      String openClCVersion, String driverVersion, String deviceVersion, boolean hardwareFma) {
    this.platformId = platformId;
    this.deviceId = deviceId;
    this.index = index;
    this.platformName = platformName;
    this.name = name;
    this.vendor = vendor;
    this.type = type;
    this.computeUnits = computeUnits;
    this.globalMemBytes = globalMemBytes;
    this.localMemBytes = localMemBytes;
    this.maxWorkGroupSize = maxWorkGroupSize;
    this.openClCVersion = openClCVersion;
    this.driverVersion = driverVersion;
    this.deviceVersion = deviceVersion;
    this.hardwareFma = hardwareFma;
  }

  /**
   * True when the device reports single-precision fma as fused in hardware (CL_FP_FMA, not CL_FP_SOFT_FLOAT).
   * Programs for such a device are built with {@code -DOFFLOADCL_FMA}, and templates then write {@code fma()}
   * where they would write {@code mad()}: POCL lowers {@code mad()} to a separate multiply and add.
   */
  public boolean hardwareFma() {
    return hardwareFma;
  }

  /** Position in the discovery order over all platforms (what {@code --device opencl:N} selects). */
  public int index() {
    return index;
  }

  public String platformName() {
    return platformName;
  }

  public String name() {
    return name;
  }

  public String vendor() {
    return vendor;
  }

  public Type type() {
    return type;
  }

  public int computeUnits() {
    return computeUnits;
  }

  public long globalMemBytes() {
    return globalMemBytes;
  }

  public long localMemBytes() {
    return localMemBytes;
  }

  public long maxWorkGroupSize() {
    return maxWorkGroupSize;
  }

  public String openClCVersion() {
    return openClCVersion;
  }

  public String driverVersion() {
    return driverVersion;
  }

  public String deviceVersion() {
    return deviceVersion;
  }

  @Override
  public String toString() {
    return "opencl:" + index + " " + name + " [" + type + ", " + platformName + ", " + computeUnits + " CU, "
        + (globalMemBytes >> 20) + " MiB, " + openClCVersion + ", driver " + driverVersion + "]";
  }
}
