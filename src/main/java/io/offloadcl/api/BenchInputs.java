package io.offloadcl.api;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.ModelFormatException;
import io.offloadcl.ir.TensorData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The inputs a benchmark feeds a model: the model's own {@code test_data_set_0/input_*.pb} when it has them
 * (real data, so data-dependent paths run as they would in use), otherwise generated ones. Generated float
 * inputs are {@code arange(n)/n} with every dynamic dimension set to 1, which is how the onnx-light models are
 * meant to be fed; integer inputs are ones for masks and zeros for everything else (token and segment ids).
 */
public final class BenchInputs {
  private BenchInputs() {}

  /** The feeds for a model file with the given declared inputs. */
  public static Map<String, TensorData> forModel(Path model, List<TensorInfo> inputs) {
    Path dataSet = model.toAbsolutePath().getParent() == null ? null
        : model.toAbsolutePath().getParent().resolve("test_data_set_0");
    if (dataSet != null && Files.isDirectory(dataSet)) {
      Map<String, TensorData> read = readDataSet(dataSet, inputs);
      if (read != null) {
        return read;
      }
    }
    return generate(inputs);
  }

  /** Generated feeds for declared inputs (see the class note). */
  public static Map<String, TensorData> generate(List<TensorInfo> inputs) {
    Map<String, TensorData> feeds = new LinkedHashMap<>();
    for (TensorInfo in : inputs) {
      feeds.put(in.name(), generate(in));
    }
    return feeds;
  }

  /** One generated input. */
  public static TensorData generate(TensorInfo in) {
    if (!in.hasShape()) {
      throw new ModelFormatException("input '" + in.name() + "' has no declared rank; cannot generate a benchmark"
          + " input for it (give the model a test_data_set_0/input_0.pb)");
    }
    return generate(in.name(), in.dtype(), in.shape());
  }

  /** One generated input named {@code name} of {@code dtype} with declared dims (-1 = dynamic, fed as 1). */
  public static TensorData generate(String name, DType dt, long[] declared) {
    long[] dims = declared.clone();
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0) {
        dims[i] = 1;
      }
    }
    int n = Math.toIntExact(TensorData.count(dims));
    TensorData d = TensorData.zeros(dt, dims);
    if (dt == DType.FLOAT32 || dt == DType.FLOAT64 || dt == DType.FLOAT16 || dt == DType.BFLOAT16) {
      for (int i = 0; i < n; i++) {
        d.setDouble(i, (float) i / n);
      }
    } else if (dt == DType.BOOL) {
      boolean[] b = d.bools();
      java.util.Arrays.fill(b, true);
    } else if (dt != DType.STRING && name.toLowerCase(Locale.ROOT).contains("mask")) {
      for (int i = 0; i < n; i++) {
        d.setLong(i, 1);
      }
    }
    return d;
  }

  /**
   * Reads {@code input_K.pb} files, matched to inputs by the name stored in the file, else by position; null when
   * the files do not cover every input (the caller then generates them).
   */
  static Map<String, TensorData> readDataSet(Path dir, List<TensorInfo> inputs) {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "input_*.pb")) {
      ds.forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    files.sort((a, b) -> Integer.compare(index(a), index(b)));
    if (files.size() != inputs.size()) {
      return null;
    }
    Map<String, TensorData> feeds = new LinkedHashMap<>();
    for (int i = 0; i < files.size(); i++) {
      TensorFile f = TensorFile.read(files.get(i));
      String name = f.name();
      boolean known = inputs.stream().anyMatch(t -> t.name().equals(name));
      feeds.put(known ? name : inputs.get(i).name(), f.tensor().data());
    }
    return feeds.size() == inputs.size() ? feeds : null;
  }

  private static int index(Path p) {
    String s = p.getFileName().toString().replaceAll("\\D", "");
    return s.isEmpty() ? Integer.MAX_VALUE : Integer.parseInt(s);
  }
}
