package io.offloadcl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.ModelFormatException;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ir.Value;
import io.offloadcl.onnx.OnnxTensors;
import io.offloadcl.onnx.OnnxWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner over a small suite written in a temporary folder, with a scripted backend, so every verdict
 * (PASS, FAIL by values/dtype/shape, UNSUPPORTED, ERROR) and the report formats are checked.
 */
class ConformanceRunnerTest {
  @TempDir Path root;
  private final Map<String, Graph> graphs = new HashMap<>();
  /** What the scripted backend does per graph name. */
  private final Map<String, Function<TensorData, TensorData>> behaviour = new HashMap<>();

  private final ConformanceBackend scripted = new ConformanceBackend() {
    @Override
    public String name() {
      return "scripted";
    }

    @Override
    public Map<String, TensorData> run(Graph g, Map<String, TensorData> inputs) {
      TensorData x = inputs.get(g.inputs().get(0).name());
      Map<String, TensorData> r = new LinkedHashMap<>();
      r.put(g.outputs().get(0).name(), behaviour.get(g.name()).apply(x));
      return r;
    }
  };

  static TensorData relu(TensorData x) {
    float[] f = x.toFloatArray();
    for (int i = 0; i < f.length; i++) {
      f[i] = Math.max(0, f[i]);
    }
    return TensorData.wrap(DType.FLOAT32, x.dims(), f);
  }

