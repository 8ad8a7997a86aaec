package io.offloadcl.quant;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.ShapeInference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The INT8 rewrite. Every Conv, Gemm and MatMul chosen by {@link QuantTargets} becomes a QConvInt8 / QGemmInt8
 * node with per-output-channel max-abs int8 weights (no saturation), an int32 bias in the accumulator's scale and
 * a per-channel requantization multiplier. A following bias Add with a constant channel vector and a following
 * Relu are folded into the node (the Relu also when only MaxPool / Reshape / Flatten stand between, since it
 * commutes with them).
 *
 * <p>Between two quantized ops int8 flows directly: when the output of a quantized op reaches the next quantized
 * op's input through nothing but MaxPool / Reshape / Flatten (which commute with monotone quantization), the
 * first op requantizes straight to the second op's calibrated input scale and those ops run on int8. A
 * QuantizeInt8 is inserted only where a float value enters a quantized region; a region leaves through the
 * fused dequantization of its last op (output kept as float), so no DequantizeInt8 is needed.
 */
public final class Quantizer {
  private static final Set<String> PASS_THROUGH = Set.of("MaxPool", "Reshape", "Flatten");

  private Quantizer() {}

  /** One quantized layer, for reports: the node, its calibrated input, and how its output leaves. */
  public record Layer(String node, String opType, String input, TensorCalibration inputCalibration, String output,
      double outputScale, String fp32Value, String quantValue) {
    /** True when the layer hands int8 straight to the next quantized op. */
    public boolean int8Output() {
      return outputScale > 0;
    }
  }

  /** The rewritten graph and its quantized layers in graph order. */
  public record Result(Graph graph, List<Layer> layers) {}

  /** Returns the quantized copy of {@code fp32} (the argument is not modified), runnable by the reference executor. */
  public static Graph quantize(Graph fp32, CalibrationFile calibration) {
    return rewrite(fp32, calibration).graph();
  }

