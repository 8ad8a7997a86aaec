package io.offloadcl.runtime.opencl;


import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Each fused op as one OpenCL kernel against its runtime.cpu reference kernel: every activation, residual on and
 * off, bias present and absent, odd sizes (1, 3, 17) and broadcasting inputs.
 */
@Tag("opencl")
class FusedOpsClTest {
  /** Activation name and its parameters; "" is none. */
  private static final Object[][] ACTS = {{"", new float[0]}, {"Relu", new float[0]},
      {"Clip", new float[] {0f, 6f}}, {"LeakyRelu", new float[] {0.1f}}, {"Sigmoid", new float[0]},
      {"HardSigmoid", new float[] {0.2f, 0.5f}}, {"HardSwish", new float[0]}, {"Tanh", new float[0]},
      {"Gelu", new float[0]}};

  private final List<Value> outs = new ArrayList<>();

  private Value add(OpGraph g, String op, Attributes at, Value... ins) {
    Node n = g.graph.addNode(op, "offloadcl", 17, op + "_" + outs.size(), Arrays.asList(ins),
        List.of("y" + outs.size()), at);
    outs.add(n.output(0));
    return n.output(0);
  }

  private static Attributes epilogue(Attributes at, int actIndex, boolean residual) {
    Object[] a = ACTS[actIndex % ACTS.length];
    if (!((String) a[0]).isEmpty()) {
      at.setString("activation", (String) a[0]).setFloats("activation_params", (float[]) a[1]);
    }
    return at.setInt("residual", residual ? 1 : 0);
  }

  /** Shape inference, expected values from the reference kernels, then one strict OpenCL run. */
  private void runAndCheck(OpGraph g) {
    g.checkStrictOnCpuAgainstKernels(outs, 1e-4, 1e-4);
  }

  @Test
  void fusedConvEveryActivationResidualAndConvPath() {
    OpGraph g = new OpGraph(41);
    // {ci, co, k, group, hw, stride}: 1x1 (GEMM path), 3x3 co%8==0 (CPU-blocked), grouped (direct), 1x1 image
    long[][] cases = {{4, 8, 1, 1, 7, 1}, {3, 16, 3, 1, 17, 1}, {6, 3, 3, 3, 5, 2}, {1, 1, 3, 1, 1, 1}};
    for (int a = 0; a < ACTS.length; a++) {
      for (int r = 0; r < 2; r++) {
        long[] c = cases[(a + r) % cases.length];
        long batch = 1 + (a % 2);
        long p = c[2] / 2;
        long oh = (c[4] + 2 * p - c[2]) / c[5] + 1;
        Value x = g.input(batch, c[0], c[4], c[4]);
        Value w = g.input(c[1], c[0] / c[3], c[2], c[2]);
        boolean bias = (a + r) % 3 != 0;
        Value b = bias ? g.input(c[1]) : null;
        // the residual also broadcasts: per-channel [C,1,1] on odd activations
        Value z = r == 1 ? (a % 2 == 1 ? g.input(c[1], 1, 1) : g.input(batch, c[1], oh, oh)) : null;
        Attributes at = epilogue(new Attributes().setInts("pads", p, p, p, p).setInt("group", c[3])
            .setInts("strides", c[5], c[5]).setInts("kernel_shape", c[2], c[2]), a, r == 1);
        add(g, "FusedConv", at, x, w, b, z);
      }
    }
    runAndCheck(g);
  }

  @Test
  void fusedGemmAndMatMulEveryActivation() {
    OpGraph g = new OpGraph(42);
    long[][] mkn = {{1, 3, 17}, {17, 5, 3}, {3, 17, 1}, {17, 17, 17}};
    for (int a = 0; a < ACTS.length; a++) {
      for (int r = 0; r < 2; r++) {
        long[] s = mkn[(a + r) % mkn.length];
        boolean tb = a % 2 == 0;
        Value x = g.input(s[0], s[1]);
        Value w = tb ? g.input(s[2], s[1]) : g.input(s[1], s[2]);
        Value c = switch ((a + r) % 3) {
          case 0 -> g.input(s[2]);
          case 1 -> g.input(s[0], s[2]);
          default -> null;
        };
        Value z = r == 1 ? g.input(s[0], s[2]) : null;
        add(g, "FusedGemm", epilogue(new Attributes().setInt("transB", tb ? 1 : 0)
            .setFloat("alpha", a % 3 == 0 ? 0.5f : 1f).setFloat("beta", 1f), a, r == 1), x, w, c, z);
        // MatMul with batch broadcasting and a broadcast bias
        Value ma = g.input(2, s[0], s[1]);
        Value mb = a % 2 == 0 ? g.input(s[1], s[2]) : g.input(1, s[1], s[2]);
        Value bias = (a + r) % 2 == 0 ? g.input(s[2]) : null;
        Value mz = r == 1 ? g.input(2, s[0], s[2]) : null;
        add(g, "FusedMatMul", epilogue(new Attributes(), a, r == 1), ma, mb, bias, mz);
      }
    }
    runAndCheck(g);
  }

