package io.offloadcl.runtime.cpu;

import static io.offloadcl.runtime.cpu.LayoutTestGraphs.assertFloats;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.assertLongs;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.attrs;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.c;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.d;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.f;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.iota;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.l;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.ls;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import org.junit.jupiter.api.Test;

class ShapeOpKernelsTest {

  @Test
  void reshapeCopiesZeroInfersMinusOneAndSharesStorage() {
    TensorData x = iota(2, 3, 2);
    LayoutTestGraphs.Result r = run("Reshape", 13, null, x, c(ls(0, -1)));
    assertArrayEquals(d(2, 6), r.get().dims());
    assertSame(x.array(), r.get().array(), "Reshape must be a view");
    assertEquals(Shape.of(2, 6), r.inferred[0].shape());
  }

  @Test
  void reshapeAllowZeroKeepsZeroExtent() {
    LayoutTestGraphs.Result r = run("Reshape", 14, attrs().setInt("allowzero", 1), TensorData.zeros(DType.FLOAT32, 0, 3), c(ls(3, 0)));
    assertArrayEquals(d(3, 0), r.get().dims());
  }

  @Test
  void reshapeOpset1Attribute() {
    assertArrayEquals(d(3, 2), run("Reshape", 1, attrs().setInts("shape", 3, 2), iota(6)).get().dims());
  }

