package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.codegen.DeviceClass;
import io.offloadcl.codegen.Epilogue;
import io.offloadcl.codegen.KernelGenerator;
import io.offloadcl.codegen.KernelSource;
import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.runtime.cpu.CpuKernels;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The CPU-class kernels of the memory-bound ops (row-segment pools, float8 global pools, softmax and layernorm
 * rows, block-copy Concat) against the runtime.cpu reference kernels, on edge shapes: odd sizes, pads,
 * ceil_mode, count_include_pad, dilations, legacy and current Softmax axes, Concat on every axis. Each test is
 * one graph, so one program build per device class; both classes run, so the generic kernels stay covered.
 */
@Tag("opencl")
class MemoryBoundKernelsTest extends ClFixture {
  /** The reference kernel's result for the node producing {@code v}, its inputs fed or constant. */
  private static TensorData ref(OpGraph g, Value v) {
    Node n = v.producer();
    TensorData[] ins = new TensorData[n.inputs().size()];
    for (int i = 0; i < ins.length; i++) {
      Value in = n.input(i);
      ins[i] = in == null ? null : in.isConstant() ? in.constant() : g.feedOf(in);
    }
    return CpuKernels.find(n.opType()).run(n, ins)[0];
  }

  private static void expectRef(OpGraph g, Value v) {
    g.expect(v, ref(g, v));
  }

