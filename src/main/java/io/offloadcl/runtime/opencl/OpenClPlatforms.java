package io.offloadcl.runtime.opencl;

import io.offloadcl.ir.DeviceException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * Device discovery over every OpenCL platform. A machine without an OpenCL library or without any platform
 * yields an empty list and a reason, never a crash: the JOCL native library and the ICD loader are loaded
 * lazily here and their absence is caught at this one place.
 */
public final class OpenClPlatforms {
  private static volatile Discovery cached;

  private OpenClPlatforms() {}

  private record Discovery(List<ClDevice> devices, String problem) {}

  /** Every device of every platform, in a stable order; empty when OpenCL is unavailable. */
  public static List<ClDevice> devices() {
    return discover().devices();
  }

  /** Why {@link #devices()} is empty, or null when it is not. */
  public static String unavailableReason() {
    return discover().problem();
  }

  /**
   * The device at a discovery index.
   *
   * @throws DeviceException naming the reason when OpenCL is unavailable or the index is out of range
   */
  public static ClDevice device(int index) {
    List<ClDevice> ds = devices();
    if (ds.isEmpty()) {
      throw new DeviceException("no OpenCL device: " + unavailableReason());
    }
    if (index < 0 || index >= ds.size()) {
      throw new DeviceException("no OpenCL device " + index + "; found " + ds.size() + ": " + ds);
    }
    return ds.get(index);
  }

  /**
   * The device used when the caller names none: the first GPU, else the first of the devices with the most compute
   * units (POCL lists its one-unit basic device before the pthread device when POCL_DEVICES names both).
   */
  public static ClDevice defaultDevice() {
    List<ClDevice> ds = devices();
    if (ds.isEmpty()) {
      throw new DeviceException("no OpenCL device: " + unavailableReason());
    }
    return preferred(ds);
  }

  /** {@link #defaultDevice}'s rule over a given, non-empty list. */
  static ClDevice preferred(List<ClDevice> ds) {
    ClDevice best = null;
    for (ClDevice d : ds) {
      if (d.type() == ClDevice.Type.GPU) {
        return d;
      }
      if (best == null || d.computeUnits() > best.computeUnits()) {
        best = d;
      }
    }
    return best;
  }

  private static Discovery discover() {
    Discovery d = cached;
    if (d == null) {
      synchronized (OpenClPlatforms.class) {
        d = cached;
        if (d == null) {
          d = probe();
          cached = d;
        }
      }
    }
    return d;
  }

  private static Discovery probe() {
    try {
      Cl.check(0, "init"); // loads Cl, which switches JOCL exceptions off
      int[] n = new int[1];
      int st = CL.clGetPlatformIDs(0, null, n);
      if (st != CL.CL_SUCCESS || n[0] == 0) {
        return new Discovery(List.of(), "no OpenCL platform found (clGetPlatformIDs: "
            + (st == CL.CL_SUCCESS ? "0 platforms" : Cl.errorName(st)) + "); install an ICD such as pocl-opencl-icd");
      }
      cl_platform_id[] platforms = new cl_platform_id[n[0]];
      Cl.check(CL.clGetPlatformIDs(n[0], platforms, null), "clGetPlatformIDs");
      List<ClDevice> out = new ArrayList<>();
      StringBuilder problems = new StringBuilder();
      for (cl_platform_id p : platforms) {
        String pname = platformString(p, CL.CL_PLATFORM_NAME);
        int[] nd = new int[1];
        st = CL.clGetDeviceIDs(p, CL.CL_DEVICE_TYPE_ALL, 0, null, nd);
        if (st != CL.CL_SUCCESS || nd[0] == 0) {
          problems.append("platform '").append(pname).append("' has no devices; ");
          continue;
        }
        cl_device_id[] ids = new cl_device_id[nd[0]];
        Cl.check(CL.clGetDeviceIDs(p, CL.CL_DEVICE_TYPE_ALL, nd[0], ids, null), "clGetDeviceIDs");
        for (cl_device_id id : ids) {
          out.add(describe(p, pname, id, out.size()));
        }
      }
      return new Discovery(Collections.unmodifiableList(out), out.isEmpty() ? problems.toString() : null);
    } catch (LinkageError e) {
      return new Discovery(List.of(), "the OpenCL library could not be loaded (" + e.getMessage()
          + "); JOCL opens libOpenCL.so (on Debian the unversioned name comes with ocl-icd-opencl-dev),"
          + " and needs a driver such as pocl-opencl-icd");
    } catch (DeviceException e) {
      return new Discovery(List.of(), e.getMessage());
    }
  }

