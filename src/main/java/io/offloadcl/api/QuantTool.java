package io.offloadcl.api;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import io.offloadcl.onnx.OnnxImporter;
import io.offloadcl.quant.CalibrationException;
import io.offloadcl.quant.CalibrationFile;
import io.offloadcl.quant.CalibrationMethod;
import io.offloadcl.quant.Calibrator;
import io.offloadcl.quant.QuantEvaluation;
import io.offloadcl.quant.Quantizer;
import io.offloadcl.quant.SyntheticInputs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The quantization workflow behind {@code offloadcl quantize} and {@code run --int8}: load a model, calibrate it
 * on a folder (or on generated inputs, {@code generated:N[:SEED]}), save calibration files, quantize, and report
 * int8 against fp32. It keeps the CLI free of quant and runtime types.
 */
public final class QuantTool {
  private final Path modelPath;
  private final Graph model;
  private final QuantRunner runner = new QuantRunner();
  private final Map<CalibrationMethod, CalibrationFile> calibrations = new EnumMap<>(CalibrationMethod.class);
  private final Map<CalibrationMethod, Path> written = new EnumMap<>(CalibrationMethod.class);

  private QuantTool(Path modelPath, Graph model) {
    this.modelPath = modelPath;
    this.model = model;
  }

  public static QuantTool open(Path model) {
    return new QuantTool(model, OnnxImporter.load(model));
  }

  /** The fp32 model rewritten to int8 with a saved calibration file (checked against the model). */
  public static Graph quantizedModel(Graph fp32, Path calibrationFile) {
    return Quantizer.quantize(fp32, CalibrationFile.load(calibrationFile));
  }

  /** Method names accepted by {@link #calibrate}: entropy, percentile, minmax, or all. */
  public static List<String> methods(String spec) {
    if ("all".equalsIgnoreCase(spec)) {
      List<String> r = new ArrayList<>();
      for (CalibrationMethod m : CalibrationMethod.values()) {
        r.add(m.id());
      }
      return r;
    }
    return List.of(CalibrationMethod.parse(spec).id());
  }

  /** Reads a set: a folder, or {@code generated:N[:SEED]} for N generated inputs. */
  public List<Map<String, TensorData>> loadSet(String spec) {
    if (spec.startsWith("generated:")) {
      String[] parts = spec.split(":");
      try {
        int n = Integer.parseInt(parts[1]);
        long seed = parts.length > 2 ? Long.parseLong(parts[2]) : 1;
        if (n <= 0) {
          throw new CalibrationException("calibration set " + spec + " holds no inputs");
        }
        return SyntheticInputs.forModel(model, n, seed);
      } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
        throw new CalibrationException("set '" + spec + "': expected generated:N or generated:N:SEED");
      }
    }
    return QuantData.load(Path.of(spec), model);
  }

  /**
   * Calibrates with the given methods and writes one file per method: {@code out} itself for a single method,
   * {@code NAME.METHOD.json} next to it for several.
   *
   * @param onStep called 2 × set-size times
   * @return method id → file written
   */
  public Map<String, Path> calibrate(List<Map<String, TensorData>> set, String setName, List<String> methodIds,
      double percentile, Path out, Runnable onStep) {
    Set<CalibrationMethod> ms = EnumSet.noneOf(CalibrationMethod.class);
    for (String id : methodIds) {
      ms.add(CalibrationMethod.parse(id));
    }
    Map<CalibrationMethod, CalibrationFile> r = new Calibrator(model, runner).percentile(percentile).onStep(onStep)
        .calibrate(set, setName, ms);
    Map<String, Path> files = new LinkedHashMap<>();
    for (Map.Entry<CalibrationMethod, CalibrationFile> e : r.entrySet()) {
      Path p = ms.size() == 1 ? out : sibling(out, e.getKey().id());
      e.getValue().save(p);
      calibrations.put(e.getKey(), e.getValue());
      written.put(e.getKey(), p);
      files.put(e.getKey().id(), p);
    }
    return files;
  }

  private static Path sibling(Path out, String method) {
    String name = out.getFileName().toString();
    String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    return out.resolveSibling(base + "." + method + ".json");
  }

  /** Number of progress steps {@link #evaluate} takes for a set. */
  public int evaluationSteps(int setSize) {
    return setSize * calibrations.size();
  }

  /**
   * Quantizes with every calibration made so far and reports against fp32 on {@code set}: a side-by-side table
   * of the methods, then per method the layers, most hurt first.
   */
  public String evaluate(List<Map<String, TensorData>> set, String setName, Runnable onStep) {
    List<QuantEvaluation.Report> reports = new ArrayList<>();
    for (Map.Entry<CalibrationMethod, CalibrationFile> e : calibrations.entrySet()) {
      Quantizer.Result q = Quantizer.rewrite(model, e.getValue());
      reports.add(QuantEvaluation.evaluate(model, q, e.getKey(), set, runner, onStep));
    }
    return format(reports, setName);
  }

  private String format(List<QuantEvaluation.Report> reports, String setName) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "int8 vs fp32: %s on %s (%d inputs)%n", modelPath.getFileName(), setName,
        reports.isEmpty() ? 0 : reports.get(0).samples()));
    sb.append(String.format(Locale.ROOT, "%-11s %10s %12s %12s%n", "method", "top-1 agree", "max |err|",
        "mean |err|"));
    for (QuantEvaluation.Report r : reports) {
      sb.append(String.format(Locale.ROOT, "%-11s %10.2f%% %12.5f %12.6f%n", r.method().id(), 100 * r.agreement(),
          r.maxAbs(), r.meanAbs()));
    }
    for (QuantEvaluation.Report r : reports) {
      sb.append(String.format(Locale.ROOT, "%nlayers, %s (most hurt first; error of the value each layer hands on, "
          + "end to end):%n", r.method().id()));
      sb.append(String.format(Locale.ROOT, "  %-22s %-6s %-30s %11s %10s %8s %11s %11s %9s%n", "node", "op",
          "input", "threshold", "max|x|", "sat %", "max |err|", "mean |err|", "rel err"));
      for (QuantEvaluation.LayerError e : r.layers()) {
        Quantizer.Layer l = e.layer();
        sb.append(String.format(Locale.ROOT, "  %-22s %-6s %-30s %11.5f %10.5f %8.4f %11.5f %11.6f %8.3f%%%n",
            l.node(), l.opType(), l.input(), l.inputCalibration().threshold(), l.inputCalibration().maxAbs(),
            100 * l.inputCalibration().saturation(), e.maxAbs(), e.meanAbs(), 100 * e.relative()));
      }
    }
    return sb.toString();
  }
}
