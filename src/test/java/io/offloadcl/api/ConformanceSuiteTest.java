package io.offloadcl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The ONNX backend node tests (ONNX 1.22 set and Debian's libonnx-testdata) on the Java reference executor:
 * no test may FAIL or ERROR; ops we do not support are UNSUPPORTED. Under CI a missing suite fails.
 * The JSON report lands in {@code target/conformance-reference.json}.
 */
class ConformanceSuiteTest {

  private static Path shared() {
    String env = System.getenv("OFFLOADCL_SHARED");
    return env != null ? Paths.get(env) : Paths.get("..", "shared");
  }

  private static boolean ci() {
    return io.offloadcl.ir.Settings.isCi();
  }

  @Test
  void referenceExecutorPassesTheNodeSuites() {
    List<Path> roots = new ArrayList<>();
    for (Path root : List.of(shared().resolve("testdata/onnx-node-v1.22"), Paths.get("/usr/share/libonnx-testdata/data/node"))) {
      if (Files.isDirectory(root)) {
        roots.add(root);
      } else {
        assertFalse(ci(), "conformance suite missing under CI: " + root);
        System.out.println("conformance suite not installed, skipped: " + root);
      }
    }
    org.junit.jupiter.api.Assumptions.assumeFalse(roots.isEmpty(), "no conformance suite installed");
    ConformanceResult r = new ConformanceRunner(ConformanceBackend.reference()).run(roots);
    r.writeJson(Paths.get("target/conformance-reference.json"));
    System.out.println(r.summary());
    assertTrue(r.total() >= 300 * roots.size(), "only " + r.total() + " tests found under " + roots);
    List<String> bad = r.tests().stream()
        .filter(t -> t.status() == ConformanceStatus.FAIL || t.status() == ConformanceStatus.ERROR)
        .map(ConformanceTestResult::toLine).collect(Collectors.toList());
    bad.stream().limit(60).forEach(System.out::println);
    assertEquals(0, r.failed() + r.errors(), r.summary() + "; first: " + bad.stream().limit(20).collect(Collectors.toList()));
  }

  /** The real models carry ONNX Runtime's outputs, checked at rtol 1e-3 / atol 1e-5 (see their SOURCE.txt). */
  @Test
  void referenceExecutorMatchesOnnxRuntimeOnTheRealModels() {
    Path models = shared().resolve("testdata/models");
    if (!Files.isDirectory(models)) {
      assertFalse(ci(), "models missing under CI: " + models);
      org.junit.jupiter.api.Assumptions.assumeTrue(false, "no models at " + models);
    }
    List<String> lines = new ArrayList<>();
    ConformanceResult r = new ConformanceRunner(ConformanceBackend.reference()).tolerance(1e-3, 1e-5)
        .listener(t -> lines.add(t.toLine())).run(List.of(models));
    lines.forEach(System.out::println);
    System.out.println(r.summary());
    assertEquals(3, r.total(), "mnist-8-opt, tribuo-cnn-mnist, tribuo-tinybert");
    assertEquals(0, r.failed() + r.errors(), String.join("\n", lines));
  }
}
