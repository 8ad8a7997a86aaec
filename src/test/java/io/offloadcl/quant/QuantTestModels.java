package io.offloadcl.quant;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.ShapeInference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small models built in code for the quantization tests. */
final class QuantTestModels {
  private QuantTestModels() {}

  static TensorData randn(Random r, double std, long... dims) {
    TensorData t = TensorData.zeros(DType.FLOAT32, dims);
    for (int i = 0; i < t.size(); i++) {
      t.setDouble(i, r.nextGaussian() * std);
    }
    return t;
  }

  /**
   * x[N,2,10,10] → Conv(4, 3×3, pad 1) → Relu → MaxPool 2 → Conv(6, 3×3, stride 1, no bias) → Add(bias [6,1,1])
   * → Relu → Reshape [N, 54] → Gemm(transB=1, 12) → Relu → MatMul [12, 5] → y. Dynamic batch.
   */
  static Graph convNet(long seed) {
    Random r = new Random(seed);
    Graph g = new Graph("qnet");
    g.opsetImports().put("", 17);
    Value x = g.addInput("x", new TensorType(DType.FLOAT32, Shape.of(-1L, 2, 10, 10)));
    Value w1 = g.addConstant("w1", randn(r, 0.4, 4, 2, 3, 3));
    Value b1 = g.addConstant("b1", randn(r, 0.1, 4));
    Value w2 = g.addConstant("w2", randn(r, 0.3, 6, 4, 3, 3));
    Value b2 = g.addConstant("b2", randn(r, 0.1, 6, 1, 1));
    Value shape = g.addConstant("shape", TensorData.ofLongs(new long[] {2}, -1, 54));
    Value w3 = g.addConstant("w3", randn(r, 0.2, 12, 54));
    Value b3 = g.addConstant("b3", randn(r, 0.1, 12));
    Value w4 = g.addConstant("w4", randn(r, 0.3, 12, 5));
    Attributes conv = new Attributes().setInts("kernel_shape", 3, 3).setInts("pads", 1, 1, 1, 1);
    Value c1 = g.addNode("Conv", "conv1", List.of(x, w1, b1), List.of("c1"), conv).output(0);
    Value r1 = g.addNode("Relu", "relu1", List.of(c1), List.of("r1"), new Attributes()).output(0);
    Value p1 = g.addNode("MaxPool", "pool1", List.of(r1), List.of("p1"),
        new Attributes().setInts("kernel_shape", 2, 2).setInts("strides", 2, 2)).output(0);
    Value c2 = g.addNode("Conv", "conv2", List.of(p1, w2), List.of("c2"),
        new Attributes().setInts("kernel_shape", 3, 3).setInts("pads", 0, 0, 0, 0)).output(0);
    Value a2 = g.addNode("Add", "add2", List.of(c2, b2), List.of("a2"), new Attributes()).output(0);
    Value r2 = g.addNode("Relu", "relu2", List.of(a2), List.of("r2"), new Attributes()).output(0);
    Value f = g.addNode("Reshape", "flat", List.of(r2, shape), List.of("f"), new Attributes()).output(0);
    Value h = g.addNode("Gemm", "fc1", List.of(f, w3, b3), List.of("h"), new Attributes().setInt("transB", 1))
        .output(0);
    Value hr = g.addNode("Relu", "relu3", List.of(h), List.of("hr"), new Attributes()).output(0);
    Value y = g.addNode("MatMul", "fc2", List.of(hr, w4), List.of("y"), new Attributes()).output(0);
    g.addOutput(y);
    ShapeInference.run(g);
    return g;
  }

  /** n inputs of batch {@code batch} for {@link #convNet}, uniform in [-1, 1). */
  static List<Map<String, TensorData>> inputs(int n, int batch, long seed) {
    Random r = new Random(seed);
    List<Map<String, TensorData>> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TensorData t = TensorData.zeros(DType.FLOAT32, batch, 2, 10, 10);
      for (int j = 0; j < t.size(); j++) {
        t.setDouble(j, 2 * r.nextDouble() - 1);
      }
      l.add(Map.of("x", t));
    }
    return l;
  }

  /** Concatenates batch-1 inputs of {@link #convNet} into batches of {@code batch}. */
  static List<Map<String, TensorData>> rebatch(List<Map<String, TensorData>> ones, int batch) {
    List<Map<String, TensorData>> l = new ArrayList<>();
    for (int i = 0; i < ones.size(); i += batch) {
      int b = Math.min(batch, ones.size() - i);
      float[] all = new float[b * 200];
      for (int k = 0; k < b; k++) {
        System.arraycopy(ones.get(i + k).get("x").floats(), 0, all, k * 200, 200);
      }
      l.add(Map.of("x", TensorData.wrap(DType.FLOAT32, new long[] {b, 2, 10, 10}, all)));
    }
    return l;
  }
}
