package io.offloadcl.passes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * An ordered list of steps; a step is one pass or a fixed-point group of passes repeated until none changes
 * the graph (bounded). Every step carries the one-line reason it is where it is.
 */
public final class Pipeline {
  /** One entry of the pipeline. */
  public static final class Step {
    private final String name;
    private final List<Pass> passes;
    private final int maxIterations;
    private final String why;

    private Step(String name, List<Pass> passes, int maxIterations, String why) {
      this.name = name;
      this.passes = List.copyOf(passes);
      this.maxIterations = maxIterations;
      this.why = why;
    }

    /** The pass name for a single pass, the group name for a group. */
    public String name() {
      return name;
    }

    public List<Pass> passes() {
      return passes;
    }

    /** 1 for a single pass. */
    public int maxIterations() {
      return maxIterations;
    }

    public boolean isGroup() {
      return maxIterations > 1;
    }

    public String why() {
      return why;
    }
  }

  private final List<Step> steps = new ArrayList<>();

  /** Appends one pass. */
  public Pipeline add(Pass p, String why) {
    steps.add(new Step(p.name(), List.of(p), 1, Objects.requireNonNull(why)));
    return this;
  }

  /** Appends passes run in turn until a whole round changes nothing, at most {@code maxIterations} rounds. */
  public Pipeline fixedPoint(String groupName, int maxIterations, String why, Pass... passes) {
    if (maxIterations < 2) {
      throw new IllegalArgumentException("a fixed-point group needs at least 2 iterations");
    }
    steps.add(new Step(groupName, List.of(passes), maxIterations, Objects.requireNonNull(why)));
    return this;
  }

  public List<Step> steps() {
    return Collections.unmodifiableList(steps);
  }

  /** Names of every pass in order of first appearance. */
  public List<String> passNames() {
    List<String> r = new ArrayList<>();
    for (Step s : steps) {
      for (Pass p : s.passes()) {
        if (!r.contains(p.name())) {
          r.add(p.name());
        }
      }
    }
    return r;
  }
}
