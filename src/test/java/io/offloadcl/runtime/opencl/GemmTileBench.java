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
 * gemm_cpu's and conv_shift_cpu's register tile shapes (TM rows x 8*NV columns) on squeezenet's convolution
 * products: the generated kernel with its {@code TM} / {@code NV} defines replaced and the rows-first range
 * recomputed for the tile, all variants timed in alternating rounds in one process; prints per-variant medians
 * and the median of same-round ratios against the generated tile. Not a unit test: run with
 * {@code mvn -q -o test -Dtest=GemmTileBench -Dsurefire.excludedGroups=}.
 */
@Tag("bench")
@Tag("opencl")
class GemmTileBench {
  /**
   * {ci, co, input side, kernel side}: squeezenet's convs as they reach codegen (3x3 ones unpadded), then
   * inception_v1's 16- and 32-channel 1x1 convs.
   */
  private static final long[][] SHAPES = {{27, 64, 111, 1}, {96, 16, 55, 1}, {16, 64, 55, 1}, {16, 64, 57, 3},
      {128, 32, 27, 1}, {32, 128, 27, 1}, {32, 128, 29, 3}, {384, 48, 13, 1}, {48, 192, 13, 1}, {432, 192, 13, 1},
      {512, 64, 13, 1}, {64, 256, 13, 1}, {576, 256, 13, 1}, {512, 1000, 13, 1}, {192, 16, 27, 1}, {256, 32, 27, 1},
      {480, 16, 13, 1}, {512, 32, 13, 1}};

  /** {TM, NV} variants; ratios are against the first, gemm_cpu's default 6 x 32. */
  private static final int[][] TILES = {{6, 4}, {4, 6}};

  @Test
  void tileShapes() {
    ClDevice d = OpenClTestSupport.requireDevice();
    try (ClContext ctx = ClContext.open(d); ProgramCache cache = new ProgramCache(ctx, null)) {
      for (int i = 0; i < SHAPES.length; i++) {
        bench(ctx, cache, SHAPES[i]);
      }
    }
  }

  private static void bench(ClContext ctx, ProgramCache cache, long[] s) {
    Graph g = new Graph("g");
    long side = s[2];
    long outSide = side - s[3] + 1;
    long[] out = {1, s[1], outSide, outSide};
    List<Value> ins = new ArrayList<>(Arrays.asList(g.addInput("x", TensorType.of(DType.FLOAT32, 1, s[0], side, side)),
        g.addInput("w", TensorType.of(DType.FLOAT32, s[1], s[0], s[3], s[3])),
        g.addInput("b", TensorType.of(DType.FLOAT32, s[1]))));
    Attributes at = new Attributes().setInts("kernel_shape", s[3], s[3]).setInt("residual", 0)
        .setString("activation", "Relu").setFloats("activation_params");
    Node n = g.addNode("FusedConv", "offloadcl", 17, "n", ins, List.of("y"), at);
    n.output(0).setType(TensorType.of(DType.FLOAT32, out));
    KernelSource base = new KernelGenerator(DeviceClass.CPU).generate(n, "k");
    long m = s[1];
    long cols = s[3] == 1 ? outSide * outSide : (outSide - 1) * side + outSide;
    List<ClBuffer> bufs = new ArrayList<>();
    List<ClKernel> kernels = new ArrayList<>();
    List<long[][]> ranges = new ArrayList<>();
    try {
      bufs.addAll(OpenClTestSupport.randomArgBuffers(ctx, n, base, out, 3));
      for (int[] t : TILES) {
        String src = base.source().replaceFirst("(?m)^#define TM \\d+$", "#define TM " + t[0])
            .replaceFirst("(?m)^#define NV \\d+$", "#define NV " + t[1]);
        ClKernel k = cache.get(src, base.buildOptions()).kernel("k");
        for (int a = 0; a < bufs.size(); a++) {
          k.setArg(a, bufs.get(a));
        }
        kernels.add(k);
        long mt = (m + t[0] - 1) / t[0];
        long nt = (cols + 8L * t[1] - 1) / (8L * t[1]);
        long groups = (mt + 255) / 256;
        long l = (mt + groups - 1) / groups;
        ranges.add(new long[][] {{l * groups, nt, 1}, {l, 1, 1}});
      }
      for (int i = 0; i < kernels.size(); i++) {
        time(ctx, kernels.get(i), ranges.get(i), 2);
      }
      double once = time(ctx, kernels.get(0), ranges.get(0), 3);
      int reps = (int) Math.max(3, Math.min(40, 0.03 / once));
      int rounds = 25;
      double[][] tt = new double[kernels.size()][rounds];
      for (int i = 0; i < rounds; i++) {
        for (int j = 0; j < kernels.size(); j++) {
          int v = (i % 2 == 0) ? j : kernels.size() - 1 - j;
          tt[v][i] = time(ctx, kernels.get(v), ranges.get(v), reps);
        }
      }
      double flops = 2.0 * s[0] * s[3] * s[3] * s[1] * outSide * outSide;
      StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%4d->%-4d %dx%d @%3d M %4d K %4d N %5d |",
          s[0], s[1], s[3], s[3], outSide, m, s[0] * s[3] * s[3], cols));
      for (int j = 0; j < kernels.size(); j++) {
        double[] ratio = new double[rounds];
        for (int i = 0; i < rounds; i++) {
          ratio[i] = tt[j][i] / tt[0][i];
        }
        double md = median(tt[j]);
        sb.append(String.format(Locale.ROOT, " %dx%-2d %6.3f ms %5.1f GF r%.2f |", TILES[j][0], 8 * TILES[j][1],
            md * 1e3, flops / md / 1e9, median(ratio)));
      }
      System.out.println(sb);
    } finally {
      kernels.forEach(ClKernel::close);
      bufs.forEach(ClBuffer::close);
    }
  }

  private static double time(ClContext ctx, ClKernel k, long[][] range, int reps) {
    long t0 = System.nanoTime();
    for (int i = 0; i < reps; i++) {
      ClEvent e = ctx.launch(k, range[0], range[1], List.of());
      ClEvent.waitAll(List.of(e));
      e.close();
    }
    return (System.nanoTime() - t0) / 1e9 / reps;
  }
}
