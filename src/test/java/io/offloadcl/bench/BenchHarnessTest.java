package io.offloadcl.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.offloadcl.api.Bench;
import io.offloadcl.api.BenchEngine;
import io.offloadcl.api.BenchInputs;
import io.offloadcl.api.BenchReport;
import io.offloadcl.api.BenchStats;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.TensorData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness logic without OpenCL or ONNX Runtime: statistics, interleaving, generated inputs, JSON shape. */
class BenchHarnessTest {

  @Test
  void medianOfOddAndEvenCounts() {
    BenchStats odd = BenchStats.ofNanos(List.of(5_000_000L, 1_000_000L, 3_000_000L));
    assertEquals(3.0, odd.medianMs(), 1e-12);
    assertEquals(1.0, odd.minMs(), 1e-12);
    assertEquals(5.0, odd.maxMs(), 1e-12);
    assertEquals(3, odd.runs());
    BenchStats even = BenchStats.ofNanos(List.of(4_000_000L, 1_000_000L, 2_000_000L, 100_000_000L));
    assertEquals(3.0, even.medianMs(), 1e-12, "mean of the two middle samples; the outlier does not move it");
    assertEquals(1.5, even.ratioTo(new BenchStats(1, 2.0, 2.0, 2.0)), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> BenchStats.ofNanos(List.of()));
  }

  /** An engine that records the global order in which runs happened. */
  private static BenchEngine recorder(String label, List<String> log) {
    return new BenchEngine() {
      @Override
      public String label() {
        return label;
      }

      @Override
      public void runOnce() {
        log.add(label);
      }

      @Override
      public void close() {}
    };
  }

  @Test
  void interleavingRunsBlocksWithASettleRunAndAlternatesWhichEngineGoesFirst() {
    List<String> log = new ArrayList<>();
    int runs = Bench.BLOCK + 2;
    List<List<Long>> times = Bench.interleave(List.of(recorder("A", log), recorder("B", log)), runs, 0);
    List<String> expected = new ArrayList<>();
    expected.addAll(java.util.Collections.nCopies(Bench.BLOCK + 1, "A"));
    expected.addAll(java.util.Collections.nCopies(Bench.BLOCK + 1, "B"));
    expected.addAll(java.util.Collections.nCopies(3, "B"));
    expected.addAll(java.util.Collections.nCopies(3, "A"));
    assertEquals(expected, log);
    assertEquals(2, times.size());
    assertEquals(runs, times.get(0).size());
    assertEquals(runs, times.get(1).size());
    assertTrue(times.get(0).stream().allMatch(t -> t >= 0));
    log.clear();
    Bench.interleave(List.of(recorder("A", log)), 2, 0);
    assertEquals(List.of("A", "A", "A"), log);
  }

  @Test
  void generatedFloatInputIsArangeOverNWithDynamicDimsOne() {
    TensorData d = BenchInputs.generate("x", DType.FLOAT32, new long[] {-1, 2, 3});
    assertArrayEquals(new long[] {1, 2, 3}, d.dims());
    for (int i = 0; i < 6; i++) {
      assertEquals(i / 6.0f, d.floats()[i], 0f);
    }
  }

  @Test
  void generatedIntegerInputsAreZerosExceptMasks() {
    assertArrayEquals(new long[] {0, 0}, BenchInputs.generate("input_ids", DType.INT64, new long[] {1, -1, 2}).longs());
    assertArrayEquals(new long[] {1, 1, 1, 1},
        BenchInputs.generate("attention_mask", DType.INT64, new long[] {1, 4}).longs());
  }

  @Test
  void modelNameIsTheFolderForModelDotOnnx() {
    assertEquals("mnist-8-opt", Bench.modelName(Path.of("/x/mnist-8-opt/model.onnx")));
    assertEquals("light_vgg19", Bench.modelName(Path.of("/x/light_vgg19.onnx")));
  }

  @Test
  void theTableNamesTheDriverOfTheDeviceARunUsed() {
    assertEquals(" (basic)", BenchReport.ranOnSuffix("opencl:basic-skylake-avx512-AMD EPYC"));
    assertEquals(" (basic + pthread)",
        BenchReport.ranOnSuffix("opencl:basic-skylake-avx512-AMD EPYC + pthread-skylake-avx512-AMD EPYC"));
    assertEquals(" (NVIDIA H100 80GB HBM3)", BenchReport.ranOnSuffix("opencl:NVIDIA H100 80GB HBM3"));
    assertEquals("", BenchReport.ranOnSuffix("java"));
    assertEquals("", BenchReport.ranOnSuffix(null));
  }

  @Test
  void jsonHasOneEntryPerModelWithRatioAndStats(@TempDir Path dir) throws Exception {
    BenchStats ours = new BenchStats(10, 3.0, 2.0, 9.0);
    BenchStats ort = new BenchStats(10, 2.0, 1.5, 4.0);
    Bench.ModelResult ok = new Bench.ModelResult("m", "opencl", "test_data_set_0", 400.0, 30.0, 5.0, 3.5, ours, ort,
        1.5, 12.0, 1L << 20, 4096L, 7L, 0L, null, "opencl:basic-skylake-avx512-AMD EPYC");
    Bench.ModelResult failed = new Bench.ModelResult("bad", "opencl", null, null, null, null, null, null, null, null,
        null, null, null, null, null, "UnsupportedOperatorException: node 'n' (Foo)", null);
    BenchReport r = new BenchReport("now", "pocl", 2, 2, "all cores (2)", List.of(ok, failed),
        List.of(new Bench.GemmResult(512, 20, 25, 30.0, ours, ort)), null, 30.0, List.of());
    Path json = dir.resolve("r.json");
    r.writeJson(json);
    JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    assertEquals(2, o.getAsJsonArray("models").size());
    JsonObject m0 = o.getAsJsonArray("models").get(0).getAsJsonObject();
    assertEquals(1.5, m0.get("ratio").getAsDouble(), 0);
    assertEquals(3.0, m0.getAsJsonObject("offloadcl").get("medianMs").getAsDouble(), 0);
    assertEquals(7, m0.get("kernelsPerRun").getAsLong());
    assertEquals("opencl:basic-skylake-avx512-AMD EPYC", m0.get("ranOn").getAsString());
    JsonObject m1 = o.getAsJsonArray("models").get(1).getAsJsonObject();
    assertTrue(m1.get("error").getAsString().startsWith("UnsupportedOperatorException"));
    assertNull(m1.get("offloadcl"), "a failed model has no stats");
    assertEquals(512, o.getAsJsonArray("gemm").get(0).getAsJsonObject().get("n").getAsInt());
    String table = r.markdownTable();
    assertTrue(table.contains("| m | opencl (basic) | 3.00 (2.00–9.00) | 2.00 | 1.50 |"), table);
    assertTrue(table.contains("failed: `UnsupportedOperatorException"), table);
    Path svg = dir.resolve("c.svg");
    r.writeChart(svg);
    assertTrue(Files.readString(svg).contains("<svg"));
    assertThrows(IllegalArgumentException.class, () -> r.writeChart(dir.resolve("c.gif")));
  }
}
