package io.offloadcl.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.ShapeInference;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** FusedGemm with {@code row_op} without a device: gemm_rows, one work-item per row, and the refusals. */
class RowSoftmaxGemmGenTest {
  /** FusedGemm over x[m, k] and w[n, k] (transB 1) with a bias of n and the given row op. */
  private static Node gemm(long m, long k, long n, String rowOp) {
    Graph g = new Graph("g");
    g.opsetImports().put("", 17);
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, m, k));
    Value w = g.addInput("w", TensorType.of(DType.FLOAT32, n, k));
    Value b = g.addInput("b", TensorType.of(DType.FLOAT32, n));
    Node f = g.addNode("FusedGemm", "offloadcl", 17, "f", Arrays.asList(x, w, b), List.of("y"),
        new Attributes().setInt("transB", 1).setString("activation", "Relu").setString("row_op", rowOp));
    g.addOutput(f.output(0));
    ShapeInference.run(g);
    return f;
  }

  @Test
  void rowOpTakesTheRowKernelOnBothDeviceClasses() {
    for (DeviceClass dc : DeviceClass.values()) {
      KernelSource k = new KernelGenerator(dc).generate(gemm(3, 50, 10, "logsoftmax"), "k0");
      assertTrue(k.source().contains("gemm.cl / gemm_rows"), k.source());
      assertTrue(k.source().contains("#define LOG 1"), k.source());
      assertArrayEquals(new long[] {3}, k.globalSize());
      // A, B, Y, then the bias as the epilogue's buffer
      assertEquals("[in0, in1, out0, in2]", k.args().toString());
    }
    KernelSource soft = new KernelGenerator(DeviceClass.CPU).generate(gemm(1, 8, 256, "softmax"), "k1");
    assertTrue(soft.source().contains("#define LOG 0"), soft.source());
  }

  @Test
  void outerEpilogueLongRowsAndUnknownRowOpsAreRefused() {
    KernelGenerator gen = new KernelGenerator(DeviceClass.CPU);
    assertThrows(UnsupportedOperatorException.class,
        () -> gen.generate(gemm(1, 8, 10, "softmax"), "k0", new Epilogue("((v) * 2.0f)", List.of())));
    assertThrows(UnsupportedOperatorException.class, () -> gen.generate(gemm(1, 8, 257, "softmax"), "k0"));
    assertThrows(OffloadException.class, () -> gemm(1, 8, 10, "hardmax"));
  }
}