  /** Writes test folder {@code name} with one data set of a 2x3 Relu. */
  private void reluTest(String name, Function<TensorData, TensorData> backendDoes) throws Exception {
    Graph g = new Graph(name);
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 2, 3));
    Node n = g.addNode("Relu", "relu", List.of(x), List.of("y"), new Attributes());
    g.addOutput(n.output(0));
    Path dir = root.resolve(name);
    OnnxWriter.write(g, dir.resolve("model.onnx"));
    TensorData in = TensorData.ofFloats(new long[] {2, 3}, -1, 2, -3, 4, Float.NaN, 6);
    OnnxTensors.write(dir.resolve("test_data_set_0/input_0.pb"), "x", in);
    OnnxTensors.write(dir.resolve("test_data_set_0/output_0.pb"), "y", relu(in));
    graphs.put(name, g);
    behaviour.put(name, backendDoes);
  }

  @BeforeEach
  void suite() throws Exception {
    reluTest("test_a_pass", x -> {
      TensorData r = relu(x);
      r.floats()[1] *= 1 + 5e-4f; // inside rtol 1e-3
      return r;
    });
    reluTest("test_b_values", x -> {
      TensorData r = relu(x);
      r.floats()[3] += 1;
      r.floats()[5] += 0.5f;
      return r;
    });
    reluTest("test_c_dtype", x -> TensorData.wrap(DType.FLOAT64, x.dims(), new double[6]));
    reluTest("test_d_shape", x -> relu(x).reshape(3, 2));
    reluTest("test_e_unsupported", x -> {
      throw new UnsupportedOperatorException("no kernel for Relu on this device");
    });
    reluTest("test_f_crash", x -> {
      throw new NullPointerException("boom");
    });
    reluTest("test_g_nan", x -> {
      TensorData r = relu(x);
      r.floats()[4] = 0; // expected NaN
      return r;
    });
    // a folder without data sets is not a test
    Files.createDirectories(root.resolve("not_a_test"));
    Files.write(root.resolve("not_a_test/model.onnx"), new byte[0]);
  }

  private ConformanceRunner runner(List<ConformanceTestResult> heard) {
    return new ConformanceRunner(scripted).listener(heard::add)
        .loader(p -> graphs.get(p.getParent().getFileName().toString()));
  }

  @Test
  void everyVerdict() {
    List<ConformanceTestResult> heard = new ArrayList<>();
    ConformanceResult r = runner(heard).run(List.of(root));
    assertEquals(7, r.total());
    assertEquals(r.tests(), heard, "the listener hears every test in run order");
    String prefix = root.getFileName() + "/";
    Map<String, ConformanceTestResult> by = new HashMap<>();
    for (ConformanceTestResult t : r.tests()) {
      assertTrue(t.name().startsWith(prefix), t.name());
      by.put(t.name().substring(prefix.length()), t);
    }
    assertEquals(ConformanceStatus.PASS, by.get("test_a_pass").status());
    assertNull(by.get("test_a_pass").message());
    assertEquals(1, by.get("test_a_pass").dataSets());

    ConformanceTestResult v = by.get("test_b_values");
    assertEquals(ConformanceStatus.FAIL, v.status());
    ConformanceMismatch m = v.mismatch();
    assertEquals("values", m.reason());
    assertEquals("y", m.output());
    assertEquals(2, m.mismatches());
    assertEquals(3, m.index(), "the worst element");
    assertEquals(1.0, m.maxAbsError(), 1e-6);
    assertEquals(0.25, m.maxRelError(), 1e-6);
    assertTrue(v.message().contains("output 'y'") && v.message().contains("index 3"), v.message());

    assertEquals("dtype", by.get("test_c_dtype").mismatch().reason());
    assertTrue(by.get("test_c_dtype").message().contains("expected dtype float32, got float64"));
    assertEquals("shape", by.get("test_d_shape").mismatch().reason());
    assertTrue(by.get("test_d_shape").message().contains("[2, 3]"));
    assertEquals(ConformanceStatus.UNSUPPORTED, by.get("test_e_unsupported").status());
    assertEquals("no kernel for Relu on this device", by.get("test_e_unsupported").message());
    assertEquals(ConformanceStatus.ERROR, by.get("test_f_crash").status());
    assertTrue(by.get("test_f_crash").message().contains("NullPointerException: boom"));
    assertEquals(ConformanceStatus.FAIL, by.get("test_g_nan").status(), "NaN only matches NaN");
    assertEquals(4, by.get("test_g_nan").mismatch().index());

    assertEquals("conformance: 1 passed, 4 failed, 1 unsupported, 1 errors", r.summary());
    assertTrue(by.get("test_b_values").toLine().startsWith("FAIL "));
  }

  @Test
  void jsonReportIsValidAndComplete() throws Exception {
    ConformanceResult r = runner(new ArrayList<>()).run(List.of(root));
    Path out = root.resolve("report/conformance.json");
    r.writeJson(out);
    JsonObject j = JsonParser.parseString(Files.readString(out)).getAsJsonObject();
    assertEquals("scripted", j.get("backend").getAsString());
    assertEquals(1e-3, j.get("rtol").getAsDouble());
    assertEquals(1e-7, j.get("atol").getAsDouble());
    JsonObject totals = j.getAsJsonObject("totals");
    assertEquals(7, totals.get("tests").getAsInt());
    assertEquals(4, totals.get("failed").getAsInt());
    assertEquals(1, totals.get("errors").getAsInt());
    var tests = j.getAsJsonArray("tests");
    assertEquals(7, tests.size());
    JsonObject fail = tests.get(1).getAsJsonObject();
    assertEquals("FAIL", fail.get("status").getAsString());
    assertEquals(3, fail.getAsJsonObject("mismatch").get("index").getAsInt());
    JsonObject nan = tests.get(6).getAsJsonObject().getAsJsonObject("mismatch");
    assertEquals("Infinity", nan.get("maxAbsError").getAsString(), "non-finite numbers survive as strings");
  }

  @Test
  void realImporterReportsUnsupportedOpsAndBadFolders() throws Exception {
    Graph g = new Graph("foo");
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 1));
    g.addOutput(g.addNode("NoSuchOp", "n1", List.of(x), List.of("y"), new Attributes()).output(0));
    Path dir = root.resolve("test_h_foo");
    OnnxWriter.write(g, dir.resolve("model.onnx"));
    OnnxTensors.write(dir.resolve("test_data_set_0/input_0.pb"), "x", TensorData.ofFloats(new long[] {1}, 1));
    OnnxTensors.write(dir.resolve("test_data_set_0/output_0.pb"), "y", TensorData.ofFloats(new long[] {1}, 1));
    ConformanceTestResult t = new ConformanceRunner(ConformanceBackend.reference()).runTest("foo", dir);
    assertEquals(ConformanceStatus.UNSUPPORTED, t.status());
    assertTrue(t.message().contains("NoSuchOp (node n1)"), t.message());

    Path broken = root.resolve("test_i_broken");
    Files.createDirectories(broken.resolve("test_data_set_0"));
    Files.write(broken.resolve("model.onnx"), new byte[] {1, 2, 3});
    ConformanceTestResult b = new ConformanceRunner(ConformanceBackend.reference()).runTest("broken", broken);
    assertEquals(ConformanceStatus.ERROR, b.status());
    assertTrue(b.message().contains("ModelFormatException") && b.message().contains("model.onnx"), b.message());

    // a data set whose inputs do not match the model's is an error, not a crash
    Files.delete(root.resolve("test_a_pass/test_data_set_0/input_0.pb"));
    ConformanceTestResult missing = runner(new ArrayList<>()).runTest("a", root.resolve("test_a_pass"));
    assertEquals(ConformanceStatus.ERROR, missing.status());
    assertTrue(missing.message().contains("0 input files"), missing.message());

    assertThrows(ModelFormatException.class, () -> ConformanceRunner.discover(List.of(root.resolve("nowhere"))));
    List<ConformanceRunner.TestCase> single = ConformanceRunner.discover(List.of(root.resolve("test_b_values")));
    assertEquals(List.of(new ConformanceRunner.TestCase("test_b_values", root.resolve("test_b_values"))), single);
  }

  @Test
  void trainingDropoutIsRandomByDesign() throws Exception {
    Graph g = new Graph("drop");
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 2));
    Value ratio = g.addInput("r", TensorType.of(DType.FLOAT32));
    Value mode = g.addInput("t", TensorType.of(DType.BOOL));
    g.addOutput(g.addNode("Dropout", "d", List.of(x, ratio, mode), List.of("y"), new Attributes()).output(0));
    Path dir = root.resolve("test_training_dropout");
    OnnxWriter.write(g, dir.resolve("model.onnx"));
    Files.createDirectories(dir.resolve("test_data_set_0"));
    ConformanceTestResult t = new ConformanceRunner(scripted).loader(p -> g).runTest("td", dir);
    assertEquals(ConformanceStatus.UNSUPPORTED, t.status());
    assertTrue(t.message().contains("random by design"), t.message());
  }

  @Test
  void comparatorRules() {
    ConformanceComparator c = new ConformanceComparator(1e-3, 1e-7);
    long[] d = {3};
    assertNull(c.compare(TensorData.ofFloats(d, 1, Float.NaN, Float.NEGATIVE_INFINITY),
        TensorData.ofFloats(d, 1.0009f, Float.NaN, Float.NEGATIVE_INFINITY), 0, "y", 0));
    assertNotNull(c.compare(TensorData.ofFloats(d, 1, 0, 0), TensorData.ofFloats(d, 1, 0, 1e-6f), 0, "y", 0),
        "atol 1e-7 around zero");
    assertNotNull(c.compare(TensorData.ofFloats(d, 1, 2, Float.POSITIVE_INFINITY),
        TensorData.ofFloats(d, 1, 2, Float.NEGATIVE_INFINITY), 0, "y", 0));
    assertNotNull(c.compare(TensorData.ofLongs(d, 1, 2, 3), TensorData.ofLongs(d, 1, 2, 4), 0, "y", 0), "ints exact");
    assertNull(c.compare(TensorData.ofLongs(d, 1, 2, 3), TensorData.ofLongs(d, 1, 2, 3), 0, "y", 0));
    TensorData t = TensorData.wrap(DType.BOOL, d, new boolean[] {true, false, true});
    TensorData f = TensorData.wrap(DType.BOOL, d, new boolean[] {true, true, true});
    ConformanceMismatch m = c.compare(t, f, 2, "b", 1);
    assertEquals(1, m.index());
    assertEquals(2, m.dataSet());
    assertTrue(m.detail().contains("expected false, got true"), m.detail());
    TensorData s1 = TensorData.wrap(DType.STRING, new long[] {1}, new String[] {"a"});
    TensorData s2 = TensorData.wrap(DType.STRING, new long[] {1}, new String[] {"b"});
    assertNotNull(c.compare(s1, s2, 0, "s", 0));
    assertNull(c.compare(s1, s1.copy(), 0, "s", 0));
    assertThrows(IllegalArgumentException.class, () -> new ConformanceComparator(-1, 0));
    // bfloat16 at its own precision: truncation and round-to-nearest differ by one ulp, more does not pass
    TensorData bf = TensorData.wrap(DType.BFLOAT16, new long[] {1}, new float[] {0.81640625f});
    assertNull(c.compare(bf, TensorData.wrap(DType.BFLOAT16, new long[] {1}, new float[] {0.8203125f}), 0, "b", 0));
    assertNotNull(c.compare(bf, TensorData.wrap(DType.BFLOAT16, new long[] {1}, new float[] {0.828125f}), 0, "b", 0));
  }
}
