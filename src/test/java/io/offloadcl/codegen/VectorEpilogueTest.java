package io.offloadcl.codegen;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which GEMM epilogues get the float8 store (EPILOGUE8 in gemm_cpu): a stage qualifies when its buffers are one
 * value per row (bias) or unit-stride along the row (a residual of the output's shape), and its function has a
 * lane-wise OpenCL form; anything else keeps the scalar loop.
 */
class VectorEpilogueTest {
  private static Node node(String op, String domain, Attributes at, long[] out, long[]... ins) {
    Graph g = new Graph("g");
    Value[] vs = new Value[ins.length];
    for (int i = 0; i < ins.length; i++) {
      vs[i] = ins[i] == null ? null : g.addInput("x" + i, TensorType.of(DType.FLOAT32, ins[i]));
    }
    Node n = g.addNode(op, domain, 17, "n", Arrays.asList(vs), List.of("y"), at);
    n.output(0).setType(TensorType.of(DType.FLOAT32, out));
    return n;
  }

  private static String pointwise(long[] residual, String act, float... params) {
    Attributes at = new Attributes().setInts("kernel_shape", 1, 1).setInt("residual", residual == null ? 0 : 1);
    if (act != null) {
      at.setString("activation", act).setFloats("activation_params", params);
    }
    Node n = node("FusedConv", "offloadcl", at, new long[] {2, 20, 7, 9}, new long[] {2, 16, 7, 9},
        new long[] {20, 16, 1, 1}, new long[] {20}, residual);
    return new KernelGenerator(DeviceClass.CPU).generate(n, "k0").source();
  }

  @Test
  void sameShapeResidualGetsTheVectorStoreAndAMixedBroadcastDoesNot() {
    String same = pointwise(new long[] {2, 20, 7, 9}, "Relu");
    assertTrue(same.contains("#define EPI_VSTAGE0(v, n, c, p) ((v) + ep0[c])"), same);
    assertTrue(same.contains("#define EPI_VSTAGE1(v, n, c, p) ((v) + vload8(0, ep1 + "), same);
    assertTrue(same.contains("#define EPI_VSTAGE2(v, n, c, p) fmax((v), 0.0f)"), same);
    assertTrue(same.contains("#define EPILOGUE8(v, n, c, p) EPI_VSTAGE2(EPI_VSTAGE1(EPI_VSTAGE0((v), n, c, p)"),
        same);
    // per channel: one value for all 8 pixels; per pixel ([H, W] under every channel): still unit-stride
    String perChannel = pointwise(new long[] {20, 1, 1}, "Relu");
    assertTrue(perChannel.contains("#define EPI_VSTAGE1(v, n, c, p) ((v) + ep1["), perChannel);
    assertTrue(pointwise(new long[] {7, 9}, null).contains("vload8(0, ep1 + "));
    // [C, H, 1]: broadcast along a row of the image, stride 1 across rows: neither, so scalar
    String mixed = pointwise(new long[] {20, 7, 1}, "Relu");
    assertFalse(mixed.contains("#define EPILOGUE8"), mixed);
    assertTrue(mixed.contains("#define EPILOGUE(v, n, c, p)"), mixed);
  }

  @Test
  void activationsBecomeSelectOrStayLanewise() {
    assertTrue(pointwise(null, "LeakyRelu", 0.1f).contains("select(0.1f * (v), (v), (v) >= 0.0f)"));
    assertTrue(pointwise(null, "Clip", 0f, 6f).contains("select(select((v), (float8) (6.0f), (v) > 6.0f)"));
    assertTrue(pointwise(null, "Sigmoid").contains("#define EPI_VSTAGE1(v, n, c, p) (1.0f / (1.0f + exp(-(v))))"));
    for (String act : new String[] {"HardSwish", "HardSigmoid", "Elu", "Selu", "ThresholdedRelu", "Tanh", "Gelu"}) {
      float[] p = switch (act) {
        case "HardSigmoid", "Selu" -> new float[] {0.2f, 0.5f};
        case "Elu", "ThresholdedRelu" -> new float[] {1f};
        default -> new float[0];
      };
      String src = pointwise(null, act, p);
      assertTrue(src.contains("#define EPILOGUE8"), act + ": " + src);
      String vec = src.substring(src.indexOf("#define EPI_VSTAGE1"), src.indexOf("#define EPILOGUE8"));
      assertFalse(vec.contains("?"), act + " keeps a ternary in its vector form: " + vec);
    }
  }

  @Test
  void gemmCTermVectorisesPerLayout() {
    for (long[] c : new long[][] {{70}, {20, 70}, {20, 1}}) {
      Node g = node("Gemm", "", new Attributes().setFloat("alpha", 0.5f).setFloat("beta", 2f), new long[] {20, 70},
          new long[] {20, 33}, new long[] {33, 70}, c);
      String src = new KernelGenerator(DeviceClass.CPU).generate(g, "k0").source();
      assertTrue(src.contains("#define EPILOGUE8"), Arrays.toString(c) + ": " + src);
      assertTrue(src.contains(c[c.length - 1] == 1 ? "2.0f * ep0[(m) * 1]" : "2.0f * vload8(0, ep0 + (m) * "), src);
    }
    // the GPU variant and the direct conv templates never see a vector form
    Node mm = node("MatMul", "", new Attributes(), new long[] {64, 48}, new long[] {64, 32}, new long[] {32, 48});
    assertFalse(new KernelGenerator(DeviceClass.GPU).generate(mm, "k0").source().contains("#define EPILOGUE8"));
  }

  @Test
  void expressionStagesAreLanewiseOnlyWhenPlainlySo() {
    List<String> conv = List.of("v", "n", "c", "p");
    assertTrue(Epilogue.lanewise("((v) + ep0[c])", conv));
    assertTrue(Epilogue.lanewise("(2.0f * exp(-(v)) + ep1[(long) (n) * 20 + (c)])", conv));
    assertFalse(Epilogue.lanewise("((v) + ep0[((n) * 8 + (c)) * 49 + (p)])", conv), "indexed by the column");
    assertFalse(Epilogue.lanewise("fmax((v), 0.0f)", conv), "two-operand function");
    assertFalse(Epilogue.lanewise("((v) > 0.0f ? (v) : 0.0f)", conv), "ternary");
    assertFalse(Epilogue.lanewise("((v) * (p))", conv), "the column itself");
    assertFalse(Epilogue.lanewise("((v) + NAN)", conv), "an unknown name");
    // an explicit vector form wins; null means none
    Epilogue e = new Epilogue("fmax((v), 0.0f)", "fmax((v), 0.0f)", List.of())
        .then(new Epilogue("((v) + ep0[p])", null, List.of(1)));
    assertFalse(e.hasVector("(v, n, c, p)"));
    assertTrue(new Epilogue("fmax((v), 0.0f)", "fmax((v), 0.0f)", List.of()).hasVector("(v, n, c, p)"));
  }
}
