package io.offloadcl.api;

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
