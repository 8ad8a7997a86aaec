package io.offloadcl.device;

import io.offloadcl.ops.FusionKind;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one device can run and how fast: the data behind every placement decision. Profiles are read from
 * {@code device-profiles/*.yaml} by {@link DeviceProfiles}, or built in code with {@link #builder} (tests,
 * experiments). Immutable.
 *
 * <p>A device either sits behind a host link (a discrete GPU on PCIe, or an OpenCL CPU device whose buffers
 * are copies of host memory), or is <em>host-resident</em> (the Java CPU device computes on host arrays, so a
 * value reaches it for free). Units are SI as written in the files: GFLOP/s, GB/s (10^9 bytes), µs, bytes.
 */
public final class DeviceProfile {
  private final String id;
  private final String name;
  private final DeviceKind kind;
  private final DeviceMatch match;
  private final double peakGflopsFp32;
  private final double peakGopsInt8;
  private final double memoryBandwidthGBs;
  private final long memoryCapacityBytes;
  private final boolean hostResident;
  private final double linkBandwidthGBs;
  private final double linkLatencyUs;
  private final boolean sharedMemory;
  private final double launchOverheadUs;
  private final Set<String> supportedOps;
  private final Set<String> unsupportedOps;
  private final Map<FusionKind, Double> efficiency;
  private final String source;

  private DeviceProfile(Builder b) {
    this.id = Objects.requireNonNull(b.id, "id");
    this.name = b.name == null ? b.id : b.name;
    this.kind = Objects.requireNonNull(b.kind, "kind");
    this.match = b.match == null ? DeviceMatch.openCl(null, null, kind.name()) : b.match;
    this.peakGflopsFp32 = b.peakGflopsFp32;
    this.peakGopsInt8 = b.peakGopsInt8;
    this.memoryBandwidthGBs = b.memoryBandwidthGBs;
    this.memoryCapacityBytes = b.memoryCapacityBytes;
    this.hostResident = b.hostResident;
    this.linkBandwidthGBs = b.linkBandwidthGBs;
    this.linkLatencyUs = b.linkLatencyUs;
    this.sharedMemory = b.sharedMemory;
    this.launchOverheadUs = b.launchOverheadUs;
    this.supportedOps = b.supportedOps == null ? null : Collections.unmodifiableSet(new TreeSet<>(b.supportedOps));
    this.unsupportedOps = Collections.unmodifiableSet(new TreeSet<>(b.unsupportedOps));
    EnumMap<FusionKind, Double> eff = new EnumMap<>(FusionKind.class);
    for (FusionKind k : FusionKind.values()) {
      eff.put(k, b.efficiency.getOrDefault(k, b.defaultEfficiency));
    }
    this.efficiency = Collections.unmodifiableMap(eff);
    this.source = b.source;
    if (!(peakGflopsFp32 > 0) || !(memoryBandwidthGBs > 0) || memoryCapacityBytes <= 0 || launchOverheadUs < 0
        || (!hostResident && (!(linkBandwidthGBs > 0) || linkLatencyUs < 0)) || peakGopsInt8 < 0) {
      throw new IllegalArgumentException("device profile " + id + " has a non-positive rate or a negative time");
    }
  }

  public static Builder builder(String id, DeviceKind kind) {
    return new Builder(id, kind);
  }

  /** Short identifier: the file name without {@code .yaml}, used by pins, reports and the CLI. */
  public String id() {
    return id;
  }

  /** Human-readable device name. */
  public String name() {
    return name;
  }

  public DeviceKind kind() {
    return kind;
  }

  public DeviceMatch match() {
    return match;
  }

  public double peakGflopsFp32() {
    return peakGflopsFp32;
  }

  /** Peak int8 throughput in GOP/s; 0 when the profile gives none (int8 ops then run at the fp32 rate). */
  public double peakGopsInt8() {
    return peakGopsInt8;
  }

  public double memoryBandwidthGBs() {
    return memoryBandwidthGBs;
  }

  public long memoryCapacityBytes() {
    return memoryCapacityBytes;
  }

  /** True when the device computes on host memory directly, so moving a value to or from it costs nothing. */
  public boolean hostResident() {
    return hostResident;
  }

  /** Host link bandwidth in GB/s (meaningless when {@link #hostResident}). */
  public double linkBandwidthGBs() {
    return linkBandwidthGBs;
  }

  public double linkLatencyUs() {
    return linkLatencyUs;
  }

  /** The link is a copy within host memory (an OpenCL CPU device, an integrated GPU): informational. */
  public boolean sharedMemory() {
    return sharedMemory;
  }

  public double launchOverheadUs() {
    return launchOverheadUs;
  }

  /** Ops this device runs, or null for all ops not listed in {@link #unsupportedOps}. */
  public Set<String> supportedOps() {
    return supportedOps;
  }

  public Set<String> unsupportedOps() {
    return unsupportedOps;
  }

  /** Fraction (0..1] of the peak that ops of this fusion kind reach. */
  public double efficiency(FusionKind k) {
    return efficiency.get(k == null ? FusionKind.OPAQUE : k);
  }

  public Map<FusionKind, Double> efficiencies() {
    return efficiency;
  }

  /** Where the profile came from (file or resource), for messages; null for profiles built in code. */
  public String source() {
    return source;
  }

  /** Whether this device offers to run ops of this type. */
  public boolean supports(String opType) {
    if (unsupportedOps.contains(opType)) {
      return false;
    }
    return supportedOps == null || supportedOps.contains(opType);
  }

  @Override
  public String toString() {
    return id + " (" + kind.yamlName() + ", " + peakGflopsFp32 + " GFLOP/s, " + memoryBandwidthGBs + " GB/s)";
  }

  /** Builds profiles in code; every rate must be set explicitly except int8 peak, link and efficiencies. */
  public static final class Builder {
    private final String id;
    private final DeviceKind kind;
    private String name;
    private DeviceMatch match;
    private double peakGflopsFp32;
    private double peakGopsInt8;
    private double memoryBandwidthGBs;
    private long memoryCapacityBytes = Long.MAX_VALUE;
    private boolean hostResident;
    private double linkBandwidthGBs;
    private double linkLatencyUs;
    private boolean sharedMemory;
    private double launchOverheadUs;
    private Set<String> supportedOps;
    private final Set<String> unsupportedOps = new TreeSet<>();
    private final Map<FusionKind, Double> efficiency = new EnumMap<>(FusionKind.class);
    private double defaultEfficiency = 1.0;
    private String source;

    private Builder(String id, DeviceKind kind) {
      this.id = id;
      this.kind = kind;
    }

    public Builder name(String v) {
      this.name = v;
      return this;
    }

    public Builder match(DeviceMatch v) {
      this.match = v;
      return this;
    }

    public Builder peakGflops(double v) {
      this.peakGflopsFp32 = v;
      return this;
    }

    public Builder peakGopsInt8(double v) {
      this.peakGopsInt8 = v;
      return this;
    }

    public Builder memoryBandwidthGBs(double v) {
      this.memoryBandwidthGBs = v;
      return this;
    }

    public Builder memoryCapacityBytes(long v) {
      this.memoryCapacityBytes = v;
      return this;
    }

    /** The device computes on host memory: transfers to and from it are free. */
    public Builder hostResident() {
      this.hostResident = true;
      return this;
    }

    public Builder link(double bandwidthGBs, double latencyUs) {
      this.hostResident = false;
      this.linkBandwidthGBs = bandwidthGBs;
      this.linkLatencyUs = latencyUs;
      return this;
    }

    public Builder sharedMemory(boolean v) {
      this.sharedMemory = v;
      return this;
    }

    public Builder launchOverheadUs(double v) {
      this.launchOverheadUs = v;
      return this;
    }

    /** Restricts the device to these ops (call once; null means all). */
    public Builder supportedOps(Set<String> ops) {
      this.supportedOps = ops == null ? null : new TreeSet<>(ops);
      return this;
    }

    public Builder unsupportedOps(Set<String> ops) {
      this.unsupportedOps.addAll(ops);
      return this;
    }

    public Builder efficiency(FusionKind k, double v) {
      this.efficiency.put(k, v);
      return this;
    }

    /** Efficiency for kinds not given one by {@link #efficiency(FusionKind, double)}. */
    public Builder defaultEfficiency(double v) {
      this.defaultEfficiency = v;
      return this;
    }

    public Builder source(String v) {
      this.source = v;
      return this;
    }

    public DeviceProfile build() {
      return new DeviceProfile(this);
    }
  }
}
