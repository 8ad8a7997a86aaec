package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ir.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Executor behaviour: buffer reuse, release of native objects, concurrency, failures. */
@Tag("opencl")
class OpenClExecutorTest extends ClFixture {
  /**
   * A chain long enough that intermediates must share buffers, with a side branch read late (so a reused
   * buffer is overwritten only after its last reader ran: a missing write-after-read dependency shows up as a
   * wrong result on an out-of-order queue).
   */
  private static OpGraph chain(int length, long... dims) {
    OpGraph g = new OpGraph(7);
    Value x = g.input(dims);
    TensorData ref = g.feedOf(x);
    Value v = x;
    Value early = null;
    TensorData earlyRef = null;
    for (int i = 0; i < length; i++) {
      String op = i % 3 == 0 ? "Neg" : i % 3 == 1 ? "Tanh" : "Sigmoid";
      v = g.node(op, null, dims, v);
      ref = Ref.unary(ref, op.equals("Neg") ? t -> -t : op.equals("Tanh") ? Math::tanh : t -> 1 / (1 + Math.exp(-t)));
      if (i == 1) {
        early = v;
        earlyRef = ref;
      }
    }
    Value out = g.node("Add", null, dims, v, early);
    g.expect(out, Ref.binary(ref, earlyRef, dims, Double::sum));
    return g;
  }

