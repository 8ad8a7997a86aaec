package io.offloadcl.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.onnx.OnnxImporter;
import io.offloadcl.onnx.OnnxTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the ONNX backend node tests of the layout and shape ops on the reference executor, imported with the
 * project's {@link OnnxImporter}. A test whose model holds any op outside this family is left out here (the
 * conformance runner covers mixed models). Figures per test root are printed after the run.
 */
class LayoutOnnxNodeSuiteTest {
  static final Set<String> OPS = Set.of("Concat", "Expand", "Flatten", "Gather", "Pad", "Reshape", "Resize", "Slice",
      "Split", "Squeeze", "Unsqueeze", "Transpose", "Shape", "Constant", "ConstantOfShape", "Range", "Tile",
      "GatherElements", "GatherND", "ScatterElements", "DepthToSpace", "SpaceToDepth", "Size", "EyeLike", "Trilu",
      "OneHot", "NonZero", "Upsample", "Scatter", "ScatterND", "Compress", "ReverseSequence", "Unique");

  static List<Path> roots() {
    List<Path> r = new ArrayList<>();
    String shared = System.getenv("OFFLOADCL_SHARED");
    r.add(Paths.get(shared == null ? "../shared" : shared, "testdata", "onnx-node-v1.22"));
    r.add(Paths.get("/usr/share/libonnx-testdata/data/node"));
    return r;
  }

  private static final Map<String, int[]> TALLY = new TreeMap<>();

  @AfterAll
  static void printTally() {
    TALLY.forEach((k, v) -> System.out.println("node tests " + k + ": PASS " + v[0] + " FAIL " + v[1] + " ERROR " + v[2]));
  }

  @TestFactory
  Stream<DynamicTest> nodeTests() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path root : roots()) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      List<Path> dirs;
      try (Stream<Path> s = Files.list(root)) {
        dirs = s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().collect(Collectors.toList());
      }
      for (Path dir : dirs) {
        Graph m;
        try {
          m = OnnxImporter.load(dir.resolve("model.onnx"));
        } catch (OffloadException e) {
          // a model whose import fails is the importer's concern, unless it is one of ours
          boolean othersUnsupported = e instanceof UnsupportedOperatorException
              && OPS.stream().noneMatch(o -> e.getMessage().contains(" " + o + " (node"));
          if (mentionsOurOps(dir) && !othersUnsupported) {
            tests.add(DynamicTest.dynamicTest(root.getFileName() + "/" + dir.getFileName(), () -> {
              throw e;
            }));
          }
          continue;
        }
        boolean ours = !m.nodes().isEmpty() && m.nodes().stream().allMatch(n -> OPS.contains(n.opType()) && n.domain().isEmpty());
        if (!ours) {
          continue;
        }
        String key = root.getFileName().toString();
        tests.add(DynamicTest.dynamicTest(key + "/" + dir.getFileName(), () -> {
          int[] t = TALLY.computeIfAbsent(key, k -> new int[3]);
          try {
            runCase(m, dir);
            t[0]++;
          } catch (AssertionError e) {
            t[1]++;
            System.out.println("FAIL " + key + "/" + dir.getFileName() + ": " + e.getMessage());
            throw e;
          } catch (RuntimeException e) {
            t[2]++;
            System.out.println("ERROR " + key + "/" + dir.getFileName() + ": " + e);
            throw e;
          }
        }));
      }
    }
    return tests.stream();
  }

  private static boolean mentionsOurOps(Path dir) {
    String name = dir.getFileName().toString().replace("_", "").toLowerCase(java.util.Locale.ROOT);
    return OPS.stream().anyMatch(o -> name.startsWith("test" + o.toLowerCase(java.util.Locale.ROOT)));
  }

  static void runCase(Graph g, Path dir) throws IOException {
    ReferenceExecutor ex = new ReferenceExecutor(g);
    List<Path> sets;
    try (Stream<Path> s = Files.list(dir)) {
      sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set")).sorted().collect(Collectors.toList());
    }
    for (Path set : sets) {
      Map<String, TensorData> feeds = new HashMap<>();
      for (int i = 0; i < g.inputs().size(); i++) {
        Path p = set.resolve("input_" + i + ".pb");
        feeds.put(g.inputs().get(i).name(), OnnxTensors.read(p).data());
      }
      Map<String, TensorData> out = ex.run(feeds);
      for (int i = 0; i < g.outputs().size(); i++) {
        TensorData want = OnnxTensors.read(set.resolve("output_" + i + ".pb")).data();
        TensorData got = out.get(g.outputs().get(i).name());
        compare(dir.getFileName() + " output " + i, want, got);
      }
    }
  }

  static void compare(String what, TensorData want, TensorData got) {
    assertEquals(want.dtype(), got.dtype(), what + " dtype");
    assertEquals(want.shape(), got.shape(), what + " shape");
    for (int i = 0; i < want.size(); i++) {
      if (want.dtype() == DType.STRING) {
        assertEquals(want.strings()[i], got.strings()[i], what + " element " + i);
      } else if (want.dtype().isFloating()) {
        double a = want.getDouble(i);
        double b = got.getDouble(i);
        if (!(Double.isNaN(a) && Double.isNaN(b)) && Math.abs(a - b) > 1e-5 + 1e-3 * Math.abs(a)) {
          fail(what + " element " + i + ": expected " + a + ", got " + b);
        }
      } else {
        assertEquals(want.getLong(i), got.getLong(i), what + " element " + i);
      }
    }
  }
}
