package io.offloadcl.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.offloadcl.api.Tensor;
import io.offloadcl.api.TensorFile;
import io.offloadcl.runtime.opencl.OpenClPlatforms;
import io.offloadcl.testing.Requirements;
import io.offloadcl.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code offloadcl run --profiles java-cpu,pocl-cpu}: the outputs of one device, and the timing report. */
@Tag("opencl")
class RunMultiDeviceCommandTest {
  @TempDir
  Path dir;

  @Test
  void runsOnJavaAndPoclAndWritesTheReport() throws Exception {
    Requirements.assumeOrFailInCi(!OpenClPlatforms.devices().isEmpty(), "an OpenCL platform (POCL)");
    Path model = dir.resolve("model.onnx");
    Files.write(model, TestModels.squareAddRelu());
    Path inputs = Files.createDirectories(dir.resolve("inputs"));
    TensorFile.write(inputs.resolve("input_0.pb"), "x", Tensor.ofFloats(new float[] {1, 2, 3, -1, 0, -2}, 2, 3));
    Path report = dir.resolve("report.json");
    CliRunner.Result r = CliRunner.run("run", model.toString(), "--inputs-dir", inputs.toString(), "--output-dir",
        dir.resolve("out").toString(), "--profiles", "java-cpu,pocl-cpu", "--strategy", "heft", "--repeat", "3",
        "--report", report.toString());
    assertEquals(0, r.code(), r.toString());
    assertArrayEquals(new float[] {2, 2, 9.5f, 2, 0, 4.5f},
        TensorFile.read(dir.resolve("out/output_0.pb")).tensor().toFloatArray());
    assertTrue(r.out().contains("predicted ms") && r.out().contains("mean |error|"), r.toString());
    JsonObject o = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
    assertEquals("heft", o.get("strategy").getAsString());
    assertTrue(o.getAsJsonArray("segments").size() >= 1, o.toString());
    assertTrue(o.get("measuredMs").getAsDouble() > 0, o.toString());
  }

  @Test
  void reportWithoutProfilesIsAUsageError() {
    CliRunner.Result r = CliRunner.run("run", "m.onnx", "--inputs-dir", dir.toString(), "--output-dir",
        dir.resolve("o").toString(), "--report", "r.json");
    assertTrue(r.code() != 0 && r.toString().contains("--report needs --profiles"), r.toString());
  }
}
