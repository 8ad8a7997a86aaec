package io.offloadcl.api;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.ModelFormatException;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ir.Value;
import io.offloadcl.onnx.OnnxImporter;
import io.offloadcl.onnx.OnnxTensors;
import io.offloadcl.ops.ShapeInference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs ONNX backend test folders ({@code model.onnx} plus {@code test_data_set_N/input_K.pb, output_K.pb}) on a
 * {@link ConformanceBackend} and compares every output with the expected one
 * ({@link ConformanceComparator}: rtol 1e-3, atol 1e-7 unless set).
 *
 * <p>Inputs are fed by position: {@code input_K.pb} is the K-th graph input, as the ONNX suites write them;
 * {@code output_K.pb} is compared with the K-th graph output. Like ONNX's own runner, data whose shape differs
 * from a graph input's declared static shape is fed anyway (the input is re-declared and shapes inferred again),
 * and uint16 data for a value declared bfloat16 (how older suites store bfloat16) is read as bfloat16. Each folder ends as PASS, FAIL (the first output
 * that differs, with its largest absolute and relative error and where), UNSUPPORTED (the op check or the
 * backend said so, or the test is random by design) or ERROR (any other exception, with its message). One
 * failing folder never stops the run; the listener hears of each folder as soon as it is done.
 */
public final class ConformanceRunner {
  /** Ops whose outputs are random by design; comparing them with stored outputs is meaningless. */
  private static final Set<String> RANDOM_OPS =
      Set.of("RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Bernoulli", "Multinomial");
  private static final Pattern DATA_SET = Pattern.compile("test_data_set_(\\d+)");
  private static final Pattern INPUT = Pattern.compile("input_(\\d+)\\.pb");
  private static final Pattern OUTPUT = Pattern.compile("output_(\\d+)\\.pb");
  private static final int MAX_DEPTH = 6;

  private final ConformanceBackend backend;
  private ConformanceComparator comparator =
      new ConformanceComparator(ConformanceComparator.DEFAULT_RTOL, ConformanceComparator.DEFAULT_ATOL);
  private Consumer<ConformanceTestResult> listener = r -> {};
  private Function<Path, Graph> loader = OnnxImporter::load;
  private java.util.function.Predicate<String> filter = n -> true;

  /** A runner for one backend. */
  public ConformanceRunner(ConformanceBackend backend) {
    this.backend = Objects.requireNonNull(backend, "backend");
  }

  /** Sets the tolerances (defaults: the ONNX backend tests' rtol 1e-3, atol 1e-7). */
  public ConformanceRunner tolerance(double rtol, double atol) {
    this.comparator = new ConformanceComparator(rtol, atol);
    return this;
  }

  /** Called once per test folder, in run order, as soon as its verdict is known. */
  public ConformanceRunner listener(Consumer<ConformanceTestResult> l) {
    this.listener = Objects.requireNonNull(l, "listener");
    return this;
  }

  /** Only tests whose name passes run (default: all). */
  public ConformanceRunner filter(java.util.function.Predicate<String> f) {
    this.filter = Objects.requireNonNull(f, "filter");
    return this;
  }

  /** How a {@code model.onnx} becomes a graph (default {@link OnnxImporter#load}). */
  public ConformanceRunner loader(Function<Path, Graph> l) {
    this.loader = Objects.requireNonNull(l, "loader");
    return this;
  }

  /** A test folder found under a root, with the name reports give it. */
  public record TestCase(String name, Path folder) {}

