package io.offloadcl.passes;

import static io.offloadcl.passes.PassTesting.graph;
import static io.offloadcl.passes.PassTesting.input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.FusedExpr;
import io.offloadcl.ops.OpCost;
import io.offloadcl.ops.ShapeInference;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fused ops' contract as codegen will read it: program encoding, shapes, costs, errors. */
class FusedOpsContractTest {
  static Graph fused(String... expr) {
    Graph g = graph("fe");
    Value x = input(g, "x", 2, 3);
    Value b = input(g, "b", 3);
    Value y = g.addNode("FusedElementwise", "offloadcl", 1, "f", List.of(x, b), List.of("y"),
        new Attributes().set("expr", expr)).output(0);
    g.addOutput(y);
    return g;
  }

  @Test
  void programRunsWithBroadcastAndDup() {
    Graph g = fused("in:0", "in:1", "Sub", "dup", "Mul", "const:0.5", "Mul", "Clip:0.0:1.0");
    ShapeInference.run(g);
    assertEquals(Shape.of(2, 3), g.outputs().get(0).type().shape());
    TensorData x = TensorData.ofFloats(new long[] {2, 3}, 0, 1, 2, 3, 4, 5);
    TensorData b = TensorData.ofFloats(new long[] {3}, 1, 1, 1);
    TensorData y = new ReferenceExecutor(g).run(Map.of("x", x, "b", b)).get("y");
    assertArrayEquals(new float[] {0.5f, 0f, 0.5f, 1f, 1f, 1f}, y.floats(), 1e-6f);
  }

  @Test
  void badProgramsAreRejectedNamingTheToken() {
    for (String[] bad : new String[][] {{"in:0", "Frobnicate"}, {"in:0", "in:1"}, {"in:5"}, {"in:0", "Clip:1.0"},
        {"Add"}, {"in:0", "const:x"}}) {
      Graph g = fused(bad);
      ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> ShapeInference.run(g));
      assertTrue(e.getMessage().contains("'f'"), e.getMessage());
    }
  }

  @Test
  void fusedElementwiseCostsOneReadAndOneWrite() {
    Graph g = fused("in:0", "in:1", "Add", "Relu", "Neg");
    ShapeInference.run(g);
    OpCost c = GraphStats.cost(g.nodes().get(0));
    assertEquals((6 + 3) * 4, c.bytesRead());
    assertEquals(6 * 4, c.bytesWritten());
    assertEquals(3 * 6, c.flops());
    assertEquals(3, FusedExpr.applications(new String[] {"in:0", "in:1", "Add", "Relu", "Neg"}));
  }

  @Test
  void im2colLaysOutPatchesRowByRow() {
    Graph g = graph("im2col");
    Value x = input(g, "x", 1, 1, 3, 3);
    g.addOutput(g.addNode("Im2Col", "offloadcl", 1, "i", List.of(x), List.of("y"),
        new Attributes().setInts("kernel_shape", 2, 2)).output(0));
    ShapeInference.run(g);
    assertEquals(Shape.of(1, 4, 4), g.outputs().get(0).type().shape());
    TensorData in = TensorData.ofFloats(new long[] {1, 1, 3, 3}, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    TensorData y = new ReferenceExecutor(g).run(Map.of("x", in)).get("y");
    assertArrayEquals(new float[] {1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9}, y.floats());
  }

  @Test
  void residualFlagMustMatchTheInput() {
    Graph g = graph("bad-residual");
    Value a = input(g, "a", 2, 3);
    Value b = input(g, "b", 3, 4);
    g.addOutput(g.addNode("FusedMatMul", "offloadcl", 17, "mm", java.util.Arrays.asList(a, b, null, a),
        List.of("y"), new Attributes()).output(0));
    ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> ShapeInference.run(g));
    assertTrue(e.getMessage().contains("residual"), e.getMessage());
  }
}
