package io.offloadcl.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Codegen without a device: variant choice, specialization, broadcasting index code, refusals. */
class KernelGeneratorTest {
  private static Node node(String op, Attributes at, DType t, long[] out, long[]... ins) {
    Graph g = new Graph("g");
    Value[] vs = new Value[ins.length];
    for (int i = 0; i < ins.length; i++) {
      vs[i] = g.addInput("x" + i, TensorType.of(t, ins[i]));
    }
    Node n = g.addNode(op, "n", Arrays.asList(vs), List.of("y"), at == null ? new Attributes() : at);
    n.output(0).setType(TensorType.of(t, out));
    return n;
  }

  @Test
  void cpuProductsRangeOverRowTilesFirstInEvenWorkGroups() {
    Node small = node("MatMul", null, DType.FLOAT32, new long[] {512, 512}, new long[] {512, 512},
        new long[] {512, 512});
    KernelSource s = new KernelGenerator(DeviceClass.CPU).generate(small, "k0");
    assertEquals(List.of(86L, 16L, 1L), asList(s.globalSize()));
    assertEquals(List.of(86L, 1L, 1L), asList(s.localSize()));
    Node big = node("MatMul", null, DType.FLOAT32, new long[] {1705, 40}, new long[] {1705, 400},
        new long[] {400, 40});
    KernelSource b = new KernelGenerator(DeviceClass.CPU).generate(big, "k0");
    // 285 row tiles of 6: two work-groups of 143 (at most GemmGen.CPU_MAX_LOCAL), one surplus item.
    assertEquals(List.of(286L, 2L, 1L), asList(b.globalSize()));
    assertEquals(List.of(143L, 1L, 1L), asList(b.localSize()));
  }

  @Test
  void gemmVariantFollowsDeviceClass() {
    // 40 columns: narrower than the 4 x 48 tile, so the 6 x 32 one
    Node mm = node("MatMul", null, DType.FLOAT32, new long[] {64, 40}, new long[] {64, 32}, new long[] {32, 40});
    KernelSource cpu = new KernelGenerator(DeviceClass.CPU).generate(mm, "k0");
    KernelSource gpu = new KernelGenerator(DeviceClass.GPU).generate(mm, "k0");
    assertTrue(cpu.source().contains("gemm.cl / gemm_cpu") && cpu.source().contains("float8"));
    assertTrue(gpu.source().contains("gemm.cl / gemm_gpu") && gpu.source().contains("__local"));
    long tn = 8L * GemmGen.CPU_NV;
    long rowTiles = (64L + GemmGen.CPU_TM - 1) / GemmGen.CPU_TM;
    assertEquals(List.of(rowTiles, (40L + tn - 1) / tn, 1L), asList(cpu.globalSize()));
    assertEquals(List.of(rowTiles, 1L, 1L), asList(cpu.localSize()));
    assertEquals(List.of(48L, 64L, 1L), asList(gpu.globalSize()));
    assertEquals(List.of(16L, 16L, 1L), asList(gpu.localSize()));
  }

  @Test
  void cpuTileIsFourByFortyEightOnlyWhereSixRowTilesPadFarMore() {
    // {M, N, K, wide}: squeezenet's 16- and 32-channel squeeze convs (3025 and 729 columns) and the OpenCL tests' edge
    // shapes take 4 x 48; where both tiles pad alike (the 13 x 13 products, resnet's 64 x 3136 and 64 x 147 x 12544
    // stem) or N is under 48, 6 x 32 stays. On reductions of at most 32 steps a smaller saving suffices (squeezenet's
    // stem, 64 x 27 x 12321, and 16->64 on 55x55), not on longer ones (64 x 64 x 3025).
    long[][] cases = {{16, 3025, 96, 1}, {32, 729, 128, 1}, {13, 140, 37, 1}, {8, 100, 300, 1}, {16, 96, 5, 1},
        {16, 144, 40, 1}, {16, 166, 81, 1}, {64, 12321, 27, 1}, {64, 3025, 16, 1}, {64, 3025, 64, 0},
        {64, 12321, 147, 0}, {64, 12544, 27, 1}, {128, 729, 32, 0}, {256, 169, 576, 0}, {1000, 169, 512, 0}, {64, 3136, 64, 0},
        {64, 169, 512, 0}, {512, 512, 512, 0}, {16, 40, 7, 0}, {5, 200, 7, 0}};
    for (long[] c : cases) {
      Node mm = node("MatMul", null, DType.FLOAT32, new long[] {c[0], c[1]}, new long[] {c[0], c[2]},
          new long[] {c[2], c[1]});
      KernelSource k = new KernelGenerator(DeviceClass.CPU).generate(mm, "k0");
      long tm = c[3] == 1 ? GemmGen.CPU_TM_WIDE : Math.min(GemmGen.CPU_TM, c[0]);
      long nv = c[3] == 1 ? GemmGen.CPU_NV_WIDE : c[1] >= 8L * GemmGen.CPU_NV ? GemmGen.CPU_NV : GemmGen.CPU_NV_NARROW;
      String what = c[0] + " x " + c[2] + " x " + c[1];
      assertTrue(k.source().contains("#define TM " + tm + "\n") && k.source().contains("#define NV " + nv + "\n"),
          what + ": expected " + tm + " x " + 8 * nv);
      assertEquals((c[1] + 8 * nv - 1) / (8 * nv), k.globalSize()[1], what);
      assertEquals((c[0] + tm - 1) / tm, k.localSize()[0], what);
    }
  }

