package io.offloadcl.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.ModelFormatException;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Corrupted models (truncated at many cut points, seeded random bit flips) must fail only with
 * {@link OffloadException} subclasses — never a NullPointerException, an index error or an OutOfMemoryError —
 * whatever a flipped length or dimension declares.
 */
class OnnxRobustnessTest {
  private static final long SEED = 20261123L;

  /** The real models plus one built by the writer with every attribute kind and several dtypes. */
  private static Map<String, byte[]> corpus() throws Exception {
    Map<String, byte[]> m = new LinkedHashMap<>();
    Path models = TestPaths.models();
    if (Files.isDirectory(models)) {
      try (var s = Files.list(models)) {
        for (Path d : (Iterable<Path>) s.sorted()::iterator) {
          Path f = d.resolve("model.onnx");
          if (Files.isRegularFile(f)) {
            m.put(d.getFileName().toString(), Files.readAllBytes(f));
          }
        }
      }
    }
    assertFalse(TestPaths.ci() && m.isEmpty(), "no real models under " + models + " in CI");
    m.put("writer-built", OnnxWriter.toBytes(writerBuilt()));
    return m;
  }

  private static Graph writerBuilt() {
    Graph body = new Graph("body");
    Value bi = body.addInput("bi", TensorType.of(DType.FLOAT32, 4));
    body.addOutput(body.addNode("Neg", "neg", List.of(bi), List.of("bo"), new Attributes()).output(0));
    Graph g = new Graph("built");
    g.opsetImports().put("", 17);
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 1, 4));
    Value w = g.addConstant("w", TensorData.ofFloats(new long[] {4, 4}, new float[16]));
    Value shape = g.addConstant("shape", TensorData.ofLongs(new long[] {2}, 4, 1));
    Value h = g.addConstant("h", TensorData.wrap(DType.FLOAT16, new long[] {4}, new float[] {1, 2, 3, 4}));
    Node mm = g.addNode("MatMul", "mm", List.of(x, w), List.of("y"), new Attributes());
    Node sq = g.addNode("Mul", "sq", List.of(mm.output(0), mm.output(0)), List.of("z"), new Attributes());
    Node rs = g.addNode("Reshape", "rs", List.of(sq.output(0), shape), List.of("r"), new Attributes());
    Node c = g.addNode("Cast", "cast", List.of(h), List.of("hc"), new Attributes().setInt("to", 1));
    Node k = g.addNode("Custom", "custom", Arrays.asList(rs.output(0), null, c.output(0)), List.of("o"),
        new Attributes().setFloats("fs", 1, 2).setString("s", "x").set("g", body).set("ss", new String[] {"a"})
            .set("t", TensorData.scalarLong(3)));
    g.addOutput(k.output(0));
    return g;
  }

  private interface Outcome {
    void record(String label, Throwable t);
  }

  private static void attempt(String label, byte[] bytes, Outcome out) {
    try {
      OnnxImporter.fromBytes(bytes, null);
      out.record(label, null);
    } catch (Throwable t) {
      out.record(label, t);
    }
  }

  @Test
  void truncatedAndBitFlippedModelsFailOnlyWithOffloadExceptions() throws Exception {
    List<String> wrong = new ArrayList<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    Outcome out = (label, t) -> {
      String kind = t == null ? "imported" : t.getClass().getSimpleName();
      counts.merge(kind, 1, Integer::sum);
      if (t != null && !(t instanceof OffloadException)) {
        if (wrong.size() < 20) {
          java.io.StringWriter sw = new java.io.StringWriter();
          t.printStackTrace(new java.io.PrintWriter(sw));
          wrong.add(label + ": " + sw.toString().lines().limit(6).reduce((a, b) -> a + "\n" + b).orElse(""));
        } else {
          wrong.add(label + ": " + t);
        }
      }
    };
    Random rnd = new Random(SEED);
    int variants = 0;
    for (Map.Entry<String, byte[]> e : corpus().entrySet()) {
      byte[] orig = e.getValue();
      String name = e.getKey();
      TreeSet<Integer> cuts = new TreeSet<>();
      for (int i = 0; i < Math.min(64, orig.length); i++) {
        cuts.add(i);
        cuts.add(orig.length - 1 - i);
      }
      for (int i = 0; i < 150; i++) {
        cuts.add(rnd.nextInt(orig.length));
      }
      for (int cut : cuts) {
        attempt(name + " truncated at " + cut, Arrays.copyOf(orig, cut), out);
        variants++;
      }
      // structure sits at both ends of a serialized model (nodes first, inputs/outputs after the weights)
      int region = Math.min(4096, orig.length);
      for (int v = 0; v < 300; v++) {
        byte[] b = orig.clone();
        int flips = 1 + rnd.nextInt(8);
        StringBuilder where = new StringBuilder();
        for (int f = 0; f < flips; f++) {
          int pos;
          switch (v % 3) {
            case 0: pos = rnd.nextInt(region); break;
            case 1: pos = orig.length - 1 - rnd.nextInt(region); break;
            default: pos = rnd.nextInt(orig.length); break;
          }
          int bit = rnd.nextInt(8);
          b[pos] ^= (byte) (1 << bit);
          where.append(pos).append('.').append(bit).append(' ');
        }
        attempt(name + " flipped at " + where.toString().trim(), b, out);
        variants++;
      }
    }
    System.out.println("robustness: " + variants + " corrupted variants, outcomes " + counts);
    assertEquals(List.of(), wrong, "non-OffloadException failures");
    assertTrue(counts.getOrDefault(ModelFormatException.class.getSimpleName(), 0) > variants / 4,
        "most corruptions should be reported as malformed: " + counts);
  }

  @Test
  void corruptedTensorFilesFailOnlyWithModelFormatExceptions(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    List<byte[]> originals = new ArrayList<>();
    Path ds = TestPaths.models().resolve("tribuo-tinybert/test_data_set_0");
    if (Files.isDirectory(ds)) {
      originals.add(Files.readAllBytes(ds.resolve("input_0.pb")));
      originals.add(Files.readAllBytes(ds.resolve("output_0.pb")));
    }
    for (TensorData t : OnnxRoundTripTest.everyDType()) {
      originals.add(TensorCodec.encode("t", t).toByteArray());
    }
    Random rnd = new Random(SEED + 1);
    List<String> wrong = new ArrayList<>();
    int variants = 0;
    int rejected = 0;
    Path f = dir.resolve("input_0.pb");
    for (byte[] orig : originals) {
      for (int v = 0; v < 60; v++) {
        byte[] b = v < 20 ? Arrays.copyOf(orig, rnd.nextInt(orig.length)) : orig.clone();
        if (v >= 20) {
          for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
            b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
          }
        }
        Files.write(f, b);
        variants++;
        try {
          OnnxTensors.read(f);
        } catch (OffloadException e) {
          rejected++;
          assertTrue(e.getMessage().contains("input_0.pb"), "message names the file: " + e.getMessage());
        } catch (Throwable t) {
          wrong.add(t.toString());
        }
      }
    }
    System.out.println("tensor-file robustness: " + variants + " variants, " + rejected + " rejected");
    assertEquals(List.of(), wrong);
    assertTrue(rejected > 0);
  }
}
