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

  @Test
  void settingsPreferTheSystemPropertyAndParseFlags() {
    String key = "offloadcl.test.requirements-probe";
    assertTrue(io.offloadcl.ir.Settings.envName(key).equals("OFFLOADCL_TEST_REQUIREMENTS_PROBE"));
    assertTrue(io.offloadcl.ir.Settings.get(key).isEmpty());
    System.setProperty(key, " yes ");
    try {
      assertTrue(io.offloadcl.ir.Settings.get(key).orElseThrow().equals("yes"));
      assertTrue(io.offloadcl.ir.Settings.flag(key, false));
      System.setProperty(key, "off");
      assertTrue(!io.offloadcl.ir.Settings.flag(key, true));
    } finally {
      System.clearProperty(key);
    }
    assertTrue(io.offloadcl.ir.Settings.flag(key, true));
  }
}
