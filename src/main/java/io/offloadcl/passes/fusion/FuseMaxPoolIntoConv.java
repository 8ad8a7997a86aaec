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
 * into the conv). 2-D, group-1 convs only, with no residual (it would be indexed at the unpooled position), and
 * only up to {@link #MAX_MACS} multiply-adds per batch item: bigger convs run as shifted-view GEMMs (conv.cl
 * conv_shift_cpu) that the per-window kernel does not match (docs/benchmarks.md, "Conv + MaxPool fusion").
 */
public final class FuseMaxPoolIntoConv implements Pass {
  /**
   * Largest conv (multiply-adds per batch item, CO * CI * KH * KW * OH * OW) that fuses. tribuo's MNIST convs
   * (0.14 M and 0.32 M) gain; vgg19's smallest pooled conv (light_vgg19: see docs/benchmarks.md) loses.
   */
  public static final long MAX_MACS = 4_000_000L;

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
    Attributes ca = conv.attributes();
    TensorType w = conv.input(1) == null ? null : conv.input(1).type();
    if (ca.getInt("group", 1) != 1 || w == null || !w.hasRank() || w.shape().rank() != 4) {
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
