package io.offloadcl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.codegen.KernelGenerator;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.onnx.OnnxImporter;
import io.offloadcl.runtime.opencl.OpenClPlatforms;
import io.offloadcl.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench --profile} describes the graph a run launches: optimized, not as imported. */
@Tag("opencl")
class BenchProfileTest {
  @Test
  void profileListsTheKernelsARunLaunches(@TempDir Path dir) throws Exception {
    Requirements.assumeOrFailInCi(!OpenClPlatforms.devices().isEmpty(),
        "an OpenCL device (" + OpenClPlatforms.unavailableReason() + ")");
    Path model = dir.resolve("demo.onnx");
    Files.write(model, DemoModel.onnxBytes());
    Bench bench = new Bench(new Bench.Options(SessionOptions.Device.OPENCL, 1, 1, 0, false), line -> { });
    Bench.Profile profile;
    try (BenchKernels kernels = new BenchKernels()) {
      profile = bench.profile(model, kernels);
    }
    long kernelsPerRun;
    try (InferenceSession s = InferenceSession.open(model,
        SessionOptions.builder().device(SessionOptions.Device.OPENCL).build())) {
      kernelsPerRun = s.backendCounters().get("kernels_per_run");
    }
    int profiled = profile.byOpType().stream().mapToInt(Bench.OpShare::nodes).sum();
    assertEquals(kernelsPerRun, profiled, "profiled kernels vs kernels a run launches: " + profile.byOpType());

    Graph imported = OnnxImporter.load(model);
    Map<String, TensorData> feeds = BenchInputs.forModel(model, inputsOf(model));
    Graph run = bench.runGraph(imported, feeds);
    Set<String> runOps = new TreeSet<>();
    for (Node n : run.nodes()) {
      if (!KernelGenerator.isView(n)) {
        runOps.add(n.opType());
      }
    }
    Set<String> profiledOps = new TreeSet<>();
    profile.byOpType().forEach(o -> profiledOps.add(o.opType()));
    assertEquals(runOps, profiledOps);
    // The profiled graph is the optimized one: its convolutions carry their Relu (the conv lowering may add
    // Im2Col nodes, so the node count alone says nothing).
    assertTrue(runOps.contains("FusedConv") && !runOps.contains("Relu"),
        "the pipeline fuses the demo model's Conv + Relu: " + runOps);
  }

  private static java.util.List<TensorInfo> inputsOf(Path model) {
    try (InferenceSession s = InferenceSession.open(model, SessionOptions.builder().device("java").build())) {
      return s.inputs();
    }
  }
}
