package io.offloadcl.codegen;

import java.util.Arrays;
import java.util.List;

/**
 * One generated kernel: its entry-point name, a self-contained OpenCL C block (several blocks concatenate
 * into one program, since every block undefines its own macros), build options, launch sizes and how the
 * kernel's parameters map to the node's inputs and outputs.
 */
public final class KernelSource {
  /** Where a kernel parameter's buffer comes from. */
  public enum ArgKind { INPUT, OUTPUT }

  /** One buffer parameter: the node's input or output slot {@code index}. */
  public record Arg(ArgKind kind, int index) {
    public static Arg in(int i) {
      return new Arg(ArgKind.INPUT, i);
    }

    public static Arg out(int i) {
      return new Arg(ArgKind.OUTPUT, i);
    }

    @Override
    public String toString() {
      return (kind == ArgKind.INPUT ? "in" : "out") + index;
    }
  }

  private final String name;
  private final String source;
  private final String buildOptions;
  private final long[] globalSize;
  private final long[] localSize;
  private final List<Arg> args;

  public KernelSource(String name, String source, String buildOptions, long[] globalSize, long[] localSize,
      List<Arg> args) {
    this.name = name;
    this.source = source;
    this.buildOptions = buildOptions;
    this.globalSize = globalSize.clone();
    this.localSize = localSize == null ? null : localSize.clone();
    this.args = List.copyOf(args);
  }

  public String name() {
    return name;
  }

  public String source() {
    return source;
  }

  public String buildOptions() {
    return buildOptions;
  }

  public long[] globalSize() {
    return globalSize.clone();
  }

  /** The work-group size, or null to let the driver choose. */
  public long[] localSize() {
    return localSize == null ? null : localSize.clone();
  }

  public List<Arg> args() {
    return args;
  }

  @Override
  public String toString() {
    return name + " global=" + Arrays.toString(globalSize) + " local=" + Arrays.toString(localSize) + " args="
        + args;
  }
}
