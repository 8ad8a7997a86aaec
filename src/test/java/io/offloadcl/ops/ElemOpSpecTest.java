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
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ir.Value;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ElemOpSpecTest {
  private static final String[] REQUIRED = {"Abs", "Add", "Cast", "Clip", "Div", "Dropout", "Equal", "Erf", "Exp",
    "Gelu", "Greater", "HardSigmoid", "HardSwish", "Identity", "LeakyRelu", "Less", "Log", "Max", "Min", "Mul", "Neg",
    "Pow", "PRelu", "Relu", "Sigmoid", "Sqrt", "Sub", "Sum", "Tanh", "Where", "ReduceMax", "ReduceMean", "ReduceSum",
    "Softmax", "LogSoftmax", "LayerNormalization"};

  private static Node node(Graph g, String op, int opset, Attributes a, Value... ins) {
    List<Value> l = new ArrayList<>(List.of(ins));
    Node n = g.addNode(op, "", opset, "n", l, List.of("out"), a == null ? new Attributes() : a);
    g.addOutput(n.output(0));
    ShapeInference.run(g);
    return n;
  }

  @Test
  void everyRequiredOpIsRegisteredWithItsFusionKind() {
    for (String op : REQUIRED) {
      assertNotNull(OpCatalog.find(op), op);
    }
    assertEquals(FusionKind.ELEMWISE, OpCatalog.find("Relu").fusionKind());
    assertEquals(FusionKind.ELEMWISE, OpCatalog.find("Cast").fusionKind());
    assertEquals(FusionKind.BROADCAST, OpCatalog.find("Add").fusionKind());
    assertEquals(FusionKind.BROADCAST, OpCatalog.find("Where").fusionKind());
    assertEquals(FusionKind.REDUCTION, OpCatalog.find("ReduceMean").fusionKind());
    assertEquals(FusionKind.REDUCTION, OpCatalog.find("Softmax").fusionKind());
    assertEquals(FusionKind.REDUCTION, OpCatalog.find("LayerNormalization").fusionKind());
  }

  @Test
  void broadcastInferenceKeepsDynamicDims() {
    Graph g = new Graph("g");
    Value a = g.addInput("a", new TensorType(DType.FLOAT32, Shape.of(-1, 1, 4)));
    Value b = g.addInput("b", TensorType.of(DType.FLOAT32, 3, 1));
    Node n = node(g, "Add", 14, null, a, b);
    assertEquals(new TensorType(DType.FLOAT32, Shape.of(-1, 3, 4)), n.output(0).type());
    Graph h = new Graph("h");
    Value x = h.addInput("x", new TensorType(DType.INT64, null));
    Value y = h.addInput("y", TensorType.of(DType.INT64, 2));
    Node c = node(h, "Less", 13, null, x, y);
    assertEquals(new TensorType(DType.BOOL, null), c.output(0).type());
  }

  @Test
  void costsCountFlopsPerElementAndBytes() {
    Graph g = new Graph("g");
    Value a = g.addInput("a", TensorType.of(DType.FLOAT32, 2, 3));
    Value b = g.addInput("b", TensorType.of(DType.FLOAT32, 3));
    Node add = node(g, "Add", 14, null, a, b);
    OpCost c = ShapeInference.cost(add);
    assertEquals(6, c.flops());
    assertEquals(24 + 12, c.bytesRead());
    assertEquals(24, c.bytesWritten());
    Graph h = new Graph("h");
    Value x = h.addInput("x", TensorType.of(DType.FLOAT32, 4, 8));
    Node r = node(h, "ReduceMean", 13, new Attributes().setInts("axes", 1), x);
    OpCost rc = ShapeInference.cost(r);
    assertEquals(32, rc.flops());
    assertEquals(128, rc.bytesRead());
    assertEquals(16, rc.bytesWritten());
    Graph k = new Graph("k");
    Value s = k.addInput("s", TensorType.of(DType.FLOAT32, 10));
    assertTrue(ShapeInference.cost(node(k, "Sigmoid", 13, null, s)).flops() >= 40);
  }

  @Test
  void reductionShapesByOpset() {
    Graph g = new Graph("g");
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 2, 3, 4));
    Value axes = g.addConstant("axes", TensorData.ofLongs(new long[] {2}, 0, -1));
    Node n = node(g, "ReduceMax", 18, new Attributes().setInt("keepdims", 0), x, axes);
    assertEquals(TensorType.of(DType.FLOAT32, 3), n.output(0).type());
    Graph h = new Graph("h");
    Value y = h.addInput("y", TensorType.of(DType.FLOAT32, 2, 3, 4));
    Value dynAxes = h.addInput("axes", TensorType.of(DType.INT64, 1));
    Node m = node(h, "ReduceSum", 13, null, y, dynAxes);
    assertEquals(new TensorType(DType.FLOAT32, Shape.of(-1, -1, -1)), m.output(0).type());
    Graph k = new Graph("k");
    Value z = k.addInput("z", TensorType.of(DType.FLOAT32, 2, 3, 4));
    Node l = node(k, "ReduceMean", 11, new Attributes().setInts("axes", 1), z);
    assertEquals(TensorType.of(DType.FLOAT32, 2, 1, 4), l.output(0).type());
  }

  @Test
  void layerNormStatisticsUseStashType() {
    Graph g = new Graph("g");
    Value x = g.addInput("x", TensorType.of(DType.FLOAT64, 2, 3, 4));
    Value s = g.addInput("s", TensorType.of(DType.FLOAT64, 3, 4));
    Node n = g.addNode("LayerNormalization", "", 17, "ln", List.of(x, s), List.of("y", "mean", "inv"),
        new Attributes().setInt("axis", 1));
    g.addOutput(n.output(0));
    ShapeInference.run(g);
    assertEquals(TensorType.of(DType.FLOAT64, 2, 3, 4), n.output(0).type());
    assertEquals(TensorType.of(DType.FLOAT32, 2, 1, 1), n.output(1).type());
    assertEquals(TensorType.of(DType.FLOAT32, 2, 1, 1), n.output(2).type());
  }

  @Test
  void unsupportedDtypeIsDecidedAtInference() {
    Graph g = new Graph("g");
    Value x = g.addInput("x", TensorType.of(DType.INT64, 4));
    UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
        () -> node(g, "Softmax", 13, null, x));
    assertTrue(e.getMessage().contains("'n'") && e.getMessage().contains("int64"), e.getMessage());
    Graph h = new Graph("h");
    Value u = h.addInput("u", TensorType.of(DType.UINT8, 4));
    assertThrows(UnsupportedOperatorException.class, () -> node(h, "Neg", 13, null, u));
    Graph k = new Graph("k");
    Value unknown = k.addInput("q", null);
    Node r = node(k, "Relu", 14, null, unknown);
    assertNull(r.output(0).type());
  }
}
