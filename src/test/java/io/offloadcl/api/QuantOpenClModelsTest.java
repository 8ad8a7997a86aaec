package io.offloadcl.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import io.offloadcl.onnx.OnnxImporter;
import io.offloadcl.quant.CalibrationFile;
import io.offloadcl.quant.CalibrationMethod;
import io.offloadcl.quant.Calibrator;
import io.offloadcl.quant.SyntheticInputs;
import io.offloadcl.runtime.opencl.OpenClPlatforms;
import io.offloadcl.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shared MNIST models quantized and run with {@code --int8} on OpenCL in strict mode (every int8 op is an
 * OpenCL kernel, no Java fallback): the outputs equal the Java int8 run's. The int8 part is bit-exact
 * (QuantOpsClTest); only the fp32 ops after the last dequantization (a float Gemm or Softmax, whose float
 * sums may be ordered differently) leave room for float rounding, hence the tolerance on the float outputs.
 */
@Tag("opencl")
class QuantOpenClModelsTest {
  @TempDir
  Path tmp;

  @BeforeEach
  void needsDevice() {
    Requirements.assumeOrFailInCi(!OpenClPlatforms.devices().isEmpty(),
        "an OpenCL device (" + OpenClPlatforms.unavailableReason() + ")");
  }

  static Path model(String name) {
    String shared = System.getenv("OFFLOADCL_SHARED");
    Path root = shared != null ? Path.of(shared) : Path.of("..", "shared");
    Path p = root.resolve("testdata/models").resolve(name).resolve("model.onnx");
    assertTrue(Files.isRegularFile(p), "missing shared model " + p);
    return p;
  }

  @ParameterizedTest
  @ValueSource(strings = {"mnist-8-opt", "tribuo-cnn-mnist"})
  void int8OnOpenClMatchesJavaInt8(String name) {
    Path onnx = model(name);
    Graph fp32 = OnnxImporter.load(onnx);
    CalibrationFile calib = new Calibrator(fp32, new QuantRunner())
        .calibrate(SyntheticInputs.forModel(fp32, 20, 1), "generated", EnumSet.of(CalibrationMethod.ENTROPY))
        .get(CalibrationMethod.ENTROPY);
    Path file = tmp.resolve(name + ".json");
    calib.save(file);
    List<Map<String, TensorData>> inputs = SyntheticInputs.forModel(fp32, 8, 2);
    SessionOptions java = SessionOptions.builder().device("java").int8(file).build();
    SessionOptions cl = SessionOptions.builder().device("opencl").strict(true).int8(file).build();
    try (InferenceSession j = InferenceSession.open(onnx, java); InferenceSession o = InferenceSession.open(onnx, cl)) {
      assertTrue(o.device().startsWith("opencl:"), o.device());
      for (Map<String, TensorData> in : inputs) {
        Map<String, Tensor> feeds = new HashMap<>();
        in.forEach((k, v) -> feeds.put(k, Tensor.fromData(v)));
        Map<String, Tensor> want = j.run(feeds);
        Map<String, Tensor> got = o.run(feeds);
        assertEquals(want.keySet(), got.keySet());
        for (String out : want.keySet()) {
          float[] w = want.get(out).toFloatArray();
          float[] g = got.get(out).toFloatArray();
          float tol = 1e-5f;
          for (float v : w) {
            tol = Math.max(tol, Math.abs(v) * 1e-5f);
          }
          assertArrayEquals(w, g, tol, name + " output " + out);
          assertEquals(argmax(w), argmax(g), name + " top-1 of " + out);
        }
      }
    }
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
