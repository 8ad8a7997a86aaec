package io.offloadcl.runtime.opencl;

import static io.offloadcl.testing.Timing.median;

import io.offloadcl.codegen.DeviceClass;
import io.offloadcl.codegen.KernelGenerator;
import io.offloadcl.codegen.KernelSource;
import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * gemm_cpu's float8 epilogue store against the scalar loop on the same kernel (the scalar variant is the same
 * source without its {@code #define EPILOGUE8}), at resnet50's and squeezenet's pointwise conv shapes, timed in
 * alternating rounds in one process; prints per-variant medians and the median of same-round ratios. Not a unit
 * test: run with {@code mvn -q -o test -Dtest=EpilogueStoreBench -Dsurefire.excludedGroups=}.
 */
@Tag("bench")
@Tag("opencl")
class EpilogueStoreBench {
  /**
   * {ci, co, hw, epilogue}: the pointwise convs of resnet50's bottlenecks and squeezenet's expand1x1; epilogue 0
   * bias + Relu, 1 bias + residual + Relu, 2 none (the store alone).
   */
  private static final long[][] SHAPES = {{64, 256, 56, 1}, {64, 256, 56, 0}, {64, 256, 56, 2}, {64, 64, 56, 0},
      {128, 512, 28, 1}, {256, 1024, 14, 1}, {512, 2048, 7, 1}, {16, 64, 55, 0}, {64, 256, 13, 0}};

  @Test
  void vectorAgainstScalarStore() {
    ClDevice d = OpenClTestSupport.requireDevice();
    try (ClContext ctx = ClContext.open(d); ProgramCache cache = new ProgramCache(ctx, null)) {
      for (long[] s : SHAPES) {
        bench(ctx, cache, s);
      }
    }
  }

  private static void bench(ClContext ctx, ProgramCache cache, long[] s) {
    Graph g = new Graph("g");
    long[] out = {1, s[1], s[2], s[2]};
    List<Value> ins = new ArrayList<>(Arrays.asList(g.addInput("x", TensorType.of(DType.FLOAT32, 1, s[0], s[2], s[2])),
        g.addInput("w", TensorType.of(DType.FLOAT32, s[1], s[0], 1, 1))));
    Attributes at = new Attributes().setInts("kernel_shape", 1, 1).setInt("residual", s[3] == 1 ? 1 : 0);
    if (s[3] != 2) {
      ins.add(g.addInput("b", TensorType.of(DType.FLOAT32, s[1])));
      at.setString("activation", "Relu").setFloats("activation_params");
    }
    if (s[3] == 1) {
      ins.add(g.addInput("z", TensorType.of(DType.FLOAT32, out)));
    }
    Node n = g.addNode("FusedConv", "offloadcl", 17, "n", ins, List.of("y"), at);
    n.output(0).setType(TensorType.of(DType.FLOAT32, out));
    KernelSource vec = new KernelGenerator(DeviceClass.CPU).generate(n, "kvec");
    KernelSource sca = new KernelGenerator(DeviceClass.CPU).generate(n, "ksca");
    String scalarSource = sca.source().replaceAll("(?m)^#define EPILOGUE8.*\\n", "");
    if (!vec.source().contains("#define EPILOGUE8") || scalarSource.contains("#define EPILOGUE8")) {
      throw new IllegalStateException("expected a vector epilogue for " + Arrays.toString(s));
    }
    List<ClBuffer> bufs = new ArrayList<>();
    try (ClKernel kv = cache.get(vec.source(), vec.buildOptions()).kernel("kvec");
        ClKernel ks = cache.get(scalarSource, sca.buildOptions()).kernel("ksca")) {
      bufs.addAll(OpenClTestSupport.randomArgBuffers(ctx, n, vec, out, 3));
      for (int a = 0; a < bufs.size(); a++) {
        kv.setArg(a, bufs.get(a));
        ks.setArg(a, bufs.get(a));
      }
      time(ctx, ks, sca, 2); // POCL builds a work-group function at a kernel's first launch
      double once = time(ctx, kv, vec, 3);
      int reps = (int) Math.max(3, Math.min(40, 0.05 / once));
      int rounds = 11;
      double[] tv = new double[rounds];
      double[] ts = new double[rounds];
      double[] ratio = new double[rounds];
      for (int i = 0; i < rounds; i++) {
        if (i % 2 == 0) {
          tv[i] = time(ctx, kv, vec, reps);
          ts[i] = time(ctx, ks, sca, reps);
        } else {
          ts[i] = time(ctx, ks, sca, reps);
          tv[i] = time(ctx, kv, vec, reps);
        }
        ratio[i] = tv[i] / ts[i];
      }
      double flops = 2.0 * s[0] * s[1] * s[2] * s[2];
      double mv = median(tv);
      double ms = median(ts);
      System.out.println(String.format(Locale.ROOT, "%4d->%-4d @%3d %-8s scalar %7.3f ms %6.1f GFLOP/s | vector %7.3f"
          + " ms %6.1f GFLOP/s | vector/scalar median of rounds %.3f (range %.3f-%.3f)", s[0], s[1], s[2],
          new String[] {"b+relu", "b+res+re", "none"}[(int) s[3]], ms * 1e3, flops / ms / 1e9, mv * 1e3, flops / mv / 1e9, median(ratio),
          Arrays.stream(ratio).min().orElse(0), Arrays.stream(ratio).max().orElse(0)));
    } finally {
      bufs.forEach(ClBuffer::close);
    }
  }

  private static double time(ClContext ctx, ClKernel k, KernelSource ks, int reps) {
    long t0 = System.nanoTime();
    for (int i = 0; i < reps; i++) {
      ClEvent e = ctx.launch(k, ks.globalSize(), ks.localSize(), List.of());
      ClEvent.waitAll(List.of(e));
      e.close();
    }
    return (System.nanoTime() - t0) / 1e9 / reps;
  }

}