  /**
   * Every backend test folder under the roots (a folder with {@code model.onnx} and at least one
   * {@code test_data_set_N}), sorted by name within each root.
   *
   * @throws ModelFormatException when a root is not a folder
   */
  public static List<TestCase> discover(List<Path> roots) {
    List<TestCase> all = new ArrayList<>();
    for (Path root : roots) {
      if (!Files.isDirectory(root)) {
        throw new ModelFormatException("conformance root " + root + " is not a folder");
      }
      Path rootName = root.toAbsolutePath().normalize().getFileName();
      String prefix = rootName == null ? "" : rootName + "/";
      try (Stream<Path> s = Files.walk(root, MAX_DEPTH)) {
        List<Path> folders = s.filter(p -> Files.isRegularFile(p.resolve("model.onnx")) && !dataSets(p).isEmpty())
            .sorted(Comparator.comparing(Path::toString)).collect(Collectors.toList());
        for (Path f : folders) {
          String rel = root.relativize(f).toString().replace('\\', '/');
          // a root that is itself a test folder names the test by the folder alone
          all.add(new TestCase(rel.isEmpty() ? String.valueOf(rootName) : prefix + rel, f));
        }
      } catch (IOException e) {
        throw new ModelFormatException("cannot list conformance root " + root + ": " + e, e);
      }
    }
    return all;
  }

  /** Discovers and runs every test under the roots. */
  public ConformanceResult run(List<Path> roots) {
    List<ConformanceTestResult> results = new ArrayList<>();
    for (TestCase tc : discover(roots)) {
      if (!filter.test(tc.name())) {
        continue;
      }
      ConformanceTestResult r = runTest(tc.name(), tc.folder());
      results.add(r);
      listener.accept(r);
    }
    return new ConformanceResult(backend.name(), comparator.rtol(), comparator.atol(), results);
  }

  /** Runs one test folder; never throws for anything the folder or the backend does. */
  public ConformanceTestResult runTest(String name, Path folder) {
    long t0 = System.nanoTime();
    int[] ran = {0};
    try {
      Outcome o = runFolder(folder, ran);
      return new ConformanceTestResult(name, folder, o.status, o.message, o.mismatch, ran[0], millis(t0));
    } catch (UnsupportedOperatorException e) {
      return new ConformanceTestResult(name, folder, ConformanceStatus.UNSUPPORTED, e.getMessage(), null, ran[0], millis(t0));
    } catch (OffloadException e) {
      return new ConformanceTestResult(name, folder, ConformanceStatus.ERROR,
          e.getClass().getSimpleName() + ": " + e.getMessage(), null, ran[0], millis(t0));
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      return new ConformanceTestResult(name, folder, ConformanceStatus.ERROR, e.toString() + where(e), null, ran[0], millis(t0));
    }
  }

  private static String where(Throwable e) {
    StackTraceElement[] st = e.getStackTrace();
    return st.length == 0 ? "" : " at " + st[0];
  }

