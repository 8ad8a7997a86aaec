package io.offloadcl.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphTest {
  /** x → Mul(x, x) → y; y and x → Add(y, y) → z: parallel edges at both nodes. */
  private static Graph parallelEdges() {
    Graph g = new Graph("pe");
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 2, 3));
    Node mul = g.addNode("Mul", "mul", Arrays.asList(x, x), List.of("y"), null);
    Node add = g.addNode("Add", "add", Arrays.asList(mul.output(0), mul.output(0)), List.of("z"), null);
    g.addOutput(add.output(0));
    return g;
  }

  @Test
  void parallelEdgesAreTwoUses() {
    Graph g = parallelEdges();
    Value x = g.value("x");
    assertEquals(2, x.uses().size());
    assertEquals(1, x.consumers().size());
    assertEquals(0, x.uses().get(0).index());
    assertEquals(1, x.uses().get(1).index());
    GraphVerifier.verify(g);
    assertTrue(GraphPrinter.toText(g).contains("Mul(%x, %x)"));
    String dot = GraphPrinter.toDot(g, null);
    assertEquals(2, dot.split("\"mul\" -> \"add\"", -1).length - 1, dot);
  }

  @Test
  void replaceAllUsesMovesEveryParallelEdge() {
    Graph g = parallelEdges();
    Value x = g.value("x");
    Value c = g.addConstant("c", TensorData.ofFloats(new long[] {2, 3}, new float[6]));
    g.replaceAllUses(x, c, true);
    assertEquals(0, x.uses().size());
    assertEquals(2, c.uses().size());
    assertSame(c, g.node("mul").input(0));
    assertSame(c, g.node("mul").input(1));
    GraphVerifier.verify(g);
  }

  @Test
  void copyKeepsStructureAndParallelEdges() {
    Graph g = parallelEdges();
    Graph c = g.copy();
    assertNotSame(g.value("x"), c.value("x"));
    assertEquals(GraphPrinter.toText(g), GraphPrinter.toText(c));
    assertEquals(2, c.value("x").uses().size());
    assertEquals(2, c.value("y").uses().size());
    GraphVerifier.verify(c);
  }

  @Test
  void verifierRejectsCycleDanglingAndEmptyOutputs() {
    Graph g = new Graph("bad");
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 1));
    Node a = g.addNode("Relu", "a", List.of(x), List.of("a_out"), null);
    Node b = g.addNode("Relu", "b", List.of(a.output(0)), List.of("b_out"), null);
    GraphException noOut = assertThrows(GraphException.class, () -> GraphVerifier.verify(g));
    assertTrue(noOut.getMessage().contains("no outputs"), noOut.getMessage());
    g.addOutput(b.output(0));
    g.setInput(a, 0, b.output(0)); // a ← b ← a
    GraphException cycle = assertThrows(GraphException.class, g::sortTopologically);
    assertTrue(cycle.getMessage().contains("cycle"), cycle.getMessage());
  }

  @Test
  void duplicateNamesAreRejectedWithTheName() {
    Graph g = new Graph("dup");
    g.addInput("x", TensorType.of(DType.FLOAT32, 1));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> g.addInput("x", TensorType.of(DType.FLOAT32, 1)));
    assertTrue(e.getMessage().contains("'x'"), e.getMessage());
  }
}
