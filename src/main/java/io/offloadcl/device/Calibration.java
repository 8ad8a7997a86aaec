package io.offloadcl.device;

import java.util.Locale;

/**
 * What a calibration run measured on one real device, and the device profile it makes. Each figure is the
 * median of repeated runs; {@link #toYaml} writes a profile in the {@code device-profiles/} schema with a
 * comment saying how and when every number was measured, so {@link DeviceProfiles#load} accepts the file.
 *
 * @param name device name for the profile's {@code name}
 * @param kind device kind
 * @param match how to find the device again (the Java device, or its OpenCL platform, device name and type)
 * @param gemmGflops best GEMM throughput over the sizes tried, GFLOP/s
 * @param gemmDetail which GEMM sizes gave which throughput, for the comment
 * @param bandwidthGBs elementwise (read + write) bandwidth, GB/s
 * @param launchUs cost of one more tiny op, µs
 * @param hostResident true for the Java device (computes on host memory)
 * @param linkGBs host↔device bandwidth (write + read), GB/s; ignored when host-resident
 * @param linkLatencyUs fixed cost of one transfer leg, µs
 * @param memoryCapacityGb device memory, GB
 * @param repeats runs per measurement (the median is kept)
 * @param when ISO-8601 time of the measurement
 * @param how one line naming the tool and the method
 */
public record Calibration(String name, DeviceKind kind, DeviceMatch match, double gemmGflops, String gemmDetail,
    double bandwidthGBs, double launchUs, boolean hostResident, double linkGBs, double linkLatencyUs,
    double memoryCapacityGb, int repeats, String when, String how) {

  private static String num(double v) {
    if (v >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (v >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.4g", v);
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** Floors that keep a noisy difference (a measurement that came out at or below zero) a valid profile number. */
  private static double positive(double v) {
    return v > 1e-3 ? v : 1e-3;
  }

  /** The profile as YAML text. */
  public String toYaml() {
    StringBuilder b = new StringBuilder();
    b.append("# Measured by `offloadcl calibrate` on ").append(when).append(": ").append(how).append('\n');
    b.append("# Every figure is the median of ").append(repeats).append(" runs after a warm-up run.\n");
    b.append("name: ").append(quoted(name)).append('\n');
    b.append("kind: ").append(kind.yamlName()).append('\n');
    if (match.isJavaCpu()) {
      b.append("match: java\n");
    } else {
      b.append("match:\n");
      if (match.platform() != null) {
        b.append("  platform: ").append(quoted(match.platform())).append('\n');
      }
      if (match.device() != null) {
        b.append("  device: ").append(quoted(match.device())).append('\n');
      }
      if (match.type() != null) {
        b.append("  type: ").append(quoted(match.type())).append('\n');
      }
    }
    b.append("# Measured: chains of MatMul on the device's executor, ").append(gemmDetail).append("; the best is the peak.\n");
    b.append("peak-gflops-fp32: ").append(num(positive(gemmGflops))).append('\n');
    b.append("# Measured: chains of elementwise Relu over 16M floats (4M when quick), bytes read + written per second.\n");
    b.append("memory-bandwidth-gbs: ").append(num(positive(bandwidthGBs))).append('\n');
    b.append("# Reported by the device (OpenCL global memory size, or the JVM's maximum heap).\n");
    b.append("memory-capacity-gb: ").append(num(positive(memoryCapacityGb))).append('\n');
    if (hostResident) {
      b.append("# The Java device computes on host memory: no transfers.\n");
      b.append("host-link: host\n");
    } else {
      b.append("# Measured: writing and reading back 64 MB (a one-op model's run less the op), and the fixed cost\n");
      b.append("# of a transfer leg from a one-element model's run less one launch.\n");
      b.append("host-link:\n");
      b.append("  bandwidth-gbs: ").append(num(positive(linkGBs))).append('\n');
      b.append("  latency-us: ").append(num(Math.max(0, linkLatencyUs))).append('\n');
      if (kind == DeviceKind.CPU) {
        b.append("  shared-memory: true\n");
      }
    }
    b.append("# Measured: the extra time of one more one-element op in a chain of tiny ops.\n");
    b.append("launch-overhead-us: ").append(num(Math.max(0, launchUs))).append('\n');
    b.append("supported-ops: all\n");
    b.append("# Assumed, not measured: GEMM-like ops reach the measured peak; others are memory-bound, so their\n");
    b.append("# compute factor matters little.\n");
    b.append("efficiency:\n");
    b.append("  out-elemwise-fusable: 1.0\n");
    b.append("  reduction: 0.3\n");
    b.append("  default: 0.5\n");
    return b.toString();
  }
}
