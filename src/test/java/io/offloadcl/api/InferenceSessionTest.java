package io.offloadcl.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.DeviceException;
import io.offloadcl.ir.ModelFormatException;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** InferenceSession on models built in code and written with the project's ONNX writer. */
class InferenceSessionTest {
  static final SessionOptions JAVA = SessionOptions.builder().device("java").build();

  @Test
  void computesHandCheckedValuesInModelOutputOrder() {
    try (InferenceSession s = InferenceSession.open(TestModels.squareAddRelu(), JAVA)) {
      Map<String, Tensor> out = s.run(Map.of("x", Tensor.ofFloats(new float[] {1, 2, 3, -1, 0, -2}, 2, 3)));
      assertEquals(List.of("z", "sq"), List.copyOf(out.keySet()));
      assertArrayEquals(new float[] {2, 2, 9.5f, 2, 0, 4.5f}, out.get("z").toFloatArray());
      assertArrayEquals(new long[] {2, 3}, out.get("z").shape());
      assertArrayEquals(new float[] {1, 4, 9, 1, 0, 4}, out.get("sq").toFloatArray());
      // the dynamic batch dimension resolves per run
      Map<String, Tensor> one = s.run(Map.of("x", Tensor.ofFloats(new float[] {0.5f, 1, -3}, 1, 3)));
      assertArrayEquals(new float[] {1.25f, 0, 9.5f}, one.get("z").toFloatArray());
    }
  }

  @Test
  void gemmThenSoftmax() {
    try (InferenceSession s = InferenceSession.open(TestModels.gemmSoftmax(), JAVA)) {
      Map<String, Tensor> out = s.run(Map.of("x", Tensor.ofFloats(new float[] {1, 2}, 1, 2)));
      assertArrayEquals(new float[] {7.5f, 9.5f}, out.get("logits").toFloatArray(), 1e-6f);
      double p0 = 1 / (1 + Math.exp(2));
      assertArrayEquals(new float[] {(float) p0, (float) (1 - p0)}, out.get("probs").toFloatArray(), 1e-6f);
      assertEquals(1, out.get("probs").argmax());
    }
  }

  @Test
  void metadataNamesDtypesAndDynamicDims() {
    try (InferenceSession s = InferenceSession.open(TestModels.squareAddRelu(), JAVA)) {
      assertEquals(1, s.inputs().size());
      TensorInfo x = s.inputs().get(0);
      assertEquals("x", x.name());
      assertEquals(DType.FLOAT32, x.dtype());
      assertArrayEquals(new long[] {-1, 3}, x.shape());
      assertEquals("batch", x.dimName(0));
      assertNull(x.dimName(1));
      assertEquals(false, x.isStatic());
      assertEquals("x: float32[batch,3]", x.toString());
      assertEquals(List.of("z", "sq"), s.outputs().stream().map(TensorInfo::name).toList());
      assertEquals(DType.FLOAT32, s.outputs().get(0).dtype());
      assertEquals(Map.of("Add", 1, "Mul", 1, "Relu", 1), s.modelInfo().opCounts());
      assertEquals(3, s.modelInfo().nodeCount());
      assertEquals(3L, s.modelInfo().constantElements());
      assertEquals("java", s.device());
    }
  }

  @Test
  void badInputsGiveTypedErrorsNamingTheInput() {
    try (InferenceSession s = InferenceSession.open(TestModels.squareAddRelu(), JAVA)) {
      Tensor good = Tensor.ofFloats(new float[3], 1, 3);
      ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> s.run(Map.of()));
      assertTrue(e.getMessage().contains("missing input 'x'") && e.getMessage().contains("float32"), e.getMessage());
      e = assertThrows(ShapeMismatchException.class, () -> s.run(Map.of("x", good, "y", good)));
      assertTrue(e.getMessage().contains("'y'"), e.getMessage());
      e = assertThrows(ShapeMismatchException.class, () -> s.run(Map.of("x", Tensor.ofDoubles(new double[3], 1, 3))));
      assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("float32") && e.getMessage().contains("float64"),
          e.getMessage());
      e = assertThrows(ShapeMismatchException.class, () -> s.run(Map.of("x", Tensor.ofFloats(new float[4], 1, 4))));
      assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("[1,4]"), e.getMessage());
      e = assertThrows(ShapeMismatchException.class, () -> s.run(Map.of("x", Tensor.ofFloats(new float[3], 3))));
      assertTrue(e.getMessage().contains("'x'"), e.getMessage());
      assertThrows(ShapeMismatchException.class, () -> s.run(null));
      Map<String, Tensor> withNull = new HashMap<>();
      withNull.put("x", null);
      e = assertThrows(ShapeMismatchException.class, () -> s.run(withNull));
      assertTrue(e.getMessage().contains("'x'"), e.getMessage());
      // the session is still usable after rejected inputs
      assertEquals(3, s.run(Map.of("x", good)).get("z").size());
    }
  }

  @Test
  void runAfterCloseIsAnIllegalStateAndCloseIsIdempotent() {
    InferenceSession s = InferenceSession.open(TestModels.squareAddRelu(), JAVA);
    s.close();
    s.close();
    assertTrue(s.isClosed());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> s.run(Map.of("x", Tensor.ofFloats(new float[3], 1, 3))));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
  }

  @Test
  void autoFallsBackToJavaForAGraphOpenClCannotPlan() {
    // dynamic batch dimension: the OpenCL executor plans buffers ahead and needs static shapes
    try (InferenceSession s = InferenceSession.open(TestModels.squareAddRelu(), SessionOptions.defaults())) {
      assertEquals("java", s.device());
      assertArrayEquals(new float[] {1.25f, 0, 9.5f},
          s.run(Map.of("x", Tensor.ofFloats(new float[] {0.5f, 1, -3}, 1, 3))).get("z").toFloatArray());
    }
  }

  @Test
  void strictModeVerifiesAndChecksOutputs() {
    try (InferenceSession s = InferenceSession.open(TestModels.gemmSoftmax(), JAVA.toBuilder().strict(true).build())) {
      assertEquals(2, s.run(Map.of("x", Tensor.ofFloats(new float[] {0, 0}, 1, 2))).get("probs").size());
    }
  }

  @Test
  void openFromPathAndBadFiles(@TempDir Path dir) throws Exception {
    Path m = dir.resolve("m.onnx");
    Files.write(m, TestModels.gemmSoftmax());
    try (InferenceSession s = InferenceSession.open(m, JAVA)) {
      assertEquals("x", s.inputs().get(0).name());
    }
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> InferenceSession.open(dir.resolve("nope.onnx"), JAVA));
    assertTrue(e.getMessage().contains("nope.onnx"), e.getMessage());
    assertThrows(ModelFormatException.class, () -> InferenceSession.open(dir, JAVA));
    assertThrows(ModelFormatException.class, () -> InferenceSession.open(new byte[0], JAVA));
    assertThrows(ModelFormatException.class, () -> InferenceSession.open((Path) null, JAVA));
    Path junk = dir.resolve("junk.onnx");
    Files.write(junk, new byte[] {8, 1, 18, 5, 'h', 'e'});
    assertThrows(ModelFormatException.class, () -> InferenceSession.open(junk, JAVA));
  }
}
