package io.offloadcl.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class RequirementsTest {
  @Test
  void availablePrerequisitePassesEverywhere() {
    assertDoesNotThrow(() -> Requirements.check(true, "x", false));
    assertDoesNotThrow(() -> Requirements.check(true, "x", true));
  }

  @Test
  void missingPrerequisiteSkipsOutsideCi() {
    TestAbortedException e = assertThrows(TestAbortedException.class, () -> Requirements.check(false, "an OpenCL platform", false));
    assertTrue(e.getMessage().contains("an OpenCL platform"), e.getMessage());
  }

  @Test
  void missingPrerequisiteFailsOnCi() {
    AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> Requirements.check(false, "an OpenCL platform", true));
    assertTrue(e.getMessage().contains("CI=true") && e.getMessage().contains("an OpenCL platform"), e.getMessage());
  }
}
