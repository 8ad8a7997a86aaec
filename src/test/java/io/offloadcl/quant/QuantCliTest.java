package io.offloadcl.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.api.QuantTool;
import io.offloadcl.cli.QuantizeCommand;
import io.offloadcl.ir.Graph;
import io.offloadcl.onnx.OnnxImporter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class QuantCliTest {
  private static int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
    PrintStream o = System.out;
    PrintStream e = System.err;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      return new CommandLine(new QuantizeCommand()).execute(args);
    } finally {
      System.setOut(o);
      System.setErr(e);
    }
  }

  @Test
  void allMethodsWriteFilesAndTheReportComparesThem(@TempDir Path dir) {
    Path model = QuantMnistModelsTest.model("mnist-8-opt");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = run(out, err, model.toString(), "--calibration", "generated:20", "--method", "all", "--out",
        dir.resolve("c.json").toString(), "--evaluate", "generated:20:5");
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
    for (String m : new String[] {"entropy", "percentile", "minmax"}) {
      Path f = dir.resolve("c." + m + ".json");
      assertTrue(Files.isRegularFile(f), f.toString());
      assertTrue(text.contains("layers, " + m), text);
    }
    assertTrue(text.contains("top-1 agree") && text.contains("Convolution110"), text);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("calibrating"), "progress bar on stderr");
    Graph fp32 = OnnxImporter.load(model);
    Graph q = QuantTool.quantizedModel(fp32, dir.resolve("c.entropy.json"));
    assertTrue(q.nodes().stream().anyMatch(n -> n.opType().equals("QConvInt8")));
  }

  @Test
  void emptyCalibrationFolderFailsNamingIt(@TempDir Path dir) {
    Path model = QuantMnistModelsTest.model("mnist-8-opt");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path empty = dir.resolve("nothing-here");
    empty.toFile().mkdirs();
    int rc = run(out, err, model.toString(), "--calibration", empty.toString(), "--out",
        dir.resolve("c.json").toString());
    assertEquals(2, rc);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("nothing-here"), err.toString(StandardCharsets.UTF_8));
  }
}
