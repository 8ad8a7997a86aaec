package io.offloadcl.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnx.proto.OnnxMl;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.onnx.OnnxImporter;
import io.offloadcl.onnx.OnnxTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the ONNX backend node tests of the NN ops (both installed suites) through the project importer and the
 * reference executor, comparing with the expected outputs at rtol 1e-3 / atol 1e-5. A test is selected by the
 * op types in its model: every node must be one of this family's ops. The one form we reject on purpose,
 * BatchNormalization with {@code training_mode=1}, must fail with an {@link UnsupportedOperatorException}
 * naming the node.
 */
class NnOnnxNodeSuiteTest {
  static final Set<String> OPS = Set.of("Conv", "ConvTranspose", "AveragePool", "MaxPool", "GlobalAveragePool",
      "GlobalMaxPool", "BatchNormalization", "LRN", "InstanceNormalization", "LpNormalization", "LpPool", "Gemm",
      "MatMul");

  private static final Map<String, int[]> TALLY = new TreeMap<>();

  static List<Path> roots() {
    String shared = System.getenv("OFFLOADCL_SHARED");
    return List.of(Paths.get(shared == null ? "../shared" : shared, "testdata", "onnx-node-v1.22"),
        Paths.get("/usr/share/libonnx-testdata/data/node"));
  }

  @AfterAll
  static void printTally() {
    TALLY.forEach((k, v) -> System.out.println("NN node tests " + k + ": PASS " + v[0] + " REJECTED-AS-EXPECTED "
        + v[1] + " FAIL " + v[2]));
  }

  @TestFactory
  Stream<DynamicTest> nodeTests() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path root : roots()) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      List<Path> dirs;
      try (Stream<Path> s = Files.list(root)) {
        dirs = s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().collect(Collectors.toList());
      }
      String key = root.getFileName().toString();
      for (Path dir : dirs) {
        OnnxMl.GraphProto gp = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(dir.resolve("model.onnx"))).getGraph();
        if (gp.getNodeCount() == 0 || !gp.getNodeList().stream()
            .allMatch(n -> OPS.contains(n.getOpType()) && (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx")))) {
          continue;
        }
        boolean training = gp.getNodeList().stream().anyMatch(n -> n.getOpType().equals("BatchNormalization")
            && n.getAttributeList().stream().anyMatch(a -> a.getName().equals("training_mode") && a.getI() != 0));
        tests.add(DynamicTest.dynamicTest(key + "/" + dir.getFileName(), () -> {
          int[] t = TALLY.computeIfAbsent(key, k -> new int[3]);
          try {
            if (training) {
              UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
                  () -> OnnxImporter.load(dir.resolve("model.onnx")));
              assertTrue(e.getMessage().contains("training_mode") && e.getMessage().contains("node '"), e.getMessage());
              t[1]++;
            } else {
              runCase(dir);
              t[0]++;
            }
          } catch (AssertionError | RuntimeException e) {
            t[2]++;
            throw e;
          }
        }));
      }
    }
    assertTrue(tests.size() > 0 || !Files.isDirectory(roots().get(0)), "no NN node tests found");
    return tests.stream();
  }

  private static void runCase(Path dir) throws IOException {
    Graph g = OnnxImporter.load(dir.resolve("model.onnx"));
    ReferenceExecutor ex = new ReferenceExecutor(g);
    List<Path> sets;
    try (Stream<Path> s = Files.list(dir)) {
      sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set")).sorted().collect(Collectors.toList());
    }
    assertTrue(!sets.isEmpty(), "no test data sets in " + dir);
    for (Path set : sets) {
      Map<String, TensorData> feeds = new LinkedHashMap<>();
      for (int i = 0; i < g.inputs().size(); i++) {
        feeds.put(g.inputs().get(i).name(), OnnxTensors.read(set.resolve("input_" + i + ".pb")).data());
      }
      Map<String, TensorData> out = ex.run(feeds);
      for (int i = 0; i < g.outputs().size(); i++) {
        TensorData want = OnnxTensors.read(set.resolve("output_" + i + ".pb")).data();
        TensorData got = out.get(g.outputs().get(i).name());
        assertNotNull(got, "output " + i);
        compare(dir.getFileName() + "/" + set.getFileName() + " output " + i, want, got);
      }
    }
  }

  private static void compare(String what, TensorData want, TensorData got) {
    assertEquals(want.dtype(), got.dtype(), what + " dtype");
    assertEquals(want.shape(), got.shape(), what + " shape");
    for (int i = 0; i < want.size(); i++) {
      if (want.dtype().isFloating()) {
        double a = want.getDouble(i);
        double b = got.getDouble(i);
        if (!(Double.isNaN(a) && Double.isNaN(b)) && !(Math.abs(a - b) <= 1e-5 + 1e-3 * Math.abs(a))) {
          fail(what + " element " + i + ": expected " + a + ", got " + b);
        }
      } else {
        assertEquals(want.getLong(i), got.getLong(i), what + " element " + i);
      }
    }
  }
}
