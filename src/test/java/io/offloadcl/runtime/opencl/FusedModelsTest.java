package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.api.GraphOptimizer;
import io.offloadcl.api.InferenceSession;
import io.offloadcl.api.SessionOptions;
import io.offloadcl.api.Tensor;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.onnx.OnnxTensors;
import io.offloadcl.testing.Requirements;
import io.offloadcl.onnx.NamedTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shared models optimized (fused ops in the graph) and run on OpenCL: through an {@link InferenceSession}
 * against ONNX Runtime's expected outputs (rtol 1e-3, atol 1e-5), and through the executor to check that every
 * node, fused ones included, got an OpenCL kernel.
 */
@Tag("opencl")
class FusedModelsTest {
  private static Path modelDir(String model) {
    return Requirements.sharedTestData("models/" + model);
  }

  private static Map<String, TensorData> feeds(Graph g, Path data) {
    Map<String, TensorData> feeds = new LinkedHashMap<>();
    for (int i = 0; i < g.inputs().size(); i++) {
      NamedTensor t = OnnxTensors.read(data.resolve("input_" + i + ".pb"));
      String name = t.name() != null && !t.name().isEmpty() ? t.name() : g.inputs().get(i).name();
      feeds.put(name, t.data());
    }
    return feeds;
  }

  @ParameterizedTest
  @ValueSource(strings = {"mnist-8-opt", "tribuo-cnn-mnist", "tribuo-tinybert"})
  void optimizedSessionOnOpenClReproducesTestDataSet0(String model) {
    Path dir = modelDir(model);
    OpenClTestSupport.requireDevice();
    Path data = dir.resolve("test_data_set_0");
    Graph g = GraphOptimizer.load(dir.resolve("model.onnx"));
    Map<String, TensorData> feeds = feeds(g, data);
    Map<String, Tensor> in = new LinkedHashMap<>();
    feeds.forEach((k, v) -> in.put(k, Tensor.fromData(v)));
    SessionOptions opts = SessionOptions.builder().device(SessionOptions.Device.OPENCL).optimize(true).build();
    try (InferenceSession s = InferenceSession.open(dir.resolve("model.onnx"), opts)) {
      Map<String, Tensor> got = s.run(in);
      int j = 0;
      for (String name : got.keySet()) {
        Path p = data.resolve("output_" + j++ + ".pb");
        if (!Files.exists(p)) {
          continue;
        }
        TensorData want = OnnxTensors.read(p).data();
        TensorData have = got.get(name).data();
        assertEquals(want.size(), have.size(), name);
        for (int i = 0; i < want.size(); i++) {
          double w = want.getDouble(i);
          double h = have.getDouble(i);
          assertTrue(Math.abs(h - w) <= 1e-5 + 1e-3 * Math.abs(w),
              model + " output " + name + "[" + i + "]: expected " + w + " got " + h);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mnist-8-opt", "tribuo-cnn-mnist", "tribuo-tinybert"})
  void everyNodeOfTheOptimizedModelHasAnOpenClKernel(String model) {
    Path dir = modelDir(model);
    ClDevice d = OpenClTestSupport.requireDevice();
    Graph g = GraphOptimizer.load(dir.resolve("model.onnx"));
    int before = g.nodes().size();
    GraphOptimizer.optimize(g);
    List<String> fused = g.nodes().stream().map(Node::opType).filter(t -> t.startsWith("Fused")).toList();
    assertTrue(!fused.isEmpty(), model + ": the pipeline fused nothing");
    Map<String, TensorData> feeds = feeds(g, dir.resolve("test_data_set_0"));
    try (ClContext ctx = ClContext.open(d); ProgramCache cache = new ProgramCache(ctx, null);
        OpenClModel m = new OpenClModel(g, ctx, cache, OpenClExecutor.Options.defaults())) {
      OpenClExecutor ex = m.executorFor(feeds);
      System.out.println(model + ": " + before + " -> " + g.nodes().size() + " nodes, fused " + fused + "; "
          + ex.kernelSources().size() + " kernels, fallbacks " + ex.fallbacks());
      assertTrue(ex.fallbacks().isEmpty(), model + " falls back to Java for " + ex.fallbacks());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"light_squeezenet", "light_resnet50"})
  void optimizedOnnxLightModelsRunWithoutFallbacks(String model) {
    Path f = Requirements.sharedTestData("onnx-light/" + model + ".onnx");
    ClDevice d = OpenClTestSupport.requireDevice();
    Graph g = GraphOptimizer.load(f);
    GraphOptimizer.optimize(g);
    Map<String, TensorData> feeds = new LinkedHashMap<>();
    for (io.offloadcl.ir.Value in : g.inputs()) {
      long[] dims = in.type().shape().dims().clone();
      for (int i = 0; i < dims.length; i++) {
        dims[i] = dims[i] < 0 ? 1 : dims[i];
      }
      TensorData t = TensorData.zeros(in.type().dtype(), dims);
      for (int i = 0; i < t.size(); i++) {
        t.setDouble(i, (double) i / t.size());
      }
      feeds.put(in.name(), t);
    }
    try (ClContext ctx = ClContext.open(d); ProgramCache cache = new ProgramCache(ctx, null);
        OpenClModel m = new OpenClModel(g, ctx, cache, OpenClExecutor.Options.defaults())) {
      OpenClExecutor ex = m.executorFor(feeds);
      java.util.Map<String, Long> kinds = new java.util.TreeMap<>();
      g.nodes().forEach(nd -> kinds.merge(nd.opType(), 1L, Long::sum));
      System.out.println(model + ": " + g.nodes().size() + " nodes " + kinds + "; fallbacks " + ex.fallbacks());
      assertTrue(ex.fallbacks().isEmpty(), model + " falls back to Java for " + ex.fallbacks());
      assertEquals(g.outputs().size(), ex.run(feeds).size());
    }
  }
}
