package io.offloadcl.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.api.Tensor;
import io.offloadcl.api.TensorFile;
import io.offloadcl.runtime.opencl.OpenClPlatforms;
import io.offloadcl.testing.Requirements;
import io.offloadcl.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code offloadcl run}, {@code info} and {@code demo} in-process on models built in code. */
class RunCommandTest {
  @TempDir
  Path dir;
  Path model;
  Path inputs;
  Path out;

  @BeforeEach
  void writeModel() throws IOException {
    model = dir.resolve("model.onnx");
    Files.write(model, TestModels.squareAddRelu());
    inputs = Files.createDirectories(dir.resolve("inputs"));
    out = dir.resolve("out");
  }

  private CliRunner.Result run(String... extra) {
    String[] base = {"run", model.toString(), "--inputs-dir", inputs.toString(), "--output-dir", out.toString(), "--device", "java"};
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return CliRunner.run(all);
  }

  @Test
  void writesEveryOutputNamedAfterTheModelsOutputs() {
    TensorFile.write(inputs.resolve("input_0.pb"), "x", Tensor.ofFloats(new float[] {1, 2, 3, -1, 0, -2}, 2, 3));
    CliRunner.Result r = run("--repeat", "3");
    assertEquals(0, r.code(), r.toString());
    TensorFile z = TensorFile.read(out.resolve("output_0.pb"));
    TensorFile sq = TensorFile.read(out.resolve("output_1.pb"));
    assertEquals("z", z.name());
    assertEquals("sq", sq.name());
    assertArrayEquals(new float[] {2, 2, 9.5f, 2, 0, 4.5f}, z.tensor().toFloatArray());
    assertArrayEquals(new long[] {2, 3}, z.tensor().shape());
    assertArrayEquals(new float[] {1, 4, 9, 1, 0, 4}, sq.tensor().toFloatArray());
    assertTrue(r.out().contains("output_0.pb  z  float32[2,3]  [2.00000, 2.00000, 9.50000"), r.toString());
    assertTrue(r.out().contains("median") && r.out().contains("over 3 runs"), r.toString());
    assertEquals("", r.err());
  }

  @Test
  void unnamedInputsMatchByPositionAndExistingFolderIsUpdated() throws IOException {
    TensorFile.write(inputs.resolve("input_0.pb"), "", Tensor.ofFloats(new float[] {0.5f, 1, -3}, 1, 3));
    Files.createDirectories(out);
    Files.writeString(out.resolve("keep.txt"), "mine");
    CliRunner.Result r = run();
    assertEquals(0, r.code(), r.toString());
    assertArrayEquals(new float[] {1.25f, 0, 9.5f}, TensorFile.read(out.resolve("output_0.pb")).tensor().toFloatArray());
    assertEquals("mine", Files.readString(out.resolve("keep.txt")));
    assertNoTempLeft();
  }

  @Test
  void misshapenInputIsOneLineErrorAndNoOutputFolder() throws IOException {
    TensorFile.write(inputs.resolve("input_0.pb"), "x", Tensor.ofFloats(new float[4], 1, 4));
    CliRunner.Result r = run();
    assertEquals(2, r.code(), r.toString());
    String err = r.err().strip();
    assertFalse(err.contains("\n"), r.toString());
    assertTrue(err.startsWith("error: ") && err.contains("'x'") && err.contains("float32[batch,3]") && err.contains("float32[1,4]"),
        r.toString());
    assertFalse(Files.exists(out), "output folder must not be created on error");
    assertNoTempLeft();
  }

  @Test
  void wrongDtypeMissingAndExtraInputsNameTheInput() throws IOException {
    TensorFile.write(inputs.resolve("input_0.pb"), "x", Tensor.ofLongs(new long[3], 1, 3));
    CliRunner.Result r = run();
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("'x'") && r.err().contains("int64"), r.toString());

