package io.offloadcl.api;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How an {@link InferenceSession} is opened: which device runs the model, and a few switches. Immutable; made
 * with {@link #builder()}. {@link #defaults()} is device {@code AUTO}, optimize on, strict off, threads 0 (let the
 * backend decide), verbose off.
 *
 * <pre>{@code
 * SessionOptions opts = SessionOptions.builder().device(SessionOptions.Device.JAVA).strict(true).build();
 * }</pre>
 */
public final class SessionOptions {
  /** Where a session's model runs. */
  public enum Device {
    /** The plain-Java reference executor: always available, the numerical oracle. */
    JAVA,
    /**
     * The default OpenCL device (a GPU when there is one, else e.g. POCL on the CPU). Opening fails with a
     * DeviceException when there is no device, and with UnsupportedOperatorException for a graph the OpenCL
     * executor cannot plan (it needs static shapes). Ops without a generated kernel run on their Java reference
     * kernels unless strict.
     */
    OPENCL,
    /** OpenCL when a device is present and the graph compiles for it, otherwise Java. */
    AUTO;

    /** Parses "java", "opencl" or "auto" (any case). */
    public static Device parse(String s) {
      try {
        return valueOf(Objects.requireNonNull(s, "device").trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown device '" + s + "'; expected java, opencl or auto", e);
      }
    }

    /** The lower-case name used on the command line. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final SessionOptions DEFAULTS = builder().build();

  private final Device device;
  private final boolean optimize;
  private final boolean strict;
  private final int threads;
  private final boolean verbose;
  private final java.nio.file.Path dumpKernels;
  private final java.nio.file.Path int8Calibration;
  private final List<String> profiles;
  private final String strategy;
  private final Consumer<RunTimings> timingListener;

  private SessionOptions(Builder b) {
    this.profiles = b.profiles;
    this.strategy = b.strategy;
    this.timingListener = b.timingListener;
    this.device = b.device;
    this.optimize = b.optimize;
    this.strict = b.strict;
    this.threads = b.threads;
    this.verbose = b.verbose;
    this.dumpKernels = b.dumpKernels;
    this.int8Calibration = b.int8Calibration;
  }

  /** The default options (device AUTO). */
  public static SessionOptions defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.device = device;
    b.optimize = optimize;
    b.strict = strict;
    b.threads = threads;
    b.verbose = verbose;
    b.dumpKernels = dumpKernels;
    b.int8Calibration = int8Calibration;
    b.profiles = profiles;
    b.strategy = strategy;
    b.timingListener = timingListener;
    return b;
  }

  /**
   * Device profiles (bundled ids or YAML files) to run the model on several devices; empty (the default) runs
   * on {@link #device()} alone. When given, the graph is placed by {@link #strategy()} and every op runs whole on
   * the real device its profile binds to (an OpenCL device its match rule accepts, or the Java CPU device).
   */
  public List<String> profiles() {
    return profiles;
  }

  /** The placement strategy for {@link #profiles()} (default {@code heft}). */
  public String strategy() {
    return strategy;
  }

  /** Told after every multi-device run how long each part took against the cost model; null for none. */
  public Consumer<RunTimings> timingListener() {
    return timingListener;
  }

  /** The device asked for. */
  public Device device() {
    return device;
  }

  /**
   * Whether the graph optimization pipeline (cleanup, constant folding, fusion, lowering: {@code passes}) runs on
   * the imported graph before the backend is built, on the Java and the OpenCL device alike (every fused op has a
   * reference kernel and one generated OpenCL kernel). Not applied with {@link #int8Calibration()} (the INT8
   * rewrite folds its own epilogues) nor across several devices ({@link #profiles()}). The session's metadata ({@link InferenceSession#inputs()}, {@link InferenceSession#modelInfo()}) always
   * describes the model as given.
   */
  public boolean optimize() {
    return optimize;
  }

