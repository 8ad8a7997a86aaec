package io.offloadcl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Command-line behaviour that needs no model: version, usage errors, exit codes. */
class MainTest {
  @Test
  void versionPrintsAndExitsZero() {
    CliRunner.Result r = CliRunner.run("version");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().startsWith("offloadcl "), r.toString());
    assertEquals(0, CliRunner.run("--version").code());
  }

  @Test
  void helpListsTheSubcommands() {
    CliRunner.Result r = CliRunner.run("--help");
    assertEquals(0, r.code(), r.toString());
    for (String c : new String[] {"run", "demo", "info", "conformance", "version"}) {
      assertTrue(r.out().contains(c), c + " missing from\n" + r);
    }
  }

  @Test
  void usageErrorsExitTwo() {
    assertEquals(2, CliRunner.run().code());
    assertEquals(2, CliRunner.run("frobnicate").code());
    CliRunner.Result r = CliRunner.run("run", "model.onnx");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--inputs-dir"), r.toString());
    assertEquals(2, CliRunner.run("demo", "--repeat", "0").code());
    assertEquals(2, CliRunner.run("demo", "--repeat", "many").code());
  }

  @Test
  void typedErrorsAreOneLineWithoutStackTrace() {
    CliRunner.Result r = CliRunner.run("info", "/nonexistent/model.onnx");
    assertEquals(2, r.code(), r.toString());
    assertEquals("error: model file not found: /nonexistent/model.onnx", r.err().strip(), r.toString());
    assertEquals("", r.out());
  }

  @Test
  void verboseAddsTheStackTrace() {
    CliRunner.Result r = CliRunner.run("info", "/nonexistent/model.onnx", "--verbose");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().startsWith("error: model file not found"), r.toString());
    assertTrue(r.err().contains("at io.offloadcl."), r.toString());
    CliRunner.Result r2 = CliRunner.run("--verbose", "info", "/nonexistent/model.onnx");
    assertTrue(r2.err().contains("at io.offloadcl."), r2.toString());
  }

  @Test
  void unknownDeviceIsAUsageError() {
    CliRunner.Result r = CliRunner.run("demo", "--device", "tpu");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("tpu"), r.toString());
    assertFalse(r.err().contains("\tat "), r.toString());
  }
}
