package io.offloadcl.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.ShapeInference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The INT8 kernels' codegen without a device: variant choice, arguments, refusals, self-contained blocks. */
class QuantGenTest {
  private static final KernelGenerator GEN = new KernelGenerator(DeviceClass.CPU);

  /** A QConvInt8 over X [1, ci, hw, hw] with a k x k kernel, shape-inferred. */
  private static Node conv(long ci, long co, long hw, long k, long pad, long stride, boolean bias, int to) {
    Graph g = new Graph("q");
    g.opsetImports().put("", 17);
    Value x = g.addInput("x", TensorType.of(DType.INT8, 1, ci, hw, hw));
    Value w = g.addConstant("w", TensorData.zeros(DType.INT8, co, ci, k, k));
    Value b = bias ? g.addConstant("b", TensorData.zeros(DType.INT32, co)) : null;
    Value m = g.addConstant("m", TensorData.zeros(DType.FLOAT32, co));
    Node n = g.addNode("QConvInt8", "offloadcl", 1, "qc", Arrays.asList(x, w, b, m), List.of("y"),
        new Attributes().setInts("kernel_shape", k, k).setInts("pads", pad, pad, pad, pad)
            .setInts("strides", stride, stride).setInt("to", to));
    ShapeInference.run(g);
    return n;
  }

  private static List<Long> list(long[] a) {
    List<Long> l = new ArrayList<>();
    for (long v : a) {
      l.add(v);
    }
    return l;
  }

  @Test
  void convVariantFollowsPatchSizeAndPointwiseRunsAsOneRow() {
    KernelSource small = GEN.generate(conv(64, 64, 56, 3, 1, 1, true, 3), "k0");
    assertTrue(small.source().contains("[quant.cl / qconv]") && small.source().contains("#define TN 8\n")
        && small.source().contains("#define KPAD 576\n"));
    assertEquals(List.of(7L, 56L, 1L), list(small.globalSize()));
    // 400 * 9 = 3600 shorts: 8 patches would exceed 32 KiB, 4 do not; 480 * 9 does not fit even 4
    assertTrue(GEN.generate(conv(400, 8, 5, 3, 1, 1, true, 3), "k1").source().contains("#define TN 4\n"));
    assertTrue(GEN.generate(conv(480, 8, 5, 3, 1, 1, true, 3), "k2").source().contains("[quant.cl / qconv_direct]"));
    KernelSource pw = GEN.generate(conv(256, 64, 56, 1, 0, 1, true, 1), "k3");
    assertTrue(pw.source().contains("#define OW 3136\n") && pw.source().contains("#define OH 1\n"));
    assertEquals(List.of(392L, 1L, 1L), list(pw.globalSize()));
    // explicit work-groups along the row (POCL's own choice ran the GEMM form about half as fast): up to 8 tiles,
    // a divisor of the global size
    assertEquals(List.of(8L, 1L, 1L), list(pw.localSize()));
    assertEquals(List.of(1L, 1L, 1L), list(small.localSize()));
    KernelSource strided = GEN.generate(conv(16, 8, 9, 1, 0, 2, true, 1), "k4");
    assertTrue(strided.source().contains("#define SW 2\n"), "a strided 1x1 is not pointwise");
  }

  @Test
  void gatherGroupFillsWhole16StepBlocksUpToTheUnrollLimit() {
    // channels per group: 16 / gcd(16, KH * KW); none past MAX_GROUP_STEPS (7x7 would unroll 784 steps)
    long[][] kernelAndGroup = {{1, 16}, {2, 4}, {3, 16}, {4, 1}, {5, 16}, {7, 0}};
    for (long[] c : kernelAndGroup) {
      String src = GEN.generate(conv(20, 8, 16, c[0], c[0] / 2, 1, true, 3), "k").source();
      assertTrue(src.contains("#define QG " + c[1] + "\n"), c[0] + "x" + c[0] + ": expected QG " + c[1]);
    }
  }

  @Test
  void argumentsFollowTheOptionalBiasAndOutputType() {
    KernelSource withBias = GEN.generate(conv(8, 8, 9, 3, 1, 1, true, 3), "k0");
    assertEquals("[in0, in1, in2, in3, out0]", withBias.args().toString());
    assertTrue(withBias.source().contains("#define OUT_INT8 1\n") && withBias.source().contains("#define HAS_BIAS 1\n"));
    KernelSource noBias = GEN.generate(conv(8, 8, 9, 3, 1, 1, false, 1), "k1");
    assertEquals("[in0, in1, in3, out0]", noBias.args().toString());
    assertTrue(noBias.source().contains("#define OUT_INT8 0\n") && noBias.source().contains("#define HAS_BIAS 0\n"));
  }

  @Test
  void quantizeBakesTheReciprocalScaleAndEveryMacroIsUndefined() {
    Graph g = new Graph("q");
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 3, 37));
    Node q = g.addNode("QuantizeInt8", "offloadcl", 1, "q", List.of(x), List.of("y"),
        new Attributes().setFloat("scale", 0.173f));
    ShapeInference.run(g);
    KernelSource ks = GEN.generate(q, "k5_q");
    assertTrue(ks.source().contains("#define INV " + (1f / 0.173f) + "f\n"), ks.source());
    assertTrue(ks.source().contains("#define NELEM 111\n"));
    assertEquals(List.of(7L), list(ks.globalSize()));
    String src = GEN.generate(conv(8, 8, 9, 3, 1, 1, true, 3), "k6").source();
    Matcher d = Pattern.compile("#define (\\w+)").matcher(src);
    while (d.find()) {
      // the helpers' include guard and feature switch (helpers are compiled once per program) stay, on purpose
      if (!d.group(1).startsWith("OFFLOADCL_QUANT_")) {
        assertTrue(src.contains("#undef " + d.group(1) + "\n"), "macro " + d.group(1) + " left defined");
      }
    }
  }

  @Test
  void refusalsNameTheNode() {
    UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
        () -> GEN.generate(conv(8, 8, 9, 3, 1, 1, true, 3), "k0", new Epilogue("((v) * 2.0f)", List.of())));
    assertTrue(e.getMessage().contains("'qc'") && e.getMessage().contains("epilogue"), e.getMessage());
    // MaxPool is int8 only when its input is: a float MaxPool stays with the float pool kernels
    Graph g = new Graph("p");
    g.opsetImports().put("", 17);
    Value xf = g.addInput("xf", TensorType.of(DType.FLOAT32, 1, 2, 8, 8));
    Value xq = g.addInput("xq", TensorType.of(DType.INT8, 1, 2, 8, 8));
    Attributes at = new Attributes().setInts("kernel_shape", 2, 2).setInts("strides", 2, 2);
    Node pf = g.addNode("MaxPool", "", 17, "pf", List.of(xf), List.of("yf"), at);
    Node pq = g.addNode("MaxPool", "", 17, "pq", List.of(xq), List.of("yq"), new Attributes(at));
    ShapeInference.run(g);
    assertTrue(GEN.generate(pq, "k1").source().contains("[quant.cl / qmaxpool]"));
    assertTrue(!GEN.generate(pf, "k2").source().contains("quant.cl"));
  }
}