  private static ClDevice describe(cl_platform_id p, String pname, cl_device_id id, int index) {
    long typeBits = deviceLong(id, CL.CL_DEVICE_TYPE);
    ClDevice.Type type = (typeBits & CL.CL_DEVICE_TYPE_GPU) != 0 ? ClDevice.Type.GPU
        : (typeBits & CL.CL_DEVICE_TYPE_CPU) != 0 ? ClDevice.Type.CPU
        : (typeBits & CL.CL_DEVICE_TYPE_ACCELERATOR) != 0 ? ClDevice.Type.ACCELERATOR : ClDevice.Type.OTHER;
    return new ClDevice(p, id, index, pname, deviceString(id, CL.CL_DEVICE_NAME),
        deviceString(id, CL.CL_DEVICE_VENDOR), type, deviceInt(id, CL.CL_DEVICE_MAX_COMPUTE_UNITS),
        deviceLong(id, CL.CL_DEVICE_GLOBAL_MEM_SIZE), deviceLong(id, CL.CL_DEVICE_LOCAL_MEM_SIZE),
        deviceSize(id, CL.CL_DEVICE_MAX_WORK_GROUP_SIZE), deviceString(id, CL.CL_DEVICE_OPENCL_C_VERSION),
        deviceString(id, CL.CL_DRIVER_VERSION), deviceString(id, CL.CL_DEVICE_VERSION), hardwareFma(id));
  }

  /** True when single-precision fma is IEEE fused and not emulated in software (CL_DEVICE_SINGLE_FP_CONFIG). */
  private static boolean hardwareFma(cl_device_id id) {
    long fp = deviceLong(id, CL.CL_DEVICE_SINGLE_FP_CONFIG);
    return (fp & CL.CL_FP_FMA) != 0 && (fp & CL.CL_FP_SOFT_FLOAT) == 0;
  }

  static String platformString(cl_platform_id p, int param) {
    long[] size = new long[1];
    Cl.check(CL.clGetPlatformInfo(p, param, 0, null, size), "clGetPlatformInfo");
    byte[] buf = new byte[(int) size[0]];
    Cl.check(CL.clGetPlatformInfo(p, param, buf.length, Pointer.to(buf), null), "clGetPlatformInfo");
    return cString(buf);
  }

  static String deviceString(cl_device_id d, int param) {
    long[] size = new long[1];
    Cl.check(CL.clGetDeviceInfo(d, param, 0, null, size), "clGetDeviceInfo");
    byte[] buf = new byte[(int) size[0]];
    Cl.check(CL.clGetDeviceInfo(d, param, buf.length, Pointer.to(buf), null), "clGetDeviceInfo");
    return cString(buf);
  }

  static long deviceLong(cl_device_id d, int param) {
    long[] v = new long[1];
    Cl.check(CL.clGetDeviceInfo(d, param, Sizeof.cl_ulong, Pointer.to(v), null), "clGetDeviceInfo");
    return v[0];
  }

  static int deviceInt(cl_device_id d, int param) {
    int[] v = new int[1];
    Cl.check(CL.clGetDeviceInfo(d, param, Sizeof.cl_uint, Pointer.to(v), null), "clGetDeviceInfo");
    return v[0];
  }

  static long deviceSize(cl_device_id d, int param) {
    long[] v = new long[1];
    Cl.check(CL.clGetDeviceInfo(d, param, Sizeof.size_t, Pointer.to(v), null), "clGetDeviceInfo");
    return v[0];
  }

  private static String cString(byte[] buf) {
    int n = 0;
    while (n < buf.length && buf[n] != 0) {
      n++;
    }
    return new String(buf, 0, n, StandardCharsets.UTF_8).trim();
  }
}
