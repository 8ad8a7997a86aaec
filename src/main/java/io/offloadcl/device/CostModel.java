package io.offloadcl.device;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.FusionKind;
import io.offloadcl.ops.OpCost;

/**
 * Predicted times, in seconds, of running an op on a device and of moving a value between devices.
 *
 * <p>An op runs in four phases — launch (E), read (R), compute (C), write (W) — and a device overlaps reading
 * and writing with computing, so
 * <pre>
 *   time(op, d) = launch_d + max(flops / (peak_d · eff_d(kind)), (bytesRead + bytesWritten) / bw_d)
 * </pre>
 * where {@code eff_d(kind)} is the profile's efficiency for the op's fusion kind. A fused op's cost already
 * leaves out the intermediates it keeps in registers, so fusion shows up here as fewer bytes and fewer
 * launches. Int8 ops ({@code *Integer}, {@code QLinear*}) use the profile's int8 peak when it has one.
 *
 * <p>A value crossing from device a to device b goes down a's host link and up b's:
 * {@code transfer = leg(a) + leg(b)}, {@code leg(x) = 0} for a host-resident device (and for the host
 * itself, written as null), else {@code latency_x + bytes / linkBw_x}.
 */
public final class CostModel {
  /** Shared stateless instance. */
  public static final CostModel DEFAULT = new CostModel();

  /** Predicted seconds for {@code n} on {@code d}; +∞ when {@code d} does not support it. */
  public double opSeconds(Node n, DeviceProfile d) {
    return opSeconds(n, java.util.List.of(d))[0];
  }

  /** Predicted seconds for {@code n} on each device (the op's cost is worked out once); +∞ where unsupported. */
  public double[] opSeconds(Node n, java.util.List<DeviceProfile> devices) {
    OpCost c = OpEstimates.cost(n);
    FusionKind k = OpEstimates.kind(n);
    boolean int8 = isInt8(n);
    double[] r = new double[devices.size()];
    for (int i = 0; i < r.length; i++) {
      DeviceProfile d = devices.get(i);
      r[i] = d.supports(n.opType()) ? opSeconds(c, k, int8, d) : Double.POSITIVE_INFINITY;
    }
    return r;
  }

  /**
   * The formula itself. An unknown cost (dynamic shapes) counts as launch overhead only, which keeps such
   * ops cheap and thus co-located with their neighbours rather than guessed about.
   */
  public double opSeconds(OpCost c, FusionKind kind, boolean int8, DeviceProfile d) {
    double launch = d.launchOverheadUs() * 1e-6;
    if (!c.isKnown()) {
      return launch;
    }
    double peak = (int8 && d.peakGopsInt8() > 0 ? d.peakGopsInt8() : d.peakGflopsFp32()) * 1e9;
    double compute = c.flops() / (peak * d.efficiency(kind));
    double memory = (c.bytesRead() + c.bytesWritten()) / (d.memoryBandwidthGBs() * 1e9);
    return launch + Math.max(compute, memory);
  }

  /** Seconds to move {@code bytes} from {@code from} to {@code to}; null stands for the host. */
  public double transferSeconds(long bytes, DeviceProfile from, DeviceProfile to) {
    if (from == to) {
      return 0;
    }
    return leg(bytes, from) + leg(bytes, to);
  }

  /** One direction over one device's host link. */
  public double leg(long bytes, DeviceProfile d) {
    if (d == null || d.hostResident()) {
      return 0;
    }
    return d.linkLatencyUs() * 1e-6 + Math.max(0, bytes) / (d.linkBandwidthGBs() * 1e9);
  }

  private static boolean isInt8(Node n) {
    String op = n.opType();
    if (!op.endsWith("Integer") && !op.startsWith("QLinear")) {
      return false;
    }
    for (Value v : n.inputs()) {
      if (v != null && v.type() != null && (v.type().dtype() == DType.INT8 || v.type().dtype() == DType.UINT8)) {
        return true;
      }
    }
    return false;
  }
}