    Files.delete(inputs.resolve("input_0.pb"));
    r = run();
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().startsWith("error: missing input 'x'"), r.toString());

    TensorFile.write(inputs.resolve("input_0.pb"), "x", Tensor.ofFloats(new float[3], 1, 3));
    TensorFile.write(inputs.resolve("input_1.pb"), "y", Tensor.ofFloats(new float[3], 1, 3));
    r = run();
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("extra input file input_1.pb"), r.toString());
    assertFalse(Files.exists(out));
  }

  @Test
  void existingOutputFolderIsUntouchedOnError() throws IOException {
    Files.createDirectories(out);
    Files.writeString(out.resolve("output_0.pb"), "old");
    TensorFile.write(inputs.resolve("input_0.pb"), "x", Tensor.ofFloats(new float[2], 1, 2));
    CliRunner.Result r = run();
    assertEquals(2, r.code(), r.toString());
    assertEquals("old", Files.readString(out.resolve("output_0.pb")));
    try (Stream<Path> s = Files.list(out)) {
      assertEquals(1, s.count());
    }
    assertNoTempLeft();
  }

  @Test
  void missingInputsDirAndBadModel() throws IOException {
    CliRunner.Result r = CliRunner.run("run", model.toString(), "--inputs-dir", dir.resolve("nope").toString(), "--output-dir", out.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("inputs directory not found"), r.toString());
    Path junk = dir.resolve("junk.onnx");
    Files.write(junk, new byte[] {1, 2, 3, 4, 5});
    r = CliRunner.run("run", junk.toString(), "--inputs-dir", inputs.toString(), "--output-dir", out.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().startsWith("error: ") && r.err().strip().lines().count() == 1, r.toString());
    assertFalse(Files.exists(out));
  }

  @Test
  void unwritableOutputLocationIsAOneLineError() throws IOException {
    TensorFile.write(inputs.resolve("input_0.pb"), "x", Tensor.ofFloats(new float[3], 1, 3));
    Path blocker = dir.resolve("blocker");
    Files.writeString(blocker, "a file where a folder should be");
    out = blocker.resolve("out");
    CliRunner.Result r = run();
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().startsWith("error: ") && r.err().strip().lines().count() == 1, r.toString());
  }

  @Test
  void infoShowsOpsAndMetadata() {
    CliRunner.Result r = CliRunner.run("info", model.toString());
    assertEquals(0, r.code(), r.toString());
    for (String s : List.of("x: float32[batch,3]", "nodes: 3", "Mul", "Relu", "ai.onnx 17", "constants: 1 (3 elements)")) {
      assertTrue(r.out().contains(s), s + " missing in\n" + r);
    }
    // shape inference may or may not carry the symbol through to the outputs; the dim stays dynamic either way
    assertTrue(r.out().contains("z: float32[batch,3]") || r.out().contains("z: float32[?,3]"), r.toString());
  }

  @Test
  void demoRunsTheEmbeddedCnn() {
    Path saved = dir.resolve("demo/model.onnx");
    CliRunner.Result r = CliRunner.run("demo", "--device", "java", "--repeat", "3", "--save-model", saved.toString());
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("probabilities: 0="), r.toString());
    assertTrue(r.out().contains("argmax: class "), r.toString());
    assertTrue(r.out().contains("over 3 runs"), r.toString());
    assertTrue(Files.isRegularFile(saved));
    CliRunner.Result again = CliRunner.run("demo", "--device", "java", "--repeat", "1");
    String probs = line(r.out(), "probabilities:");
    assertEquals(probs, line(again.out(), "probabilities:"), "the demo is deterministic");
  }

  @Tag("opencl")
  @Test
  void openclRunsADynamicGraphPerInputShape() {
    Requirements.assumeOrFailInCi(!OpenClPlatforms.devices().isEmpty(), "an OpenCL device");
    TensorFile.write(inputs.resolve("input_0.pb"), "x", Tensor.ofFloats(new float[] {0.5f, 1, -3}, 1, 3));
    CliRunner.Result r = CliRunner.run("run", model.toString(), "--inputs-dir", inputs.toString(), "--output-dir",
        out.toString(), "--device", "opencl");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("on device opencl:"), r.toString());
    assertArrayEquals(new float[] {1.25f, 0, 9.5f}, TensorFile.read(out.resolve("output_0.pb")).tensor().toFloatArray(), 1e-6f);
  }

  private static String line(String text, String prefix) {
    return text.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("<none>");
  }

  private void assertNoTempLeft() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      List<String> left = s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp-")).toList();
      assertTrue(left.isEmpty(), "temp folders left: " + left);
    }
  }
}
