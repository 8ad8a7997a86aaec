package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.offloadcl.codegen.DeviceClass;
import io.offloadcl.codegen.KernelGenerator;
import io.offloadcl.codegen.KernelSource;
import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Prints GEMM GFLOP/s of the generated kernels on the test device (figures, no timing assertion). */
@Tag("opencl")
class GemmBenchmarkTest {
  @Test
  void gemmThroughput() {
    ClDevice d = OpenClTestSupport.requireDevice();
    DeviceClass dc = d.type() == ClDevice.Type.GPU ? DeviceClass.GPU : DeviceClass.CPU;
    try (ClContext ctx = ClContext.open(d); ProgramCache cache = new ProgramCache(ctx, null)) {
      for (int size : new int[] {512, 1024}) {
        Graph g = new Graph("mm");
        Value a = g.addInput("a", TensorType.of(DType.FLOAT32, size, size));
        Value b = g.addInput("b", TensorType.of(DType.FLOAT32, size, size));
        Node n = g.addNode("MatMul", "mm", List.of(a, b), List.of("c"), new Attributes());
        n.output(0).setType(TensorType.of(DType.FLOAT32, size, size));
        KernelSource ks = new KernelGenerator(dc).generate(n, "mm" + size);
        Random r = new Random(size);
        float[] ha = new float[size * size];
        float[] hb = new float[size * size];
        for (int i = 0; i < ha.length; i++) {
          ha[i] = r.nextFloat() - 0.5f;
          hb[i] = r.nextFloat() - 0.5f;
        }
        long bytes = 4L * size * size;
        try (ClBuffer ba = ctx.buffer(bytes); ClBuffer bb = ctx.buffer(bytes); ClBuffer bc = ctx.buffer(bytes);
            ClKernel k = cache.get(ks.source(), ks.buildOptions()).kernel(ks.name())) {
          ByteBuffer pa = direct(ha);
          ByteBuffer pb = direct(hb);
          try (ClEvent e1 = ctx.write(ba, pa, null); ClEvent e2 = ctx.write(bb, pb, null)) {
            ClEvent.waitAll(List.of(e1, e2));
          }
          k.setArg(0, ba);
          k.setArg(1, bb);
          k.setArg(2, bc);
          runs(ctx, k, ks, 1);
          int reps = size == 512 ? 10 : 3;
          long t0 = System.nanoTime();
          runs(ctx, k, ks, reps);
          double s = (System.nanoTime() - t0) / 1e9 / reps;
          double gflops = 2.0 * size * size * size / s / 1e9;
          System.out.printf("GEMM %d^3 on %s (%s variant): %.1f ms, %.1f GFLOP/s%n", size, d.name(), dc, s * 1e3,
              gflops);
          ByteBuffer out = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
          try (ClEvent e = ctx.read(bc, out, null)) {
            ClEvent.waitAll(List.of(e));
          }
          // spot-check a few entries against a double-precision dot product
          for (int t = 0; t < 20; t++) {
            int i = r.nextInt(size);
            int j = r.nextInt(size);
            double want = 0;
            for (int q = 0; q < size; q++) {
              want += (double) ha[i * size + q] * hb[q * size + j];
            }
            assertEquals(want, out.getFloat(4 * (i * size + j)), 1e-3);
          }
        }
      }
    }
  }

  @Test
  void convThroughput() {
    ClDevice d = OpenClTestSupport.requireDevice();
    try (ClContext ctx = ClContext.open(d); ProgramCache cache = new ProgramCache(ctx, null)) {
      // a ResNet-style 3x3 layer and a pointwise one (lowered to GEMM)
      long[][] cases = {{64, 64, 56, 3}, {64, 256, 56, 1}};
      OpGraph g = new OpGraph(11);
      double[] flops = new double[cases.length];
      for (int i = 0; i < cases.length; i++) {
        long ci = cases[i][0];
        long co = cases[i][1];
        long hw = cases[i][2];
        long k = cases[i][3];
        Value x = g.input(1, ci, hw, hw);
        Value w = g.input(co, ci, k, k);
        Value b = g.input(co);
        long p = k / 2;
        g.graph.addOutput(g.node("Conv", new Attributes().setInts("pads", p, p, p, p), new long[] {1, co, hw, hw},
            x, w, b));
        flops[i] = 2.0 * co * ci * k * k * hw * hw;
      }
      try (OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, cache, OpenClExecutor.Options.defaults())) {
        ex.run(g.feeds);
        int reps = 5;
        long t0 = System.nanoTime();
        for (int r = 0; r < reps; r++) {
          ex.run(g.feeds);
        }
        double s = (System.nanoTime() - t0) / 1e9 / reps;
        System.out.printf("Conv 64->64 3x3 + 64->256 1x1 on 56x56 (%.2f GFLOP per run): %.1f ms per run incl."
            + " transfers, %.1f GFLOP/s%n", (flops[0] + flops[1]) / 1e9, s * 1e3, (flops[0] + flops[1]) / s / 1e9);
      }
    }
  }

  private static void runs(ClContext ctx, ClKernel k, KernelSource ks, int reps) {
    List<ClEvent> evs = new ArrayList<>();
    for (int i = 0; i < reps; i++) {
      evs.add(ctx.launch(k, ks.globalSize(), ks.localSize(), evs.isEmpty() ? null : List.of(evs.get(evs.size() - 1))));
    }
    ClEvent.waitAll(evs);
    evs.forEach(ClEvent::close);
  }

  static ByteBuffer direct(float[] v) {
    ByteBuffer b = ByteBuffer.allocateDirect(4 * v.length).order(ByteOrder.nativeOrder());
    b.asFloatBuffer().put(v);
    return b;
  }
}