  @Test
  void shapesBecomeConstantsAndEveryMacroIsUndefined() {
    Node mm = node("MatMul", null, DType.FLOAT32, new long[] {17, 255}, new long[] {17, 3}, new long[] {3, 255});
    String src = new KernelGenerator(DeviceClass.CPU).generate(mm, "k7_mm").source();
    assertTrue(src.contains("#define M 17\n") && src.contains("#define N 255\n") && src.contains("#define K 3\n"));
    Matcher d = Pattern.compile("#define (\\w+)").matcher(src);
    while (d.find()) {
      if (d.group(1).startsWith("OFFLOADCL_")) {
        // program-wide helpers (e.g. OFFLOADCL_MADD): defined once under a guard, so many kernels can share them
        assertTrue(src.contains("#ifndef " + d.group(1) + "\n"), "helper macro " + d.group(1) + " without a guard");
      } else {
        assertTrue(src.contains("#undef " + d.group(1) + "\n"), "macro " + d.group(1) + " left defined");
      }
    }
  }

  @Test
  void broadcastIndexCodeMergesDimsAndSkipsBroadcastOnes() {
    // same shapes: a single linear index, no division
    String same = Shapes.indexCode("o", new long[] {3, 17, 5},
        new long[][] {{85, 5, 1}, {85, 5, 1}}, new String[] {"ia", "ib"});
    assertFalse(same.contains("%"), same);
    // bias over the last dim: ib walks only the innermost dim
    long[] out = {3, 17, 5};
    String bias = Shapes.indexCode("o", out, new long[][] {Shapes.broadcastStrides(out, out),
        Shapes.broadcastStrides(new long[] {5}, out)}, new String[] {"ia", "ib"});
    assertTrue(bias.contains("c_ = r_ % 5;") && bias.contains("ib += c_;"), bias);
    assertEquals(List.of(0L, 1L, 0L), asList(Shapes.broadcastStrides(new long[] {17, 1}, out)));
  }

  @Test
  void epilogueCarriesGemmBiasAndScaling() {
    Node gm = node("Gemm", new Attributes().setFloat("alpha", 0.5f).setInt("transB", 1), DType.FLOAT32,
        new long[] {4, 6}, new long[] {4, 8}, new long[] {6, 8}, new long[] {6});
    KernelSource k = new KernelGenerator(DeviceClass.CPU).generate(gm, "k1");
    assertTrue(k.source().contains("#define EPI_STAGE0(v, bt, m, n) ((0.5f * (v)) + ep0[(m) * 0 + (n) * 1])"),
        k.source());
    assertTrue(k.source().contains("#define EPILOGUE(v, bt, m, n) EPI_STAGE0((v), bt, m, n)"), k.source());
    assertEquals("[in0, in1, out0, in2]", k.args().toString());
    assertTrue(k.source().contains("#define BSK 1\n") && k.source().contains("#define BSN 8\n"));
  }

  @Test
  void fusedEpiloguesComposeAfterTheOpsOwn() {
    Node conv = node("Conv", null, DType.FLOAT32, new long[] {1, 8, 5, 5}, new long[] {1, 4, 5, 5},
        new long[] {8, 4, 1, 1}, new long[] {8}, new long[] {1, 8, 5, 5});
    Epilogue relu = new Epilogue("fmax((v), 0.0f)", List.of());
    Epilogue residual = new Epilogue("((v) + ep0[(n) * 200 + (c) * 25 + (p)])", List.of(3));
    KernelSource k = new KernelGenerator(DeviceClass.CPU).generate(conv, "k4", relu.then(residual));
    assertTrue(k.source().contains("#define EPI_STAGE0(v, n, c, p) ((v) + ep0[c])"), k.source());
    assertTrue(k.source().contains("#define EPI_STAGE2(v, n, c, p) ((v) + ep1[(n) * 200 + (c) * 25 + (p)])"),
        k.source());
    assertTrue(k.source().contains(
        "#define EPILOGUE(v, n, c, p) EPI_STAGE2(EPI_STAGE1(EPI_STAGE0((v), n, c, p), n, c, p), n, c, p)"));
    assertEquals("[in1, in0, out0, in2, in3]", k.args().toString());
    Node t = node("Transpose", null, DType.FLOAT32, new long[] {3, 2}, new long[] {2, 3});
    assertThrows(UnsupportedOperatorException.class, () -> new KernelGenerator(DeviceClass.CPU).generate(t, "k", relu));
  }

