package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.onnx.NamedTensor;
import io.offloadcl.onnx.OnnxImporter;
import io.offloadcl.onnx.OnnxTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shared mnist model end to end on OpenCL against ONNX Runtime's expected output (rtol 1e-3, atol 1e-5). */
@Tag("opencl")
class SharedModelsTest {
  private static Path models() {
    String env = System.getenv("OFFLOADCL_SHARED");
    return (env != null ? Paths.get(env) : Paths.get("..", "shared")).resolve("testdata/models");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mnist-8-opt", "tribuo-cnn-mnist", "tribuo-tinybert"})
  void reproducesTestDataSet0(String model) throws Exception {
    Path dir = models().resolve(model);
    io.offloadcl.testing.Requirements.assumeOrFailInCi(Files.isDirectory(dir), "shared test model " + dir);
    ClDevice d = OpenClTestSupport.requireDevice();
    Graph g = OnnxImporter.load(dir.resolve("model.onnx"));
    Path data = dir.resolve("test_data_set_0");
    Map<String, TensorData> feeds = new LinkedHashMap<>();
    for (int i = 0; i < g.inputs().size(); i++) {
      NamedTensor t = OnnxTensors.read(data.resolve("input_" + i + ".pb"));
      String name = t.name() != null && !t.name().isEmpty() ? t.name() : g.inputs().get(i).name();
      feeds.put(name, t.data());
    }
    try (ClContext ctx = ClContext.open(d); ProgramCache cache = new ProgramCache(ctx, null);
        OpenClModel m = new OpenClModel(g, ctx, cache, OpenClExecutor.Options.defaults())) {
      OpenClExecutor ex = m.executorFor(feeds);
      System.out.println(model + " on OpenCL: " + ex.kernelSources().size() + " kernels, fallbacks "
          + ex.fallbacks().keySet() + "; " + ex.memoryPlan());
      Map<String, TensorData> got = ex.run(feeds);
      int j = 0;
      for (Value o : g.outputs()) {
        Path p = data.resolve("output_" + j++ + ".pb");
        if (!Files.exists(p)) {
          continue;
        }
        TensorData want = OnnxTensors.read(p).data();
        TensorData have = got.get(o.name());
        assertEquals(want.size(), have.size(), o.name());
        for (int i = 0; i < want.size(); i++) {
          double w = want.getDouble(i);
          double h = have.getDouble(i);
          assertTrue(Math.abs(h - w) <= 1e-5 + 1e-3 * Math.abs(w),
              model + " output " + o.name() + "[" + i + "]: expected " + w + " got " + h);
        }
      }
    }
  }
}