  private static long millis(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private static final class Outcome {
    final ConformanceStatus status;
    final String message;
    final ConformanceMismatch mismatch;

    Outcome(ConformanceStatus status, String message, ConformanceMismatch mismatch) {
      this.status = status;
      this.message = message;
      this.mismatch = mismatch;
    }
  }

  private Outcome runFolder(Path folder, int[] ran) {
    Graph g = loader.apply(folder.resolve("model.onnx"));
    String random = randomByDesign(g);
    if (random != null) {
      return new Outcome(ConformanceStatus.UNSUPPORTED, random, null);
    }
    List<Value> graphInputs = g.inputs();
    List<Value> graphOutputs = g.outputs();
    for (Map.Entry<Integer, Path> ds : dataSets(folder).entrySet()) {
      int n = ds.getKey();
      Map<Integer, Path> inFiles = numbered(ds.getValue(), INPUT);
      Map<Integer, Path> outFiles = numbered(ds.getValue(), OUTPUT);
      if (inFiles.size() != graphInputs.size() || !contiguous(inFiles)) {
        throw new ModelFormatException(ds.getValue() + ": " + inFiles.size() + " input files "
            + inFiles.keySet() + " for a model with " + graphInputs.size() + " inputs");
      }
      if (outFiles.size() != graphOutputs.size() || !contiguous(outFiles)) {
        throw new ModelFormatException(ds.getValue() + ": " + outFiles.size() + " output files "
            + outFiles.keySet() + " for a model with " + graphOutputs.size() + " outputs");
      }
      Map<String, TensorData> inputs = new LinkedHashMap<>();
      boolean redeclared = false;
      for (int k = 0; k < graphInputs.size(); k++) {
        Value in = graphInputs.get(k);
        TensorData data = asDeclared(OnnxTensors.read(inFiles.get(k)).data(), in.type());
        if (in.type() != null && in.type().dtype() == data.dtype() && in.type().shape() != null
            && !in.type().shape().compatibleWith(data.shape())) {
          // ONNX's own runner feeds data whatever shape the model declares, and a few old tests rely on it
          in.setType(data.type());
          redeclared = true;
        }
        inputs.put(in.name(), data);
      }
      if (redeclared) {
        ShapeInference.run(g);
      }
      Map<String, TensorData> actual = backend.run(g, inputs);
      if (actual == null) {
        throw new OffloadException("backend " + backend.name() + " returned no outputs");
      }
      ran[0]++;
      for (int k = 0; k < graphOutputs.size(); k++) {
        String outName = graphOutputs.get(k).name();
        TensorData expected = asDeclared(OnnxTensors.read(outFiles.get(k)).data(), graphOutputs.get(k).type());
        ConformanceMismatch m = comparator.compare(expected, actual.get(outName), n, outName, k);
        if (m != null) {
          return new Outcome(ConformanceStatus.FAIL, m.detail(), m);
        }
      }
    }
    return new Outcome(ConformanceStatus.PASS, null, null);
  }

  /**
   * Why the test's outputs are random by design, or null. Dropout in training mode draws its mask at random
   * unless its ratio is the constant 0; the Random* ops always do.
   */
  private static String randomByDesign(Graph g) {
    for (Node n : g.nodes()) {
      if (RANDOM_OPS.contains(n.opType())) {
        return n.opType() + " (node " + n.name() + ") is random by design";
      }
      if (n.opType().equals("Dropout") && n.input(2) != null) {
        Value mode = n.input(2);
        boolean constFalse = mode.isConstant() && mode.constant().size() == 1 && mode.constant().getLong(0) == 0;
        Value ratio = n.input(1);
        boolean zeroRatio = ratio != null && ratio.isConstant() && ratio.constant().size() == 1
            && ratio.constant().getDouble(0) == 0;
        if (!constFalse && !zeroRatio) {
          return "Dropout in training mode (node " + n.name() + ") is random by design";
        }
      }
    }
    return null;
  }

  /**
   * Older ONNX test data stores bfloat16 tensors as uint16 bit patterns; read against a value declared
   * bfloat16 they are reinterpreted as such. Anything else is returned as read.
   */
  static TensorData asDeclared(TensorData d, TensorType declared) {
    if (declared == null || declared.dtype() != DType.BFLOAT16 || d.dtype() != DType.UINT16) {
      return d;
    }
    int[] bits = d.ints();
    float[] f = new float[bits.length];
    for (int i = 0; i < bits.length; i++) {
      f[i] = Float.intBitsToFloat((bits[i] & 0xFFFF) << 16);
    }
    return TensorData.wrap(DType.BFLOAT16, d.dims(), f);
  }

  private static boolean contiguous(Map<Integer, Path> m) {
    int i = 0;
    for (int k : m.keySet()) {
      if (k != i++) {
        return false;
      }
    }
    return true;
  }

  /** The {@code test_data_set_N} folders by N. */
  private static Map<Integer, Path> dataSets(Path folder) {
    Map<Integer, Path> r = new TreeMap<>();
    try (Stream<Path> s = Files.list(folder)) {
      s.filter(Files::isDirectory).forEach(p -> {
        Matcher m = DATA_SET.matcher(p.getFileName().toString());
        if (m.matches()) {
          r.put(Integer.parseInt(m.group(1)), p);
        }
      });
    } catch (IOException | NumberFormatException e) {
      return r;
    }
    return r;
  }

  private static Map<Integer, Path> numbered(Path folder, Pattern p) {
    Map<Integer, Path> r = new TreeMap<>();
    try (Stream<Path> s = Files.list(folder)) {
      s.forEach(f -> {
        Matcher m = p.matcher(f.getFileName().toString());
        if (m.matches()) {
          r.put(Integer.parseInt(m.group(1)), f);
        }
      });
    } catch (IOException e) {
      throw new ModelFormatException("cannot list " + folder + ": " + e, e);
    }
    return r;
  }
}
