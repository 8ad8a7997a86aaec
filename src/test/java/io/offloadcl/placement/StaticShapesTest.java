package io.offloadcl.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ops.ShapeInference;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticShapesTest {
  @Test
  void bindsDynamicBatchSoEveryOpHasACost() {
    Graph g = new Graph("dyn");
    g.opsetImports().put("", 17);
    var x = g.addInput("x", TensorType.of(DType.FLOAT32, -1, 16));
    Node r = g.addNode("Relu", "r", List.of(x), List.of("y"), new Attributes());
    g.addOutput(r.output(0));
    ShapeInference.run(g);
    assertEquals(1, StaticShapes.opsWithUnknownCost(g));
    assertEquals(1, StaticShapes.bindDynamicInputs(g, 4));
    assertEquals(TensorType.of(DType.FLOAT32, 4, 16), r.output(0).type());
    assertEquals(0, StaticShapes.opsWithUnknownCost(g));
    assertEquals(0, StaticShapes.bindDynamicInputs(g, 4));
    assertThrows(IllegalArgumentException.class, () -> StaticShapes.bindDynamicInputs(g, 0));
    assertTrue(g.value("y").type().isStatic());
  }
}
