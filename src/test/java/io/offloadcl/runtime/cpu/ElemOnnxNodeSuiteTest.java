package io.offloadcl.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnx.proto.OnnxMl;
import io.offloadcl.api.ConformanceBackend;
import io.offloadcl.api.ConformanceRunner;
import io.offloadcl.api.ConformanceStatus;
import io.offloadcl.api.ConformanceTestResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
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
 * Runs every ONNX backend node test that uses an elementwise or reduction op (expanded function tests
 * included) through the project's {@link ConformanceRunner} on the reference executor.
 *
 * <p>Each must PASS. UNSUPPORTED is accepted only for what this family does not promise, decided by op and
 * type, never by test name: Dropout in training mode, values that are not tensors (optional, sequence) and
 * another family's operators that the expanded tests use.
 */
class ElemOnnxNodeSuiteTest {
  static final Set<String> OPS = Set.of("Abs", "Add", "Cast", "Clip", "Div", "Dropout", "Equal", "Erf", "Exp", "Gelu",
      "Greater", "HardSigmoid", "HardSwish", "Identity", "LeakyRelu", "Less", "Log", "Max", "Min", "Mul", "Neg", "Pow",
      "PRelu", "Relu", "Sigmoid", "Sqrt", "Sub", "Sum", "Tanh", "Where", "ReduceMax", "ReduceMean", "ReduceSum",
      "Softmax", "LogSoftmax", "LayerNormalization", "Not", "And", "Or", "Xor", "Floor", "Ceil", "Round", "Reciprocal",
      "Sign", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Softplus",
      "Softsign", "Elu", "Selu", "Celu", "Mish", "ThresholdedRelu", "Mean", "GreaterOrEqual", "LessOrEqual", "Mod",
      "BitShift", "IsNaN", "IsInf", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum",
      "ReduceLogSumExp", "ReduceSumSquare", "ArgMax", "ArgMin", "Hardmax", "Shrink", "CastLike");

  /** The reasons an UNSUPPORTED outcome may give, as the importer and runner word them. */
  private static final List<String> ACCEPTED = List.of("Dropout in training mode", "unsupported types:",
      "unsupported operators:");

  static List<Path> roots() {
    String shared = System.getenv("OFFLOADCL_SHARED");
    return List.of(Paths.get(shared == null ? "../shared" : shared, "testdata", "onnx-node-v1.22"),
        Paths.get("/usr/share/libonnx-testdata/data/node"));
  }

  private static final Map<String, int[]> TALLY = new TreeMap<>();

  @AfterAll
  static void printTally() {
    TALLY.forEach((k, v) -> System.out.println("elementwise/reduction node tests " + k + ": PASS " + v[0]
        + " UNSUPPORTED " + v[1] + " FAIL/ERROR " + v[2]));
  }

  @TestFactory
  Stream<DynamicTest> nodeTests() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    boolean ci = io.offloadcl.ir.Settings.isCi();
    ConformanceRunner runner = new ConformanceRunner(ConformanceBackend.reference());
    for (Path root : roots()) {
      if (!Files.isDirectory(root)) {
        if (ci) {
          tests.add(DynamicTest.dynamicTest("missing " + root, () -> fail("test suite not found: " + root)));
        }
        continue;
      }
      String key = root.getFileName().toString();
      List<Path> dirs;
      try (Stream<Path> s = Files.list(root)) {
        dirs = s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().collect(Collectors.toList());
      }
      for (Path dir : dirs) {
        if (!usesOurOps(dir)) {
          continue;
        }
        String name = key + "/" + dir.getFileName();
        tests.add(DynamicTest.dynamicTest(name, () -> {
          int[] t = TALLY.computeIfAbsent(key, k -> new int[3]);
          ConformanceTestResult r = runner.runTest(name, dir);
          if (r.status() == ConformanceStatus.PASS) {
            t[0]++;
            return;
          }
          if (r.status() == ConformanceStatus.UNSUPPORTED) {
            t[1]++;
            assertTrue(ACCEPTED.stream().anyMatch(a -> r.message().contains(a)), "unexpected UNSUPPORTED: " + r.toLine());
            for (String op : OPS) {
              assertTrue(!r.message().contains("operators: " + op + " (") && !r.message().contains("; " + op + " ("),
                  "one of this family's ops is reported unsupported: " + r.toLine());
            }
            return;
          }
          t[2]++;
          assertEquals(ConformanceStatus.PASS, r.status(), r.toLine());
        }));
      }
    }
    return tests.stream();
  }

  private static boolean usesOurOps(Path dir) {
    try {
      OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(dir.resolve("model.onnx")));
      return m.getGraph().getNodeList().stream().anyMatch(n -> OPS.contains(n.getOpType()) && n.getDomain().isEmpty());
    } catch (IOException e) {
      return false; // unreadable models are the importer suite's business
    }
  }
}
