package io.offloadcl.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LayoutOpsSpecTest {

  @Test
  void everyRequiredOpIsRegisteredWithItsFusionKind() {
    for (String op : List.of("Transpose", "Slice", "Concat", "Gather", "Pad", "Reshape", "Squeeze", "Unsqueeze", "Flatten", "Split", "Tile")) {
      assertEquals(FusionKind.INJECTIVE, OpCatalog.find(op).fusionKind(), op);
    }
    assertEquals(FusionKind.BROADCAST, OpCatalog.find("Expand").fusionKind());
    for (String op : List.of("Shape", "Constant", "ConstantOfShape", "Range", "Resize")) {
      assertEquals(FusionKind.OPAQUE, OpCatalog.find(op).fusionKind(), op);
    }
  }

  private static Graph graph(int opset) {
    Graph g = new Graph("g");
    g.opsetImports().put("", opset);
    return g;
  }

  @Test
  void transposeCostIsPureMovement() {
    Graph g = graph(13);
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 2, 3, 4));
    Node n = g.addNode("Transpose", "t", List.of(x), List.of("y"), new Attributes());
    ShapeInference.run(g);
    OpCost c = ShapeInference.cost(n);
    assertEquals(0, c.flops());
    assertEquals(96, c.bytesRead());
    assertEquals(96, c.bytesWritten());
    assertEquals(Shape.of(4, 3, 2), g.value("y").type().shape());
  }

  @Test
  void embeddingGatherReadsOnlyPickedRows() {
    Graph g = graph(13);
    Value table = g.addConstant("table", TensorData.zeros(DType.FLOAT32, 1000, 16));
    Value ids = g.addInput("ids", TensorType.of(DType.INT64, 1, 4));
    Node n = g.addNode("Gather", "g", List.of(table, ids), List.of("y"), new Attributes());
    ShapeInference.run(g);
    OpCost c = ShapeInference.cost(n);
    assertEquals(4 * 16 * 4 + 4 * 8, c.bytesRead());
    assertEquals(4 * 16 * 4, c.bytesWritten());
  }

  @Test
  void resizeLinearCostCountsTaps() {
    Graph g = graph(13);
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 1, 1, 2, 2));
    Value s = g.addConstant("s", TensorData.ofFloats(new long[] {4}, 1, 1, 2, 2));
    Node n = g.addNode("Resize", "r", Arrays.asList(x, null, s), List.of("y"), new Attributes().setString("mode", "linear"));
    ShapeInference.run(g);
    assertEquals(Shape.of(1, 1, 4, 4), g.value("y").type().shape());
    assertEquals(16L * 4 * 16, ShapeInference.cost(n).flops());
  }

  @Test
  void dynamicInputsGiveDynamicDims() {
    Graph g = graph(13);
    Value x = g.addInput("x", new TensorType(DType.FLOAT32, Shape.of(-1, 8)));
    Value shp = g.addInput("shp", TensorType.of(DType.INT64, 3));
    g.addNode("Reshape", "r", List.of(x, shp), List.of("y"), new Attributes());
    Value ax = g.addConstant("ax", TensorData.ofLongs(new long[] {1}, 1));
    g.addNode("Concat", "c", List.of(x, x), List.of("z"), new Attributes().setInt("axis", 0));
    g.addNode("Unsqueeze", "u", List.of(x, ax), List.of("w"), new Attributes());
    ShapeInference.run(g);
    assertEquals(Shape.of(-1, -1, -1), g.value("y").type().shape());
    assertEquals(Shape.of(-1, 8), g.value("z").type().shape());
    assertEquals(Shape.of(-1, 1, 8), g.value("w").type().shape());
  }

  @Test
  void constantNodeInputsCountAsStatic() {
    Graph g = graph(13);
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 2, 6));
    g.addNode("Constant", "k", List.of(), List.of("shape"), new Attributes().set("value", TensorData.ofLongs(new long[] {3}, 3, -1, 2)));
    g.addNode("Reshape", "r", List.of(x, g.value("shape")), List.of("y"), new Attributes());
    g.addNode("Constant", "a", List.of(), List.of("axes"), new Attributes().setInts("value_ints", 0));
    g.addNode("Unsqueeze", "u", List.of(g.value("y"), g.value("axes")), List.of("z"), new Attributes());
    ShapeInference.run(g);
    assertEquals(Shape.of(3, 2, 2), g.value("y").type().shape());
    assertEquals(Shape.of(1, 3, 2, 2), g.value("z").type().shape());
  }

  @Test
  void shapeGatherConcatChainGivesStaticReshape() {
    Graph g = graph(13);
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 2, 3, 4));
    g.addNode("Shape", "s", List.of(x), List.of("shp"), new Attributes());
    Value zero = g.addConstant("zero", TensorData.scalarLong(0));
    g.addNode("Gather", "g", List.of(g.value("shp"), zero), List.of("n"), new Attributes());
    Value ax = g.addConstant("ax", TensorData.ofLongs(new long[] {1}, 0));
    g.addNode("Unsqueeze", "u", List.of(g.value("n"), ax), List.of("n1"), new Attributes());
    Value rest = g.addConstant("rest", TensorData.ofLongs(new long[] {1}, -1));
    g.addNode("Concat", "c", List.of(g.value("n1"), rest), List.of("target"), new Attributes().setInt("axis", 0));
    g.addNode("Reshape", "r", List.of(x, g.value("target")), List.of("y"), new Attributes());
    ShapeInference.run(g);
    assertEquals(Shape.of(2, 12), g.value("y").type().shape());
    // with a dynamic leading dim the chain cannot be evaluated and the result stays dynamic
    Graph h = graph(13);
    Value xd = h.addInput("x", new TensorType(DType.FLOAT32, Shape.of(-1, 3, 4)));
    h.addNode("Shape", "s", List.of(xd), List.of("shp"), new Attributes());
    h.addNode("Reshape", "r", List.of(xd, h.value("shp")), List.of("y"), new Attributes());
    ShapeInference.run(h);
    assertEquals(Shape.of(-1, -1, -1), h.value("y").type().shape());
  }

  @Test
  void expandWithRuntimeShapeKnowsRankOnly() {
    Graph g = graph(13);
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 3, 1));
    Value shp = g.addInput("shp", TensorType.of(DType.INT64, 3));
    g.addNode("Expand", "e", List.of(x, shp), List.of("y"), new Attributes());
    Value s2 = g.addInput("s2", new TensorType(DType.INT64, null));
    g.addNode("Expand", "e2", List.of(x, s2), List.of("z"), new Attributes());
    ShapeInference.run(g);
    assertEquals(Shape.of(-1, -1, -1), g.value("y").type().shape());
    assertNull(g.value("z").type().shape());
  }

  @Test
  void reshapeErrorNamesNodeExpectedAndActual() {
    Graph g = graph(13);
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 3, 4));
    Value s = g.addConstant("s", TensorData.ofLongs(new long[] {2}, 5, -1));
    g.addNode("Reshape", "bad_reshape", List.of(x, s), List.of("y"), new Attributes());
    ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> ShapeInference.run(g));
    assertTrue(e.getMessage().contains("bad_reshape") && e.getMessage().contains("12 elements"), e.getMessage());
  }

  @Test
  void sliceAndPadInferFromConstants() {
    Graph g = graph(13);
    Value x = g.addInput("x", TensorType.of(DType.INT64, 7, 5));
    Value st = g.addConstant("st", TensorData.ofLongs(new long[] {2}, 1, -1));
    Value en = g.addConstant("en", TensorData.ofLongs(new long[] {2}, 100, Long.MIN_VALUE));
    Value ax = g.addConstant("ax", TensorData.ofLongs(new long[] {2}, 0, -1));
    Value sp = g.addConstant("sp", TensorData.ofLongs(new long[] {2}, 2, -1));
    g.addNode("Slice", "s", List.of(x, st, en, ax, sp), List.of("y"), new Attributes());
    Value pads = g.addConstant("pads", TensorData.ofLongs(new long[] {4}, 1, 0, 2, 3));
    g.addNode("Pad", "p", List.of(x, pads), List.of("z"), new Attributes().setString("mode", "reflect"));
    ShapeInference.run(g);
    assertEquals(Shape.of(3, 5), g.value("y").type().shape());
    assertEquals(Shape.of(10, 8), g.value("z").type().shape());
    assertNotNull(g.value("z").type());
  }

  @Test
  void gatherRejectsFloatIndices() {
    Graph g = graph(13);
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 3));
    Value i = g.addInput("i", TensorType.of(DType.FLOAT32, 2));
    g.addNode("Gather", "g", List.of(x, i), List.of("y"), new Attributes());
    assertThrows(ShapeMismatchException.class, () -> ShapeInference.run(g));
  }
}