  /**
   * The rewrite with its per-layer description.
   *
   * @throws CalibrationException when the calibration does not match the model
   */
  public static Result rewrite(Graph fp32, CalibrationFile calibration) {
    calibration.checkAgainst(fp32);
    Graph g = QuantGraphs.copy(fp32);
    List<Node> targets = QuantTargets.find(g);
    Set<Node> targetSet = Collections.newSetFromMap(new IdentityHashMap<>());
    targetSet.addAll(targets);
    List<Plan> plans = new ArrayList<>();
    for (Node t : targets) {
      plans.add(plan(g, t, targetSet, calibration));
    }
    Map<Node, Plan> byTarget = new IdentityHashMap<>();
    for (Plan p : plans) {
      byTarget.put(p.target, p);
    }
    Set<Node> int8Fed = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Plan p : plans) {
      if (p.next != null) {
        int8Fed.add(p.next);
      }
    }
    Map<String, Value> quantized = new HashMap<>();
    List<Layer> layers = new ArrayList<>();
    for (Plan p : plans) {
      layers.add(apply(g, p, int8Fed.contains(p.target), quantized));
    }
    for (Value c : new ArrayList<>(g.constants())) {
      if (c.uses().isEmpty() && !g.isOutput(c) && c.producer() == null) {
        g.removeValue(c);
      }
    }
    g.sortTopologically();
    ShapeInference.run(g);
    return new Result(g, layers);
  }

  /** What the rewrite of one target folds and where its output goes; decided before the graph changes. */
  private static final class Plan {
    Node target;
    TensorCalibration in;
    Node biasAdd;
    float[] extraBias;
    final List<Node> head = new ArrayList<>();
    final List<Node> laterRelus = new ArrayList<>();
    boolean relu;
    Node next;
    TensorCalibration out;
    String fp32End;
    String quantEnd;
  }

  private static Plan plan(Graph g, Node t, Set<Node> targets, CalibrationFile cal) {
    Plan p = new Plan();
    p.target = t;
    p.in = cal.require(t.input(0).name());
    boolean conv = t.opType().equals("Conv");
    int channels = (int) (conv ? t.input(1).constant().dim(0) : outChannels(t));
    Value cur = t.output(0);
    Node c = soleConsumer(g, cur);
    if (c != null && c.opType().equals("Add") && c.inputs().size() == 2 && isDefault(c)) {
      Value other = c.input(0) == cur ? c.input(1) : c.input(0);
      float[] v = other != null && other != cur && other.isConstant()
          ? channelVector(other.constant(), cur.type() == null || !cur.type().hasRank() ? -1
              : cur.type().shape().rank(), conv ? 1 : -1, channels) : null;
      if (v != null) {
        p.biasAdd = c;
        p.extraBias = v;
        p.head.add(c);
        cur = c.output(0);
        c = soleConsumer(g, cur);
      }
    }
    if (c != null && c.opType().equals("Relu") && isDefault(c)) {
      p.relu = true;
      p.head.add(c);
      cur = c.output(0);
      c = soleConsumer(g, cur);
    }
    List<Node> chain = new ArrayList<>();
    String quantEnd = cur.name();
    while (c != null) {
      if (c.opType().equals("Relu") && isDefault(c) && !p.relu) {
        p.relu = true;
        p.laterRelus.add(c);
      } else if (PASS_THROUGH.contains(c.opType()) && isDefault(c) && c.outputs().size() >= 1
          && (c.outputs().size() < 2 || c.output(1) == null) && c.input(0) == cur) {
        chain.add(c);
        quantEnd = c.output(0).name();
      } else {
        if (targets.contains(c) && c.input(0) == cur) {
          p.next = c;
          p.out = cal.require(cur.name());
        }
        break;
      }
      cur = c.output(0);
      c = soleConsumer(g, cur);
    }
    p.fp32End = cur.name();
    p.quantEnd = quantEnd;
    return p;
  }

  private static boolean isDefault(Node n) {
    return n.domain().isEmpty() || n.domain().equals("ai.onnx");
  }

  /** The single node reading {@code v}, or null when v is a graph output, unused or read more than once. */
  private static Node soleConsumer(Graph g, Value v) {
    if (v == null || g.isOutput(v) || v.uses().size() != 1) {
      return null;
    }
    return v.uses().get(0).node();
  }

  private static long outChannels(Node t) {
    TensorData w = t.input(1).constant();
    if (t.opType().equals("MatMul")) {
      return w.dim(1);
    }
    return t.attributes().getInt("transB", 0) != 0 ? w.dim(0) : w.dim(1);
  }

  /**
   * The constant as one value per channel when it broadcasts only along the channel axis (axis 1 of NCHW for
   * Conv, the last axis otherwise) or is a single value; else null.
   */
  static float[] channelVector(TensorData c, int outRank, int channelAxis, int channels) {
    if (c.dtype() != DType.FLOAT32 || outRank < 0 || c.rank() > outRank) {
      return null;
    }
    float[] v = c.floats();
    float[] r = new float[channels];
    if (v.length == 1) {
      java.util.Arrays.fill(r, v[0]);
      return r;
    }
    if (v.length != channels) {
      return null;
    }
    int axis = channelAxis < 0 ? outRank - 1 : channelAxis;
    int offset = outRank - c.rank();
    for (int i = 0; i < c.rank(); i++) {
      long want = i + offset == axis ? channels : 1;
      if (c.dim(i) != want) {
        return null;
      }
    }
    System.arraycopy(v, 0, r, 0, channels);
    return r;
  }

  private static Layer apply(Graph g, Plan p, boolean inputIsInt8, Map<String, Value> quantized) {
    Node t = p.target;
    String inName = p.in.tensor();
    Value x = t.input(0);
    if (!inputIsInt8) {
      String key = x.name() + "@" + p.in.scale();
      Value q = quantized.get(key);
      if (q == null) {
        Node qn = g.addNode("QuantizeInt8", "offloadcl", 1, g.freshNodeName(x.name() + "_quantize"), List.of(x),
            List.of(g.freshValueName(x.name() + "_int8")), new Attributes().setFloat("scale", (float) p.in.scale()));
        q = qn.output(0);
        quantized.put(key, q);
      }
      x = q;
    }
    boolean conv = t.opType().equals("Conv");
    float[][] w = conv ? convWeights(t.input(1).constant()) : gemmWeights(t);
    int channels = w.length;
    float[] bias = new float[channels];
    if (t.hasInput(2)) {
      float[] b = conv ? t.input(2).constant().floats()
          : channelVector(t.input(2).constant(), 2, -1, channels);
      if (b == null) {
        throw new CalibrationException("node '" + t.name() + "' (" + t.opType() + "): bias " + t.input(2).type()
            + " is not a per-channel vector; cannot fold it into the int8 accumulator");
      }
      float beta = conv ? 1f : t.attributes().getFloat("beta", 1f);
      for (int i = 0; i < channels; i++) {
        bias[i] += beta * b[i];
      }
    }
    if (p.extraBias != null) {
      for (int i = 0; i < channels; i++) {
        bias[i] += p.extraBias[i];
      }
    }
    // weights: per output channel symmetric max-abs, never saturated
    int k = w[0].length;
    int[] wq = new int[channels * k];
    int[] bq = new int[channels];
    float[] mul = new float[channels];
    double sx = p.in.scale();
    double sy = p.next != null ? p.out.scale() : 0;
    for (int c = 0; c < channels; c++) {
      double max = 0;
      for (float v : w[c]) {
        max = Math.max(max, Math.abs(v));
      }
      double sw = max > 0 ? max / 127.0 : 1.0;
      for (int i = 0; i < k; i++) {
        wq[c * k + i] = (int) Math.max(-127, Math.min(127, Math.rint(w[c][i] / sw)));
      }
      double acc = sx * sw;
      bq[c] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.rint(bias[c] / acc)));
      mul[c] = (float) (p.next != null ? acc / sy : acc);
    }
    TensorData wt = conv ? TensorData.wrap(DType.INT8, t.input(1).constant().dims().clone(), wq)
        : TensorData.wrap(DType.INT8, new long[] {channels, k}, wq);
    Value wv = g.addConstant(g.freshValueName(t.name() + "_w_int8"), wt);
    Value bv = g.addConstant(g.freshValueName(t.name() + "_b_int32"), TensorData.wrap(DType.INT32,
        new long[] {channels}, bq));
    Value mv = g.addConstant(g.freshValueName(t.name() + "_requant"), TensorData.wrap(DType.FLOAT32,
        new long[] {channels}, mul));
    Attributes a = new Attributes();
    if (conv) {
      for (String name : List.of("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides")) {
        if (t.attributes().has(name)) {
          a.set(name, t.attributes().get(name));
        }
      }
    }
    a.setString("activation", p.relu ? "Relu" : "");
    a.setInt("to", p.next != null ? DType.INT8.onnxCode() : DType.FLOAT32.onnxCode());
    a.setFloat("x_scale", (float) sx);
    if (p.next != null) {
      a.setFloat("y_scale", (float) sy);
    }
    // the new node takes over the name of the last value it folds, so downstream edges and graph outputs stay
    Value head = p.head.isEmpty() ? t.output(0) : p.head.get(p.head.size() - 1).output(0);
    String headName = head.name();
    Node qn = g.addNode(conv ? "QConvInt8" : "QGemmInt8", "offloadcl", 1, g.freshNodeName(t.name() + "_int8"),
        List.of(x, wv, bv, mv), List.of(g.freshValueName(headName + "_q")), a);
    Value out = qn.output(0);
    g.replaceAllUses(head, out, true);
    for (int i = p.head.size() - 1; i >= 0; i--) {
      g.removeNode(p.head.get(i));
    }
    g.removeNode(t);
    g.renameValue(out, headName);
    for (Node r : p.laterRelus) {
      g.replaceAllUses(r.output(0), r.input(0), false);
      g.removeNode(r);
    }
    return new Layer(t.name(), t.opType(), inName, p.in, headName, sy, p.fp32End, p.quantEnd);
  }

  private static float[][] convWeights(TensorData w) {
    int cout = (int) w.dim(0);
    int k = cout == 0 ? 0 : w.size() / cout;
    float[] v = w.floats();
    float[][] r = new float[cout][k];
    for (int c = 0; c < cout; c++) {
      System.arraycopy(v, c * k, r[c], 0, k);
    }
    return r;
  }

  /** Gemm and MatMul weights as [N][K] rows, alpha folded in. */
  private static float[][] gemmWeights(Node t) {
    TensorData b = t.input(1).constant();
    boolean gemm = t.opType().equals("Gemm");
    boolean transB = gemm && t.attributes().getInt("transB", 0) != 0;
    float alpha = gemm ? t.attributes().getFloat("alpha", 1f) : 1f;
    int rows = (int) b.dim(0);
    int cols = (int) b.dim(1);
    float[] v = b.floats();
    int n = transB ? rows : cols;
    int k = transB ? cols : rows;
    float[][] r = new float[n][k];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        float x = alpha * v[i * cols + j];
        if (transB) {
          r[i][j] = x;
        } else {
          r[j][i] = x;
        }
      }
    }
    return r;
  }
}
