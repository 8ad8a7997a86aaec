package io.offloadcl.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.api.QuantData;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import io.offloadcl.onnx.OnnxImporter;
import io.offloadcl.onnx.OnnxTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantDataTest {
  @Test
  void emptyFolderIsATypedErrorNamingIt(@TempDir Path dir) throws Exception {
    Graph g = QuantTestModels.convNet(1);
    Files.createDirectories(dir.resolve("test_data_set_0"));
    CalibrationException e = assertThrows(CalibrationException.class, () -> QuantData.load(dir, g));
    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    CalibrationException e2 = assertThrows(CalibrationException.class,
        () -> QuantData.load(dir.resolve("missing"), g));
    assertTrue(e2.getMessage().contains("missing"), e2.getMessage());
  }

  @Test
  void readsTestDataSetFoldersAndLoosePbFiles(@TempDir Path dir) throws Exception {
    Graph g = QuantTestModels.convNet(1);
    List<Map<String, TensorData>> in = QuantTestModels.inputs(3, 1, 2);
    for (int i = 0; i < 3; i++) {
      Path set = Files.createDirectories(dir.resolve("sets").resolve("test_data_set_" + i));
      OnnxTensors.write(set.resolve("input_0.pb"), "x", in.get(i).get("x"));
      Files.createDirectories(dir.resolve("loose"));
      OnnxTensors.write(dir.resolve("loose").resolve("sample" + i + ".pb"), "whatever", in.get(i).get("x"));
    }
    List<Map<String, TensorData>> a = QuantData.load(dir.resolve("sets"), g);
    List<Map<String, TensorData>> b = QuantData.load(dir.resolve("loose"), g);
    assertEquals(3, a.size());
    assertEquals(3, b.size());
    for (int i = 0; i < 3; i++) {
      assertTrue(a.get(i).get("x").contentEquals(in.get(i).get("x")));
      assertTrue(b.get(i).get("x").contentEquals(in.get(i).get("x")));
    }
  }

  @Test
  void sharedModelFolderCalibratesAndGeneratedDigitsAreSeeded() {
    Path model = QuantMnistModelsTest.model("mnist-8-opt");
    Graph g = OnnxImporter.load(model);
    List<Map<String, TensorData>> set = QuantData.load(model.getParent(), g);
    assertEquals(1, set.size());
    assertTrue(SyntheticInputs.isMnistLike(g));
    List<SyntheticInputs.Digit> d1 = SyntheticInputs.digits(20, 9);
    List<SyntheticInputs.Digit> d2 = SyntheticInputs.digits(20, 9);
    for (int i = 0; i < 20; i++) {
      assertEquals(d1.get(i).label(), d2.get(i).label());
      assertTrue(java.util.Arrays.equals(d1.get(i).pixels(), d2.get(i).pixels()));
      float max = 0;
      for (float p : d1.get(i).pixels()) {
        assertTrue(p >= 0 && p <= 1);
        max = Math.max(max, p);
      }
      assertTrue(max > 0.9f, "digit " + i + " has ink");
    }
  }
}
