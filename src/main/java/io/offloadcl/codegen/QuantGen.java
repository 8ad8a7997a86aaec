package io.offloadcl.codegen;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ops.QuantOps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The INT8 ops of the quantization rewrite from quant.cl: QuantizeInt8, DequantizeInt8, QConvInt8 and
 * QGemmInt8, bit-exact with their runtime.cpu references. The requantization epilogue (bias, per-channel
 * multiplier, Relu, int8 or float output) is part of the template, so these kernels take no float epilogue.
 * One variant serves both device classes: the templates are written for CPU devices (vector rows, register
 * tiles) and stay correct on GPUs.
 */
final class QuantGen {
  /** Rows of A and of W per QGemmInt8 work-item: 16 int8 accumulators, measured best on POCL (4x4 over 6x4, 4x8). */
  static final int TM = 4;
  static final int TN = 4;
  /** Private patch memory per work-item above which QConvInt8 uses the direct kernel. */
  static final long MAX_PATCH_BYTES = 32 * 1024;

  /** Reduction steps of one fully unrolled QConvInt8 gather group (5x5: 400 steps is the largest kept). */
  static final long MAX_GROUP_STEPS = 400;

  private QuantGen() {}

  /** The rewrite's INT8 ops, and MaxPool over int8 (which the rewrite leaves inside quantized regions). */
  static boolean handles(Node n) {
    String op = n.opType();
    if (n.domain().equals("offloadcl")) {
      return op.equals("QuantizeInt8") || op.equals("DequantizeInt8") || op.equals("QConvInt8")
          || op.equals("QGemmInt8");
    }
    return op.equals("MaxPool") && (n.domain().isEmpty() || n.domain().equals("ai.onnx")) && !n.inputs().isEmpty()
        && n.input(0) != null && n.input(0).type() != null && n.input(0).type().dtype() == DType.INT8;
  }

