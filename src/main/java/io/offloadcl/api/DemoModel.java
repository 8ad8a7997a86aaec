package io.offloadcl.api;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.onnx.OnnxWriter;
import java.util.List;
import java.util.Random;

/**
 * The embedded default model: a small MNIST-shaped CNN built in code with seeded weights, so that
 * {@code offloadcl demo} and the tests can take a real model through the whole pipeline without any file from
 * elsewhere.
 *
 * <p>Input {@value #INPUT} float32[1,1,28,28]; output {@value #OUTPUT} float32[1,10] (class probabilities).
 * Layers: Conv 3×3 (4 channels, pad 1) → Relu → MaxPool 2×2 → Conv 3×3 (8 channels, pad 1) → Relu →
 * GlobalAveragePool → Flatten → Gemm (8→10) → Softmax. The weights come from {@link Random} with a fixed seed,
 * whose sequence the Java specification fixes, so every JVM builds the same bytes.
 */
public final class DemoModel {
  /** The input's name. */
  public static final String INPUT = "image";
  /** The output's name. */
  public static final String OUTPUT = "probabilities";
  /** The default weight seed. */
  public static final long SEED = 20240601L;
  /** The ONNX opset the model declares. */
  public static final int OPSET = 17;

  private DemoModel() {}

  /** The model as ONNX bytes with the default seed. */
  public static byte[] onnxBytes() {
    return onnxBytes(SEED);
  }

  /** The model as ONNX bytes with weights drawn from {@code seed}. */
  public static byte[] onnxBytes(long seed) {
    return OnnxWriter.toBytes(graph(seed));
  }

  /** The model as an IR graph (types declared on every value, no shape inference needed). */
  static Graph graph(long seed) {
    Random rnd = new Random(seed);
    Graph g = new Graph("offloadcl_demo_cnn");
    g.opsetImports().put("", OPSET);
    Value x = g.addInput(INPUT, TensorType.of(DType.FLOAT32, 1, 1, 28, 28));
    Value w1 = g.addConstant("conv1.weight", uniform(rnd, 1.0f / 3, 4, 1, 3, 3));
    Value b1 = g.addConstant("conv1.bias", uniform(rnd, 0.1f, 4));
    Value w2 = g.addConstant("conv2.weight", uniform(rnd, 1.0f / 6, 8, 4, 3, 3));
    Value b2 = g.addConstant("conv2.bias", uniform(rnd, 0.1f, 8));
    Value w3 = g.addConstant("fc.weight", uniform(rnd, 1.0f, 10, 8));
    Value b3 = g.addConstant("fc.bias", uniform(rnd, 0.1f, 10));

    Attributes conv = new Attributes().setInts("kernel_shape", 3, 3).setInts("pads", 1, 1, 1, 1)
        .setInts("strides", 1, 1);
    Value c1 = out(g.addNode("Conv", "conv1", List.of(x, w1, b1), List.of("conv1_out"), new Attributes(conv)), 1, 4, 28, 28);
    Value r1 = out(g.addNode("Relu", "relu1", List.of(c1), List.of("relu1_out"), null), 1, 4, 28, 28);
    Value p1 = out(g.addNode("MaxPool", "pool1", List.of(r1), List.of("pool1_out"),
        new Attributes().setInts("kernel_shape", 2, 2).setInts("strides", 2, 2)), 1, 4, 14, 14);
    Value c2 = out(g.addNode("Conv", "conv2", List.of(p1, w2, b2), List.of("conv2_out"), new Attributes(conv)), 1, 8, 14, 14);
    Value r2 = out(g.addNode("Relu", "relu2", List.of(c2), List.of("relu2_out"), null), 1, 8, 14, 14);
    Value gap = out(g.addNode("GlobalAveragePool", "gap", List.of(r2), List.of("gap_out"), null), 1, 8, 1, 1);
    Value flat = out(g.addNode("Flatten", "flatten", List.of(gap), List.of("flat_out"),
        new Attributes().setInt("axis", 1)), 1, 8);
    Value logits = out(g.addNode("Gemm", "fc", List.of(flat, w3, b3), List.of("logits"),
        new Attributes().setInt("transB", 1)), 1, 10);
    Value probs = out(g.addNode("Softmax", "softmax", List.of(logits), List.of(OUTPUT),
        new Attributes().setInt("axis", -1)), 1, 10);
    g.addOutput(probs);
    return g;
  }

  /**
   * A deterministic input: a hand-drawn-looking "7" (a top bar and a diagonal stroke) with soft edges, values
   * in [0, 1], shaped [1,1,28,28].
   */
  public static Tensor input() {
    float[] px = new float[28 * 28];
    for (int r = 0; r < 28; r++) {
      for (int c = 0; c < 28; c++) {
        double bar = r >= 5 && r <= 7 && c >= 6 && c <= 21 ? 1.0 : 0.0;
        // distance to the diagonal from (7,21) down to (23,11)
        double t = Math.max(0, Math.min(1, (r - 7) / 16.0));
        double dc = c - (21 - 10 * t);
        double diag = r >= 7 && r <= 23 ? Math.max(0, 1 - Math.abs(dc) / 1.5) : 0.0;
        px[r * 28 + c] = (float) Math.min(1.0, bar + diag);
      }
    }
    return Tensor.ofFloats(px, 1, 1, 28, 28);
  }

  private static Value out(Node n, long... dims) {
    Value v = n.output(0);
    v.setType(TensorType.of(DType.FLOAT32, dims));
    return v;
  }

  private static TensorData uniform(Random rnd, float scale, long... dims) {
    float[] v = new float[(int) TensorData.count(dims)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (rnd.nextFloat() * 2 - 1) * scale;
    }
    return TensorData.ofFloats(dims, v);
  }
}
