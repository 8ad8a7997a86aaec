package io.offloadcl.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ir.Value;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shape/type inference, errors, fusion kinds and costs of the NN op specs. */
class NnOpsTest {

  /** Builds one node over graph inputs of the given types (null = omitted) and runs shape inference. */
  private static Node infer(String op, int opset, Attributes attrs, int outputs, TensorType... inputs) {
    Graph g = new Graph("t");
    g.opsetImports().put("", opset);
    List<Value> ins = new ArrayList<>();
    for (int i = 0; i < inputs.length; i++) {
      ins.add(inputs[i] == null ? null : g.addInput("in" + i, inputs[i]));
    }
    List<String> outs = new ArrayList<>();
    for (int i = 0; i < outputs; i++) {
      outs.add("out" + i);
    }
    Node n = g.addNode(op, "node0", ins, outs, attrs);
    ShapeInference.run(g);
    return n;
  }

  private static TensorType f32(long... dims) {
    return TensorType.of(DType.FLOAT32, dims);
  }

  private static Shape out(Node n) {
    return n.output(0).type().shape();
  }

  @Test
  void fusionKinds() {
    assertEquals(FusionKind.OUT_ELEMWISE_FUSABLE, OpCatalog.find("Conv").fusionKind());
    assertEquals(FusionKind.OUT_ELEMWISE_FUSABLE, OpCatalog.find("ConvTranspose").fusionKind());
    assertEquals(FusionKind.OUT_ELEMWISE_FUSABLE, OpCatalog.find("Gemm").fusionKind());
    assertEquals(FusionKind.OUT_ELEMWISE_FUSABLE, OpCatalog.find("MatMul").fusionKind());
    assertEquals(FusionKind.REDUCTION, OpCatalog.find("MaxPool").fusionKind());
    assertEquals(FusionKind.REDUCTION, OpCatalog.find("AveragePool").fusionKind());
    assertEquals(FusionKind.REDUCTION, OpCatalog.find("GlobalAveragePool").fusionKind());
    assertEquals(FusionKind.REDUCTION, OpCatalog.find("GlobalMaxPool").fusionKind());
    assertEquals(FusionKind.BROADCAST, OpCatalog.find("BatchNormalization").fusionKind());
  }

  @Test
  void convShapes() {
    Attributes a = new Attributes().setInts("pads", 3, 3, 3, 3).setInts("strides", 2, 2);
    Node n = infer("Conv", 17, a, 1, f32(1, 3, 224, 224), f32(64, 3, 7, 7), f32(64));
    assertEquals(Shape.of(1, 64, 112, 112), out(n));
    // kernel_shape comes from W; a dynamic batch stays dynamic
    Node d = infer("Conv", 17, new Attributes().setInt("group", 2), 1, f32(-1, 4, 9, 9), f32(6, 2, 3, 3));
    assertEquals(Shape.of(-1, 6, 7, 7), out(d));
    Node same = infer("Conv", 17, new Attributes().setString("auto_pad", "SAME_LOWER").setInts("strides", 2), 1,
        f32(1, 1, 17), f32(1, 1, 4));
    assertEquals(Shape.of(1, 1, 9), out(same));
    Node valid = infer("Conv", 17, new Attributes().setString("auto_pad", "VALID").setInts("dilations", 2, 2, 2), 1,
        f32(1, 2, 9, 8, 7), f32(3, 2, 3, 3, 3));
    assertEquals(Shape.of(1, 3, 5, 4, 3), out(valid));
    // weights computed in the graph (unknown shape): spatial extents from kernel_shape, channels dynamic
    Node unknownW = infer("Conv", 9, new Attributes().setInts("kernel_shape", 3, 3).setInts("pads", 1, 1, 1, 1)
        .setInts("strides", 2, 2), 1, f32(1, 3, 17, 17), new TensorType(DType.FLOAT32, null));
    assertEquals(Shape.of(1, -1, 9, 9), out(unknownW));
  }

