package io.offloadcl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.onnx.OnnxTensors;
import io.offloadcl.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The memory planner reuses device buffers: on the shared models its peak stays below the sum of intermediates. */
@Tag("opencl")
class DeviceMemoryReportTest {
  @ParameterizedTest
  @ValueSource(strings = {"mnist-8-opt", "tribuo-cnn-mnist", "tribuo-tinybert"})
  void peakDeviceMemoryIsBelowTheSumOfIntermediates(String model) throws Exception {
    Requirements.assumeOrFailInCi(!Devices.list().isEmpty(), "an OpenCL device");
    Path dir = Requirements.sharedTestData("models/" + model);
    SessionOptions opts = SessionOptions.builder().device(SessionOptions.Device.OPENCL).build();
    try (InferenceSession s = InferenceSession.open(dir.resolve("model.onnx"), opts)) {
      List<Path> files;
      try (Stream<Path> l = Files.list(dir.resolve("test_data_set_0"))) {
        files = l.filter(p -> p.getFileName().toString().startsWith("input_")).sorted().collect(Collectors.toList());
      }
      Map<String, Tensor> feeds = new LinkedHashMap<>();
      for (int i = 0; i < files.size(); i++) {
        feeds.put(s.inputs().get(i).name(), Tensor.fromData(OnnxTensors.read(files.get(i)).data()));
      }
      s.run(feeds);
      Map<String, Long> c = s.backendCounters();
      assertTrue(c.containsKey("device_peak_bytes"), c.toString());
      long peak = c.get("device_peak_bytes");
      long all = c.get("intermediate_bytes");
      System.out.printf("%s: device peak %d B vs %d B of intermediates (%.0f%%)%n", model, peak, all, 100.0 * peak / all);
      assertTrue(peak > 0 && peak < all, model + ": " + c);
      assertEquals(0L, c.get("host_fallback_ops"), model + " should run entirely on OpenCL kernels: " + c);
    }
  }
}
