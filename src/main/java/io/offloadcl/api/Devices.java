package io.offloadcl.api;

import io.offloadcl.device.DeviceProfile;
import io.offloadcl.device.DeviceProfiles;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import io.offloadcl.runtime.opencl.ClDevice;
import io.offloadcl.runtime.opencl.OpenClPlatforms;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The devices a model can run on, seen from outside a session: what is present, and the
 * {@link ConformanceBackend} for a device, so that conformance runs go through the same backend choice as
 * {@link InferenceSession}.
 */
public final class Devices {
  private Devices() {}

  /** One line per device: the Java reference, then every OpenCL device found (or why there is none). */
  public static List<String> describe() {
    List<String> r = new ArrayList<>();
    r.add("java: the plain-Java reference executor");
    List<ClDevice> ds = OpenClPlatforms.devices();
    if (ds.isEmpty()) {
      r.add("opencl: none (" + OpenClPlatforms.unavailableReason() + ")");
    }
    for (ClDevice d : ds) {
      r.add("opencl:" + d.name() + " (" + d.type() + ", platform " + d.platformName() + ", " + d.computeUnits()
          + " compute units)");
    }
    return r;
  }

  /** One OpenCL device as {@code offloadcl devices} lists it, with the bundled profiles that match it. */
  public record DeviceInfo(int index, String platform, String name, String type, int computeUnits,
      long globalMemoryBytes, String openClC, String driverVersion, List<String> profiles) {}

  /** Every OpenCL device on every platform, each with the ids of the bundled device profiles that match it. */
  public static List<DeviceInfo> list() {
    List<DeviceInfo> r = new ArrayList<>();
    List<DeviceProfile> profiles = DeviceProfiles.allBundled();
    for (ClDevice d : OpenClPlatforms.devices()) {
      List<String> matching = new ArrayList<>();
      for (DeviceProfile p : profiles) {
        if (p.match().matchesOpenCl(d.platformName(), d.name(), d.type().name())) {
          matching.add(p.id());
        }
      }
      r.add(new DeviceInfo(d.index(), d.platformName(), d.name(), d.type().name(), d.computeUnits(),
          d.globalMemBytes(), d.openClCVersion(), d.driverVersion(), matching));
    }
    return r;
  }

  /** Why there is no OpenCL device, or null when there is one. */
  public static String openClUnavailableReason() {
    return OpenClPlatforms.devices().isEmpty() ? OpenClPlatforms.unavailableReason() : null;
  }

  /**
   * A conformance backend that runs each test graph on {@code device}.
   *
   * @throws io.offloadcl.ir.DeviceException at once when the device cannot be used at all, so a run does not
   *     report every test as an error
   */
  public static ConformanceBackend conformanceBackend(SessionOptions.Device device) {
    if (device == SessionOptions.Device.JAVA) {
      return ConformanceBackend.reference();
    }
    SessionOptions opts = SessionOptions.builder().device(device).build();
    Backends.checkAvailable(opts);
    return new ConformanceBackend() {
      @Override
      public String name() {
        return device.label();
      }

      @Override
      public Map<String, TensorData> run(Graph graph, Map<String, TensorData> inputs) {
        try (Backend b = Backends.open(graph, opts)) {
          return b.run(inputs);
        }
      }
    };
  }
}
