package io.offloadcl.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ir.Value;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Fused-op codegen without a device: one kernel per node, folded broadcast indices, epilogue buffers, refusals. */
class FusedGenTest {
  private static Node node(String op, Attributes at, long[] out, long[]... ins) {
    Graph g = new Graph("g");
    Value[] vs = new Value[ins.length];
    for (int i = 0; i < ins.length; i++) {
      vs[i] = ins[i] == null ? null : g.addInput("x" + i, TensorType.of(DType.FLOAT32, ins[i]));
    }
    Node n = g.addNode(op, "offloadcl", 17, "n", Arrays.asList(vs), List.of("y"), at);
    n.output(0).setType(TensorType.of(DType.FLOAT32, out));
    return n;
  }

  @Test
  void elementwiseProgramBecomesStraightLineCodeWithFoldedBroadcasts() {
    Node n = node("FusedElementwise", new Attributes().set("expr", new String[] {"in:0", "in:1", "Mul", "dup", "Add",
        "Relu"}), new long[] {4, 3, 17}, new long[] {4, 3, 17}, new long[] {17});
    KernelSource k = new KernelGenerator(DeviceClass.CPU).generate(n, "k0");
    String src = k.source();
    assertEquals(1, src.split("__kernel", -1).length - 1, src);
    assertTrue(src.contains("in0[o]"), "same-shape input reads at the output index: " + src);
    assertTrue(src.contains("in1[((o % 17))]"), "broadcast input folds to a modulo: " + src);
    assertTrue(src.contains("const float t5 = "), "one temporary per token: " + src);
    assertEquals(3, k.args().size());
  }

  @Test
  void convEpilogueAddsResidualBufferAfterBias() {
    Node n = node("FusedConv", new Attributes().setInts("kernel_shape", 3, 3).setInts("pads", 1, 1, 1, 1)
        .setString("activation", "Clip").setFloats("activation_params", 0f, 6f).setInt("residual", 1),
        new long[] {1, 8, 5, 5}, new long[] {1, 4, 5, 5}, new long[] {8, 4, 3, 3}, new long[] {8},
        new long[] {1, 8, 5, 5});
    KernelSource k = new KernelGenerator(DeviceClass.CPU).generate(n, "k0");
    assertTrue(k.source().contains("ep0[c]") && k.source().contains("ep1["), k.source());
    assertEquals(List.of(KernelSource.Arg.in(0), KernelSource.Arg.in(1), KernelSource.Arg.out(0),
        KernelSource.Arg.in(2), KernelSource.Arg.in(3)), k.args());
  }

  @Test
  void gemmBiasPerColumnIndexesByColumnWithoutDivision() {
    Node n = node("FusedMatMul", new Attributes().setString("activation", "Relu"), new long[] {64, 32},
        new long[] {64, 16}, new long[] {16, 32}, new long[] {32});
    String src = new KernelGenerator(DeviceClass.CPU).generate(n, "k0").source();
    assertTrue(src.contains("ep0[((long) (n))]"), src);
    assertFalse(src.contains(" % 32"), src);
  }

  @Test
  void unknownActivationIsRefusedWithTheNodeName() {
    Node n = node("FusedGemm", new Attributes().setString("activation", "Frobnicate"), new long[] {2, 2},
        new long[] {2, 2}, new long[] {2, 2});
    UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
        () -> new KernelGenerator(DeviceClass.CPU).generate(n, "k0"));
    assertTrue(e.getMessage().contains("'n'") && e.getMessage().contains("Frobnicate"), e.getMessage());
  }
}
