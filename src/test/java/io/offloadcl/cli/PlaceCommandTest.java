package io.offloadcl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The place and experiment commands on random DAGs (ONNX models need the importer and are covered by it). */
class PlaceCommandTest {
  private static int run(Object command, StringWriter out, String... args) {
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(out, true));
    return cl.execute(args);
  }

  @Test
  void placeWritesReportGanttAndDot(@TempDir Path tmp) throws Exception {
    StringWriter out = new StringWriter();
    Path report = tmp.resolve("r.json");
    int code = run(new PlaceCommand(), out, "random:12:3", "--profiles", "pocl-cpu,matmul-npu", "--strategy", "all",
        "--report", report.toString(), "--gantt", tmp.resolve("g.svg").toString(), "--dot",
        tmp.resolve("g.dot").toString(), "--pin", "Relu=pocl-cpu");
    assertEquals(0, code, out.toString());
    JsonObject root = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
    JsonObject strategies = root.getAsJsonObject("strategies");
    for (String s : List.of("greedy", "heft", "optimal")) {
      JsonObject o = strategies.getAsJsonObject(s);
      assertTrue(o.get("makespanMs").getAsDouble() > 0, s);
      assertTrue(o.has("bytesTransferred"), s);
      assertEquals(12, o.getAsJsonObject("devices").size(), s);
    }
    // the NPU has no Conv, Sigmoid... so it cannot take the whole graph: refused with a reason
    assertTrue(strategies.getAsJsonObject("only:matmul-npu").get("error").getAsString().contains("cannot run on matmul-npu"),
        strategies.getAsJsonObject("only:matmul-npu").toString());
    assertTrue(Files.readString(tmp.resolve("g-heft.svg")).contains("<svg"));
    String dot = Files.readString(tmp.resolve("g-heft.dot"));
    assertTrue(dot.startsWith("digraph") && dot.contains("fillcolor=\"#9ecae1\""), dot);
  }

  @Test
  void experimentWritesCsvAndPlot(@TempDir Path tmp) throws Exception {
    StringWriter out = new StringWriter();
    Path dir = tmp.resolve("profiles");
    Files.createDirectories(dir);
    for (String id : List.of("pocl-cpu", "java-cpu", "nvidia-rtx4070-opencl")) {
      Files.writeString(dir.resolve(id + ".yaml"), new String(getClass().getClassLoader()
          .getResourceAsStream("device-profiles/" + id + ".yaml").readAllBytes()));
    }
    int code = run(new ExperimentCommand(), out, "--models", "random:10:1", "random:15:2", "--profiles", dir.toString(),
        "--strategies", "all", "--out", tmp.resolve("out").toString(), "--no-progress");
    assertEquals(0, code, out.toString());
    List<String> csv = Files.readAllLines(tmp.resolve("out/results.csv"));
    // 2 models x 3 pairs x (2 singles + greedy + heft + optimal)
    assertEquals(1 + 2 * 3 * 5, csv.size(), String.join("\n", csv));
    assertTrue(csv.get(0).startsWith("model,ops,devices,strategy,status,makespan_ms"));
    assertTrue(Files.size(tmp.resolve("out/makespan-random_10_1.png")) > 1000);
    assertTrue(out.toString().contains("speedup"), out.toString());
  }

  @Test
  void badInputIsAOneLineError() {
    StringWriter out = new StringWriter();
    int code = run(new PlaceCommand(), out, "random:x", "--profiles", "pocl-cpu");
    assertTrue(code != 0);
    assertTrue(out.toString().contains("random:OPS"), out.toString());
  }
}