  private static void runBoth(OpGraph g, List<String> cpuSections) {
    for (DeviceClass dc : DeviceClass.values()) {
      try (OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, cache, new OpenClExecutor.Options(true, dc, null))) {
        assertTrue(ex.fallbacks().isEmpty(), ex.fallbacks().toString());
        if (dc == DeviceClass.CPU) {
          for (String s : cpuSections) {
            assertTrue(ex.programSource().contains(" / " + s + "]"), "CPU program uses section " + s);
          }
        }
        g.check(ex.run(g.feeds), 1e-5, 1e-5);
      }
    }
  }

  /** Output extent of a pooling window (ONNX formula, floor or ceil). */
  private static long out(long in, long k, long s, long p0, long p1, long d, boolean ceil) {
    long span = in + p0 + p1 - ((k - 1) * d + 1);
    long o = (ceil ? Math.floorDiv(span + s - 1, s) : Math.floorDiv(span, s)) + 1;
    if (ceil && (o - 1) * s >= in + p0) {
      o--; // the last window must start inside the input or its start padding
    }
    return o;
  }

  private static Value pool(OpGraph g, String op, Value x, long[] xd, long k, long s, long p, long d, boolean ceil,
      boolean includePad) {
    Attributes a = new Attributes().setInts("kernel_shape", k, k).setInts("strides", s, s)
        .setInts("pads", p, p, p, p).setInt("ceil_mode", ceil ? 1 : 0);
    if (d != 1) {
      a.setInts("dilations", d, d);
    }
    if (op.equals("AveragePool")) {
      a.setInt("count_include_pad", includePad ? 1 : 0);
    }
    long[] yd = {xd[0], xd[1], out(xd[2], k, s, p, p, d, ceil), out(xd[3], k, s, p, p, d, ceil)};
    Value y = g.node(op, 19, a, DType.FLOAT32, yd, x);
    expectRef(g, y);
    return y;
  }

  @Test
  void poolsMatchReference() {
    OpGraph g = new OpGraph(11);
    long[][] shapes = {{2, 3, 17, 23}, {1, 2, 9, 40}, {1, 1, 5, 8}};
    for (long[] xd : shapes) {
      Value x = g.input(-3.0, 3.0, xd);
      for (String op : List.of("MaxPool", "AveragePool")) {
        pool(g, op, x, xd, 3, 2, 1, 1, false, false);
        pool(g, op, x, xd, 3, 2, 1, 1, true, false);
        pool(g, op, x, xd, 2, 2, 0, 1, false, false);
        pool(g, op, x, xd, 2, 2, 0, 1, true, false);
        pool(g, op, x, xd, 3, 1, 1, 1, false, false);
        pool(g, op, x, xd, 3, 1, 0, 1, false, false);
      }
      pool(g, "AveragePool", x, xd, 3, 2, 1, 1, true, true);
      pool(g, "AveragePool", x, xd, 3, 1, 1, 1, false, true);
      pool(g, "AveragePool", x, xd, 2, 2, 1, 1, true, true);
      pool(g, "MaxPool", x, xd, 3, 1, 2, 2, false, false); // dilated
      pool(g, "MaxPool", x, xd, 2, 3, 1, 1, true, false); // stride 3
    }
    // 1-D pooling arrives as H = 1
    Value x1 = g.input(-3.0, 3.0, 2, 3, 37);
    Value y1 = g.node("MaxPool", 19, new Attributes().setInts("kernel_shape", 3).setInts("strides", 2)
        .setInts("pads", 1, 1), DType.FLOAT32, new long[] {2, 3, 19}, x1);
    expectRef(g, y1);
    Value a1 = g.node("AveragePool", 19, new Attributes().setInts("kernel_shape", 2).setInts("strides", 1),
        DType.FLOAT32, new long[] {2, 3, 36}, x1);
    expectRef(g, a1);
    // global pools: HW a multiple of 8, with a tail, and under 8
    for (long[] xd : new long[][] {{2, 5, 4, 4}, {2, 5, 7, 7}, {1, 3, 3, 3}, {1, 4, 1, 17}}) {
      Value x = g.input(-3.0, 3.0, xd);
      for (String op : List.of("GlobalAveragePool", "GlobalMaxPool")) {
        expectRef(g, g.node(op, 17, null, DType.FLOAT32, new long[] {xd[0], xd[1], 1, 1}, x));
      }
    }
    runBoth(g, List.of("pool2d_rows", "global_pool_vec"));
  }

  /**
   * The row-segment pools' cases: rows under 8 outputs (one segment, fewer lanes), rows that end in a
   * recomputed segment, left padding and right overhang (pads, ceil_mode partial windows) as generated edge
   * segments, strides 1 to 3, dilations, 1x1 outputs, asymmetric pads and kernels, and a span too wide for
   * the registers (the generic kernel).
   */
  @Test
  void rowPoolsMatchReferenceOnEdges() {
    OpGraph g = new OpGraph(15);
    long[][] shapes = {{2, 2, 13, 27}, {1, 3, 12, 70}, {2, 2, 7, 7}};
    for (long[] xd : shapes) {
      Value x = g.input(-3.0, 3.0, xd);
      for (String op : List.of("MaxPool", "AveragePool")) {
        pool(g, op, x, xd, 3, 2, 0, 1, true, false); // squeezenet: ceil_mode
        pool(g, op, x, xd, 3, 3, 0, 1, false, false);
        pool(g, op, x, xd, 3, 3, 1, 1, true, false);
        pool(g, op, x, xd, 5, 1, 2, 1, false, false);
        pool(g, op, x, xd, 3, 1, 2, 2, false, false);
        pool(g, op, x, xd, 3, 2, 1, 2, true, false);
        pool(g, op, x, xd, 1, 1, 0, 1, false, false);
        pool(g, op, x, xd, 7, 1, 0, 1, false, false);
      }
      pool(g, "AveragePool", x, xd, 3, 3, 1, 1, true, true);
      pool(g, "AveragePool", x, xd, 5, 1, 2, 1, false, true);
      pool(g, "AveragePool", x, xd, 3, 2, 0, 1, true, true);
    }
    // 1x1 outputs
    Value s = g.input(-3.0, 3.0, 2, 4, 3, 3);
    for (String op : List.of("MaxPool", "AveragePool")) {
      pool(g, op, s, new long[] {2, 4, 3, 3}, 3, 1, 0, 1, false, false);
      pool(g, op, s, new long[] {2, 4, 3, 3}, 2, 2, 0, 1, false, false);
      pool(g, op, s, new long[] {2, 4, 3, 3}, 3, 3, 1, 1, false, false);
    }
    // more output rows than 16 work-groups of the device's largest size hold (65,536 + 768 rows of one column):
    // the groups grow in number, not past the work-group limit (a large-batch pool failed to launch before)
    long[] many = {1, 4096, 34, 2};
    Value m = g.input(-3.0, 3.0, many);
    pool(g, "MaxPool", m, many, 2, 2, 0, 1, false, false);
    // asymmetric kernel and pads
    Value a = g.input(-3.0, 3.0, 1, 2, 9, 33);
    for (String op : List.of("MaxPool", "AveragePool")) {
      Attributes at = new Attributes().setInts("kernel_shape", 3, 5).setInts("strides", 1, 2)
          .setInts("pads", 0, 2, 1, 1);
      expectRef(g, g.node(op, 19, at, DType.FLOAT32, new long[] {1, 2, 8, 16}, a));
    }
    // NaN propagates (as the reference kernel does): at a row's start and end, inside, on a top edge row
    long[] nd = {1, 2, 11, 29};
    Value nan = g.input(-3.0, 3.0, nd);
    TensorData nanData = g.feedOf(nan);
    for (int i : new int[] {0, 28, 3 * 29 + 14, 29 * 11 + 5 * 29 + 27, 29 * 11 + 10 * 29 + 8}) {
      nanData.setDouble(i, Double.NaN);
    }
    for (String op : List.of("MaxPool", "AveragePool")) {
      pool(g, op, nan, nd, 3, 2, 1, 1, true, false);
      pool(g, op, nan, nd, 2, 2, 0, 1, false, false);
      pool(g, op, nan, nd, 3, 1, 0, 1, false, false);
    }
    expectRef(g, g.node("GlobalMaxPool", 17, null, DType.FLOAT32, new long[] {1, 2, 1, 1}, nan));
    // a window span over 64 columns: the generic kernel
    Value wide = g.input(-3.0, 3.0, 1, 2, 4, 80);
    expectRef(g, g.node("MaxPool", 19, new Attributes().setInts("kernel_shape", 1, 9).setInts("dilations", 1, 8),
        DType.FLOAT32, new long[] {1, 2, 4, 16}, wide));
    runBoth(g, List.of("pool2d_rows"));
  }

  @Test
  void softmaxAndLayerNormMatchReference() {
    OpGraph g = new OpGraph(12);
    Value a = g.input(-4.0, 4.0, 3, 17);
    Value b = g.input(-4.0, 4.0, 2, 3, 5);
    Value c = g.input(-4.0, 4.0, 4, 1000);
    for (String op : List.of("Softmax", "LogSoftmax")) {
      expectRef(g, g.node(op, 13, new Attributes().setInt("axis", -1), DType.FLOAT32, new long[] {3, 17}, a));
      expectRef(g, g.node(op, 13, new Attributes().setInt("axis", 1), DType.FLOAT32, new long[] {2, 3, 5}, b));
      expectRef(g, g.node(op, 13, new Attributes().setInt("axis", 0), DType.FLOAT32, new long[] {2, 3, 5}, b));
      expectRef(g, g.node(op, 13, null, DType.FLOAT32, new long[] {4, 1000}, c));
      // before opset 13 the axis splits the tensor into 2-D: axis 1 of [2, 3, 5] is rows of 15
      expectRef(g, g.node(op, 11, new Attributes().setInt("axis", 1), DType.FLOAT32, new long[] {2, 3, 5}, b));
      expectRef(g, g.node(op, 11, new Attributes().setInt("axis", 0), DType.FLOAT32, new long[] {2, 3, 5}, b));
      expectRef(g, g.node(op, 11, null, DType.FLOAT32, new long[] {2, 3, 5}, b));
      expectRef(g, g.node(op, 11, new Attributes().setInt("axis", -2), DType.FLOAT32, new long[] {2, 3, 5}, b));
    }
    Value ln = g.input(-2.0, 2.0, 3, 37);
    Value s37 = g.constant(TensorData.wrap(DType.FLOAT32, new long[] {37}, seq(37, 0.5f, 0.03f)));
    Value b37 = g.constant(TensorData.wrap(DType.FLOAT32, new long[] {37}, seq(37, -0.2f, 0.01f)));
    expectRef(g, g.node("LayerNormalization", 17, new Attributes().setInt("axis", -1), DType.FLOAT32,
        new long[] {3, 37}, ln, s37, b37));
    expectRef(g, g.node("LayerNormalization", 17, new Attributes().setInt("axis", -1).setFloat("epsilon", 1e-3f),
        DType.FLOAT32, new long[] {3, 37}, ln, s37));
    Value ln3 = g.input(-2.0, 2.0, 2, 3, 16);
    Value s48 = g.constant(TensorData.wrap(DType.FLOAT32, new long[] {3, 16}, seq(48, 0.7f, 0.01f)));
    Value s16 = g.constant(TensorData.wrap(DType.FLOAT32, new long[] {16}, seq(16, 1.1f, -0.02f)));
    expectRef(g, g.node("LayerNormalization", 17, new Attributes().setInt("axis", 1), DType.FLOAT32,
        new long[] {2, 3, 16}, ln3, s48));
    // scale broadcast over the normalized dims: the generic kernel
    expectRef(g, g.node("LayerNormalization", 17, new Attributes().setInt("axis", 1), DType.FLOAT32,
        new long[] {2, 3, 16}, ln3, s16, s16));
    runBoth(g, List.of("softmax_rows", "layernorm_rows"));
  }

  private static float[] seq(int n, float start, float step) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = start + step * i;
    }
    return v;
  }

  @Test
  void concatOnEveryAxisMatchesReference() {
    OpGraph g = new OpGraph(13);
    Value p = g.input(-1.0, 1.0, 2, 3, 5);
    Value q = g.input(-1.0, 1.0, 2, 4, 5);
    Value r = g.input(-1.0, 1.0, 2, 1, 5);
    expectRef(g, g.node("Concat", new Attributes().setInt("axis", 1), new long[] {2, 8, 5}, p, q, r));
    expectRef(g, g.node("Concat", new Attributes().setInt("axis", -2), new long[] {2, 8, 5}, r, p, q));
    Value s = g.input(-1.0, 1.0, 2, 3, 7);
    expectRef(g, g.node("Concat", new Attributes().setInt("axis", 2), new long[] {2, 3, 12}, p, s));
    expectRef(g, g.node("Concat", new Attributes().setInt("axis", -1), new long[] {2, 3, 19}, s, p, s));
    Value t = g.input(-1.0, 1.0, 1, 3, 5);
    expectRef(g, g.node("Concat", new Attributes().setInt("axis", 0), new long[] {3, 3, 5}, p, t));
    expectRef(g, g.node("Concat", new Attributes().setInt("axis", -3), new long[] {4, 3, 5}, p, p));
    // squeezenet-like: channel blocks of thousands of elements (the 16-element vector copies plus a tail)
    Value u = g.input(-1.0, 1.0, 1, 16, 13, 13);
    Value w = g.input(-1.0, 1.0, 1, 48, 13, 13);
    expectRef(g, g.node("Concat", new Attributes().setInt("axis", 1), new long[] {1, 64, 13, 13}, u, w));
    // other element sizes: int64 and uint8 move as ulong and uchar
    Value li = g.feed(TensorData.ofLongs(new long[] {2, 3}, 1, -2, 3, -4, 5, -6));
    Value lj = g.feed(TensorData.ofLongs(new long[] {2, 17}, ramp(34)));
    expectRef(g, g.node("Concat", 13, new Attributes().setInt("axis", 1), DType.INT64, new long[] {2, 20}, li, lj));
    runBoth(g, List.of("concat_blocks"));
  }

  private static long[] ramp(int n) {
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      v[i] = 1L << (i % 40);
    }
    return v;
  }

  /** The vector paths' epilogue branches (per-lane stores) compile: an epilogue scales every output. */
  @Test
  void vectorKernelsWithAnEpilogueBuild() {
    OpGraph g = new OpGraph(14);
    Value x = g.input(-1.0, 1.0, 1, 2, 16, 16);
    List<Value> outs = new ArrayList<>();
    outs.add(g.node("MaxPool", 19, new Attributes().setInts("kernel_shape", 3, 3).setInts("strides", 2, 2)
        .setInts("pads", 1, 1, 1, 1), DType.FLOAT32, new long[] {1, 2, 8, 8}, x));
    outs.add(g.node("AveragePool", 19, new Attributes().setInts("kernel_shape", 3, 3).setInts("strides", 1, 1),
        DType.FLOAT32, new long[] {1, 2, 14, 14}, x));
    outs.add(g.node("GlobalAveragePool", 17, null, DType.FLOAT32, new long[] {1, 2, 1, 1}, x));
    Value m = g.input(-1.0, 1.0, 3, 24);
    outs.add(g.node("Softmax", 13, null, DType.FLOAT32, new long[] {3, 24}, m));
    outs.add(g.node("LayerNormalization", 17, null, DType.FLOAT32, new long[] {3, 24}, m,
        g.constant(TensorData.wrap(DType.FLOAT32, new long[] {24}, seq(24, 1f, 0f)))));
    KernelGenerator gen = new KernelGenerator(DeviceClass.CPU);
    StringBuilder program = new StringBuilder();
    int i = 0;
    for (Value v : outs) {
      KernelSource k = gen.generate(v.producer(), "k" + i++, new Epilogue("((v) * 2.0f)", List.of()));
      assertTrue(k.source().contains("#define HAS_EPILOGUE 1"), k.source());
      program.append(k.source()).append('\n');
    }
    ClProgram built = cache.get(program.toString(), "");
    assertNotNull(built);
    assertEquals(outs.size(), i);
  }
}
