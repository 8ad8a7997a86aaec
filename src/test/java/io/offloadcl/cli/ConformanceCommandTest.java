package io.offloadcl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.api.Tensor;
import io.offloadcl.api.TensorFile;
import io.offloadcl.testing.Requirements;
import io.offloadcl.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code offloadcl conformance} in-process over test folders made in a temp dir, and over the real suites. */
class ConformanceCommandTest {
  @TempDir
  Path root;

  /** A backend-test folder for the gemm+softmax model with the given expected logits. */
  private void testFolder(String name, float[] logits) throws IOException {
    Path t = Files.createDirectories(root.resolve(name).resolve("test_data_set_0"));
    Files.write(root.resolve(name).resolve("model.onnx"), TestModels.gemmSoftmax());
    TensorFile.write(t.resolve("input_0.pb"), "x", Tensor.ofFloats(new float[] {1, 2}, 1, 2));
    double p0 = 1 / (1 + Math.exp(2));
    TensorFile.write(t.resolve("output_0.pb"), "probs", Tensor.ofFloats(new float[] {(float) p0, (float) (1 - p0)}, 1, 2));
    TensorFile.write(t.resolve("output_1.pb"), "logits", Tensor.ofFloats(logits, 1, 2));
  }

  @Test
  void linePerTestSummaryLastAndExitCodes() throws IOException {
    testFolder("test_good", new float[] {7.5f, 9.5f});
    CliRunner.Result r = CliRunner.run("conformance", root.toString(), "--device", "java");
    assertEquals(0, r.code(), r.toString());
    List<String> lines = r.out().strip().lines().toList();
    assertEquals(2, lines.size(), r.toString());
    assertTrue(lines.get(0).startsWith("PASS") && lines.get(0).contains("test_good"), r.toString());
    assertEquals("conformance: 1 passed, 0 failed, 0 unsupported, 0 errors", lines.get(1));

    testFolder("test_bad", new float[] {7.5f, 9.6f});
    Path json = root.resolveSibling(root.getFileName() + "-report.json");
    r = CliRunner.run("conformance", root.toString(), "--json", json.toString());
    assertEquals(1, r.code(), r.toString());
    lines = r.out().strip().lines().toList();
    assertEquals(3, lines.size(), r.toString());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("FAIL") && l.contains("test_bad")), r.toString());
    assertEquals("conformance: 1 passed, 1 failed, 0 unsupported, 0 errors", lines.get(2));
    assertTrue(Files.readString(json).contains("\"failed\": 1"), Files.readString(json));
    Files.deleteIfExists(json);
  }

  @Test
  void badRootOrDeviceIsExitTwo() {
    CliRunner.Result r = CliRunner.run("conformance", root.resolve("missing").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().startsWith("error: conformance root not found"), r.toString());
    assertEquals(2, CliRunner.run("conformance").code());
    assertEquals(2, CliRunner.run("conformance", root.toString(), "--device", "auto").code());
  }

  @Test
  void sharedNodeSuitePassesWithoutFailuresOrErrors() {
    Path suite = Requirements.sharedTestData("onnx-node-v1.22");
    CliRunner.Result r = CliRunner.run("conformance", suite.toString());
    String last = r.out().strip().lines().reduce((a, b) -> b).orElse("");
    assertTrue(last.matches("conformance: \\d+ passed, 0 failed, \\d+ unsupported, 0 errors"), last);
    assertEquals(0, r.code(), last);
    assertTrue(Integer.parseInt(last.split(" ")[1]) >= 300, last);
  }

  @Test
  void debianNodeSuitePassesWithoutFailuresOrErrors() {
    Path suite = Requirements.debianOnnxNodeTests();
    CliRunner.Result r = CliRunner.run("conformance", suite.toString());
    String last = r.out().strip().lines().reduce((a, b) -> b).orElse("");
    assertTrue(last.matches("conformance: \\d+ passed, 0 failed, \\d+ unsupported, 0 errors"), last);
    assertEquals(0, r.code(), last);
  }
}
