package io.offloadcl.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ir.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Imports every ONNX backend node-test model structurally (no op-support check, no shape inference): the
 * importer must understand every file of both suites, whatever ops they use.
 */
class OnnxStructuralImportTest {

  @Test
  void importsEveryOnnx122NodeTestModel() {
    checkRoot(TestPaths.nodeTests(), 300);
  }

  @Test
  void importsEveryDebianNodeTestModel() {
    checkRoot(TestPaths.debianNodeTests(), 900);
  }

  @Test
  void importsTheRealAndLightModels() throws Exception {
    Path light = TestPaths.shared().resolve("testdata/onnx-light");
    List<Path> files = new ArrayList<>(TestPaths.modelFiles(TestPaths.models()));
    if (Files.isDirectory(light)) {
      try (var s = Files.list(light)) {
        s.filter(p -> p.toString().endsWith(".onnx")).sorted().forEach(files::add);
      }
    }
    assertFalse(TestPaths.ci() && files.size() < 12, "models missing under CI: " + files);
    assumeTrue(!files.isEmpty(), "no models installed");
    for (Path f : files) {
      Graph g = OnnxImporter.load(f, false);
      assertTrue(g.nodes().size() > 5, f + " imported with " + g.nodes().size() + " nodes");
      assertFalse(g.inputs().isEmpty(), f + " has no inputs");
      assertTrue(g.inputs().get(0).type() != null, f + ": input type missing");
    }
  }

  private static void checkRoot(Path root, int atLeast) {
    if (!Files.isDirectory(root)) {
      assertFalse(TestPaths.ci(), "test suite missing under CI: " + root);
      assumeTrue(false, "no test suite at " + root);
    }
    List<Path> models = TestPaths.modelFiles(root);
    assertTrue(models.size() >= atLeast, "expected at least " + atLeast + " models under " + root + ", found " + models.size());
    List<String> failures = new ArrayList<>();
    int nodes = 0;
    int unsupportedDtype = 0;
    for (Path m : models) {
      try {
        Graph g = OnnxImporter.load(m, false);
        assertFalse(g.outputs().isEmpty(), m + " has no outputs");
        for (Node n : g.nodes()) {
          assertTrue(n.opsetVersion() > 0, m + ": node " + n.name() + " has no opset version");
          for (Value o : n.outputs()) {
            assertTrue(o == null || o.producer() == n, m + ": output " + o + " of " + n.name());
          }
        }
        nodes += g.nodes().size();
      } catch (UnsupportedOperatorException e) {
        // a data type we do not hold (complex, float8, int4) is reported as unsupported, not malformed
        unsupportedDtype++;
        System.out.println("unsupported: " + root.relativize(m.getParent()) + ": " + e.getMessage());
      } catch (OffloadException e) {
        failures.add(root.relativize(m.getParent()) + ": " + e);
      }
    }
    System.out.printf("structural import of %s: %d models, %d imported (%d nodes), %d unsupported, %d failed%n",
        root, models.size(), models.size() - unsupportedDtype - failures.size(), nodes, unsupportedDtype, failures.size());
    assertEquals(List.of(), failures, "models that failed to import");
  }
}
