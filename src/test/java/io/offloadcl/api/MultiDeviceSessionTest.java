package io.offloadcl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.runtime.opencl.OpenClPlatforms;
import io.offloadcl.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sessions opened with profiles run the shared models on Java CPU + POCL and reproduce ONNX Runtime's expected
 * outputs (rtol 1e-3, atol 1e-5), tinybert's dynamic dims included (specialized per input shape), and tell the
 * timing listener after every run.
 */
@Tag("opencl")
class MultiDeviceSessionTest {
  @ParameterizedTest
  @ValueSource(strings = {"mnist-8-opt", "tribuo-cnn-mnist", "tribuo-tinybert"})
  void sharedModelOnJavaAndPocl(String model) {
    Requirements.assumeOrFailInCi(!OpenClPlatforms.devices().isEmpty(), "an OpenCL platform (POCL)");
    Path dir = Requirements.sharedTestData("models/" + model);
    Requirements.assumeOrFailInCi(Files.isDirectory(dir), "shared model " + dir);
    List<RunTimings> told = new ArrayList<>();
    SessionOptions opts = SessionOptions.builder().profiles(List.of("java-cpu", "pocl-cpu")).strategy("heft")
        .timingListener(told::add).build();
    try (InferenceSession s = InferenceSession.open(dir.resolve("model.onnx"), opts)) {
      Map<String, Tensor> feeds = new LinkedHashMap<>();
      for (int i = 0; i < s.inputs().size(); i++) {
        TensorFile f = TensorFile.read(dir.resolve("test_data_set_0/input_" + i + ".pb"));
        feeds.put(s.inputs().get(i).name(), f.tensor());
      }
      Map<String, Tensor> got = s.run(feeds);
      int j = 0;
      for (Map.Entry<String, Tensor> e : got.entrySet()) {
        Path p = dir.resolve("test_data_set_0/output_" + j++ + ".pb");
        if (!Files.exists(p)) {
          continue;
        }
        float[] want = TensorFile.read(p).tensor().toFloatArray();
        float[] have = e.getValue().toFloatArray();
        assertEquals(want.length, have.length, e.getKey());
        for (int i = 0; i < want.length; i++) {
          assertTrue(Math.abs(want[i] - have[i]) <= 1e-5 + 1e-3 * Math.abs(want[i]),
              model + " " + e.getKey() + "[" + i + "]: expected " + want[i] + " got " + have[i]);
        }
      }
      assertEquals(1, told.size());
      assertTrue(told.get(0).measuredMs() > 0 && told.get(0).toJson().contains("\"segments\""));
      assertTrue(s.device().startsWith("multi[heft]:java-cpu=java+pocl-cpu=opencl#"), s.device());
    }
  }
}
