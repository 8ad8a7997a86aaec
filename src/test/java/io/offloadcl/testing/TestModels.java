package io.offloadcl.testing;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.onnx.OnnxWriter;
import java.util.List;

/** Small models built in code with the project's ONNX writer, with outputs simple enough to check by hand. */
public final class TestModels {
  private TestModels() {}

  /** x: float32[batch,3]; sq = Mul(x, x) (a parallel edge); z = Relu(sq + b); outputs (z, sq) in that order. */
  public static byte[] squareAddRelu() {
    Graph g = new Graph("square_add_relu");
    g.opsetImports().put("", 17);
    Value x = g.addInput("x", new TensorType(DType.FLOAT32, Shape.withSymbols(new long[] {-1, 3}, new String[] {"batch", null})));
    Value b = g.addConstant("b", TensorData.ofFloats(new long[] {3}, 1f, -2f, 0.5f));
    Value sq = g.addNode("Mul", "square", List.of(x, x), List.of("sq"), null).output(0);
    Value y = g.addNode("Add", "add", List.of(sq, b), List.of("y"), null).output(0);
    Value z = g.addNode("Relu", "relu", List.of(y), List.of("z"), null).output(0);
    Shape dyn = Shape.withSymbols(new long[] {-1, 3}, new String[] {"batch", null});
    for (Value v : List.of(sq, y, z)) {
      v.setType(new TensorType(DType.FLOAT32, dyn));
    }
    g.addOutput(z);
    g.addOutput(sq);
    return OnnxWriter.toBytes(g);
  }

  /** x: float32[1,2]; probs = Softmax(Gemm(x, W, c)). */
  public static byte[] gemmSoftmax() {
    Graph g = new Graph("gemm_softmax");
    g.opsetImports().put("", 17);
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 1, 2));
    Value w = g.addConstant("W", TensorData.ofFloats(new long[] {2, 2}, 1, 2, 3, 4));
    Value c = g.addConstant("c", TensorData.ofFloats(new long[] {2}, 0.5f, -0.5f));
    Value l = g.addNode("Gemm", "fc", List.of(x, w, c), List.of("logits"), new Attributes()).output(0);
    Value p = g.addNode("Softmax", "softmax", List.of(l), List.of("probs"), new Attributes().setInt("axis", -1)).output(0);
    l.setType(TensorType.of(DType.FLOAT32, 1, 2));
    p.setType(TensorType.of(DType.FLOAT32, 1, 2));
    g.addOutput(p);
    g.addOutput(l);
    return OnnxWriter.toBytes(g);
  }
}
