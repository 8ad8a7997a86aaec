package io.offloadcl.runtime;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Locale;

/**
 * The cost model's accuracy on one multi-device run: measured against predicted time per segment (one op on the
 * Java device; a run of ops compiled into one OpenCL program elsewhere, predicted as the sum of its ops and its
 * transfer legs), the mean absolute relative error, and the whole run's predicted makespan against its wall time.
 */
public final class RunReport {
  private final String model;
  private final String strategy;
  private final List<MultiDeviceExecutor.SegmentTiming> segments;
  private final double predictedMakespanMs;
  private final double measuredTotalMs;
  private final int runs;

  private RunReport(String model, String strategy, List<MultiDeviceExecutor.SegmentTiming> segments,
      double predictedMakespanMs, double measuredTotalMs, int runs) {
    this.runs = runs;
    this.model = model;
    this.strategy = strategy;
    this.segments = segments;
    this.predictedMakespanMs = predictedMakespanMs;
    this.measuredTotalMs = measuredTotalMs;
  }

  /** The report of the executor's runs so far: median times over the runs after the first warm-up run. */
  public static RunReport of(MultiDeviceExecutor ex) {
    return new RunReport(ex.placement().graph().name(), ex.placement().strategy(), ex.medianTimings(),
        ex.placement().makespanMs(), ex.medianTotalMs(), ex.runs());
  }

  public List<MultiDeviceExecutor.SegmentTiming> segments() {
    return segments;
  }

  /** Mean of |predicted − measured| / measured over the segments. */
  public double meanAbsError() {
    double s = 0;
    for (MultiDeviceExecutor.SegmentTiming t : segments) {
      s += Math.abs(t.error());
    }
    return segments.isEmpty() ? 0 : s / segments.size();
  }

  /** Sum of predicted segment times over sum of measured ones: above 1 the model is pessimistic. */
  public double totalRatio() {
    double p = 0;
    double m = 0;
    for (MultiDeviceExecutor.SegmentTiming t : segments) {
      p += t.predictedMs();
      m += t.measuredMs();
    }
    return m > 0 ? p / m : 0;
  }

  public double predictedMakespanMs() {
    return predictedMakespanMs;
  }

  public double measuredTotalMs() {
    return measuredTotalMs;
  }

  /** A fixed-width text table, one line per segment, then the totals. */
  public String table() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%s, strategy %s: %d segments; measured: median of %d run(s)%s%n", model,
        strategy, segments.size(), Math.max(1, runs - 1), runs > 1 ? " after a warm-up run" : ""));
    b.append(String.format(Locale.ROOT, "%4s %-18s %-28s %12s %12s %9s%n", "seg", "device", "ops", "predicted ms",
        "measured ms", "error"));
    for (MultiDeviceExecutor.SegmentTiming t : segments) {
      String ops = t.ops().size() == 1 ? t.ops().get(0) + " (" + t.opTypes().get(0) + ")" : t.ops().size() + " ops";
      if (ops.length() > 28) {
        ops = ops.substring(0, 27) + "…";
      }
      b.append(String.format(Locale.ROOT, "%4d %-18s %-28s %12.3f %12.3f %+8.0f%%%n", t.index(), t.device(), ops,
          t.predictedMs(), t.measuredMs(), 100 * t.error()));
    }
    b.append(String.format(Locale.ROOT,
        "mean |error| %.0f%%; predicted/measured over segments %.2f; makespan predicted %.3f ms, measured %.3f ms%n",
        100 * meanAbsError(), totalRatio(), predictedMakespanMs, measuredTotalMs));
    return b.toString();
  }

  public String toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("model", model);
    o.addProperty("strategy", strategy);
    o.addProperty("predictedMakespanMs", predictedMakespanMs);
    o.addProperty("measuredMs", measuredTotalMs);
    o.addProperty("runs", runs);
    o.addProperty("meanAbsError", meanAbsError());
    o.addProperty("predictedOverMeasured", totalRatio());
    JsonArray a = new JsonArray();
    for (MultiDeviceExecutor.SegmentTiming t : segments) {
      JsonObject s = new JsonObject();
      s.addProperty("segment", t.index());
      s.addProperty("device", t.device());
      s.addProperty("boundTo", t.bound());
      JsonArray ops = new JsonArray();
      t.ops().forEach(ops::add);
      s.add("ops", ops);
      JsonArray types = new JsonArray();
      t.opTypes().forEach(types::add);
      s.add("opTypes", types);
      s.addProperty("predictedMs", t.predictedMs());
      s.addProperty("measuredMs", t.measuredMs());
      s.addProperty("error", t.error());
      a.add(s);
    }
    o.add("segments", a);
    return new GsonBuilder().setPrettyPrinting().create().toJson(o);
  }
}
