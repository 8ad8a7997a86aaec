package io.offloadcl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.offloadcl.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code offloadcl optimize}: the per-pass table, the JSON report's contract fields, DOT, --disable. */
class OptimizeCommandTest {
  @TempDir
  Path tmp;

  @Test
  void reportCarriesTheContractFieldsAndFusesTheCnn() throws Exception {
    Path model = Requirements.sharedTestData("models/tribuo-cnn-mnist/model.onnx");
    Path report = tmp.resolve("r.json");
    Path dot = tmp.resolve("g.dot");
    CliRunner.Result r = CliRunner.run("optimize", model.toString(), "--report", report.toString(), "--dot", dot.toString());
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("FuseActivation"), r.out());
    JsonObject j = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
    assertEquals(13, j.get("nodesBefore").getAsInt());
    int after = j.get("nodesAfter").getAsInt();
    assertTrue(after < 13, "fusion should remove nodes: " + after);
    assertTrue(j.get("bytesAfter").getAsLong() < j.get("bytesBefore").getAsLong(), j.toString());
    JsonArray passes = j.getAsJsonArray("passes");
    assertTrue(passes.size() > 5);
    for (var p : passes) {
      JsonObject o = p.getAsJsonObject();
      for (String f : new String[] {"name", "nodesBefore", "nodesAfter", "ms"}) {
        assertTrue(o.has(f), "pass entry lacks " + f + ": " + o);
      }
    }
    String d = Files.readString(dot);
    assertTrue(d.startsWith("digraph") && d.contains("FusedConv"), d);
  }

  @Test
  void disablingFuseActivationKeepsTheRelus() throws Exception {
    Path model = Requirements.sharedTestData("models/tribuo-cnn-mnist/model.onnx");
    Path report = tmp.resolve("r.json");
    CliRunner.Result r = CliRunner.run("optimize", model.toString(), "--report", report.toString(),
        "--disable", "FuseActivation,HoistActivationAbovePool");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("Relu"), r.out());
    CliRunner.Result bad = CliRunner.run("optimize", model.toString(), "--disable", "NoSuchPass");
    assertEquals(2, bad.code(), bad.toString());
    assertTrue(bad.err().contains("NoSuchPass"), bad.toString());
  }
}
