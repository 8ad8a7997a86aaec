package io.offloadcl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.OffloadException;
import io.offloadcl.runtime.opencl.ClResources;
import io.offloadcl.runtime.opencl.OpenClPlatforms;
import io.offloadcl.testing.Requirements;
import io.offloadcl.testing.TestModels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The OpenCL context a session open starts while the passes run: used by an OpenCL session and released by
 * the session's close, and closed at once when the session ends up on Java or the open fails.
 */
@Tag("opencl")
class SessionOpenContextTest {
  @BeforeEach
  void needsDevice() {
    Requirements.assumeOrFailInCi(!OpenClPlatforms.devices().isEmpty(),
        "an OpenCL device (" + OpenClPlatforms.unavailableReason() + ")");
  }

  private static long contexts() {
    return ClResources.snapshot().getOrDefault(ClResources.Kind.CONTEXT, 0L);
  }

  @Test
  void theEarlyContextIsUsedOrClosed() {
    long before = contexts();
    try (InferenceSession s = InferenceSession.open(TestModels.gemmSoftmax(),
        SessionOptions.builder().device("opencl").build())) {
      assertTrue(s.device().startsWith("opencl"), s.device());
      assertEquals(before + 1, contexts(), "one context, the early one, held by the session");
    }
    assertEquals(before, contexts());
    // auto keeps a dynamic graph on Java: the early context is not kept
    try (InferenceSession a = InferenceSession.open(TestModels.squareAddRelu(), SessionOptions.defaults())) {
      assertEquals("java", a.device());
      assertEquals(before, contexts());
    }
    // strict auto refuses the dynamic graph: nothing is left open either
    assertThrows(OffloadException.class,
        () -> InferenceSession.open(TestModels.squareAddRelu(), SessionOptions.builder().strict(true).build()));
    assertEquals(before, contexts());
    // java never starts one
    try (InferenceSession j = InferenceSession.open(TestModels.gemmSoftmax(),
        SessionOptions.builder().device("java").build())) {
      assertEquals(before, contexts());
      assertEquals("java", j.device());
    }
  }
}
