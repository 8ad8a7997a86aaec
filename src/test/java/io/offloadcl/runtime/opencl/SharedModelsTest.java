package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.onnx.NamedTensor;
import io.offloadcl.onnx.OnnxImporter;
import io.offloadcl.onnx.OnnxTensors;
import io.offloadcl.ops.OpCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The shared mnist model end to end on OpenCL against ONNX Runtime's expected output (rtol 1e-3, atol 1e-5). */
@Tag("opencl")
class SharedModelsTest {
  private static Path models() {
    String env = System.getenv("OFFLOADCL_SHARED");
    return (env != null ? Paths.get(env) : Paths.get("..", "shared")).resolve("testdata/models");
  }

  @Test
  void mnistReproducesTestDataSet0() {
    Path dir = models().resolve("mnist-8-opt");
    if (!Files.isDirectory(dir)) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError("shared test model missing: " + dir);
      }
      assumeTrue(false, "shared test model missing: " + dir);
    }
    ClDevice d = OpenClTestSupport.requireDevice();
    // Until the NN op specs are merged the importer rightly refuses this model; the test then has nothing to run.
    assumeTrue(OpCatalog.find("Conv") != null && OpCatalog.find("MaxPool") != null && OpCatalog.find("Gemm") != null,
        "the op catalog has no Conv/MaxPool/Gemm specs yet");
    Graph g = OnnxImporter.load(dir.resolve("model.onnx"));
    Map<String, TensorData> feeds = new LinkedHashMap<>();
    NamedTensor in = OnnxTensors.read(dir.resolve("test_data_set_0/input_0.pb"));
    Value gi = g.inputs().get(0);
    feeds.put(gi.name(), in.data());
    TensorData want = OnnxTensors.read(dir.resolve("test_data_set_0/output_0.pb")).data();
    try (ClContext ctx = ClContext.open(d); ProgramCache cache = new ProgramCache(ctx, null);
        OpenClExecutor ex = new OpenClExecutor(g, ctx, cache, OpenClExecutor.Options.defaults())) {
      System.out.println("mnist on OpenCL: " + ex.kernelSources().size() + " kernels, fallbacks " + ex.fallbacks()
          + "; " + ex.memoryPlan());
      TensorData got = ex.run(feeds).values().iterator().next();
      assertEquals(want.size(), got.size());
      for (int i = 0; i < want.size(); i++) {
        double w = want.getDouble(i);
        assertTrue(Math.abs(got.getDouble(i) - w) <= 1e-5 + 1e-3 * Math.abs(w),
            "output " + i + ": expected " + w + " got " + got.getDouble(i));
      }
    }
  }
}
