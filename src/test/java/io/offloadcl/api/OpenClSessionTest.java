package io.offloadcl.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.OffloadException;
import io.offloadcl.runtime.opencl.OpenClPlatforms;
import io.offloadcl.testing.Requirements;
import io.offloadcl.testing.TestModels;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Sessions on the OpenCL device (POCL on CI): same results as the Java reference, typed errors otherwise. */
@Tag("opencl")
class OpenClSessionTest {
  static final SessionOptions OPENCL = SessionOptions.builder().device("opencl").build();
  static final SessionOptions JAVA = SessionOptions.builder().device("java").build();

  @BeforeEach
  void needsDevice() {
    Requirements.assumeOrFailInCi(!OpenClPlatforms.devices().isEmpty(),
        "an OpenCL device (" + OpenClPlatforms.unavailableReason() + ")");
  }

  @Test
  void demoCnnMatchesTheReference() {
    Map<String, Tensor> feeds = Map.of(DemoModel.INPUT, DemoModel.input());
    float[] want;
    try (InferenceSession j = InferenceSession.open(DemoModel.onnxBytes(), JAVA)) {
      want = j.run(feeds).get(DemoModel.OUTPUT).toFloatArray();
    }
    try (InferenceSession s = InferenceSession.open(DemoModel.onnxBytes(), OPENCL)) {
      assertTrue(s.device().startsWith("opencl:"), s.device());
      assertArrayEquals(want, s.run(feeds).get(DemoModel.OUTPUT).toFloatArray(), 1e-5f);
    }
    try (InferenceSession a = InferenceSession.open(DemoModel.onnxBytes(), SessionOptions.defaults())) {
      assertTrue(a.device().startsWith("opencl:"), "auto prefers OpenCL for a static graph: " + a.device());
    }
  }

  @Test
  void gemmSoftmaxHandValues() {
    try (InferenceSession s = InferenceSession.open(TestModels.gemmSoftmax(), OPENCL)) {
      Map<String, Tensor> out = s.run(Map.of("x", Tensor.ofFloats(new float[] {1, 2}, 1, 2)));
      assertArrayEquals(new float[] {7.5f, 9.5f}, out.get("logits").toFloatArray(), 1e-5f);
      double p0 = 1 / (1 + Math.exp(2));
      assertArrayEquals(new float[] {(float) p0, (float) (1 - p0)}, out.get("probs").toFloatArray(), 1e-5f);
    }
  }

  @Test
  void dynamicShapesCompilePerInputShapeOnExplicitOpenCl() {
    try (InferenceSession s = InferenceSession.open(TestModels.squareAddRelu(), OPENCL)) {
      assertTrue(s.device().startsWith("opencl:"), s.device());
      Map<String, Tensor> out = s.run(Map.of("x", Tensor.ofFloats(new float[] {1, 2, 3, -1, 0, -2}, 2, 3)));
      assertArrayEquals(new float[] {2, 2, 9.5f, 2, 0, 4.5f}, out.get("z").toFloatArray(), 1e-6f);
      assertArrayEquals(new long[] {2, 3}, out.get("z").shape());
      Map<String, Tensor> one = s.run(Map.of("x", Tensor.ofFloats(new float[] {0.5f, 1, -3}, 1, 3)));
      assertArrayEquals(new float[] {1.25f, 0, 9.5f}, one.get("z").toFloatArray(), 1e-6f);
      // back to the first shape: its executor is reused
      out = s.run(Map.of("x", Tensor.ofFloats(new float[] {1, 2, 3, -1, 0, -2}, 2, 3)));
      assertArrayEquals(new float[] {1, 4, 9, 1, 0, 4}, out.get("sq").toFloatArray(), 1e-6f);
    }
    // auto keeps dynamic graphs on Java, and strict auto refuses rather than fall back
    try (InferenceSession a = InferenceSession.open(TestModels.squareAddRelu(), SessionOptions.defaults())) {
      assertEquals("java", a.device());
    }
    OffloadException e = assertThrows(OffloadException.class,
        () -> InferenceSession.open(TestModels.squareAddRelu(), SessionOptions.builder().strict(true).build()));
    assertTrue(e.getMessage().contains("dynamic shapes"), e.getMessage());
  }

  @Test
  void eightThreadsShareOneOpenClSession() throws Exception {
    ConcurrentRunTest.check(OPENCL);
  }

  @Test
  void runAfterCloseIsAnIllegalState() {
    InferenceSession s = InferenceSession.open(TestModels.gemmSoftmax(), OPENCL);
    s.close();
    assertThrows(IllegalStateException.class, () -> s.run(Map.of("x", Tensor.ofFloats(new float[2], 1, 2))));
    assertEquals(true, s.isClosed());
  }
}
