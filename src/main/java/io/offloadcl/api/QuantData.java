package io.offloadcl.api;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.onnx.NamedTensor;
import io.offloadcl.onnx.OnnxTensors;
import io.offloadcl.quant.CalibrationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads calibration and evaluation sets: a folder of {@code test_data_set_*} folders (each one input set, from
 * its {@code input_K.pb} files), or a folder of input {@code .pb} files (each file one input of a
 * single-input model, or, when the folder has {@code input_K.pb} files, one set).
 */
public final class QuantData {
  private QuantData() {}

  /**
   * @throws CalibrationException naming the folder when it is missing or holds no inputs
   */
  public static List<Map<String, TensorData>> load(Path dir, Graph model) {
    if (!Files.isDirectory(dir)) {
      throw new CalibrationException("calibration set " + dir + " is not a folder");
    }
    List<Path> sets = list(dir, p -> Files.isDirectory(p) && p.getFileName().toString().startsWith("test_data_set_"));
    List<Map<String, TensorData>> r = new ArrayList<>();
    if (!sets.isEmpty()) {
      for (Path s : sets) {
        Map<String, TensorData> one = readSet(s, model);
        if (!one.isEmpty()) {
          r.add(one);
        }
      }
    } else {
      List<Path> inputs = list(dir, p -> p.getFileName().toString().matches("input_\\d+\\.pb"));
      if (!inputs.isEmpty() && model.inputs().size() > 1) {
        r.add(readSet(dir, model));
      } else {
        for (Path p : list(dir, q -> Files.isRegularFile(q) && q.getFileName().toString().endsWith(".pb"))) {
          r.add(bind(List.of(OnnxTensors.read(p)), model, p));
        }
      }
    }
    if (r.isEmpty()) {
      throw new CalibrationException("calibration set " + dir + " holds no inputs (expected test_data_set_* folders "
          + "with input_K.pb files, or .pb input files)");
    }
    return r;
  }

  private static Map<String, TensorData> readSet(Path s, Graph model) {
    List<NamedTensor> ts = new ArrayList<>();
    for (Path p : list(s, q -> q.getFileName().toString().matches("input_\\d+\\.pb"))) {
      ts.add(OnnxTensors.read(p));
    }
    return ts.isEmpty() ? Map.of() : bind(ts, model, s);
  }

  /** Keys tensors by graph-input name: by their own name when it is one, else by position among the real inputs. */
  private static Map<String, TensorData> bind(List<NamedTensor> ts, Graph model, Path where) {
    List<String> names = new ArrayList<>();
    for (Value v : model.inputs()) {
      if (!v.isConstant()) {
        names.add(v.name());
      }
    }
    Map<String, TensorData> m = new LinkedHashMap<>();
    for (int i = 0; i < ts.size(); i++) {
      NamedTensor t = ts.get(i);
      String name = t.name() != null && names.contains(t.name()) ? t.name() : i < names.size() ? names.get(i) : null;
      if (name == null) {
        throw new CalibrationException(where + ": input " + i + " ('" + t.name() + "') matches no input of model '"
            + model.name() + "' " + names);
      }
      m.put(name, t.data());
    }
    return m;
  }

  private static List<Path> list(Path dir, java.util.function.Predicate<Path> keep) {
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> r = new ArrayList<>(s.filter(keep).toList());
      r.sort((a, b) -> natural(a.getFileName().toString(), b.getFileName().toString()));
      return r;
    } catch (IOException e) {
      throw new CalibrationException("cannot list calibration set " + dir + ": " + e, e);
    }
  }

  /** Orders input_2 before input_10. */
  private static int natural(String a, String b) {
    String da = a.replaceAll("\\D", "");
    String db = b.replaceAll("\\D", "");
    if (!da.isEmpty() && !db.isEmpty() && da.length() != db.length()) {
      return Integer.compare(da.length(), db.length());
    }
    return a.compareTo(b);
  }
}
