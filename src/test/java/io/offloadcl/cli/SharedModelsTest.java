package io.offloadcl.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.api.Tensor;
import io.offloadcl.api.TensorFile;
import io.offloadcl.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import io.offloadcl.runtime.opencl.OpenClPlatforms;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code offloadcl run --device java} reproduces test_data_set_0 of the three real models in the shared test
 * data (expected outputs from ONNX Runtime) within rtol 1e-3 / atol 1e-5.
 */
class SharedModelsTest {
  static final double RTOL = 1e-3;
  static final double ATOL = 1e-5;

  @ParameterizedTest
  @ValueSource(strings = {"mnist-8-opt", "tribuo-cnn-mnist", "tribuo-tinybert"})
  void runReproducesTestDataSet0(String name, @TempDir Path tmp) throws Exception {
    check(name, "java", tmp);
  }

  /**
   * On OpenCL: mnist-8-opt has static shapes, tribuo-cnn-mnist a dynamic batch (compiled for the run's shape);
   * tinybert's shapes depend on computed values, so it goes through {@code auto}, which keeps it on Java.
   */
  @Tag("opencl")
  @ParameterizedTest
  @ValueSource(strings = {"mnist-8-opt:opencl", "tribuo-cnn-mnist:opencl", "tribuo-tinybert:auto"})
  void openClReproducesTestDataSet0(String modelAndDevice, @TempDir Path tmp) throws Exception {
    Requirements.assumeOrFailInCi(!OpenClPlatforms.devices().isEmpty(), "an OpenCL device");
    String[] md = modelAndDevice.split(":");
    check(md[0], md[1], tmp);
  }

  private static void check(String name, String device, Path tmp) throws Exception {
    Path dir = Requirements.sharedTestData("models/" + name);
    Path data = dir.resolve("test_data_set_0");
    Path out = tmp.resolve("out");
    CliRunner.Result r = CliRunner.run("run", dir.resolve("model.onnx").toString(), "--inputs-dir", data.toString(),
        "--output-dir", out.toString(), "--device", device);
    assertEquals(0, r.code(), r.toString());
    int k = 0;
    for (; Files.exists(data.resolve("output_" + k + ".pb")); k++) {
      TensorFile want = TensorFile.read(data.resolve("output_" + k + ".pb"));
      TensorFile got = TensorFile.read(out.resolve("output_" + k + ".pb"));
      if (!want.name().isEmpty()) {
        assertEquals(want.name(), got.name(), name + " output " + k);
      }
      assertClose(name + " output " + k + " (" + got.name() + ")", want.tensor(), got.tensor());
    }
    assertTrue(k > 0, "no expected outputs in " + data);
    assertTrue(!Files.exists(out.resolve("output_" + k + ".pb")), name + " wrote more outputs than expected");
  }

  static void assertClose(String what, Tensor want, Tensor got) {
    assertEquals(want.dtype(), got.dtype(), what + " dtype");
    assertArrayEquals(want.shape(), got.shape(), what + " shape");
    double[] w = want.toDoubleArray();
    double[] g = got.toDoubleArray();
    int bad = 0;
    String first = null;
    for (int i = 0; i < w.length; i++) {
      if (!(Math.abs(g[i] - w[i]) <= ATOL + RTOL * Math.abs(w[i]))) {
        if (first == null) {
          first = "element " + i + ": expected " + w[i] + ", got " + g[i];
        }
        bad++;
      }
    }
    assertEquals(0, bad, what + ": " + bad + " of " + w.length + " elements outside rtol " + RTOL + " / atol " + ATOL + "; first " + first);
  }
}
