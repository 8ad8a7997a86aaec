package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The CPU GEMM's float8 epilogue store (EPILOGUE8) against the runtime.cpu reference kernels: pointwise FusedConv,
 * FusedGemm, FusedMatMul and plain Gemm/Conv big enough for the vector path, with M not a multiple of the 6-row
 * tile and N not of the 32-column one (shifted edge tiles store some columns twice), batch 2, every activation
 * with a vector form, and residuals of the output's shape (vload8), per channel or per row (broadcast scalar),
 * per pixel under every channel (vload8 of a smaller buffer) and broadcast along image rows (no vector form: the
 * scalar loop). Which of these get the vector form is asserted in codegen.VectorEpilogueTest.
 */
@Tag("opencl")
class VectorEpilogueClTest {
  private static final Object[][] ACTS = {{"", new float[0]}, {"Relu", new float[0]},
      {"Clip", new float[] {-0.5f, 0.5f}}, {"LeakyRelu", new float[] {0.1f}}, {"Sigmoid", new float[0]},
      {"HardSigmoid", new float[] {0.2f, 0.5f}}, {"HardSwish", new float[0]}, {"Tanh", new float[0]},
      {"Gelu", new float[0]}, {"Elu", new float[] {0.7f}}, {"Selu", new float[] {1.67f, 1.05f}},
      {"ThresholdedRelu", new float[] {0.2f}}, {"Softplus", new float[0]}};

  private final List<Value> outs = new ArrayList<>();

  private Value add(OpGraph g, String op, String domain, Attributes at, Value... ins) {
    Node n = g.graph.addNode(op, domain, 17, op + "_" + outs.size(), Arrays.asList(ins), List.of("y" + outs.size()),
        at);
    outs.add(n.output(0));
    return n.output(0);
  }

  private static Attributes act(Attributes at, int a, boolean residual) {
    Object[] x = ACTS[a % ACTS.length];
    if (!((String) x[0]).isEmpty()) {
      at.setString("activation", (String) x[0]).setFloats("activation_params", (float[]) x[1]);
    }
    return at.setInt("residual", residual ? 1 : 0);
  }

  /** Expected values from the reference kernels, one OpenCL run; returns how many kernels stored by float8. */
  private long runAndCheck(OpGraph g) {
    return g.checkStrictOnCpuAgainstKernels(outs, 1e-4, 1e-4).stream().filter(s -> s.contains("#define EPILOGUE8"))
        .count();
  }

  @Test
  void pointwiseConvsEveryActivationAndResidualLayout() {
    OpGraph g = new OpGraph(51);
    // {batch, ci, co, h, w}: M 20 (not a multiple of 6), N 63 (not of 32), batch 2; and exact tiles
    long[][] shapes = {{2, 16, 20, 7, 9}, {1, 8, 12, 8, 8}};
    int vectorised = 0;
    for (int a = 0; a < ACTS.length; a++) {
      for (int r = 0; r < 5; r++) {
        long[] s = shapes[(a + r) % shapes.length];
        long[] out = {s[0], s[2], s[3], s[4]};
        Value x = g.input(s[0], s[1], s[3], s[4]);
        Value w = g.input(s[2], s[1], 1, 1);
        Value b = (a + r) % 3 != 2 ? g.input(s[2]) : null;
        Value z = switch (r) {
          case 1 -> g.input(out);
          case 2 -> g.input(s[2], 1, 1);
          case 3 -> g.input(s[3], s[4]);
          case 4 -> g.input(s[2], s[3], 1); // no vector form: the scalar loop
          default -> null;
        };
        vectorised += r == 4 ? 0 : 1;
        add(g, "FusedConv", "offloadcl", act(new Attributes().setInts("kernel_shape", 1, 1), a, z != null), x, w, b,
            z);
      }
    }
    // a plain Conv: its bias stage comes from ConvGen as text and is found lane-wise
    Value x = g.input(2, 16, 7, 9);
    Value w = g.input(20, 16, 1, 1);
    Value b = g.input(20);
    add(g, "Conv", "", new Attributes(), x, w, b);
    assertEquals(vectorised + 1, runAndCheck(g));
  }

  @Test
  void gemmsAndMatMulsEveryActivationAndBroadcast() {
    OpGraph g = new OpGraph(52);
    long m = 20;
    long k = 33;
    long n = 70;
    int vectorised = 0;
    for (int a = 0; a < ACTS.length; a++) {
      boolean tb = a % 4 == 3; // transposed B: EPILOGUE8 is defined, the dot-product path stores value by value
      Value x = g.input(m, k);
      Value w = tb ? g.input(n, k) : g.input(k, n);
      Value c = switch (a % 4) {
        case 0 -> g.input(n);
        case 1 -> g.input(m, n);
        case 2 -> g.input(m, 1);
        default -> null;
      };
      Value z = a % 2 == 0 ? g.input(m, n) : null;
      add(g, "FusedGemm", "offloadcl", act(new Attributes().setInt("transB", tb ? 1 : 0)
          .setFloat("alpha", a % 3 == 0 ? 0.5f : 1f).setFloat("beta", a % 3 == 1 ? 2f : 1f), a, z != null), x, w, c,
          z);
      // batch 2 with the residual per batch, shared by both, or one value per row
      Value ma = g.input(2, m, k);
      Value mb = a % 2 == 0 ? g.input(k, n) : g.input(2, k, n);
      Value bias = a % 3 != 2 ? g.input(n) : null;
      Value mz = switch (a % 3) {
        case 0 -> g.input(2, m, n);
        case 1 -> g.input(m, n);
        default -> g.input(2, m, 1);
      };
      add(g, "FusedMatMul", "offloadcl", act(new Attributes(), a, true), ma, mb, bias, mz);
      vectorised += 2;
    }
    Value x = g.input(m, k);
    Value w = g.input(k, n);
    Value c = g.input(m, n);
    add(g, "Gemm", "", new Attributes().setFloat("alpha", 0.5f).setFloat("beta", 2f), x, w, c);
    assertEquals(vectorised + 1, runAndCheck(g));
  }
}
