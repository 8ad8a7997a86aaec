package io.offloadcl.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Graphs built in code, written by {@link OnnxWriter} and imported again, keep every structural detail. */
class OnnxRoundTripTest {

  static Graph reimport(Graph g) {
    return OnnxImporter.importModel(OnnxWriter.toModel(g), null, false);
  }

  /** One tensor of every element type, with awkward values (negative, extremes, NaN where possible). */
  static List<TensorData> everyDType() {
    long[] d = {2, 2};
    return List.of(
        TensorData.wrap(DType.FLOAT32, d, new float[] {1.5f, -0f, Float.NaN, Float.NEGATIVE_INFINITY}),
        TensorData.wrap(DType.FLOAT16, d, new float[] {1.5f, -2f, 65504f, 0x1p-24f}),
        TensorData.wrap(DType.BFLOAT16, d, new float[] {1.5f, -2f, 3.3895314e38f, Float.POSITIVE_INFINITY}),
        TensorData.wrap(DType.FLOAT64, d, new double[] {1e-300, -2.5, Double.NaN, 7}),
        TensorData.wrap(DType.INT8, d, new int[] {-128, 127, 0, -1}),
        TensorData.wrap(DType.UINT8, d, new int[] {0, 255, 128, 1}),
        TensorData.wrap(DType.INT16, d, new int[] {-32768, 32767, 0, -1}),
        TensorData.wrap(DType.UINT16, d, new int[] {0, 65535, 32768, 1}),
        TensorData.wrap(DType.INT32, d, new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1}),
        TensorData.wrap(DType.INT64, d, new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1}),
        TensorData.wrap(DType.UINT32, d, new long[] {0, 0xFFFFFFFFL, 0x80000000L, 1}),
        TensorData.wrap(DType.UINT64, d, new long[] {0, -1L, Long.MIN_VALUE, 1}),
        TensorData.wrap(DType.BOOL, d, new boolean[] {true, false, false, true}),
        TensorData.wrap(DType.STRING, d, new String[] {"a", "", "ünïcødé", "x y"}),
        TensorData.wrap(DType.FLOAT32, new long[0], new float[] {42f}),
        TensorData.wrap(DType.INT64, new long[] {0, 3}, new long[0]));
  }

  @Test
  void constantsOfEveryDTypeSurvive() {
    Graph g = new Graph("consts");
    g.opsetImports().put("", 17);
    List<TensorData> all = everyDType();
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 1));
    for (int i = 0; i < all.size(); i++) {
      Value c = g.addConstant("c" + i, all.get(i));
      Node n = g.addNode("Identity", "id" + i, Arrays.asList(c), List.of("o" + i), new Attributes());
      g.addOutput(n.output(0));
    }
    g.addOutput(x);
    Graph r = reimport(g);
    for (int i = 0; i < all.size(); i++) {
      TensorData back = r.value("c" + i).constant();
      assertTrue(all.get(i).contentEquals(back), "constant " + i + ": " + all.get(i) + " came back as " + back);
    }
    assertEquals(all.size(), r.constants().size());
    assertEquals(List.of("x"), names(r.inputs()));
  }

  @Test
  void everyAttributeKindSurvives() {
    Graph body = new Graph("body");
    Value bi = body.addInput("bi", TensorType.of(DType.FLOAT32, 3));
    Node bn = body.addNode("Neg", "neg", List.of(bi), List.of("bo"), new Attributes());
    body.addOutput(bn.output(0));
    Graph body2 = new Graph("body2");
    Value b2 = body2.addConstant("k", TensorData.scalarFloat(3f));
    body2.addOutput(b2);

    Graph g = new Graph("attrs");
    g.opsetImports().put("", 13);
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 3));
    TensorData t = TensorData.ofLongs(new long[] {2}, 4, 5);
    Attributes a = new Attributes()
        .setInt("i", -7)
        .setFloat("f", 0.25f)
        .setString("s", "héllo")
        .set("t", t)
        .set("g", body)
        .setInts("is", 1, -2, Long.MAX_VALUE)
        .setFloats("fs", 1f, Float.NaN)
        .set("ss", new String[] {"a", ""})
        .set("ts", new TensorData[] {t, TensorData.scalarFloat(2f)})
        .set("gs", new Graph[] {body, body2})
        .setInts("empty", new long[0]);
    Node n = g.addNode("Custom", "custom", List.of(x), List.of("y"), a);
    g.addOutput(n.output(0));

    Attributes back = reimport(g).node("custom").attributes();
    assertEquals(List.copyOf(a.asMap().keySet()), List.copyOf(back.asMap().keySet()), "attribute order");
    assertEquals(-7L, back.get("i"));
    assertEquals(0.25f, back.get("f"));
    assertEquals("héllo", back.get("s"));
    assertTrue(t.contentEquals(back.getTensor("t")));
    Graph gb = (Graph) back.get("g");
    assertEquals("body", gb.name());
    assertEquals("Neg", gb.nodes().get(0).opType());
    assertEquals(TensorType.of(DType.FLOAT32, 3), gb.inputs().get(0).type());
    assertArrayEquals(new long[] {1, -2, Long.MAX_VALUE}, (long[]) back.get("is"));
    assertArrayEquals(new float[] {1f, Float.NaN}, (float[]) back.get("fs"));
    assertArrayEquals(new String[] {"a", ""}, (String[]) back.get("ss"));
    TensorData[] ts = (TensorData[]) back.get("ts");
    assertEquals(2, ts.length);
    assertTrue(ts[1].contentEquals(TensorData.scalarFloat(2f)));
    Graph[] gs = (Graph[]) back.get("gs");
    assertEquals("body2", gs[1].name());
    assertTrue(gs[1].outputs().get(0).isConstant());
    assertArrayEquals(new long[0], (long[]) back.get("empty"));
  }

  @Test
  void parallelEdgesStayParallel() {
    Graph g = new Graph("parallel");
    g.opsetImports().put("", 17);
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 2, 3));
    Node sq = g.addNode("Mul", "square", List.of(x, x), List.of("sq"), new Attributes());
    Node split = g.addNode("Split", "split", List.of(sq.output(0)), List.of("a", "b"), new Attributes().setInt("axis", 0));
    Node add = g.addNode("Add", "add", List.of(split.output(0), split.output(1)), List.of("s"), new Attributes());
    Node twice = g.addNode("Add", "twice", List.of(add.output(0), add.output(0)), List.of("t"), new Attributes());
    g.addOutput(twice.output(0));

    Graph r = reimport(g);
    Value rx = r.value("x");
    assertEquals(2, rx.uses().size(), "x feeds both Mul slots");
    assertEquals(1, rx.consumers().size());
    Node rsq = r.node("square");
    assertSame(rsq.input(0), rsq.input(1));
    Node radd = r.node("add");
    assertSame(r.node("split"), radd.input(0).producer());
    assertSame(r.node("split"), radd.input(1).producer());
    assertEquals(1, radd.input(1).producerIndex());
    assertEquals(2, r.value("s").uses().size());
    assertEquals(List.of("square", "split", "add", "twice"), nodeNames(r));
  }

  @Test
  void omittedInputsOutputsDomainsOpsetsAndTypesSurvive() {
    Graph g = new Graph("misc");
    g.opsetImports().put("", 11);
    g.opsetImports().put("com.example", 3);
    Value x = g.addInput("x", new TensorType(DType.FLOAT32,
        Shape.withSymbols(new long[] {-1, 4, -1}, new String[] {"batch", null, null})));
    Value unknownRank = g.addInput("u", new TensorType(DType.INT64, null));
    Node clip = g.addNode("Clip", "", 11, "clip", Arrays.asList(x, null, g.addConstant("hi", TensorData.scalarFloat(6f))),
        List.of("c"), new Attributes());
    clip.output(0).setType(TensorType.of(DType.FLOAT32, 2, 4, 5));
    Node drop = g.addNode("Dropout", "", 11, "drop", List.of(clip.output(0)), Arrays.asList("d", null), new Attributes());
    Node custom = g.addNode("Thing", "com.example", 3, "thing", List.of(drop.output(0), unknownRank), List.of("z"),
        new Attributes());
    g.addOutput(custom.output(0));

    Graph r = reimport(g);
    Shape xs = r.value("x").type().shape();
    assertEquals("batch", xs.symbol(0));
    assertEquals(Shape.DYNAMIC, xs.dim(0));
    assertEquals(4, xs.dim(1));
    assertNull(xs.symbol(2));
    assertEquals(DType.INT64, r.value("u").type().dtype());
    assertNull(r.value("u").type().shape());
    Node rc = r.node("clip");
    assertEquals(3, rc.inputs().size());
    assertNull(rc.input(1));
    assertTrue(rc.input(2).isConstant());
    assertEquals(TensorType.of(DType.FLOAT32, 2, 4, 5), r.value("c").type(), "value_info type");
    Node rd = r.node("drop");
    assertEquals(2, rd.outputs().size());
    assertNull(rd.output(1));
    Node rt = r.node("thing");
    assertEquals("com.example", rt.domain());
    assertEquals(3, rt.opsetVersion());
    assertEquals(11, rc.opsetVersion());
    assertEquals(Integer.valueOf(3), r.opsetImports().get("com.example"));
  }

  @Test
  void defaultOpsetAndFileWrite(@TempDir Path dir) throws Exception {
    Graph g = new Graph("plain");
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 1));
    Node n = g.addNode("Relu", "relu", List.of(x), List.of("y"), new Attributes());
    g.addOutput(n.output(0));
    Path f = dir.resolve("sub/model.onnx");
    OnnxWriter.write(g, f);
    assertTrue(Files.size(f) > 0);
    try (var s = Files.list(f.getParent())) {
      assertEquals(1, s.count(), "no temp file left behind");
    }
    Graph r = OnnxImporter.load(f, false);
    assertEquals(17, r.node("relu").opsetVersion());
    assertEquals(Integer.valueOf(17), r.opsetImports().get(""));
    assertEquals(OnnxWriter.IR_VERSION, OnnxImporter.parse(Files.readAllBytes(f), "f").getIrVersion());
  }

  @Test
  void subGraphCapturesOuterValues() {
    Graph body = new Graph("then");
    Value outerRef = body.addInput("x", TensorType.of(DType.FLOAT32, 2));
    Node bn = body.addNode("Neg", "neg", List.of(outerRef), List.of("nx"), new Attributes());
    body.addOutput(bn.output(0));
    // written without the captured name as an input, the way exporters write If branches
    var model = OnnxWriter.toModel(wrapIf(body)).toBuilder();
    var gb = model.getGraphBuilder();
    var attr = gb.getNodeBuilder(0).getAttributeBuilder(0);
    attr.getGBuilder().clearInput();
    Graph r = OnnxImporter.importModel(model.build(), null, false);
    Graph thenBranch = (Graph) r.node("if").attributes().get("then_branch");
    assertEquals(List.of("x"), names(thenBranch.inputs()), "captured outer value appended as input");
    assertEquals(TensorType.of(DType.FLOAT32, 2), thenBranch.inputs().get(0).type());
  }

  private static Graph wrapIf(Graph body) {
    Graph g = new Graph("outer");
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 2));
    Value cond = g.addInput("cond", TensorType.of(DType.BOOL));
    Node n = g.addNode("If", "if", List.of(cond), List.of("r"),
        new Attributes().set("then_branch", body).set("else_branch", body));
    g.addOutput(n.output(0));
    g.addOutput(x);
    return g;
  }

  private static List<String> names(List<Value> vs) {
    return vs.stream().map(Value::name).collect(java.util.stream.Collectors.toList());
  }

  private static List<String> nodeNames(Graph g) {
    return g.nodes().stream().map(Node::name).collect(java.util.stream.Collectors.toList());
  }
}
