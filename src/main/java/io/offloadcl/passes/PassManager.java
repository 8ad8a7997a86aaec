package io.offloadcl.passes;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.GraphException;
import io.offloadcl.ir.GraphPrinter;
import io.offloadcl.ir.GraphVerifier;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ops.ShapeInference;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Runs a {@link Pipeline} over a graph: skips disabled passes, iterates fixed-point groups until a round
 * changes nothing (or the bound is hit), re-runs shape inference after every pass that changed the graph so
 * the next pass sees exact types, optionally verifies the graph after every pass, dumps the graph after a
 * named pass, and records a {@link PassReport}.
 */
public final class PassManager {
  /** Format of {@code --dump-after}. */
  public enum DumpFormat { TEXT, DOT }

  private final Pipeline pipeline;
  private final Set<String> disabled = new LinkedHashSet<>();
  private String dumpAfter;
  private DumpFormat dumpFormat = DumpFormat.TEXT;
  private BiConsumer<String, String> dumpSink = (pass, text) -> System.err.print(text);

  public PassManager(Pipeline pipeline) {
    this.pipeline = pipeline;
  }

  /**
   * Disables passes (or whole fixed-point groups) by name.
   *
   * @throws IllegalArgumentException naming the unknown name and the known ones
   */
  public PassManager disable(Iterable<String> names) {
    for (String n : names) {
      String t = n.trim();
      if (t.isEmpty()) {
        continue;
      }
      if (!knows(t)) {
        throw new IllegalArgumentException("no pass or group named '" + t + "'; the pipeline has "
            + pipeline.passNames());
      }
      disabled.add(t);
    }
    return this;
  }

  /** Dumps the graph after every run of the named pass to {@code sink(passName, text)}. */
  public PassManager dumpAfter(String passName, DumpFormat format, BiConsumer<String, String> sink) {
    if (!knows(passName)) {
      throw new IllegalArgumentException("no pass named '" + passName + "'; the pipeline has " + pipeline.passNames());
    }
    this.dumpAfter = passName;
    this.dumpFormat = format;
    this.dumpSink = sink;
    return this;
  }

  private boolean knows(String name) {
    if (pipeline.passNames().contains(name)) {
      return true;
    }
    for (Pipeline.Step s : pipeline.steps()) {
      if (s.name().equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** Runs the pipeline over {@code g} in place. */
  public PassReport run(Graph g, PassContext ctx) {
    long t0 = System.nanoTime();
    PassReport report = new PassReport(g.name(), g.nodes().size(), GraphStats.estimatedBytes(g));
    if (ctx.verifyEachPass()) {
      GraphVerifier.verify(g);
    }
    for (Pipeline.Step step : pipeline.steps()) {
      if (disabled.contains(step.name())) {
        ctx.log("skip " + step.name() + " (disabled)");
        continue;
      }
      for (int round = 1; round <= step.maxIterations(); round++) {
        boolean changed = false;
        for (Pass p : step.passes()) {
          if (disabled.contains(p.name())) {
            continue;
          }
          changed |= runOne(p, round, g, ctx, report);
        }
        if (!changed) {
          break;
        }
        if (round == step.maxIterations() && step.isGroup()) {
          ctx.log(step.name() + ": still changing after " + round + " rounds; moving on");
        }
      }
    }
    report.finish(g.nodes().size(), GraphStats.estimatedBytes(g), (System.nanoTime() - t0) / 1e6);
    return report;
  }

  private boolean runOne(Pass p, int round, Graph g, PassContext ctx, PassReport report) {
    int nb = g.nodes().size();
    long bb = GraphStats.estimatedBytes(g);
    long t = System.nanoTime();
    boolean changed;
    try {
      changed = p.run(g, ctx);
      if (changed) {
        g.sortTopologically();
        ShapeInference.run(g);
      }
    } catch (OffloadException e) {
      throw new GraphException("pass " + p.name() + " failed on graph '" + g.name() + "': " + e.getMessage(), e);
    }
    double ms = (System.nanoTime() - t) / 1e6;
    if (ctx.verifyEachPass()) {
      try {
        GraphVerifier.verify(g);
      } catch (GraphException e) {
        throw new GraphException("graph is invalid after pass " + p.name() + ": " + e.getMessage(), e);
      }
    }
    long ba = changed ? GraphStats.estimatedBytes(g) : bb;
    report.add(new PassReport.Entry(p.name(), round, nb, g.nodes().size(), bb, ba, ms, changed));
    ctx.log(String.format(java.util.Locale.ROOT, "%s: %d -> %d nodes%s (%.2f ms)", p.name(), nb, g.nodes().size(),
        changed ? "" : ", unchanged", ms));
    if (p.name().equals(dumpAfter)) {
      String text = dumpFormat == DumpFormat.DOT ? GraphPrinter.toDot(g, null) : GraphPrinter.toText(g);
      dumpSink.accept(p.name(), text);
    }
    return changed;
  }
}
