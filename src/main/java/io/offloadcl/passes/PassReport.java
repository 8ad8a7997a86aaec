package io.offloadcl.passes;

import com.google.gson.GsonBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What a pipeline run did: node counts and estimated memory traffic (bytes read + written summed over the
 * nodes' op costs) before and after, and the same per pass. A pass inside a fixed-point group gets one entry
 * per round it ran in. Serialises to JSON with Gson.
 */
public final class PassReport {
  /** One pass execution. */
  public static final class Entry {
    private final String name;
    private final int round;
    private final int nodesBefore;
    private final int nodesAfter;
    private final long bytesBefore;
    private final long bytesAfter;
    private final double ms;
    private final boolean changed;

    Entry(String name, int round, int nodesBefore, int nodesAfter, long bytesBefore, long bytesAfter, double ms,
        boolean changed) {
      this.name = name;
      this.round = round;
      this.nodesBefore = nodesBefore;
      this.nodesAfter = nodesAfter;
      this.bytesBefore = bytesBefore;
      this.bytesAfter = bytesAfter;
      this.ms = ms;
      this.changed = changed;
    }

    public String name() {
      return name;
    }

    /** 1-based round within a fixed-point group; 1 for single passes. */
    public int round() {
      return round;
    }

    public int nodesBefore() {
      return nodesBefore;
    }

    public int nodesAfter() {
      return nodesAfter;
    }

    public long bytesBefore() {
      return bytesBefore;
    }

    public long bytesAfter() {
      return bytesAfter;
    }

    public double ms() {
      return ms;
    }

    public boolean changed() {
      return changed;
    }
  }

  private final String graph;
  private int nodesBefore;
  private int nodesAfter;
  private long bytesBefore;
  private long bytesAfter;
  private double totalMs;
  private final List<Entry> passes = new ArrayList<>();

  PassReport(String graph, int nodesBefore, long bytesBefore) {
    this.graph = graph;
    this.nodesBefore = nodesBefore;
    this.bytesBefore = bytesBefore;
    this.nodesAfter = nodesBefore;
    this.bytesAfter = bytesBefore;
  }

  void add(Entry e) {
    passes.add(e);
  }

  void finish(int nodes, long bytes, double ms) {
    this.nodesAfter = nodes;
    this.bytesAfter = bytes;
    this.totalMs = ms;
  }

  public String graph() {
    return graph;
  }

  public int nodesBefore() {
    return nodesBefore;
  }

  public int nodesAfter() {
    return nodesAfter;
  }

  /** Estimated bytes read + written by all nodes before the pipeline; -1 when no node cost is known. */
  public long bytesBefore() {
    return bytesBefore;
  }

  public long bytesAfter() {
    return bytesAfter;
  }

  public double totalMs() {
    return totalMs;
  }

  public List<Entry> passes() {
    return Collections.unmodifiableList(passes);
  }

  /** The entries of passes that changed the graph. */
  public List<Entry> changedPasses() {
    List<Entry> r = new ArrayList<>();
    for (Entry e : passes) {
      if (e.changed) {
        r.add(e);
      }
    }
    return r;
  }

  public String toJson() {
    return new GsonBuilder().setPrettyPrinting().create().toJson(this);
  }

  /** A fixed-width table, one row per pass execution. */
  public String toTable() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-34s %5s %7s %7s %14s %14s %9s%n", "pass", "round", "nodes<", "nodes>",
        "bytes<", "bytes>", "ms"));
    for (Entry e : passes) {
      sb.append(String.format(Locale.ROOT, "%-34s %5d %7d %7d %14d %14d %9.2f%s%n", e.name, e.round, e.nodesBefore,
          e.nodesAfter, e.bytesBefore, e.bytesAfter, e.ms, e.changed ? " *" : ""));
    }
    sb.append(String.format(Locale.ROOT, "%-34s %5s %7d %7d %14d %14d %9.2f%n", "total", "", nodesBefore, nodesAfter,
        bytesBefore, bytesAfter, totalMs));
    return sb.toString();
  }
}
