package io.offloadcl.placement;

import io.offloadcl.device.DeviceKind;
import io.offloadcl.device.DeviceProfile;
import java.util.Arrays;

/**
 * Every op on one device: the baseline each heterogeneous placement is measured against. The device is given
 * by id ({@code only:ID}) or as the first device of a kind ({@code cpu-only}, {@code gpu-only}; gpu-only takes
 * an accelerator when no GPU is given).
 */
public final class SingleDeviceStrategy implements Strategy {
  private final String name;
  private final String deviceId;
  private final DeviceKind kind;

  private SingleDeviceStrategy(String name, String deviceId, DeviceKind kind) {
    this.name = name;
    this.deviceId = deviceId;
    this.kind = kind;
  }

  public static SingleDeviceStrategy of(String deviceId) {
    return new SingleDeviceStrategy("only:" + deviceId, deviceId, null);
  }

  public static SingleDeviceStrategy ofKind(DeviceKind kind) {
    return new SingleDeviceStrategy(kind.yamlName() + "-only", null, kind);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Placement place(PlacementProblem p) {
    long t0 = System.nanoTime();
    int d = pick(p);
    DeviceProfile dev = p.devices.get(d);
    int n = p.opCount();
    for (int i = 0; i < n; i++) {
      if (!p.allowed[i][d]) {
        throw new PlacementException("strategy " + name + ": op '" + p.ops[i].name() + "' (" + p.ops[i].opType()
            + ") cannot run on " + dev.id() + ": " + p.refusal[i][d]);
      }
    }
    int[] a = new int[n];
    Arrays.fill(a, d);
    if (ScheduleState.simulate(p, a, false) == null) {
      throw new PlacementException("strategy " + name + ": the graph's weights and tensors exceed the "
          + dev.memoryCapacityBytes() + " bytes of " + dev.id());
    }
    String[] reasons = new String[n];
    Arrays.fill(reasons, "strategy " + name + " uses " + dev.id() + " alone");
    return new Placement(p, a, name, Placement.Status.HEURISTIC, null, reasons, null, null,
        (System.nanoTime() - t0) * 1e-9);
  }

  private int pick(PlacementProblem p) {
    for (int d = 0; d < p.devices.size(); d++) {
      DeviceProfile dev = p.devices.get(d);
      if (deviceId != null ? dev.id().equals(deviceId) : dev.kind() == kind) {
        return d;
      }
    }
    if (kind == DeviceKind.GPU) {
      for (int d = 0; d < p.devices.size(); d++) {
        if (p.devices.get(d).kind() == DeviceKind.ACCELERATOR) {
          return d;
        }
      }
    }
    throw new PlacementException("strategy " + name + ": no " + (deviceId != null ? "device '" + deviceId + "'"
        : kind.yamlName() + " device") + " among " + p.devices.stream().map(DeviceProfile::id).toList());
  }
}
