package io.offloadcl.placement;

import io.offloadcl.device.DeviceKind;
import io.offloadcl.device.DeviceProfile;
import java.util.ArrayList;
import java.util.List;

/**
 * Strategies by name: {@code cpu-only}, {@code gpu-only}, {@code only:ID}, {@code fastest-single}, {@code greedy},
 * {@code heft}, {@code optimal}.
 */
public final class Strategies {
  /** Names accepted by {@link #byName}, besides {@code only:ID}. */
  public static final List<String> NAMES = List.of("cpu-only", "gpu-only", SingleDeviceStrategy.FASTEST, "greedy",
      "heft", "optimal");

  private Strategies() {}

  public static Strategy byName(String name) {
    switch (name) {
      case "cpu-only":
        return SingleDeviceStrategy.ofKind(DeviceKind.CPU);
      case "gpu-only":
        return SingleDeviceStrategy.ofKind(DeviceKind.GPU);
      case SingleDeviceStrategy.FASTEST:
        return SingleDeviceStrategy.fastest();
      case "greedy":
        return new GreedyStrategy();
      case "heft":
        return new Heft();
      case "optimal":
        return new OptimalStrategy();
      default:
        if (name.startsWith("only:") && name.length() > 5) {
          return SingleDeviceStrategy.of(name.substring(5));
        }
        throw new PlacementException("unknown strategy '" + name + "'; expected one of " + NAMES + " or only:DEVICE");
    }
  }

  /** What {@code --strategy all} runs: each device alone, then greedy, heft and optimal. */
  public static List<String> allNames(List<DeviceProfile> devices) {
    List<String> r = new ArrayList<>();
    for (DeviceProfile d : devices) {
      r.add("only:" + d.id());
    }
    r.add("greedy");
    r.add("heft");
    r.add("optimal");
    return r;
  }
}
