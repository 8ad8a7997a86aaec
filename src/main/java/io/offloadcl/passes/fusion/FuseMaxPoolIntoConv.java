package io.offloadcl.passes.fusion;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.passes.FusionGuards;
import io.offloadcl.passes.Pass;
import io.offloadcl.passes.PassContext;
import io.offloadcl.passes.Rewrites;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * Turns {@code MaxPool(Conv|FusedConv(...))} with non-overlapping windows (strides equal to the kernel, no
 * padding, dilation 1, floor rounding or an output the windows tile exactly, no Indices output in use) into one
 * FusedConv with {@code pool_kernel}: its kernel computes each window's conv outputs in registers, applies the
 * epilogue and stores only their max, so neither the unpooled intermediate nor a pool launch remains. The pool
 * follows the epilogue, so any activation is exact (HoistActivationAbovePool has already moved monotone ones
 * into the conv). Restricted to what was measured to gain on POCL: 2x2 stride-2 pools over 2-D, group-1,
 * unit-stride, undilated, unpadded kxk (not 1x1) convs without a residual (it would be indexed at the unpooled
 * position), up to {@link #MAX_MACS} multiply-adds per batch item. Bigger convs run as shifted-view GEMMs (conv.cl
 * conv_shift_cpu) that the per-window kernel does not match; padded ones gather most tiles lane by lane (mnist-8's
 * SAME-padded 1->8 5x5: 15.6 us fused against 11.2 us for conv + pool), and 3x3 pools take the generic
 * one-output-per-work-item kernel (mnist-8's 8->16 conv + 3x3 pool: 0.44 ms against 0.034 ms).
 */
public final class FuseMaxPoolIntoConv implements Pass {
  /**
   * Largest conv (multiply-adds per batch item, CO * CI * KH * KW * OH * OW) that fuses. Kernel times on POCL
   * (best of 9-15 profiles, fused / conv + pool, 2026-11-24): tribuo's MNIST convs 1->10 5x5 at 24 (0.14 M)
   * 7.2 / 16.1 us and 10->20 5x5 at 8 (0.32 M) 10.6 / 16.1 us; 3->16 3x3 at 32 (0.44 M) 19-25 / 27 us; but
   * 16->32 3x3 at 28 (3.6 M) 131-168 / 107 us and 32->32 3x3 at 56 (29 M) 1.04-1.11 / 0.94-0.97 ms, where
   * the shifted-view GEMM's larger register tile wins. vgg19's pooled convs (0.46-1.9 G) stay far above.
   */
  public static final long MAX_MACS = 1_000_000L;

  @Override
  public String name() {
    return "FuseMaxPoolIntoConv";
  }

  @Override
  public boolean run(Graph g, PassContext ctx) {
    boolean changed = false;
    for (Node pool : new ArrayList<>(g.nodes())) {
      if (g.node(pool.name()) != pool || !Rewrites.is(pool, "MaxPool") || pool.input(0) == null) {
        continue;
      }
      Value y = pool.input(0);
      Node conv = y.producer();
      if (conv == null || !ctx.supports("FusedConv") || !FusionGuards.canMerge(g, y, pool, false)
          || !FusionGuards.floatValue(y) || !FusionGuards.sameDType(y, pool.output(0))
          || (pool.output(1) != null && (!pool.output(1).uses().isEmpty() || g.isOutput(pool.output(1))))) {
        continue;
      }
      boolean plain = Rewrites.is(conv, "Conv");
      boolean fused = conv.domain().equals(Rewrites.FUSED_DOMAIN) && conv.opType().equals("FusedConv")
          && !EpilogueTargets.hasResidual(conv) && !conv.attributes().has("pool_kernel");
      if (!(plain || fused)) {
        continue;
      }
      long[] kernel = windows(pool, conv, y.type());
      if (kernel == null) {
        continue;
      }
      Node f = EpilogueTargets.fusedFrom(g, conv);
      f.attributes().setInts("pool_kernel", kernel);
      f.output(0).setType(pool.output(0).type());
      Rewrites.replace(g, pool.output(0), f.output(0), Arrays.asList(pool, conv));
      changed = true;
    }
    if (changed) {
      g.sortTopologically();
    }
    return changed;
  }

  /** The pool's kernel when the pair qualifies, else null. */
  private static long[] windows(Node pool, Node conv, TensorType convOut) {
    Attributes pa = pool.attributes();
    long[] k = pa.getInts("kernel_shape", null);
    if (k == null || k.length != 2 || convOut == null || !convOut.hasRank() || convOut.shape().rank() != 4) {
      return null;
    }
    long[] d = convOut.shape().dims();
    for (int i = 1; i < 4; i++) {
      if (d[i] < 0) {
        return null;
      }
    }
    String autoPad = pa.getString("auto_pad", "NOTSET");
    if (!(autoPad.isEmpty() || autoPad.equals("NOTSET") || autoPad.equals("VALID"))
        || !Arrays.equals(pa.getInts("strides", new long[] {1, 1}), k)
        || !Arrays.equals(pa.getInts("dilations", new long[] {1, 1}), new long[] {1, 1})
        || Arrays.stream(pa.getInts("pads", new long[4])).anyMatch(p -> p != 0)
        || (k[0] == 1 && k[1] == 1) || k[0] < 1 || k[1] < 1 || d[2] < k[0] || d[3] < k[1]) {
      return null;
    }
    // ceil rounding adds a partial window only where the windows do not tile the conv output
    if (pa.getInt("ceil_mode", 0) != 0 && (d[2] % k[0] != 0 || d[3] % k[1] != 0)) {
      return null;
    }
    if (k[0] != 2 || k[1] != 2) {
      return null;
    }
    // a pointwise conv (an im2col-lowered one included) is a GEMM that the per-window kernel does not match
    Attributes ca = conv.attributes();
    TensorType w = conv.input(1) == null ? null : conv.input(1).type();
    String convPad = ca.getString("auto_pad", "NOTSET");
    if (ca.getInt("group", 1) != 1 || w == null || !w.hasRank() || w.shape().rank() != 4
        || w.shape().dim(2) * w.shape().dim(3) <= 1
        || !(convPad.isEmpty() || convPad.equals("NOTSET") || convPad.equals("VALID"))
        || Arrays.stream(ca.getInts("pads", new long[4])).anyMatch(p -> p != 0)
        || !Arrays.equals(ca.getInts("strides", new long[] {1, 1}), new long[] {1, 1})
        || !Arrays.equals(ca.getInts("dilations", new long[] {1, 1}), new long[] {1, 1})) {
      return null;
    }
    long macs = d[1] * d[2] * d[3];
    for (int i = 1; i < 4; i++) {
      long e = w.shape().dim(i);
      if (e < 0) {
        return null;
      }
      macs *= e;
    }
    return macs <= MAX_MACS ? k : null;
  }
}
