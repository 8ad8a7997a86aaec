package io.offloadcl.placement;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random layered DAGs of plausible CNN/MLP ops, as {@link Graph}s with static types, for placement
 * experiments and invariant tests. Every activation has one shape [1, C, H, W] per graph so that any op can
 * follow any other: one-input ops are MatMul (by a [W, W] weight), Conv (3x3, padding 1, C→C), Relu, Sigmoid
 * and Tanh; two-input ops (joins) are Add and Mul. Each op takes its first input from the layer just above,
 * and a join its second from any earlier layer, which gives skip connections of every length. Ops without
 * consumers are graph outputs.
 */
public final class RandomDags {
  private static final long[] CHANNELS = {8, 16, 32, 64};
  private static final long[] SIDES = {8, 14, 28, 56};
  private static final String[] UNARY = {"MatMul", "Conv", "Relu", "Sigmoid", "Tanh", "MatMul", "Conv", "Relu"};

  private RandomDags() {}

  /**
   * @param ops      number of ops (>= 1)
   * @param maxWidth widest layer
   * @param seed     same seed, same graph
   */
  public static Graph generate(int ops, int maxWidth, long seed) {
    if (ops < 1 || maxWidth < 1) {
      throw new IllegalArgumentException("need ops >= 1 and maxWidth >= 1, got " + ops + ", " + maxWidth);
    }
    Random r = new Random(seed);
    Graph g = new Graph("random_" + ops + "_" + seed);
    g.opsetImports().put("", 17);
    long c = CHANNELS[r.nextInt(CHANNELS.length)];
    long side = SIDES[r.nextInt(SIDES.length)];
    TensorType act = TensorType.of(DType.FLOAT32, 1, c, side, side);
    Value x = g.addInput("x", act);
    List<List<Value>> layers = new ArrayList<>();
    layers.add(List.of(x));
    List<Value> all = new ArrayList<>();
    // One weight per kind, shared by every op of that kind: keeps 10,000-op graphs small in memory.
    Value mmWeight = null;
    Value convWeight = null;
    int made = 0;
    while (made < ops) {
      int width = Math.min(ops - made, 1 + r.nextInt(maxWidth));
      List<Value> prev = layers.get(layers.size() - 1);
      List<Value> layer = new ArrayList<>();
      for (int k = 0; k < width; k++) {
        Value a = prev.get(r.nextInt(prev.size()));
        boolean join = !all.isEmpty() && r.nextInt(4) == 0;
        String name = "n" + made;
        Node n;
        if (join) {
          Value b = all.get(r.nextInt(all.size()));
          n = g.addNode(r.nextBoolean() ? "Add" : "Mul", name, List.of(a, b), List.of(name + "_out"), new Attributes());
        } else {
          String op = UNARY[r.nextInt(UNARY.length)];
          switch (op) {
            case "MatMul": {
              if (mmWeight == null) {
                mmWeight = g.addConstant("matmul_w", TensorData.zeros(DType.FLOAT32, side, side));
              }
              n = g.addNode(op, name, List.of(a, mmWeight), List.of(name + "_out"), new Attributes());
              break;
            }
            case "Conv": {
              if (convWeight == null) {
                convWeight = g.addConstant("conv_w", TensorData.zeros(DType.FLOAT32, c, c, 3, 3));
              }
              Attributes at = new Attributes().setInts("kernel_shape", 3, 3).setInts("pads", 1, 1, 1, 1)
                  .setInts("strides", 1, 1);
              n = g.addNode(op, name, List.of(a, convWeight), List.of(name + "_out"), at);
              break;
            }
            default:
              n = g.addNode(op, name, List.of(a), List.of(name + "_out"), new Attributes());
          }
        }
        n.output(0).setType(act);
        layer.add(n.output(0));
        made++;
      }
      all.addAll(layer);
      layers.add(layer);
    }
    for (Value v : all) {
      if (v.uses().isEmpty()) {
        g.addOutput(v);
      }
    }
    return g;
  }
}