  @Test
  void memoryPlanReusesBuffersAndResultsStayCorrect() {
    OpGraph g = chain(12, 64, 255);
    try (OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, cache, OpenClExecutor.Options.defaults())) {
      MemoryPlan p = ex.memoryPlan();
      System.out.println(p + (ctx.outOfOrder() ? " (out-of-order queue)" : " (in-order queue)"));
      assertEquals(12L * 64 * 255 * 4, p.intermediateBytes());
      assertTrue(p.peakBytes() <= 3L * 64 * 255 * 4, p.toString());
      for (int i = 0; i < 3; i++) {
        g.check(ex.run(g.feeds), 1e-5, 1e-5);
      }
    }
  }

  @Test
  void thousandRunsReleaseEveryNativeObject() {
    Map<ClResources.Kind, Long> before = ClResources.snapshot();
    OpGraph g = chain(4, 3, 17);
    try (OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, cache, OpenClExecutor.Options.defaults())) {
      Map<ClResources.Kind, Long> compiled = ClResources.snapshot();
      for (int i = 0; i < 1000; i++) {
        ex.run(g.feeds);
      }
      assertEquals(compiled, ClResources.snapshot(), "runs leave no native object behind");
      g.check(ex.run(g.feeds), 1e-5, 1e-5);
    }
    Map<ClResources.Kind, Long> after = ClResources.snapshot();
    // the program stays in the cache; everything else the executor made is gone
    after.put(ClResources.Kind.PROGRAM, before.get(ClResources.Kind.PROGRAM));
    assertEquals(before, after);
  }

  @Test
  void concurrentRunsOnOneExecutorAreCorrect() throws Exception {
    OpGraph g = chain(6, 17, 33);
    try (OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, cache, OpenClExecutor.Options.defaults())) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<Map<String, TensorData>>> fs = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
          fs.add(pool.submit(() -> ex.run(g.feeds)));
        }
        for (Future<Map<String, TensorData>> f : fs) {
          g.check(f.get(), 1e-5, 1e-5);
        }
      } finally {
        pool.shutdown();
      }
    }
  }

  @Test
  void inputsAreValidatedBeforeAnyNativeCall() {
    OpGraph g = chain(2, 3, 4);
    try (OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, cache, OpenClExecutor.Options.defaults())) {
      String name = g.graph.inputs().get(0).name();
      ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
          () -> ex.run(Map.of(name, TensorData.zeros(DType.FLOAT32, 4, 3))));
      assertTrue(e.getMessage().contains(name), e.getMessage());
      assertThrows(ShapeMismatchException.class, () -> ex.run(Map.of()));
    }
  }

  @Test
  void opWithoutKernelOrReferenceIsNamed() {
    OpGraph g = new OpGraph(8);
    Value x = g.input(3);
    Value y = g.node("NoSuchOp", null, new long[] {3}, x);
    g.graph.addOutput(y);
    String node = y.producer().name();
    for (boolean strict : new boolean[] {false, true}) {
      UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
          () -> new OpenClExecutor(g.graph, ctx, cache, new OpenClExecutor.Options(strict, null, null)));
      assertTrue(e.getMessage().contains(node) && e.getMessage().contains("NoSuchOp"), e.getMessage());
    }
  }

  @Test
  void dumpedKernelsAreReadableSources(@TempDir Path dir) throws Exception {
    OpGraph g = new OpGraph(9);
    Value a = g.input(17, 3);
    Value b = g.input(3, 255);
    Value c = g.node("MatMul", new Attributes(), new long[] {17, 255}, a, b);
    g.expect(c, Ref.matmul(g.feedOf(a), g.feedOf(b), new long[] {17, 255}));
    try (OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, cache,
        new OpenClExecutor.Options(true, null, dir))) {
      g.check(ex.run(g.feeds), 1e-4, 1e-4);
      String name = ex.kernelSources().get(0).name();
      String src = Files.readString(dir.resolve(name + ".cl"));
      assertTrue(src.contains("#define M 17") && src.contains("#define K 3") && src.contains("#define N 255"), src);
      assertTrue(src.contains("__kernel void KNAME"), src);
    }
  }

  @Test
  void secondCompileWithAFreshCacheLoadsTheBinary(@TempDir Path dir) {
    OpGraph g = chain(9, 8, 8);
    double[] ms = new double[2];
    for (int round = 0; round < 2; round++) {
      try (ProgramCache disk = new ProgramCache(ctx, dir)) {
        long t0 = System.nanoTime();
        try (OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, disk, OpenClExecutor.Options.defaults())) {
          ms[round] = (System.nanoTime() - t0) / 1e6;
          g.check(ex.run(g.feeds), 1e-5, 1e-5);
        }
        assertEquals(round == 0 ? 1 : 0, disk.sourceBuilds());
        assertEquals(round == 0 ? 0 : 1, disk.binaryLoads());
      }
    }
    System.out.printf("compile of a %d-node graph: cold %.1f ms, warm (fresh cache object, disk binary) %.1f ms%n",
        g.graph.nodes().size(), ms[0], ms[1]);
  }

  @Test
  void opsWithoutTemplateFallBackToTheJavaKernelBetweenDeviceOps() {
    OpGraph g = new OpGraph(10);
    Value x = g.input(-10.0, 10.0, 3, 17);
    Value r = g.node("Relu", null, new long[] {3, 17}, x);
    Value h = g.node("ThresholdedRelu", null, new long[] {3, 17}, r);
    Value i = g.node("Cast", 17, new Attributes().setInt("to", DType.INT32.onnxCode()), DType.INT32,
        new long[] {3, 17}, h);
    Value f = g.node("Cast", 17, new Attributes().setInt("to", DType.FLOAT32.onnxCode()), DType.FLOAT32,
        new long[] {3, 17}, i);
    Value y = g.node("Neg", null, new long[] {3, 17}, f);
    g.expect(y, Ref.unary(g.feedOf(x), v -> {
      double rv = Math.max(0, v);
      return -(double) (int) (float) (rv > 1.0 ? rv : 0.0);
    }));
    try (OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, cache, OpenClExecutor.Options.defaults())) {
      assertEquals(List.of("ThresholdedRelu"), List.copyOf(ex.fallbacks().keySet()));
      assertEquals(4, ex.kernelSources().size());
      for (int k = 0; k < 3; k++) {
        g.check(ex.run(g.feeds), 0, 0);
      }
    }
    UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
        () -> new OpenClExecutor(g.graph, ctx, cache, new OpenClExecutor.Options(true, null, null)));
    assertTrue(e.getMessage().contains("ThresholdedRelu"), e.getMessage());
  }

  @Test
  void aFallbackOutputInALargerReusedBufferIsWrittenThroughTheLaneStagingAndStaysCorrect() {
    // Neg's 6 x 17 buffer is free again after ReduceSum, and the Java kernel's 1 x 17 output lands in it
    OpGraph g = new OpGraph(12);
    Value x = g.input(-3.0, 3.0, 6, 17);
    Value a = g.node("Neg", null, new long[] {6, 17}, x);
    Value b = g.node("ReduceSum", 11, new Attributes().setInts("axes", 0).setInt("keepdims", 1), DType.FLOAT32,
        new long[] {1, 17}, a);
    Value h = g.node("ThresholdedRelu", null, new long[] {1, 17}, b);
    Value y = g.node("Neg", null, new long[] {1, 17}, h);
    g.graph.addOutput(y);
    Map<String, TensorData> want = new io.offloadcl.runtime.cpu.ReferenceExecutor(g.graph).run(g.feeds);
    want.forEach(g.expected::put);
    try (OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, cache, OpenClExecutor.Options.defaults())) {
      assertEquals(List.of("ThresholdedRelu"), List.copyOf(ex.fallbacks().keySet()));
      for (int k = 0; k < 3; k++) {
        g.check(ex.run(g.feeds), 1e-6, 1e-6, false);
      }
    }
  }

  @Test
  void concurrentRunsGetTheirOwnLanesAndCloseReleasesThem() throws Exception {
    Map<ClResources.Kind, Long> before = ClResources.snapshot();
    OpGraph g = chain(6, 17, 33);
    try (OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, cache, OpenClExecutor.Options.defaults())) {
      assertEquals(1, ex.lanes());
      ExecutorService pool = Executors.newFixedThreadPool(8);
      java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
      try {
        List<Future<Integer>> fs = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          fs.add(pool.submit(() -> {
            start.await();
            for (int r = 0; r < 200; r++) {
              g.check(ex.run(g.feeds), 1e-5, 1e-5);
            }
            return 200;
          }));
        }
        start.countDown();
        int runs = 0;
        for (Future<Integer> f : fs) {
          runs += f.get();
        }
        assertEquals(1600, runs);
      } finally {
        pool.shutdown();
      }
      int lanes = ex.lanes();
      assertTrue(lanes >= 1 && lanes <= OpenClExecutor.MAX_LANES, "lanes " + lanes);
      System.out.println("8 threads x 200 runs used " + lanes + " lanes (at most " + OpenClExecutor.MAX_LANES + ")");
    }
    Map<ClResources.Kind, Long> after = ClResources.snapshot();
    after.put(ClResources.Kind.PROGRAM, before.get(ClResources.Kind.PROGRAM));
    assertEquals(before, after, "closing releases every lane's queue, buffers and kernels");
  }

  @Test
  void runAfterCloseFailsNamingTheGraph() {
    OpGraph g = chain(2, 3, 4);
    OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, cache, OpenClExecutor.Options.defaults());
    ex.close();
    io.offloadcl.ir.DeviceException e = assertThrows(io.offloadcl.ir.DeviceException.class, () -> ex.run(g.feeds));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
  }

  /**
   * Inputs and outputs above the map threshold go through mapped host buffers on a host-unified device, and through
   * staging copies on a context that reports no unified memory (the discrete-GPU path); both give exact results.
   */
  @Test
  void largeInputsAndOutputsAreCorrectWhetherMappedOrCopied() {
    largeInputsAndOutputs(ctx, ctx.hostUnifiedMemory() ? 3 : 0);
    try (ClContext copying = ClContext.open(ctx.device(), false)) {
      assertTrue(!copying.hostUnifiedMemory());
      largeInputsAndOutputs(copying, 0);
    }
  }

  private static void largeInputsAndOutputs(ClContext ctx, int mapped) {
    int n = (int) (OpenClExecutor.MAP_MIN_BYTES / 4) + 1000; // just above the threshold
    OpGraph g = new OpGraph(11);
    Value x = g.input(n);
    Value small = g.input(5);
    Value y = g.node("Neg", null, new long[] {n}, x);
    Value z = g.node("Relu", null, new long[] {n}, y);
    Value s = g.node("Neg", null, new long[] {5}, small);
    g.expect(z, Ref.unary(g.feedOf(x), v -> Math.max(0, -v)));
    g.expect(y, Ref.unary(g.feedOf(x), v -> -v));
    g.expect(s, Ref.unary(g.feedOf(small), v -> -v));
    try (ProgramCache cache = new ProgramCache(ctx, null);
        OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, cache, OpenClExecutor.Options.defaults())) {
      assertEquals(mapped, ex.mappedBuffers(), "the large input and the two large outputs; never the small ones");
      for (int r = 0; r < 5; r++) {
        g.check(ex.run(g.feeds), 0, 0);
      }
      // other values in the same buffers: nothing of the earlier run may show through
      Map<String, TensorData> other = new java.util.HashMap<>();
      g.feeds.forEach((k, v) -> {
        float[] f = v.toFloatArray();
        for (int i = 0; i < f.length; i++) {
          f[i] = -2 * f[i] - 1;
        }
        other.put(k, TensorData.wrap(DType.FLOAT32, v.dims(), f));
      });
      Map<String, TensorData> out = ex.run(other);
      float[] in = other.get(x.name()).floats();
      float[] got = out.get(z.name()).floats();
      for (int i = 0; i < n; i++) {
        assertEquals(Math.max(0, -in[i]), got[i], 0f, "element " + i);
      }
    }
  }

  /**
   * Weights reach the device intact on both upload paths: mapped buffers on a host-unified device, and on a
   * copying one the packed staging buffer (constants that fill it, so it is drained and reused, and one larger than
   * it, which goes on its own), with int64 and bool constants among the float ones.
   */
  @Test
  void weightsAreUploadedIntactWhetherMappedOrStaged() {
    weights(ctx);
    try (ClContext copying = ClContext.open(ctx.device(), false)) {
      weights(copying);
    }
  }

  @Test
  void rowFillWeightsReachTheDeviceWithoutTheirArrayWhetherMappedOrStaged() {
    for (boolean mapped : new boolean[] {true, false}) {
      try (ClContext c = ClContext.open(ctx.device(), mapped)) {
        OpGraph g = new OpGraph(15);
        Value x = g.input(3, 70);
        // 70 x 40 weights as 7 rows of 400 equal values, and a whole-tensor splat of 8193 (> one 8192-float chunk)
        float[] rows = {0.5f, -1f, 2f, 0f, 0.25f, -0.75f, 3f};
        TensorData w = TensorData.filledRows(new long[] {70, 40}, rows);
        TensorData splat = TensorData.filled(new long[] {8193}, -1.5f);
        Value y = g.node("MatMul", null, new long[] {3, 40}, x, g.constant(w));
        Value z = g.node("Add", null, new long[] {8193}, g.input(8193), g.constant(splat));
        g.graph.addOutput(y);
        g.graph.addOutput(z);
        try (ProgramCache pc = new ProgramCache(c, null);
            OpenClExecutor ex = new OpenClExecutor(g.graph, c, pc, OpenClExecutor.Options.defaults())) {
          assertTrue(w.rowValues() != null && splat.rowValues() != null,
              (mapped ? "mapped" : "staged") + " upload made the fills' arrays");
          // the reference executor reads the arrays (made now), the device got its values from the rows
          new io.offloadcl.runtime.cpu.ReferenceExecutor(g.graph).run(g.feeds).forEach(g.expected::put);
          g.check(ex.run(g.feeds), 1e-5, 1e-5, false);
        }
      }
    }
  }

  private static void weights(ClContext ctx) {
    int quarter = OpenClExecutor.STAGING_BYTES / 4;
    long big = quarter * 3L / 4; // 0.75 of the staging buffer: the second one does not fit beside the first
    long huge = quarter + quarter / 8; // above the staging buffer
    OpGraph g = new OpGraph(13);
    Value x = g.input(big);
    Value xh = g.input(huge);
    Value s = g.input(6);
    List<Value> outs = new ArrayList<>();
    for (long n : new long[] {big, big, huge, 6}) {
      Value in = n == big ? x : n == huge ? xh : s;
      TensorData c = TensorData.zeros(DType.FLOAT32, n);
      float[] f = c.floats();
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) (i % 1013) * 0.5f - outs.size();
      }
      Value out = g.node("Add", null, new long[] {n}, in, g.constant(c));
      g.expect(out, Ref.binary(g.feedOf(in), c, new long[] {n}, Double::sum));
      outs.add(out);
    }
    Value cond = g.constant(TensorData.wrap(DType.BOOL, new long[] {6}, new boolean[] {true, false, false, true, true, false}));
    Value neg = g.node("Neg", null, new long[] {6}, s);
    Value where = g.node("Where", null, new long[] {6}, cond, s, neg);
    float[] sv = g.feedOf(s).floats();
    float[] want = new float[6];
    for (int i = 0; i < 6; i++) {
      want[i] = cond.constant().bools()[i] ? sv[i] : -sv[i];
    }
    Value shaped = g.node("Reshape", null, new long[] {2, 3}, where, g.constant(TensorData.ofLongs(new long[] {2}, 2, 3)));
    Value out = g.node("Relu", null, new long[] {2, 3}, shaped);
    float[] relu = new float[6];
    for (int i = 0; i < 6; i++) {
      relu[i] = Math.max(0, want[i]);
    }
    g.expect(out, TensorData.ofFloats(new long[] {2, 3}, relu));
    try (ProgramCache cache = new ProgramCache(ctx, null);
        OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, cache, OpenClExecutor.Options.defaults())) {
      assertTrue(ex.memoryPlan().constantBytes() >= 4L * (2 * big + huge), "all weights are on the device");
      for (int r = 0; r < 2; r++) {
        g.check(ex.run(g.feeds), 0, 0);
      }
    }
  }
}