  @Test
  void convErrorsNameNodeExpectedAndActual() {
    ShapeMismatchException ch = assertThrows(ShapeMismatchException.class,
        () -> infer("Conv", 17, new Attributes().setInt("group", 2), 1, f32(1, 6, 5, 5), f32(4, 2, 3, 3)));
    assertTrue(ch.getMessage().contains("node0") && ch.getMessage().contains("6")
        && ch.getMessage().contains("2 * 2"), ch.getMessage());
    ShapeMismatchException ks = assertThrows(ShapeMismatchException.class,
        () -> infer("Conv", 17, new Attributes().setInts("kernel_shape", 5, 5), 1, f32(1, 2, 9, 9), f32(4, 2, 3, 3)));
    assertTrue(ks.getMessage().contains("node0") && ks.getMessage().contains("[5, 5]"), ks.getMessage());
    ShapeMismatchException big = assertThrows(ShapeMismatchException.class,
        () -> infer("Conv", 17, new Attributes(), 1, f32(1, 2, 2, 2), f32(4, 2, 3, 3)));
    assertTrue(big.getMessage().contains("node0"), big.getMessage());
    ShapeMismatchException bias = assertThrows(ShapeMismatchException.class,
        () -> infer("Conv", 17, new Attributes(), 1, f32(1, 2, 5, 5), f32(4, 2, 3, 3), f32(3)));
    assertTrue(bias.getMessage().contains("[4]") && bias.getMessage().contains("[3]"), bias.getMessage());
  }

