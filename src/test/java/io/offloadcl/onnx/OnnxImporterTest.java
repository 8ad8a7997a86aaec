package io.offloadcl.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.ModelFormatException;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The importer's handling of hand-built ModelProtos: what it accepts and how it rejects bad ones. */
class OnnxImporterTest {

  static ValueInfoProto vi(String name, int elemType, long... dims) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : dims) {
      s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder().setName(name)
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(s)))
        .build();
  }

  static NodeProto node(String name, String op, List<String> in, List<String> out) {
    return NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(in).addAllOutput(out).build();
  }

  static ModelProto model(GraphProto.Builder g) {
    return ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .setGraph(g).build();
  }

  /** x[2] → Relu → y */
  static GraphProto.Builder relu() {
    return GraphProto.newBuilder().setName("g")
        .addInput(vi("x", 1, 2))
        .addNode(node("r", "Relu", List.of("x"), List.of("y")))
        .addOutput(vi("y", 1, 2));
  }

  static Graph imp(ModelProto m) {
    return OnnxImporter.importModel(m, null, false);
  }

  static ModelFormatException bad(ModelProto m, String... fragments) {
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> imp(m));
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
    }
    return e;
  }

  static TensorProto.Builder tensor(String name, int type, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type);
    for (long d : dims) {
      t.addDims(d);
    }
    return t;
  }

  /** A graph exposing one initializer as output, to test tensor decoding. */
  static ModelProto withInit(TensorProto.Builder t) {
    return model(GraphProto.newBuilder().setName("g").addInitializer(t).addOutput(ValueInfoProto.newBuilder().setName(t.getName())));
  }

  static TensorData init(TensorProto.Builder t) {
    return imp(withInit(t)).value(t.getName()).constant();
  }

  @Test
  void importsPlainModel() {
    Graph g = imp(model(relu()));
    assertEquals(1, g.nodes().size());
    Node r = g.node("r");
    assertEquals(13, r.opsetVersion());
    assertEquals("x", r.input(0).name());
    assertEquals("float32[2]", g.value("y").type().toString());
  }

  @Test
  void unsupportedOperatorsAreListedTogetherBeforeAnythingElse() {
    GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(vi("x", 1, 2))
        .addNode(node("n1", "Foo", List.of("x"), List.of("a")))
        .addNode(node("n2", "Foo", List.of("a"), List.of("b")))
        .addNode(node("n7", "Bar", List.of("b"), List.of("c")))
        .addNode(NodeProto.newBuilder().setName("n9").setOpType("Baz").setDomain("com.example")
            .addInput("c").addOutput("d"))
        .addOutput(vi("d", 1, 2));
    ModelProto m = model(g).toBuilder()
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.example").setVersion(1)).build();
    UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
        () -> OnnxImporter.fromBytes(m.toByteArray(), null));
    assertTrue(e.getMessage().startsWith(
        "unsupported operators: Foo (nodes n1, n2); Bar (node n7); com.example::Baz (node n9)"), e.getMessage());
  }

  @Test
  void nonTensorGraphInputsAreUnsupportedWhenOpsAreChecked() {
    ValueInfoProto seq = ValueInfoProto.newBuilder().setName("s")
        .setType(TypeProto.newBuilder().setSequenceType(TypeProto.Sequence.newBuilder())).build();
    GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(seq).addInput(vi("f8", 17, 2))
        .addNode(node("n1", "Foo", List.of("s", "f8"), List.of("y")))
        .addOutput(vi("y", 1, 2));
    UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
        () -> OnnxImporter.fromBytes(model(g).toByteArray(), null));
    assertTrue(e.getMessage().startsWith("unsupported operators: Foo (node n1); unsupported types: graph input 's' is"
        + " sequence, graph input 'f8' is element type code 17"), e.getMessage());
    Graph structural = imp(model(g));
    assertNull(structural.value("s").type());
    assertNull(structural.value("f8").type());
  }

  @Test
  void rejectsGarbageAndStructuralErrors(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("junk.onnx");
    Files.write(f, new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01, 0x02});
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> OnnxImporter.load(f));
    assertTrue(e.getMessage().contains("junk.onnx") && e.getMessage().contains("protobuf"), e.getMessage());
    ModelFormatException missing = assertThrows(ModelFormatException.class, () -> OnnxImporter.load(dir.resolve("nope.onnx")));
    assertTrue(missing.getMessage().contains("nope.onnx") && missing.getMessage().contains("not found"));
    assertThrows(ModelFormatException.class, () -> OnnxImporter.fromBytes(null, null));

    bad(ModelProto.newBuilder().setIrVersion(8).build(), "no graph");
    bad(model(relu().clearOutput()), "no outputs");
    bad(model(relu().setNode(0, node("r", "Relu", List.of("nothing"), List.of("y")))), "node 'r'", "'nothing'");
    bad(model(relu().addOutput(vi("ghost", 1, 2))), "graph output 'ghost'");
    bad(model(relu().addNode(node("r2", "Relu", List.of("x"), List.of("y")))), "'y'", "produced by both");
    bad(model(relu().addInput(vi("x", 1, 2))), "'x'", "twice");
    bad(model(relu().setNode(0, node("r", "", List.of("x"), List.of("y")))), "no op_type");
    bad(model(relu().setInput(0, vi("x", 1, -3))), "negative dimension -3");
    bad(model(GraphProto.newBuilder().setName("g").addInput(vi("x", 1, 2))
        .addNode(node("a", "Relu", List.of("x", "b"), List.of("a")))
        .addNode(node("b", "Relu", List.of("a"), List.of("b")))
        .addOutput(vi("b", 1, 2))), "cycle");
    ModelProto customNoImport = model(relu().setNode(0, node("r", "Relu", List.of("x"), List.of("y")).toBuilder()
        .setDomain("com.example").build()));
    bad(customNoImport, "domain 'com.example'");
  }

  @Test
  void ordersNodesAndNamesThemUniquely() {
    GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(vi("x", 1, 2))
        .addNode(node("", "Neg", List.of("a"), List.of("b")))
        .addNode(node("dup", "Relu", List.of("x"), List.of("a")))
        .addNode(node("dup", "Abs", List.of("b"), List.of("c")))
        .addNode(node("", "Neg", List.of("c"), List.of("Neg_1out")))
        .addNode(node("Neg_1", "Identity", List.of("Neg_1out"), List.of("d")))
        .addOutput(vi("d", 1, 2));
    Graph r = imp(model(g));
    List<String> ops = r.nodes().stream().map(Node::opType).collect(Collectors.toList());
    assertEquals(List.of("Relu", "Neg", "Abs", "Neg", "Identity"), ops);
    List<String> names = r.nodes().stream().map(Node::name).collect(Collectors.toList());
    assertEquals(names.size(), names.stream().distinct().count(), "unique: " + names);
    assertEquals("dup", r.nodes().get(0).name());
    assertEquals("Neg_1", r.node("Neg_1").name());
    assertEquals("Identity", r.node("Neg_1").opType(), "an explicit name is never taken by a generated one");
  }

  @Test
  void initializerListedAsInputIsAConstantAndAiOnnxIsTheDefaultDomain() {
    GraphProto.Builder g = relu()
        .addInitializer(tensor("w", 1, 2).addFloatData(1).addFloatData(2))
        .addInput(vi("w", 1, 2))
        .addNode(NodeProto.newBuilder().setName("add").setOpType("Add").setDomain("ai.onnx")
            .addInput("y").addInput("w").addOutput("z"))
        .addOutput(vi("z", 1, 2));
    Graph r = imp(model(g));
    assertEquals(List.of("x"), r.inputs().stream().map(v -> v.name()).collect(Collectors.toList()));
    assertTrue(r.value("w").isConstant());
    assertEquals("", r.node("add").domain());
    assertEquals(13, r.node("add").opsetVersion());
  }

  @Test
  void valueInfoSymbolsAndUnknownTypes() {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder()
        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
        .addDim(TensorShapeProto.Dimension.newBuilder())
        .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(3));
    ValueInfoProto x = ValueInfoProto.newBuilder().setName("x")
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
    ValueInfoProto seq = ValueInfoProto.newBuilder().setName("s")
        .setType(TypeProto.newBuilder().setSequenceType(TypeProto.Sequence.newBuilder())).build();
    ValueInfoProto weird = vi("w", 99, 1);
    GraphProto.Builder g = relu().setInput(0, x).addInput(seq).addInput(weird).setOutput(0, ValueInfoProto.newBuilder().setName("y"))
        .addValueInfo(vi("y", 1, 7));
    Graph r = imp(model(g));
    assertEquals("float32[N,?,3]", r.value("x").type().toString());
    assertEquals("N", r.value("x").type().shape().symbol(0));
    assertNull(r.value("s").type());
    assertNull(r.value("w").type());
    assertEquals("float32[7]", r.value("y").type().toString());
  }

  @Test
  void decodesTypedFieldsOfEveryDType() {
    assertArrayEquals(new float[] {1, -2}, init(tensor("t", 1, 2).addFloatData(1).addFloatData(-2)).floats());
    assertArrayEquals(new int[] {255, 1}, init(tensor("t", 2, 2).addInt32Data(-1).addInt32Data(1)).ints());
    assertArrayEquals(new int[] {-1, 127}, init(tensor("t", 3, 2).addInt32Data(255).addInt32Data(127)).ints());
    assertArrayEquals(new int[] {65535, 7}, init(tensor("t", 4, 2).addInt32Data(-1).addInt32Data(7)).ints());
    assertArrayEquals(new int[] {-1, 7}, init(tensor("t", 5, 2).addInt32Data(65535).addInt32Data(7)).ints());
    assertArrayEquals(new int[] {-5, 6}, init(tensor("t", 6, 2).addInt32Data(-5).addInt32Data(6)).ints());
    assertArrayEquals(new long[] {-5, 1L << 40}, init(tensor("t", 7, 2).addInt64Data(-5).addInt64Data(1L << 40)).longs());
    assertArrayEquals(new String[] {"ab", "ç"}, init(tensor("t", 8, 2)
        .addStringData(ByteString.copyFromUtf8("ab")).addStringData(ByteString.copyFromUtf8("ç"))).strings());
    assertArrayEquals(new boolean[] {true, false}, init(tensor("t", 9, 2).addInt32Data(1).addInt32Data(0)).bools());
    // float16 bits: 0x3C00 = 1.0, 0xC000 = -2.0, 0x0001 = smallest subnormal, 0x7C00 = +inf
    assertArrayEquals(new float[] {1f, -2f, 0x1p-24f, Float.POSITIVE_INFINITY}, init(tensor("t", 10, 4)
        .addInt32Data(0x3C00).addInt32Data(0xC000).addInt32Data(1).addInt32Data(0x7C00)).floats());
    assertArrayEquals(new double[] {0.1, -3}, init(tensor("t", 11, 2).addDoubleData(0.1).addDoubleData(-3)).doubles());
    assertArrayEquals(new long[] {0xFFFFFFFFL, 3}, init(tensor("t", 12, 2).addUint64Data(-1L).addUint64Data(3)).longs());
    assertArrayEquals(new long[] {-1L, 3}, init(tensor("t", 13, 2).addUint64Data(-1L).addUint64Data(3)).longs());
    // bfloat16 bits: 0x3FC0 = 1.5, 0xC000 = -2
    assertArrayEquals(new float[] {1.5f, -2f}, init(tensor("t", 16, 2).addInt32Data(0x3FC0).addInt32Data(0xC000)).floats());
    TensorData scalar = init(tensor("t", 1).addFloatData(9));
    assertEquals(0, scalar.rank());
    assertEquals(DType.FLOAT16, init(tensor("t", 10, 1).addInt32Data(0x3C00)).dtype());
  }

  @Test
  void decodesRawDataLittleEndian() {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-3f);
    assertArrayEquals(new float[] {1.5f, -3f}, init(tensor("t", 1, 2).setRawData(ByteString.copyFrom(b.array()))).floats());
    ByteBuffer h = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3C00).putShort((short) 0xBC00);
    assertArrayEquals(new float[] {1f, -1f}, init(tensor("t", 10, 2).setRawData(ByteString.copyFrom(h.array()))).floats());
    assertArrayEquals(new int[] {-1, 2}, init(tensor("t", 3, 2).setRawData(ByteString.copyFrom(new byte[] {-1, 2}))).ints());
    ByteBuffer u32 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(-1);
    assertArrayEquals(new long[] {0xFFFFFFFFL}, init(tensor("t", 12, 1).setRawData(ByteString.copyFrom(u32.array()))).longs());
  }

  @Test
  void rejectsInconsistentTensors() {
    bad(withInit(tensor("w", 1, 3).setRawData(ByteString.copyFrom(new byte[8]))), "initializer 'w'", "raw_data has 8 bytes", "needs 12");
    bad(withInit(tensor("w", 1, 3).addFloatData(1)), "initializer 'w'", "float_data holds 1 values", "needs 3");
    bad(withInit(tensor("w", 77, 1).addInt32Data(1)), "unknown data type code 77");
    bad(withInit(tensor("w", 0, 1).addInt32Data(1)), "unknown data type code 0");
    bad(withInit(tensor("w", 1, 2, -1)), "negative dimension -1");
    bad(withInit(tensor("w", 1, 1L << 40, 1L << 40).addFloatData(1)), "more elements than a tensor can hold");
    bad(withInit(tensor("w", 8, 1).setRawData(ByteString.copyFrom(new byte[4]))), "string_data");
    UnsupportedOperatorException complex = assertThrows(UnsupportedOperatorException.class,
        () -> imp(withInit(tensor("w", 14, 1).addFloatData(1).addFloatData(2))));
    assertTrue(complex.getMessage().contains("complex"));
    assertThrows(UnsupportedOperatorException.class, () -> imp(model(relu().addSparseInitializer(SparseTensorProto.newBuilder()))));
    // zero elements with a huge extent elsewhere is fine and allocates nothing
    assertEquals(0, init(tensor("t", 1, 0, 1L << 50)).size());
  }

  @Test
  void externalData(@TempDir Path dir) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(9).putFloat(1.5f).putFloat(-2).putFloat(7);
    Files.write(dir.resolve("weights.bin"), b.array());
    TensorProto.Builder ext = tensor("w", 1, 2)
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(kv("location", "weights.bin"))
        .addExternalData(kv("offset", "4"))
        .addExternalData(kv("length", "8"));
    ModelProto m = withInit(ext);
    Files.write(dir.resolve("model.onnx"), m.toByteArray());
    Graph g = OnnxImporter.load(dir.resolve("model.onnx"), false);
    assertArrayEquals(new float[] {1.5f, -2f}, g.value("w").constant().floats());
    assertArrayEquals(new float[] {1.5f, -2f},
        OnnxImporter.importModel(m, dir, false).value("w").constant().floats());

    bad(withInit(ext.clone().setExternalData(0, kv("location", "missing.bin"))), "missing.bin");
    ModelFormatException nf = assertThrows(ModelFormatException.class,
        () -> OnnxImporter.importModel(withInit(ext.clone().setExternalData(0, kv("location", "missing.bin"))), dir, false));
    assertTrue(nf.getMessage().contains("missing.bin") && nf.getMessage().contains("not found"), nf.getMessage());
    for (String escape : new String[] {"../weights.bin", "/etc/passwd", "sub/../../x.bin", "."}) {
      ModelFormatException e = assertThrows(ModelFormatException.class,
          () -> OnnxImporter.importModel(withInit(ext.clone().setExternalData(0, kv("location", escape))), dir, false));
      assertTrue(e.getMessage().contains("escapes") || e.getMessage().contains("not a regular file"), e.getMessage());
    }
    ModelFormatException range = assertThrows(ModelFormatException.class,
        () -> OnnxImporter.importModel(withInit(ext.clone().setExternalData(1, kv("offset", "12"))), dir, false));
    assertTrue(range.getMessage().contains("beyond"), range.getMessage());
    ModelFormatException len = assertThrows(ModelFormatException.class,
        () -> OnnxImporter.importModel(withInit(ext.clone().setExternalData(2, kv("length", "4"))), dir, false));
    assertTrue(len.getMessage().contains("length 4"), len.getMessage());
    ModelFormatException neg = assertThrows(ModelFormatException.class,
        () -> OnnxImporter.importModel(withInit(ext.clone().setExternalData(1, kv("offset", "-1"))), dir, false));
    assertTrue(neg.getMessage().contains("offset"), neg.getMessage());
  }

  private static StringStringEntryProto kv(String k, String v) {
    return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
  }

  @Test
  void attributeEdgeCases() {
    NodeProto.Builder n = node("r", "Relu", List.of("x"), List.of("y")).toBuilder();
    ModelProto ref = model(relu().setNode(0, n.clone().addAttribute(
        AttributeProto.newBuilder().setName("alpha").setRefAttrName("outer_alpha").setType(AttributeProto.AttributeType.FLOAT))));
    bad(ref, "node 'r' attribute 'alpha'", "outer_alpha");
    ModelProto sparse = model(relu().setNode(0, n.clone().addAttribute(AttributeProto.newBuilder().setName("sp")
        .setType(AttributeProto.AttributeType.SPARSE_TENSOR).setSparseTensor(SparseTensorProto.newBuilder()))));
    assertThrows(UnsupportedOperatorException.class, () -> imp(sparse));
    ModelProto dup = model(relu().setNode(0, n.clone()
        .addAttribute(AttributeProto.newBuilder().setName("a").setType(AttributeProto.AttributeType.INT).setI(1))
        .addAttribute(AttributeProto.newBuilder().setName("a").setType(AttributeProto.AttributeType.INT).setI(2))));
    bad(dup, "attribute 'a' twice");
    // IR version 1 attributes carry no type field
    ModelProto untyped = model(relu().setNode(0, n.clone()
        .addAttribute(AttributeProto.newBuilder().setName("f").setF(0.5f))
        .addAttribute(AttributeProto.newBuilder().setName("is").addInts(3).addInts(4))
        .addAttribute(AttributeProto.newBuilder().setName("s").setS(ByteString.copyFrom("ok", StandardCharsets.UTF_8)))));
    Node r = imp(untyped).node("r");
    assertEquals(0.5f, r.attributes().get("f"));
    assertArrayEquals(new long[] {3, 4}, (long[]) r.attributes().get("is"));
    assertEquals("ok", r.attributes().get("s"));
  }

  @Test
  void emptyNamesMeanOmittedOptionalValues() {
    GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(vi("x", 1, 2))
        .addNode(node("c", "Clip", List.of("x", "", "x"), List.of("y")))
        .addNode(node("d", "Dropout", List.of("y"), List.of("z", "")))
        .addOutput(vi("z", 1, 2));
    Graph r = imp(model(g));
    assertNull(r.node("c").input(1));
    assertEquals(2, r.value("x").uses().size());
    assertEquals(2, r.node("d").outputs().size());
    assertNull(r.node("d").output(1));
  }

  @Test
  void constantNodeOnlyGraphImports() {
    TensorProto t = tensor("", 1, 1).addFloatData(3).build();
    GraphProto.Builder g = GraphProto.newBuilder().setName("g")
        .addNode(node("k", "Constant", List.of(), List.of("v")).toBuilder()
            .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(t)))
        .addOutput(vi("v", 1, 1));
    Graph r = imp(model(g));
    assertEquals("Constant", r.node("k").opType());
    assertArrayEquals(new float[] {3}, r.node("k").attributes().getTensor("value").floats());
  }

  @Test
  void everyFailureIsAnOffloadException() {
    // a node whose output collides with an input; the IR would reject it, the importer names it first
    OffloadException e = assertThrows(OffloadException.class,
        () -> imp(model(relu().setNode(0, node("r", "Relu", List.of("x"), List.of("x"))))));
    assertTrue(e.getMessage().contains("'x'"), e.getMessage());
  }
}
