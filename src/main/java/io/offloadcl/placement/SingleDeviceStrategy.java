package io.offloadcl.placement;

import io.offloadcl.device.DeviceKind;
import io.offloadcl.device.DeviceProfile;
import java.util.Arrays;

/**
 * Every op on one device: the baseline each heterogeneous placement is measured against. The device is given
 * by id ({@code only:ID}) or as the first device of a kind ({@code cpu-only}, {@code gpu-only}; gpu-only takes
 * an accelerator when no GPU is given), or chosen: {@code fastest-single} takes the device on which the whole
 * graph's simulated makespan, host transfers of inputs and outputs included, is shortest (the first on a tie).
 * That is how an OpenCL session picks among several devices for each input shape: a small graph goes where a
 * run's fixed cost is low, a large one where compute is fast.
 */
public final class SingleDeviceStrategy implements Strategy {
  /** The name of {@link #fastest()}. */
  public static final String FASTEST = "fastest-single";

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

  /** The {@code fastest-single} strategy: every op on the device with the shortest simulated makespan. */
  public static SingleDeviceStrategy fastest() {
    return new SingleDeviceStrategy(FASTEST, null, null);
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
    Arrays.fill(reasons, "strategy " + name + " uses " + dev.id() + " alone" + (deviceId == null && kind == null
        ? " (" + makespansText(p) + ")" : ""));
    return new Placement(p, a, name, Placement.Status.HEURISTIC, null, reasons, null, null,
        (System.nanoTime() - t0) * 1e-9);
  }

  private int pick(PlacementProblem p) {
    if (deviceId == null && kind == null) {
      return fastestDevice(p);
    }
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

  /** Simulated makespan, in seconds, of the whole graph on device d alone; +inf where it cannot run there. */
  static double makespanAlone(PlacementProblem p, int d) {
    int n = p.opCount();
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      if (!p.allowed[i][d]) {
        return Double.POSITIVE_INFINITY;
      }
    }
    Arrays.fill(a, d);
    ScheduleState s = ScheduleState.simulate(p, a, false);
    return s == null ? Double.POSITIVE_INFINITY : s.makespan();
  }

  private int fastestDevice(PlacementProblem p) {
    int best = -1;
    double bestSeconds = Double.POSITIVE_INFINITY;
    for (int d = 0; d < p.devices.size(); d++) {
      double t = makespanAlone(p, d);
      if (t < bestSeconds) {
        best = d;
        bestSeconds = t;
      }
    }
    if (best < 0) {
      throw new PlacementException("strategy " + name + ": no device among "
          + p.devices.stream().map(DeviceProfile::id).toList() + " runs every op of the graph");
    }
    return best;
  }

  private static String makespansText(PlacementProblem p) {
    StringBuilder b = new StringBuilder("predicted alone:");
    for (int d = 0; d < p.devices.size(); d++) {
      double t = makespanAlone(p, d);
      b.append(d == 0 ? " " : ", ").append(p.devices.get(d).id()).append(' ')
          .append(Double.isInfinite(t) ? "cannot run" : String.format(java.util.Locale.ROOT, "%.3f ms", t * 1e3));
    }
    return b.toString();
  }
}