  @Test
  void unsupportedDtypeIsRejectedAtInference() {
    UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
        () -> infer("Conv", 17, new Attributes(), 1, TensorType.of(DType.INT32, 1, 1, 3, 3),
            TensorType.of(DType.INT32, 1, 1, 1, 1)));
    assertTrue(e.getMessage().contains("node0") && e.getMessage().contains("int32"), e.getMessage());
    UnsupportedOperatorException p = assertThrows(UnsupportedOperatorException.class,
        () -> infer("AveragePool", 17, new Attributes().setInts("kernel_shape", 2), 1,
            TensorType.of(DType.UINT8, 1, 1, 4)));
    assertTrue(p.getMessage().contains("uint8"), p.getMessage());
    UnsupportedOperatorException m = assertThrows(UnsupportedOperatorException.class,
        () -> infer("MatMul", 13, new Attributes(), 1, TensorType.of(DType.BOOL, 2, 2), TensorType.of(DType.BOOL, 2, 2)));
    assertTrue(m.getMessage().contains("bool"), m.getMessage());
  }

  @Test
  void convTransposeShapes() {
    Node n = infer("ConvTranspose", 17, new Attributes().setInts("strides", 3, 2).setInts("output_padding", 1, 1), 1,
        f32(1, 1, 3, 3), f32(1, 2, 3, 3));
    assertEquals(Shape.of(1, 2, 10, 8), out(n));
    Node os = infer("ConvTranspose", 17, new Attributes().setInts("strides", 3, 2).setInts("output_shape", 10, 8), 1,
        f32(1, 1, 3, 3), f32(1, 2, 3, 3));
    assertEquals(Shape.of(1, 2, 10, 8), out(os));
    Node g = infer("ConvTranspose", 17, new Attributes().setInt("group", 2).setString("auto_pad", "SAME_UPPER")
        .setInts("strides", 2), 1, f32(1, 4, 5), f32(4, 3, 3));
    assertEquals(Shape.of(1, 6, 10), out(g));
  }

  @Test
  void poolShapesWithCeilModeAndIndices() {
    Attributes a = new Attributes().setInts("kernel_shape", 3, 3).setInts("strides", 2, 2).setInt("ceil_mode", 1);
    assertEquals(Shape.of(1, 1, 3, 3), out(infer("MaxPool", 12, a, 1, f32(1, 1, 6, 6))));
    assertEquals(Shape.of(1, 1, 2, 2),
        out(infer("MaxPool", 12, new Attributes(a).setInt("ceil_mode", 0), 1, f32(1, 1, 6, 6))));
    // last window would start in the end padding: dropped
    Attributes pads = new Attributes().setInts("kernel_shape", 2).setInts("strides", 2).setInts("pads", 1, 1)
        .setInt("ceil_mode", 1);
    assertEquals(Shape.of(1, 1, 3), out(infer("AveragePool", 19, pads, 1, f32(1, 1, 4))));
    Node idx = infer("MaxPool", 12, new Attributes().setInts("kernel_shape", 2, 2), 2, f32(2, 3, 5, 5));
    assertEquals(TensorType.of(DType.INT64, 2, 3, 4, 4), idx.output(1).type());
    assertEquals(Shape.of(2, 3, 1, 1), out(infer("GlobalAveragePool", 17, new Attributes(), 1, f32(2, 3, 5, 5))));
    assertEquals(Shape.of(2, 3, 1), out(infer("GlobalMaxPool", 17, new Attributes(), 1, f32(2, 3, 5))));
    assertThrows(ShapeMismatchException.class, () -> infer("MaxPool", 12, new Attributes(), 1, f32(1, 1, 4, 4)));
  }

  @Test
  void batchNormChecks() {
    TensorType c = f32(3);
    assertEquals(Shape.of(2, 3, 4, 4),
        out(infer("BatchNormalization", 15, new Attributes(), 1, f32(2, 3, 4, 4), c, c, c, c)));
    ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
        () -> infer("BatchNormalization", 15, new Attributes(), 1, f32(2, 3, 4, 4), f32(4), c, c, c));
    assertTrue(e.getMessage().contains("node0") && e.getMessage().contains("[3]") && e.getMessage().contains("[4]"),
        e.getMessage());
    UnsupportedOperatorException t = assertThrows(UnsupportedOperatorException.class,
        () -> infer("BatchNormalization", 15, new Attributes().setInt("training_mode", 1), 3, f32(2, 3, 4), c, c, c, c));
    assertTrue(t.getMessage().contains("node0"), t.getMessage());
  }

  @Test
  void gemmAndMatMulShapes() {
    Attributes t = new Attributes().setInt("transA", 1).setInt("transB", 1);
    assertEquals(Shape.of(3, 5), out(infer("Gemm", 13, t, 1, f32(4, 3), f32(5, 4), f32(1, 5))));
    assertEquals(Shape.of(3, 5), out(infer("Gemm", 13, new Attributes(), 1, f32(3, 4), f32(4, 5))));
    assertThrows(ShapeMismatchException.class,
        () -> infer("Gemm", 13, new Attributes(), 1, f32(3, 4), f32(4, 5), f32(2, 5)));
    // opset < 7 without broadcast=1 needs C of exactly [M, N]
    assertThrows(ShapeMismatchException.class,
        () -> infer("Gemm", 6, new Attributes(), 1, f32(3, 4), f32(4, 5), f32(5)));
    assertEquals(Shape.of(3, 5),
        out(infer("Gemm", 6, new Attributes().setInt("broadcast", 1), 1, f32(3, 4), f32(4, 5), f32(5))));

    assertEquals(Shape.of(), out(infer("MatMul", 13, new Attributes(), 1, f32(3), f32(3))));
    assertEquals(Shape.of(2, 4), out(infer("MatMul", 13, new Attributes(), 1, f32(3), f32(2, 3, 4))));
    assertEquals(Shape.of(2, 3), out(infer("MatMul", 13, new Attributes(), 1, f32(2, 3, 4), f32(4))));
    assertEquals(Shape.of(3, 4, 2, 5),
        out(infer("MatMul", 13, new Attributes(), 1, f32(3, 1, 2, 7), f32(4, 7, 5))));
    assertEquals(Shape.of(-1, 2, 5), out(infer("MatMul", 13, new Attributes(), 1, f32(-1, 2, 7), f32(7, 5))));
    ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
        () -> infer("MatMul", 13, new Attributes(), 1, f32(2, 3, 4), f32(3, 5, 6)));
    assertTrue(e.getMessage().contains("node0"), e.getMessage());
  }

  @Test
  void costsCountMultiplyAddsAsTwoFlops() {
    Node conv = infer("Conv", 17, new Attributes().setInts("pads", 1, 1, 1, 1), 1, f32(1, 2, 4, 4), f32(3, 2, 3, 3),
        f32(3));
    OpCost c = ShapeInference.cost(conv);
    long outs = 3 * 4 * 4;
    assertEquals(2 * outs * 2 * 9 + outs, c.flops());
    assertEquals((32 + 54 + 3) * 4, c.bytesRead());
    assertEquals(outs * 4, c.bytesWritten());

    OpCost mm = ShapeInference.cost(infer("MatMul", 13, new Attributes(), 1, f32(2, 3, 4), f32(4, 5)));
    assertEquals(2L * 2 * 3 * 5 * 4, mm.flops());
    assertEquals((24 + 20) * 4, mm.bytesRead());
    assertEquals(30 * 4, mm.bytesWritten());

    OpCost gemm = ShapeInference.cost(infer("Gemm", 13, new Attributes(), 1, f32(3, 4), f32(4, 5), f32(5)));
    assertEquals(2L * 15 * 4 + 2 * 15, gemm.flops());

    OpCost pool = ShapeInference.cost(infer("MaxPool", 12, new Attributes().setInts("kernel_shape", 2, 2)
        .setInts("strides", 2, 2), 1, f32(1, 1, 4, 4)));
    assertEquals(4 * 4, pool.flops());
    assertEquals(16 * 4, pool.bytesRead());
    assertEquals(4 * 4, pool.bytesWritten());

    Node dyn = infer("MatMul", 13, new Attributes(), 1, f32(-1, 4), f32(4, 5));
    assertEquals(OpCost.UNKNOWN.flops(), ShapeInference.cost(dyn).flops());
    assertNull(OpCatalog.find("NotAnNnOp"));
  }
}
