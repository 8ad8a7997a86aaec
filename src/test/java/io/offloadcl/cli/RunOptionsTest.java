package io.offloadcl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.api.Devices;
import io.offloadcl.ir.TensorData;
import io.offloadcl.onnx.OnnxTensors;
import io.offloadcl.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run}'s switches: --dump-kernels, --no-optimize, --strict, --int8. */
class RunOptionsTest {
  @TempDir
  Path tmp;

  private static Path mnist() {
    return Requirements.sharedTestData("models/mnist-8-opt");
  }

  private static int argmax(TensorData t) {
    int best = 0;
    for (int i = 1; i < t.size(); i++) {
      if (t.getDouble(i) > t.getDouble(best)) {
        best = i;
      }
    }
    return best;
  }

  @Test
  @Tag("opencl")
  void dumpKernelsWritesEveryBuiltKernelAndStrictRuns() throws Exception {
    Requirements.assumeOrFailInCi(!Devices.list().isEmpty(), "an OpenCL device");
    Path m = mnist();
    Path dump = tmp.resolve("kernels");
    CliRunner.Result r = CliRunner.run("run", m.resolve("model.onnx").toString(), "--inputs-dir",
        m.resolve("test_data_set_0").toString(), "--output-dir", tmp.resolve("out").toString(), "--device", "opencl",
        "--no-optimize", "--strict", "--dump-kernels", dump.toString());
    assertEquals(0, r.code(), r.toString());
    try (Stream<Path> s = Files.list(dump)) {
      long kernels = s.filter(p -> p.toString().endsWith(".cl")).count();
      assertTrue(kernels >= 5, "expected a kernel per compute node of mnist-8-opt, got " + kernels);
    }
    try (Stream<Path> s = Files.list(dump)) {
      Path conv = s.filter(p -> p.getFileName().toString().contains("Conv")).findFirst().orElseThrow();
      assertTrue(Files.readString(conv).contains("__kernel"), conv.toString());
    }
  }

  @Test
  void int8RunAgreesWithFp32OnTheDigit() throws Exception {
    Path m = mnist();
    Path calib = tmp.resolve("calib.json");
    CliRunner.Result q = CliRunner.run("quantize", m.resolve("model.onnx").toString(), "--calibration", "generated:60",
        "--method", "entropy", "--out", calib.toString());
    assertEquals(0, q.code(), q.toString());
    CliRunner.Result fp = CliRunner.run("run", m.resolve("model.onnx").toString(), "--inputs-dir",
        m.resolve("test_data_set_0").toString(), "--output-dir", tmp.resolve("fp32").toString(), "--device", "java");
    CliRunner.Result i8 = CliRunner.run("run", m.resolve("model.onnx").toString(), "--inputs-dir",
        m.resolve("test_data_set_0").toString(), "--output-dir", tmp.resolve("int8").toString(), "--device", "java",
        "--int8", calib.toString());
    assertEquals(0, fp.code(), fp.toString());
    assertEquals(0, i8.code(), i8.toString());
    TensorData a = OnnxTensors.read(tmp.resolve("fp32/output_0.pb")).data();
    TensorData b = OnnxTensors.read(tmp.resolve("int8/output_0.pb")).data();
    assertEquals(7, argmax(a));
    assertEquals(argmax(a), argmax(b), "int8 and fp32 disagree on the digit");
  }

  @Test
  void int8WithAForeignCalibrationFileIsExitTwoNamingTheTensor() throws Exception {
    Path m = mnist();
    Path bad = tmp.resolve("bad.json");
    Files.writeString(bad, "{\"method\":\"entropy\",\"tensors\":{\"no_such_tensor\":{\"scale\":0.1,\"threshold\":12.7}}}");
    CliRunner.Result r = CliRunner.run("run", m.resolve("model.onnx").toString(), "--inputs-dir",
        m.resolve("test_data_set_0").toString(), "--output-dir", tmp.resolve("o").toString(), "--device", "java",
        "--int8", bad.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("bad.json"), r.toString());
    assertTrue(Files.notExists(tmp.resolve("o")), "no output folder on error");
  }
}
