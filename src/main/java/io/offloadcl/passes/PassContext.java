package io.offloadcl.passes;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * What a pass may consult besides the graph: the target's capabilities, an optional constant evaluator, a
 * log sink, and whether the manager verifies the graph after every pass (tests turn this on).
 */
public final class PassContext {
  private final DeviceCapabilities capabilities;
  private final ConstantEvaluator evaluator;
  private final Consumer<String> log;
  private final boolean verifyEachPass;
  private final int maxFusedElementwiseOps;

  private PassContext(Builder b) {
    this.capabilities = b.capabilities;
    this.evaluator = b.evaluator;
    this.log = b.log;
    this.verifyEachPass = b.verifyEachPass;
    this.maxFusedElementwiseOps = b.maxFusedElementwiseOps;
  }

  /** Default context: every op supported, no evaluator, no logging, no verification. */
  public static PassContext defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public DeviceCapabilities capabilities() {
    return capabilities;
  }

  public boolean supports(String opType) {
    return capabilities.supports(opType);
  }

  /** The constant evaluator, or null when the caller gave none. */
  public ConstantEvaluator evaluator() {
    return evaluator;
  }

  public boolean verifyEachPass() {
    return verifyEachPass;
  }

  /** Upper bound on ops merged into one FusedElementwise node (keeps generated kernels small). */
  public int maxFusedElementwiseOps() {
    return maxFusedElementwiseOps;
  }

  public void log(String message) {
    log.accept(message);
  }

  /** Builder for {@link PassContext}. */
  public static final class Builder {
    private DeviceCapabilities capabilities = DeviceCapabilities.ALL;
    private ConstantEvaluator evaluator;
    private Consumer<String> log = s -> { };
    private boolean verifyEachPass;
    private int maxFusedElementwiseOps = 16;

    public Builder capabilities(DeviceCapabilities c) {
      this.capabilities = Objects.requireNonNull(c);
      return this;
    }

    public Builder evaluator(ConstantEvaluator e) {
      this.evaluator = e;
      return this;
    }

    public Builder log(Consumer<String> l) {
      this.log = Objects.requireNonNull(l);
      return this;
    }

    public Builder verifyEachPass(boolean v) {
      this.verifyEachPass = v;
      return this;
    }

    public Builder maxFusedElementwiseOps(int n) {
      if (n < 2) {
        throw new IllegalArgumentException("maxFusedElementwiseOps must be at least 2, got " + n);
      }
      this.maxFusedElementwiseOps = n;
      return this;
    }

    public PassContext build() {
      return new PassContext(this);
    }
  }
}
