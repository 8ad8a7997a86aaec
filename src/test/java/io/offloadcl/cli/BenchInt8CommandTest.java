package io.offloadcl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.api.Devices;
import io.offloadcl.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench --int8 CALIB.json}: the model is timed quantized, on OpenCL kernels only, and labelled so. */
@Tag("opencl")
class BenchInt8CommandTest {
  @TempDir
  Path tmp;

  @Test
  void benchTimesTheQuantizedModelWithoutJavaFallback() throws Exception {
    Requirements.assumeOrFailInCi(!Devices.list().isEmpty(), "an OpenCL device");
    Path m = Requirements.sharedTestData("models/mnist-8-opt").resolve("model.onnx");
    Path calib = tmp.resolve("calib.json");
    CliRunner.Result q = CliRunner.run("quantize", m.toString(), "--calibration", "generated:20", "--method",
        "entropy", "--out", calib.toString());
    assertEquals(0, q.code(), q.toString());
    Path json = tmp.resolve("bench.json");
    CliRunner.Result b = CliRunner.run("bench", m.toString(), "--int8", calib.toString(), "--runs", "3", "--warmup",
        "1", "--json", json.toString());
    assertEquals(0, b.code(), b.toString());
    assertTrue(b.out().contains("| mnist-8-opt | opencl int8 ("), b.toString());
    String report = Files.readString(json);
    assertTrue(report.replace(" ", "").contains("\"hostFallbackOps\":0"), report);
    // the per-node profile times the quantized graph the run launches, not the fp32 one
    Path prof = tmp.resolve("profile.json");
    CliRunner.Result p = CliRunner.run("bench", m.toString(), "--int8", calib.toString(), "--runs", "2", "--warmup",
        "1", "--profile", "--json", prof.toString());
    assertEquals(0, p.code(), p.toString());
    String profile = Files.readString(prof);
    assertTrue(profile.contains("QConvInt8") && profile.contains("QuantizeInt8"), profile);
  }
}
