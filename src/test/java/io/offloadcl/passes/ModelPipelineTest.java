package io.offloadcl.passes;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.GraphVerifier;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.onnx.NamedTensor;
import io.offloadcl.onnx.OnnxImporter;
import io.offloadcl.onnx.OnnxTensors;
import io.offloadcl.ops.ShapeInference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The default pipeline on real models, verifying the graph after every pass: the shared models with their
 * test inputs (optimized vs unoptimized on the reference executor) and the onnx-light ImageNet graphs
 * (structure; their ConstantOfShape weights fold to constants). Prints node counts before → after.
 */
class ModelPipelineTest {
  static Path shared() {
    String env = System.getenv("OFFLOADCL_SHARED");
    return env != null ? Paths.get(env) : Paths.get("..", "shared");
  }

  static Path model(String name) {
    Path p = name.startsWith("light_") ? shared().resolve("testdata/onnx-light/" + name + ".onnx")
        : shared().resolve("testdata/models/" + name + "/model.onnx");
    io.offloadcl.testing.Requirements.assumeOrFailInCi(Files.isRegularFile(p), "shared model " + p);
    return p;
  }

  @ParameterizedTest
  @ValueSource(strings = {"mnist-8-opt", "tribuo-cnn-mnist", "tribuo-tinybert"})
  void sharedModelsKeepTheirOutputs(String name) {
    Path file = model(name);
    Map<String, TensorData> inputs = new LinkedHashMap<>();
    Graph probe = OnnxImporter.load(file);
    for (int i = 0; ; i++) {
      Path pb = file.getParent().resolve("test_data_set_0/input_" + i + ".pb");
      if (!Files.isRegularFile(pb)) {
        break;
      }
      NamedTensor t = OnnxTensors.read(pb);
      String in = t.name() == null || t.name().isEmpty() ? probe.inputs().get(i).name() : t.name();
      inputs.put(in, t.data());
    }
    Graph before = OnnxImporter.load(file);
    Graph after = OnnxImporter.load(file);
    PassReport r = new PassManager(DefaultPipeline.create()).run(after, PassTesting.context(DeviceCapabilities.ALL));
    GraphVerifier.verify(after);
    report(name, r, after);
    PassTesting.assertSameOutputs(before, after, inputs);

    Graph fixed = OnnxImporter.load(file);
    specialize(fixed, inputs);
    PassReport rf = new PassManager(DefaultPipeline.create()).run(fixed, PassTesting.context(DeviceCapabilities.ALL));
    report(name + " (inputs fixed to the test shapes)", rf, fixed);
    PassTesting.assertSameOutputs(before, fixed, inputs);
    // static shapes let LowerConvToIm2ColGemm fire, which adds an Im2Col and a Reshape view per conv it lowers
    long lowered = fixed.nodes().stream().filter(n -> n.opType().equals("Im2Col")).count();
    // and a lowered (pointwise) conv keeps the MaxPool that FuseMaxPoolIntoConv joins to an unlowered one
    long keptPools = fixed.nodes().stream().filter(n -> n.opType().equals("MaxPool")).count()
        - after.nodes().stream().filter(n -> n.opType().equals("MaxPool")).count();
    assertTrue(rf.nodesAfter() - 2 * lowered - keptPools <= r.nodesAfter(), rf.nodesAfter() + " nodes with fixed"
        + " shapes, " + lowered + " lowered convs, " + keptPools + " pools kept; " + r.nodesAfter() + " nodes dynamic");
    assertMatchesOnnxRuntime(file, fixed, inputs);
  }

  @ParameterizedTest
  @ValueSource(strings = {"light_squeezenet", "light_resnet50", "light_shufflenet", "light_inception_v1"})
  void lightImageNetModelsOptimizeAndVerify(String name) {
    Graph g = OnnxImporter.load(model(name));
    PassReport r = new PassManager(DefaultPipeline.create()).run(g, PassTesting.context(DeviceCapabilities.ALL));
    GraphVerifier.verify(g);
    report(name, r, g);
    assertTrue(r.nodesAfter() < r.nodesBefore(), r.toTable());
  }

  /** The optimized graph against ONNX Runtime's expected outputs (rtol 1e-3, atol 1e-5, as the suite says). */
  static void assertMatchesOnnxRuntime(Path file, Graph g, Map<String, TensorData> inputs) {
    Map<String, TensorData> got = new io.offloadcl.runtime.cpu.ReferenceExecutor(g).run(inputs);
    for (int i = 0; i < g.outputs().size(); i++) {
      Path pb = file.getParent().resolve("test_data_set_0/output_" + i + ".pb");
      if (!Files.isRegularFile(pb)) {
        continue;
      }
      NamedTensor want = OnnxTensors.read(pb);
      String name = g.outputs().get(i).name();
      TensorData a = got.get(name);
      org.junit.jupiter.api.Assertions.assertArrayEquals(want.data().dims(), a.dims(), "shape of " + name);
      for (int k = 0; k < a.size(); k++) {
        double w = want.data().getDouble(k);
        double v = a.getDouble(k);
        assertTrue(Math.abs(w - v) <= 1e-5 + 1e-3 * Math.abs(w),
            "output " + name + " element " + k + ": ONNX Runtime " + w + ", optimized " + v);
      }
    }
  }

  /** Replaces the inputs' dynamic dims by the given tensors' dims and re-infers shapes. */
  static void specialize(Graph g, Map<String, TensorData> inputs) {
    for (Value v : g.inputs()) {
      TensorData d = inputs.get(v.name());
      if (d != null) {
        v.setType(new TensorType(v.type().dtype(), d.shape()));
      }
    }
    ShapeInference.run(g);
  }

  static void report(String name, PassReport r, Graph after) {
    System.out.printf("[passes] %s: %d -> %d nodes, %d -> %d bytes, %.0f ms; after: %s%n", name, r.nodesBefore(),
        r.nodesAfter(), r.bytesBefore(), r.bytesAfter(), r.totalMs(), GraphStats.opHistogram(after));
  }
}