  static KernelSource generate(Node n, String name, Epilogue epi) {
    if (!epi.stages().isEmpty()) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (" + n.opType()
          + ") applies its own requantization epilogue and takes no fused float epilogue");
    }
    switch (n.opType()) {
      case "QuantizeInt8":
        return elementwise(n, name, "quantize", DType.FLOAT32, "INV", 1f / scale(n));
      case "DequantizeInt8":
        return elementwise(n, name, "dequantize", DType.INT8, "SCALE", scale(n));
      case "QConvInt8":
        return conv(n, name);
      case "MaxPool":
        return maxPool(n, name);
      default:
        return gemm(n, name);
    }
  }

  private static String where(Node n) {
    return "node '" + n.name() + "' (" + n.opType() + ")";
  }

  private static float scale(Node n) {
    float s = n.attributes().getFloat("scale", 0f);
    if (!(s > 0f)) {
      throw new UnsupportedOperatorException(where(n) + ": attribute scale must be > 0, got " + s);
    }
    return s;
  }

  private static void requireType(Node n, int input, DType want) {
    DType got = Shapes.dtype(n, n.input(input));
    if (got != want) {
      throw new UnsupportedOperatorException(where(n) + ": input " + input + " is " + got + ", expected " + want);
    }
  }

  private static String source(Block b) {
    return Templates.section("quant.cl", "helpers") + b.source();
  }

  private static KernelSource elementwise(Node n, String name, String section, DType in, String constName,
      float constant) {
    requireType(n, 0, in);
    long count = Shapes.count(Shapes.dims(n, n.input(0)));
    Block b = new Block(name, "quant.cl", section, n.opType() + " (node '" + n.name() + "') " + count + " values");
    b.def("NELEM", count).def(constName, Block.flt(constant));
    return new KernelSource(name, source(b), "", new long[] {Math.max(1, (count + 15) / 16)}, null,
        List.of(KernelSource.Arg.in(0), KernelSource.Arg.out(0)));
  }

  /** Defines the requantization epilogue's switches and lists the kernel's buffers: X, W, [B], M, Y. */
  private static List<KernelSource.Arg> epilogue(Node n, Block b) {
    boolean bias = n.inputs().size() > 2 && n.input(2) != null;
    if (bias) {
      requireType(n, 2, DType.INT32);
    }
    requireType(n, 3, DType.FLOAT32);
    b.def("OUT_INT8", QuantOps.outputType(n) == DType.INT8 ? 1 : 0);
    b.def("RELU", "Relu".equals(n.attributes().getString("activation", "")) ? 1 : 0);
    b.def("HAS_BIAS", bias ? 1 : 0);
    List<KernelSource.Arg> args = new ArrayList<>(List.of(KernelSource.Arg.in(0), KernelSource.Arg.in(1)));
    if (bias) {
      args.add(KernelSource.Arg.in(2));
    }
    args.add(KernelSource.Arg.in(3));
    args.add(KernelSource.Arg.out(0));
    return args;
  }

  private static KernelSource gemm(Node n, String name) {
    requireType(n, 0, DType.INT8);
    requireType(n, 1, DType.INT8);
    long[] a = Shapes.dims(n, n.input(0));
    long[] w = Shapes.dims(n, n.input(1));
    if (a.length < 1 || w.length != 2 || a[a.length - 1] != w[1] || w[1] == 0) {
      throw new UnsupportedOperatorException(where(n) + ": A " + Arrays.toString(a) + " does not fit W "
          + Arrays.toString(w) + " ([N, K], K > 0)");
    }
    long k = w[1];
    long nn = w[0];
    long m = Shapes.count(a) / k;
    Block b = new Block(name, "quant.cl", "qgemm", "QGemmInt8 (node '" + n.name() + "') " + m + "x" + k + " * ("
        + nn + "x" + k + ")^T");
    b.def("M", m).def("N", nn).def("K", k).def("TM", TM).def("TN", TN);
    List<KernelSource.Arg> args = epilogue(n, b);
    long[] global = {Math.max(1, (nn + TN - 1) / TN), Math.max(1, (m + TM - 1) / TM), 1};
    return new KernelSource(name, source(b), "", global, null, args);
  }

  private static KernelSource conv(Node n, String name) {
    requireType(n, 0, DType.INT8);
    requireType(n, 1, DType.INT8);
    long[] x = Shapes.dims(n, n.input(0));
    long[] wt = Shapes.dims(n, n.input(1));
    long[] y = Shapes.dims(n, n.output(0));
    if (x.length != 4 || wt.length != 4) {
      throw new UnsupportedOperatorException(where(n) + ": X and W must have rank 4, got " + x.length + " and "
          + wt.length);
    }
    Windows win = Windows.of(n, x, y, new long[] {wt[2], wt[3]});
    long group = n.attributes().getInt("group", 1);
    long co = y[1];
    long cog = co / group;
    long kdim = wt[1] * wt[2] * wt[3];
    long kpad = (kdim + 15) / 16 * 16;
    // the GEMM form keeps tn patches of kpad shorts in private memory: 8 pixels while they fit (measured ~10%
    // faster than 4 on a 3x3 64->64 layer), then 4, past that the direct kernel
    int tn = kpad * 8 * 2 <= MAX_PATCH_BYTES ? 8 : kpad * 4 * 2 <= MAX_PATCH_BYTES ? 4 : 0;
    boolean gemmForm = tn > 0;
    int cob = cog % 8 == 0 ? 8 : cog % 4 == 0 ? 4 : cog % 2 == 0 ? 2 : 1;
    Block b = new Block(name, "quant.cl", gemmForm ? "qconv" : "qconv_direct", "QConvInt8 (node '" + n.name()
        + "') " + x[1] + "->" + co + " ch, " + win.kh() + "x" + win.kw() + " kernel, group " + group);
    b.def("BATCH", x[0]).def("CI", x[1]).def("CO", co).def("CIG", wt[1]).def("COG", cog).def("GROUP", group);
    if (gemmForm) {
      // QG channels of KH*KW steps fill whole 16-step blocks, so the gather's load offsets are constants; the
      // group is unrolled, so past MAX_GROUP_STEPS (e.g. 7x7: 784 steps) the counted loop alone is used
      long taps = wt[2] * wt[3];
      long qg = 16 / gcd(16, taps);
      b.def("TM", TM).def("TN", tn).def("KPAD", kpad).def("QG", qg * taps <= MAX_GROUP_STEPS ? qg : 0);
    } else {
      b.def("COB", cob);
    }
    boolean pointwise = win.kh() == 1 && win.kw() == 1 && win.sh() == 1 && win.sw() == 1 && win.ph() == 0
        && win.pw() == 0 && win.phEnd() == 0 && win.pwEnd() == 0;
    long oh = win.oh();
    long ow = win.ow();
    if (pointwise) {
      // one row of H*W pixels: tiles then run across image rows, so no tile is cut short at a row end
      ow = oh * ow;
      oh = 1;
      b.def("H", 1).def("W", ow).def("OH", 1).def("OW", ow).def("KH", 1).def("KW", 1).def("SH", 1).def("SW", 1)
          .def("DH", 1).def("DW", 1).def("PH", 0).def("PW", 0);
    } else {
      win.define(b);
    }
    List<KernelSource.Arg> args = epilogue(n, b);
    long[] global = gemmForm ? new long[] {(ow + tn - 1) / tn, oh, x[0] * group}
        : new long[] {(ow + 15) / 16, oh, x[0] * co / cob};
    // POCL's own work-group size for the GEMM form was 10-20% slower than small groups along the row (3x3 64->64
    // and 1x1 256->64 on 56x56, same run); groups of up to 8 tiles, a divisor of the row's tile count
    long[] local = gemmForm ? new long[] {gcd(global[0], 8), 1, 1} : null;
    return new KernelSource(name, source(b), "", global, local, args);
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  private static KernelSource maxPool(Node n, String name) {
    if (n.outputs().size() > 1 && n.output(1) != null && !n.output(1).uses().isEmpty()) {
      throw new UnsupportedOperatorException(where(n) + ": the Indices output has no int8 OpenCL kernel");
    }
    long[] x = Shapes.dims(n, n.input(0));
    long[] y = Shapes.dims(n, n.output(0));
    long[] kernel = n.attributes().getInts("kernel_shape", new long[0]);
    if (x.length != 4 || kernel.length != 2) {
      throw new UnsupportedOperatorException(where(n) + ": only 2-D int8 pooling has an OpenCL kernel");
    }
    Windows win = Windows.of(n, x, y, kernel);
    Block b = new Block(name, "quant.cl", "qmaxpool", "int8 MaxPool (node '" + n.name() + "') " + win.kh() + "x"
        + win.kw());
    b.def("NC", x[0] * x[1]);
    win.define(b);
    return new KernelSource(name, source(b), "", new long[] {win.ow(), win.oh(), x[0] * x[1]}, null,
        List.of(KernelSource.Arg.in(0), KernelSource.Arg.out(0)));
  }
}