  @Test
  void reshapeMismatchNamesNodeAndShapes() {
    ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> run("Reshape", 13, null, iota(3, 4), c(ls(5, -1))));
    assertTrue(e.getMessage().contains("'n'") && e.getMessage().contains("12") && e.getMessage().contains("[5, -1]"), e.getMessage());
  }

  @Test
  void reshapeWithRuntimeShapeInput() {
    LayoutTestGraphs.Result r = run("Reshape", 13, null, iota(6), ls(-1, 2));
    assertEquals(Shape.of(-1, -1), r.inferred[0].shape());
    assertArrayEquals(d(3, 2), r.get().dims());
  }

  @Test
  void flattenAxes() {
    assertArrayEquals(d(6, 5), run("Flatten", 13, attrs().setInt("axis", -1), iota(2, 3, 5)).get().dims());
    assertArrayEquals(d(1, 30), run("Flatten", 13, attrs().setInt("axis", 0), iota(2, 3, 5)).get().dims());
    assertArrayEquals(d(2, 15), run("Flatten", 13, null, iota(2, 3, 5)).get().dims());
  }

  @Test
  void squeezeAndUnsqueezeBothForms() {
    assertArrayEquals(d(3), run("Squeeze", 11, attrs().setInts("axes", 0, -1), iota(1, 3, 1)).get().dims());
    assertArrayEquals(d(3), run("Squeeze", 13, null, iota(1, 3, 1)).get().dims());
    assertArrayEquals(d(1, 3), run("Squeeze", 13, null, iota(1, 3, 1), c(ls(-1))).get().dims());
    assertArrayEquals(d(1, 3, 1), run("Unsqueeze", 11, attrs().setInts("axes", 0, 2), iota(3)).get().dims());
    LayoutTestGraphs.Result u = run("Unsqueeze", 13, null, iota(3), c(ls(-1, 0)));
    assertArrayEquals(d(1, 3, 1), u.get().dims());
    assertEquals(Shape.of(1, 3, 1), u.inferred[0].shape());
    assertThrows(ShapeMismatchException.class, () -> run("Squeeze", 13, null, iota(2, 3), c(ls(0))));
  }

  @Test
  void shapeWithStartEnd() {
    assertLongs(run("Shape", 13, null, iota(2, 3, 4)).get(), d(3), 2, 3, 4);
    LayoutTestGraphs.Result r = run("Shape", 15, attrs().setInt("start", -2).setInt("end", 10), iota(2, 3, 4));
    assertLongs(r.get(), d(2), 3, 4);
    assertEquals(Shape.of(2), r.inferred[0].shape());
    assertLongs(run("Size", 13, null, iota(2, 3, 4)).get(), d(), 24);
  }

  @Test
  void constantForms() {
    assertFloats(run("Constant", 13, attrs().setFloats("value_floats", 1, 2)).get(), d(2), 1, 2);
    assertLongs(run("Constant", 13, attrs().setInt("value_int", 7)).get(), d(), 7);
    assertLongs(run("Constant", 13, attrs().set("value", ls(4, 5))).get(), d(2), 4, 5);
    assertArrayEquals(new String[] {"x", "y"}, run("Constant", 13, attrs().set("value_strings", new String[] {"x", "y"})).get().strings());
    assertThrows(UnsupportedOperatorException.class, () -> run("Constant", 13, attrs().set("sparse_value", ls(1))));
  }

  @Test
  void constantOfShapeDefaultAndTyped() {
    LayoutTestGraphs.Result r = run("ConstantOfShape", 13, null, c(ls(2, 3)));
    assertFloats(r.get(), d(2, 3), 0, 0, 0, 0, 0, 0);
    LayoutTestGraphs.Result s = run("ConstantOfShape", 13, attrs().set("value", l(d(1), 5)), ls(2));
    assertLongs(s.get(), d(2), 5, 5);
    assertEquals(Shape.of(-1), s.inferred[0].shape());
  }

  @Test
  void rangeFloatAndInt() {
    LayoutTestGraphs.Result r = run("Range", 13, null, c(TensorData.scalarFloat(1)), c(TensorData.scalarFloat(2)), c(TensorData.scalarFloat(0.3f)));
    assertFloats(r.get(), d(4), 1, 1.3f, 1.6f, 1.9f);
    assertEquals(Shape.of(4), r.inferred[0].shape());
    TensorData s = TensorData.wrap(DType.INT32, d(), new int[] {10});
    TensorData e = TensorData.wrap(DType.INT32, d(), new int[] {4});
    TensorData dl = TensorData.wrap(DType.INT32, d(), new int[] {-3});
    LayoutTestGraphs.Result q = run("Range", 13, null, s, e, dl);
    assertEquals(DType.INT32, q.get().dtype());
    assertLongs(q.get(), d(2), 10, 7);
  }

  @Test
  void eyeLikeOneHotNonZero() {
    assertLongs(run("EyeLike", 13, attrs().setInt("k", 1).setInt("dtype", 7), iota(2, 3)).get(), d(2, 3), 0, 1, 0, 0, 0, 1);
    LayoutTestGraphs.Result h = run("OneHot", 11, attrs().setInt("axis", 0), ls(1, -1), c(TensorData.scalarLong(3)), c(f(d(2), 0, 5)));
    assertFloats(h.get(), d(3, 2), 0, 0, 5, 0, 0, 5);
    assertLongs(run("NonZero", 13, null, f(d(2, 2), 1, 0, 0, 3)).get(), d(2, 2), 0, 1, 0, 1);
  }

  @Test
  void unknownRankInputGivesUnknownOutputRank() {
    io.offloadcl.ir.Graph g = new io.offloadcl.ir.Graph("g");
    g.opsetImports().put("", 13);
    io.offloadcl.ir.Value x = g.addInput("x", new io.offloadcl.ir.TensorType(DType.FLOAT32, null));
    io.offloadcl.ir.Value ax = g.addConstant("ax", ls(0));
    g.addNode("Unsqueeze", "u", java.util.List.of(x, ax), java.util.List.of("y"), attrs());
    g.addOutput(g.value("y"));
    io.offloadcl.ops.ShapeInference.run(g);
    assertNull(g.value("y").type().shape());
    TensorData out = new ReferenceExecutor(g).run(java.util.Map.of("x", iota(2))).get("y");
    assertArrayEquals(d(1, 2), out.dims());
  }
}