  /**
   * Strict mode: fail rather than quietly do something else. The imported graph is checked by the IR verifier
   * when the session opens; every run's outputs are checked against the model's declared output dtypes and
   * static dimensions, so a backend bug surfaces as a {@link io.offloadcl.ir.ShapeMismatchException} instead of a
   * silently wrong tensor; on OpenCL an op without a kernel is an error instead of a Java fallback; and
   * {@code AUTO} does not fall back to Java when OpenCL cannot run the graph.
   */
  public boolean strict() {
    return strict;
  }

  /**
   * The most worker threads a backend may use inside one run; 0 lets it decide. The Java reference backend runs
   * each call on the caller's thread and ignores this; concurrency across calls comes from calling
   * {@link InferenceSession#run} from several threads.
   */
  public int threads() {
    return threads;
  }

  /** Whether the session logs what it does (import, device choice, timings) at info level. */
  public boolean verbose() {
    return verbose;
  }

  /** Folder where the OpenCL backend writes every kernel source it builds, or null. */
  public java.nio.file.Path dumpKernels() {
    return dumpKernels;
  }

  /**
   * A calibration file ({@code offloadcl quantize}) to run the model quantized to INT8 with, or null for fp32.
   * The file is checked against the model when the session opens; the quantized graph is not passed through the
   * fp32 optimization pipeline (the rewrite folds its own epilogues).
   */
  public java.nio.file.Path int8Calibration() {
    return int8Calibration;
  }

  @Override
  public String toString() {
    return "SessionOptions{device=" + device.label() + ", optimize=" + optimize + ", strict=" + strict
        + ", threads=" + threads + ", verbose=" + verbose
        + (dumpKernels == null ? "" : ", dumpKernels=" + dumpKernels)
        + (int8Calibration == null ? "" : ", int8=" + int8Calibration)
        + (profiles.isEmpty() ? "" : ", profiles=" + profiles + ", strategy=" + strategy) + "}";
  }

  /** Builds {@link SessionOptions}; every setter returns the builder. */
  public static final class Builder {
    private Device device = Device.AUTO;
    private boolean optimize = true;
    private boolean strict;
    private int threads;
    private boolean verbose;
    private java.nio.file.Path dumpKernels;
    private java.nio.file.Path int8Calibration;

    private Builder() {}

    /** Write every OpenCL kernel source built to this folder (null: don't). */
    public Builder dumpKernels(java.nio.file.Path dir) {
      this.dumpKernels = dir;
      return this;
    }

    /** Run quantized to INT8 with this calibration file (null: fp32). */
    public Builder int8(java.nio.file.Path calibration) {
      this.int8Calibration = calibration;
      return this;
    }

    private List<String> profiles = List.of();
    private String strategy = "heft";
    private Consumer<RunTimings> timingListener;

    /** See {@link SessionOptions#profiles()} (default empty: one device). */
    public Builder profiles(List<String> idsOrFiles) {
      this.profiles = List.copyOf(idsOrFiles);
      return this;
    }

    /** See {@link SessionOptions#strategy()} (default heft). */
    public Builder strategy(String name) {
      this.strategy = Objects.requireNonNull(name, "strategy");
      return this;
    }

    /** See {@link SessionOptions#timingListener()}. */
    public Builder timingListener(Consumer<RunTimings> listener) {
      this.timingListener = listener;
      return this;
    }

    /** The device to run on (default AUTO). */
    public Builder device(Device d) {
      this.device = Objects.requireNonNull(d, "device");
      return this;
    }

    /** The device by name: "java", "opencl" or "auto". */
    public Builder device(String name) {
      return device(Device.parse(name));
    }

    /** See {@link SessionOptions#optimize()} (default true). */
    public Builder optimize(boolean on) {
      this.optimize = on;
      return this;
    }

    /** See {@link SessionOptions#strict()} (default false). */
    public Builder strict(boolean on) {
      this.strict = on;
      return this;
    }

    /** See {@link SessionOptions#threads()}; must be 0 or more (default 0). */
    public Builder threads(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("threads must be 0 (backend decides) or more, got " + n);
      }
      this.threads = n;
      return this;
    }

    /** See {@link SessionOptions#verbose()} (default false). */
    public Builder verbose(boolean on) {
      this.verbose = on;
      return this;
    }

    /** The options. */
    public SessionOptions build() {
      return new SessionOptions(this);
    }
  }
}