  @Test
  void fusedElementwiseProgramsWithBroadcasting() {
    OpGraph g = new OpGraph(43);
    Value x = g.input(4, 1, 17);
    Value y = g.input(17);
    Value z = g.input(3, 1);
    Value one = g.input(1);
    // Relu((x * y + 1) - z) * itself: broadcast to [4, 3, 17], dup for the parallel edge
    add(g, "FusedElementwise", new Attributes().set("expr", new String[] {"in:0", "in:1", "Mul", "const:1.0", "Add",
        "in:2", "Sub", "Relu", "dup", "Mul"}), x, y, z);
    add(g, "FusedElementwise", new Attributes().set("expr", new String[] {"in:0", "in:1", "Div", "in:1", "Max",
        "in:0", "Min", "in:0", "PRelu", "const:-0.5", "Pow"}), g.input(0.5, 2, 3, 17), g.input(0.5, 2, 17));
    add(g, "FusedElementwise", new Attributes().set("expr", new String[] {"in:0", "in:1", "Add"}), one, g.input(1));
    // every one-operand function, each on |x| + 0.5 so logs and roots stay real, summed
    List<String> prog = new ArrayList<>();
    boolean first = true;
    for (var e : io.offloadcl.ops.FusedExpr.functions().values()) {
      if (e.arity() != 1) {
        continue;
      }
      float[] ps = switch (e.params()) {
        case 0 -> new float[0];
        case 1 -> new float[] {0.7f};
        default -> e.name().equals("Clip") ? new float[] {0.6f, 1.5f} : new float[] {0.3f, 0.4f};
      };
      prog.addAll(List.of("in:0", "Abs", "const:0.5", "Add", io.offloadcl.ops.FusedExpr.applyToken(e.name(), ps)));
      if (!first) {
        prog.add("Add");
      }
      first = false;
    }
    add(g, "FusedElementwise", new Attributes().set("expr", prog.toArray(new String[0])), g.input(3, 17));
    runAndCheck(g);
  }

  @Test
  void layerNormalizationWithAndWithoutBias() {
    OpGraph g = new OpGraph(45);
    long[][] shapes = {{2, 3, 17}, {1, 1}, {3, 4, 5}};
    for (int i = 0; i < shapes.length; i++) {
      long[] s = shapes[i];
      int axis = i == 2 ? 1 : -1;
      Value x = g.input(s);
      Value scale = i == 2 ? g.input(s[1], s[2]) : g.input(s[s.length - 1]);
      Value bias = i == 1 ? null : i == 2 ? g.input(1, s[2]) : g.input(s[s.length - 1]);
      Node n = g.graph.addNode("LayerNormalization", "", 17, "ln" + i, Arrays.asList(x, scale, bias),
          List.of("ln_y" + i), new Attributes().setInt("axis", axis).setFloat("epsilon", 1e-3f));
      outs.add(n.output(0));
    }
    runAndCheck(g);
  }

  @Test
  void im2colMatchesReference() {
    OpGraph g = new OpGraph(44);
    add(g, "Im2Col", new Attributes().setInts("kernel_shape", 3, 3).setInts("pads", 1, 1, 1, 1)
        .setInts("strides", 2, 2), g.input(2, 3, 7, 7));
    add(g, "Im2Col", new Attributes().setInts("kernel_shape", 2, 2).setInts("dilations", 2, 2), g.input(1, 1, 5, 5));
    add(g, "Im2Col", new Attributes().setInts("kernel_shape", 1, 1), g.input(1, 17, 1, 3));
    // rows long enough for the CPU kernel's vector copies: stride 1 and 2 with padding on both sides, a padding
    // copy (1x1 window with pads, as the shifted-view lowering emits), stride 3 (lane by lane), and windows
    // whose columns lie wholly in the padding for some taps (kernel 5 over a 2-wide row padded by 4)
    add(g, "Im2Col", new Attributes().setInts("kernel_shape", 3, 3).setInts("pads", 1, 1, 1, 1), g.input(1, 2, 13, 29));
    add(g, "Im2Col", new Attributes().setInts("kernel_shape", 3, 3).setInts("pads", 1, 2, 0, 1)
        .setInts("strides", 2, 2), g.input(2, 2, 9, 41));
    add(g, "Im2Col", new Attributes().setInts("kernel_shape", 1, 1).setInts("pads", 1, 1, 1, 1), g.input(1, 3, 20, 21));
    add(g, "Im2Col", new Attributes().setInts("kernel_shape", 2, 3).setInts("strides", 3, 3).setInts("pads", 0, 1, 0, 1),
        g.input(1, 2, 8, 35));
    add(g, "Im2Col", new Attributes().setInts("kernel_shape", 1, 5).setInts("pads", 0, 4, 0, 4), g.input(1, 2, 3, 2));
    runAndCheck(g);
  }
}
