package io.offloadcl.quant;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.offloadcl.ir.Graph;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The result of calibration, reusable without the data: per activation tensor its threshold and scale (see
 * {@link TensorCalibration}). Saved as JSON:
 *
 * <pre>{"format": "offloadcl-int8-calibration/1", "model": "...", "method": "entropy", "samples": 500,
 *  "tensors": {"Input3": {"scale": ..., "threshold": ..., "method": "entropy", "saturation": ..., "kl": ...,
 *  "max_abs": ...}, ...}}</pre>
 */
public final class CalibrationFile {
  public static final String FORMAT = "offloadcl-int8-calibration/1";

  private final String model;
  private final CalibrationMethod method;
  private final int samples;
  private final Map<String, TensorCalibration> tensors;
  private final String source;

  public CalibrationFile(String model, CalibrationMethod method, int samples, Map<String, TensorCalibration> tensors) {
    this(model, method, samples, tensors, "<memory>");
  }

  private CalibrationFile(String model, CalibrationMethod method, int samples, Map<String, TensorCalibration> tensors,
      String source) {
    this.model = model;
    this.method = method;
    this.samples = samples;
    this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    this.source = source;
  }

  public String model() {
    return model;
  }

  public CalibrationMethod method() {
    return method;
  }

  public int samples() {
    return samples;
  }

  /** Where the calibration came from (a file path, or "&lt;memory&gt;"), for error messages. */
  public String source() {
    return source;
  }

  public Map<String, TensorCalibration> tensors() {
    return tensors;
  }

  /** The calibration of one tensor, failing with a message naming the tensor and this file. */
  public TensorCalibration require(String tensor) {
    TensorCalibration t = tensors.get(tensor);
    if (t == null) {
      throw new CalibrationException("calibration " + source + " has no entry for tensor '" + tensor
          + "', which feeds a quantizable op of the model");
    }
    return t;
  }

  /**
   * Checks this calibration fits the model: every entry names a value of the model that feeds a quantizable op,
   * and every such activation has an entry.
   *
   * @throws CalibrationException naming the first offending tensor and the file
   */
  public void checkAgainst(Graph g) {
    Set<String> needed = QuantTargets.activations(g);
    for (String t : tensors.keySet()) {
      if (g.value(t) == null) {
        throw new CalibrationException("calibration " + source + " names tensor '" + t + "', which is not in model '"
            + g.name() + "'");
      }
      if (!needed.contains(t)) {
        throw new CalibrationException("calibration " + source + " names tensor '" + t + "', which feeds no "
            + "quantizable op (Conv, Gemm, MatMul) of model '" + g.name() + "'");
      }
    }
    for (String t : needed) {
      require(t);
    }
  }

  public String toJson() {
    JsonObject root = new JsonObject();
    root.addProperty("format", FORMAT);
    root.addProperty("model", model);
    root.addProperty("method", method.id());
    root.addProperty("samples", samples);
    JsonObject ts = new JsonObject();
    for (TensorCalibration t : tensors.values()) {
      JsonObject o = new JsonObject();
      o.addProperty("scale", t.scale());
      o.addProperty("threshold", t.threshold());
      o.addProperty("method", t.method().id());
      o.addProperty("saturation", t.saturation());
      if (!Double.isNaN(t.kl())) {
        o.addProperty("kl", t.kl());
      }
      o.addProperty("max_abs", t.maxAbs());
      ts.add(t.tensor(), o);
    }
    root.add("tensors", ts);
    Gson gson = new GsonBuilder().setPrettyPrinting().create();
    return gson.toJson(root);
  }

  public void save(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CalibrationException("cannot write calibration file " + file + ": " + e.getMessage(), e);
    }
  }

  public static CalibrationFile load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CalibrationException("cannot read calibration file " + file + ": " + e, e);
    }
    return parse(text, file.toString());
  }

  /** Parses the JSON form; {@code source} names the file in error messages. */
  public static CalibrationFile parse(String text, String source) {
    JsonObject root;
    try {
      JsonElement e = new Gson().fromJson(text, JsonElement.class);
      if (e == null || !e.isJsonObject()) {
        throw new CalibrationException("calibration file " + source + " is not a JSON object");
      }
      root = e.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new CalibrationException("calibration file " + source + " is not valid JSON: " + e.getMessage(), e);
    }
    String format = str(root, "format", source, "");
    if (!FORMAT.equals(format)) {
      throw new CalibrationException("calibration file " + source + ": format must be \"" + FORMAT + "\", got \""
          + format + "\"");
    }
    CalibrationMethod method = method(str(root, "method", source, ""), source, "method");
    int samples = root.has("samples") ? (int) num(root, "samples", source, "") : 0;
    if (!root.has("tensors") || !root.get("tensors").isJsonObject()) {
      throw new CalibrationException("calibration file " + source + " has no \"tensors\" object");
    }
    Map<String, TensorCalibration> ts = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : root.getAsJsonObject("tensors").entrySet()) {
      String name = e.getKey();
      String where = "tensor '" + name + "'";
      if (!e.getValue().isJsonObject()) {
        throw new CalibrationException("calibration file " + source + ": " + where + " is not an object");
      }
      JsonObject o = e.getValue().getAsJsonObject();
      double scale = num(o, "scale", source, where);
      double threshold = num(o, "threshold", source, where);
      if (!(scale > 0) || Double.isInfinite(scale) || !(threshold > 0) || Double.isInfinite(threshold)) {
        throw new CalibrationException("calibration file " + source + ": " + where
            + " needs a finite scale and threshold > 0, got scale " + scale + ", threshold " + threshold);
      }
      CalibrationMethod m = o.has("method") ? method(str(o, "method", source, where), source, where) : method;
      double sat = o.has("saturation") ? num(o, "saturation", source, where) : Double.NaN;
      double kl = o.has("kl") ? num(o, "kl", source, where) : Double.NaN;
      double maxAbs = o.has("max_abs") ? num(o, "max_abs", source, where) : threshold;
      ts.put(name, new TensorCalibration(name, threshold, scale, m, sat, kl, maxAbs));
    }
    return new CalibrationFile(str(root, "model", source, ""), method, samples, ts, source);
  }

  private static CalibrationMethod method(String s, String source, String where) {
    try {
      return CalibrationMethod.parse(s);
    } catch (IllegalArgumentException e) {
      throw new CalibrationException("calibration file " + source + ": " + where + ": " + e.getMessage());
    }
  }

  private static String str(JsonObject o, String key, String source, String where) {
    JsonElement e = o.get(key);
    if (e == null || !e.isJsonPrimitive()) {
      throw new CalibrationException("calibration file " + source + ": " + (where.isEmpty() ? "" : where + ": ")
          + "missing string \"" + key + "\"");
    }
    return e.getAsString();
  }

  private static double num(JsonObject o, String key, String source, String where) {
    JsonElement e = o.get(key);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw new CalibrationException("calibration file " + source + ": " + (where.isEmpty() ? "" : where + ": ")
          + "missing number \"" + key + "\"");
    }
    return e.getAsDouble();
  }
}