  @Test
  void pointwiseConvIsLoweredToGemm() {
    Node conv = node("Conv", null, DType.FLOAT32, new long[] {2, 16, 7, 7}, new long[] {2, 8, 7, 7},
        new long[] {16, 8, 1, 1});
    KernelSource k = new KernelGenerator(DeviceClass.CPU).generate(conv, "k2");
    assertTrue(k.source().contains("gemm_cpu"), k.source());
    assertEquals("[in1, in0, out0]", k.args().toString());
    Node conv3 = node("Conv", new Attributes().setInts("pads", 1, 1, 1, 1), DType.FLOAT32,
        new long[] {2, 16, 7, 7}, new long[] {2, 8, 7, 7}, new long[] {16, 8, 3, 3});
    assertTrue(new KernelGenerator(DeviceClass.CPU).generate(conv3, "k3").source().contains("conv_cpu"));
    assertTrue(new KernelGenerator(DeviceClass.GPU).generate(conv3, "k3").source().contains("conv_direct"));
  }

  @Test
  void unpaddedUnitStrideConvsRunAsShiftedViewsOnCpus() {
    Node conv = node("Conv", null, DType.FLOAT32, new long[] {2, 16, 7, 7}, new long[] {2, 8, 9, 9},
        new long[] {16, 8, 3, 3});
    KernelSource k = new KernelGenerator(DeviceClass.CPU).generate(conv, "k5");
    assertTrue(k.source().contains("conv_shift_cpu"), k.source());
    // 6 x 32 tiles over (7-1)*9+7 = 61 columns: 3 row tiles in one work-group, 2 column tiles, batch 2
    assertTrue(k.source().contains("#define NCOL ((OH - 1) * W + OW)"), k.source());
    assertEquals("[3, 2, 2]", java.util.Arrays.toString(k.globalSize()));
    assertEquals("[3, 1, 1]", java.util.Arrays.toString(k.localSize()));
    assertEquals("[in0, in1, out0]", k.args().toString());
    assertTrue(new KernelGenerator(DeviceClass.GPU).generate(conv, "k5").source().contains("conv_direct"));
    Node strided = node("Conv", new Attributes().setInts("strides", 2, 2), DType.FLOAT32, new long[] {2, 16, 3, 3},
        new long[] {2, 8, 9, 9}, new long[] {16, 8, 4, 4});
    assertTrue(new KernelGenerator(DeviceClass.CPU).generate(strided, "k6").source().contains("conv_cpu"));
    Node wide = node("Conv", null, DType.FLOAT32, new long[] {1, 16, 1, 70}, new long[] {1, 8, 3, 72},
        new long[] {16, 8, 3, 3});
    assertTrue(new KernelGenerator(DeviceClass.CPU).generate(wide, "k7").source().contains("conv_cpu"));
  }

  @Test
  void unsupportedCasesAreRefusedWithTheNodeNamed() {
    KernelGenerator gen = new KernelGenerator(DeviceClass.CPU);
    Node intAdd = node("Add", null, DType.INT32, new long[] {3}, new long[] {3}, new long[] {3});
    UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class, () -> gen.generate(intAdd, "k"));
    assertTrue(e.getMessage().contains("'n'") && e.getMessage().contains("INT32"), e.getMessage());
    Node dyn = node("Relu", null, DType.FLOAT32, new long[] {-1, 3}, new long[] {-1, 3});
    assertThrows(UnsupportedOperatorException.class, () -> gen.generate(dyn, "k"));
    Node unknown = node("Einsum", null, DType.FLOAT32, new long[] {3}, new long[] {3});
    e = assertThrows(UnsupportedOperatorException.class, () -> gen.generate(unknown, "k"));
    assertTrue(e.getMessage().contains("Einsum"), e.getMessage());
  }

  @Test
  void viewsAndKernelNames() {
    Node r = node("Reshape", null, DType.FLOAT32, new long[] {6}, new long[] {2, 3}, new long[] {1});
    assertTrue(KernelGenerator.isView(r));
    assertFalse(KernelGenerator.isView(node("Relu", null, DType.FLOAT32, new long[] {3}, new long[] {3})));
    assertEquals("k12_Conv_conv1_1_", KernelGenerator.kernelName(12, nodeNamed("conv1/1:")));
  }

  private static Node nodeNamed(String name) {
    Graph g = new Graph("g");
    Value x = g.addInput("x", TensorType.of(DType.FLOAT32, 1));
    return g.addNode("Conv", name, List.of(x), List.of("y"), new Attributes());
  }

  private static List<Long> asList(long[] a) {
    return Arrays.stream(a).boxed().toList();
  }
}
