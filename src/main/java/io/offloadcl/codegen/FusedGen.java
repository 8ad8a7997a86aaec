package io.offloadcl.codegen;

import io.offloadcl.ir.Node;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ops.FusedExpr;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The fused ops of {@code io.offloadcl.ops.FusedOps} as single kernels. FusedConv, FusedGemm and FusedMatMul
 * reuse the Conv and GEMM templates with their residual and activation turned into epilogue stages (bias first,
 * then the residual, then the activation, as the reference defines {@code act(op + Z)}); FusedElementwise
 * compiles its postfix program into straight-line OpenCL statements, one temporary per token, with every
 * input's broadcast index folded to constants; Im2Col gets its own gather kernel in conv.cl.
 */
final class FusedGen {
  private FusedGen() {}

  static boolean handles(String op) {
    return op.equals("FusedConv") || op.equals("FusedGemm") || op.equals("FusedMatMul")
        || op.equals("FusedElementwise") || op.equals("Im2Col");
  }

  static KernelSource generate(Node n, String name, DeviceClass dc, Epilogue outer) {
    switch (n.opType()) {
      case "FusedConv": {
        Shapes.requireFloat(n, 4);
        if (n.attributes().has("pool_kernel") && !outer.stages().isEmpty()) {
          // the kernel applies its epilogue before the max; a consumer's stage belongs after it
          throw new UnsupportedOperatorException("node '" + n.name() + "' (FusedConv with pool_kernel) takes no"
              + " outer epilogue");
        }
        long[] y = Shapes.dims(n, n.output(0));
        long hw = Shapes.count(y) / Math.max(1, y[0] * y[1]);
        String flat = "(((long) (n) * " + y[1] + " + (c)) * " + hw + " + (p))";
        // the GEMM column of a lowered conv is the pixel: every spatial dim
        return ConvGen.generate(n, name, dc, tail(n, y, y.length - 2, in -> bcastIndex(flat, y, in)).then(outer));
      }
      case "FusedGemm": {
        Shapes.requireFloat(n, 4);
        if (n.attributes().has("row_op") && !outer.stages().isEmpty()) {
          // the kernel normalizes the rows after its epilogue; a consumer's stage belongs after that
          throw new UnsupportedOperatorException("node '" + n.name() + "' (FusedGemm with row_op) takes no outer"
              + " epilogue");
        }
        long[] y = Shapes.dims(n, n.output(0));
        return GemmGen.gemm(n, name, dc, tail(n, y, 1, in -> bcastIndex("0", new String[] {"(m)", "(n)"}, y, in))
            .then(outer));
      }
      case "FusedMatMul": {
        Shapes.requireFloat(n, 4);
        long[] y = Shapes.dims(n, n.output(0));
        // M or N is 1 where that operand is a vector (its dim is dropped from the output)
        long[] a = Shapes.dims(n, n.input(0));
        long[] bd = Shapes.dims(n, n.input(1));
        long rowsM = a.length >= 2 ? a[a.length - 2] : 1;
        long cols = bd.length >= 2 ? bd[bd.length - 1] : 1;
        long mn = rowsM * cols;
        String flat = "((long) (bt) * " + mn + " + (long) (m) * " + cols + " + (n))";
        Indexer ix = a.length >= 2 && bd.length >= 2 ? in -> bcastIndex("(bt)", new String[] {"(m)", "(n)"}, y, in)
            : in -> bcastIndex(flat, y, in);
        Epilogue bias = Epilogue.NONE;
        if (n.inputs().size() > 2 && n.input(2) != null) {
          bias = add(ix, y, 1, Shapes.dims(n, n.input(2)), 2);
        }
        return GemmGen.matMul(n, name, dc, bias.then(tail(n, y, 1, ix)).then(outer));
      }
      case "FusedElementwise":
        return elementwise(n, name, outer);
      case "Im2Col":
        if (!outer.stages().isEmpty()) {
          throw new UnsupportedOperatorException("node '" + n.name() + "' (Im2Col) moves data and takes no epilogue");
        }
        return im2col(n, name, dc);
      default:
        throw new UnsupportedOperatorException("node '" + n.name() + "': no fused template for " + n.opType());
    }
  }

  /** An input's index at the output position, given the output dims. */
  private interface Indexer {
    String at(long[] in);
  }

  /**
   * Residual (input 3) then activation, for an output {@code y} whose last {@code columnDims} dims are the
   * template's column parameter.
   */
  private static Epilogue tail(Node n, long[] y, int columnDims, Indexer index) {
    Epilogue e = Epilogue.NONE;
    if (n.attributes().getInt("residual", 0) != 0) {
      if (n.inputs().size() < 4 || n.input(3) == null) {
        throw new UnsupportedOperatorException("node '" + n.name() + "' (" + n.opType()
            + "): residual=1 but input 3 is missing");
      }
      e = add(index, y, columnDims, Shapes.dims(n, n.input(3)), 3);
    }
    String act = n.attributes().getString("activation", "");
    if (!act.isEmpty()) {
      FusedExpr.Fn f = FusedExpr.fn(act);
      float[] p = n.attributes().getFloats("activation_params", new float[0]);
      if (f == null || f.arity() != 1 || p.length != f.params()) {
        throw new UnsupportedOperatorException("node '" + n.name() + "' (" + n.opType() + "): activation '" + act
            + "' with " + p.length + " parameters is not a one-operand FusedExpr function");
      }
      e = e.then(new Epilogue(apply(act, p, "(v)", null), applyVector(act, p, "(v)"), List.of()));
    }
    return e;
  }

  /** Adds node input {@code slot} of shape {@code in}, broadcast to {@code y}; with its float8 form where any. */
  private static Epilogue add(Indexer index, long[] y, int columnDims, long[] in, int slot) {
    String at = index.at(in);
    String vec = vectorRead("ep0", at, y, columnDims, in);
    return new Epilogue("((v) + ep0[" + at + "])", vec == null ? null : "((v) + " + vec + ")", List.of(slot));
  }

  /**
   * The float8 read of {@code buf} (shape {@code in} broadcast to {@code out}) at 8 consecutive columns, given
   * {@code index}, its index at the first: the column is the flat position over {@code out}'s last
   * {@code columnDims} dims, and the 8 never cross a row of them (the GEMM's vector store keeps a whole tile in
   * bounds). A buffer broadcast over the columns is one scalar for all 8 lanes, one that walks them contiguously
   * (a residual of the output's own shape) a vload8; any other stride has no vector form (null). Decided from
   * the broadcast strides, so a same-size input of another shape (which bcastIndex reads at the flat index) may
   * get null where a vload8 would do: the scalar store stays correct.
   */
  static String vectorRead(String buf, String index, long[] out, int columnDims, long[] in) {
    long[] st = Shapes.broadcastStrides(in, out);
    boolean constant = true;
    boolean unit = true;
    long expect = 1;
    for (int i = out.length - 1; i >= out.length - columnDims && i >= 0; i--) {
      if (out[i] == 1) {
        continue;
      }
      constant &= st[i] == 0;
      unit &= st[i] == expect;
      expect *= out[i];
    }
    return constant ? buf + "[" + index + "]" : unit ? "vload8(0, " + buf + " + " + index + ")" : null;
  }

  /**
   * The index into a tensor of shape {@code in} broadcast to {@code out}, as an expression of the output's flat
   * index; broadcast dimensions vanish, so a same-shape input reads at the flat index itself.
   */
  static String bcastIndex(String flat, long[] out, long[] in) {
    if (java.util.Arrays.equals(out, in) || Shapes.count(in) == Shapes.count(out)) {
      return flat;
    }
    if (Shapes.count(in) == 1) {
      return "0";
    }
    long[] st = Shapes.broadcastStrides(in, out);
    StringBuilder sb = new StringBuilder();
    long inner = 1;
    for (int i = out.length - 1; i >= 0; i--) {
      if (st[i] != 0 && out[i] != 1) {
        String t = inner == 1 ? flat : "(" + flat + " / " + inner + ")";
        if (i > 0) {
          t = "(" + t + " % " + out[i] + ")";
        }
        if (st[i] != 1) {
          t = t + " * " + st[i];
        }
        sb.append(sb.length() == 0 ? "" : " + ").append(t);
      }
      inner *= out[i];
    }
    return sb.length() == 0 ? "0" : "(" + sb + ")";
  }

  /**
   * The index into {@code in} broadcast to {@code out} from structured coordinates: {@code lead} is the flat index
   * over {@code out}'s first {@code out.length - tail.length} dims, {@code tail} the coordinates of the last ones
   * (gemm's row and column). Avoids the divisions of a flat index where the template already has coordinates.
   */
  static String bcastIndex(String lead, String[] tail, long[] out, long[] in) {
    long[] st = Shapes.broadcastStrides(in, out);
    int k = out.length - tail.length;
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < tail.length; i++) {
      if (st[k + i] != 0 && out[k + i] != 1) {
        sb.append(sb.length() == 0 ? "" : " + ").append("(long) ").append(tail[i])
            .append(st[k + i] == 1 ? "" : " * " + st[k + i]);
      }
    }
    long inner = 1;
    for (int i = k - 1; i >= 0; i--) {
      if (st[i] != 0 && out[i] != 1) {
        String t = inner == 1 ? lead : "(" + lead + " / " + inner + ")";
        if (i > 0) {
          t = "(" + t + " % " + out[i] + ")";
        }
        sb.append(sb.length() == 0 ? "" : " + ").append("(long) ").append(t).append(" * ").append(st[i]);
      }
      inner *= out[i];
    }
    return sb.length() == 0 ? "0" : "(" + sb + ")";
  }

  /** OpenCL C for one {@link FusedExpr} function applied to operand expressions {@code a} (and {@code b}). */
  static String apply(String fn, float[] p, String a, String b) {
    switch (fn) {
      case "Identity": return a;
      case "Relu": return "(" + a + " > 0.0f ? " + a + " : 0.0f)";
      case "Sigmoid": return "(1.0f / (1.0f + exp(-" + a + ")))";
      case "Tanh": return "tanh(" + a + ")";
      case "Exp": return "exp(" + a + ")";
      case "Log": return "log(" + a + ")";
      case "Sqrt": return "sqrt(" + a + ")";
      case "Abs": return "fabs(" + a + ")";
      case "Neg": return "(-" + a + ")";
      case "Reciprocal": return "(1.0f / " + a + ")";
      case "Erf": return "erf(" + a + ")";
      case "Floor": return "floor(" + a + ")";
      case "Ceil": return "ceil(" + a + ")";
      case "Softplus": return "(log1p(exp(-fabs(" + a + "))) + fmax(" + a + ", 0.0f))";
      case "Softsign": return "(" + a + " / (1.0f + fabs(" + a + ")))";
      case "Sin": return "sin(" + a + ")";
      case "Cos": return "cos(" + a + ")";
      case "HardSwish": return "(" + a + " * fmax(0.0f, fmin(1.0f, " + a + " / 6.0f + 0.5f)))";
      case "Gelu": return "(0.5f * " + a + " * (1.0f + erf(" + a + " * 0.70710678118654752f)))";
      case "GeluTanh":
        return "(0.5f * " + a + " * (1.0f + tanh(0.79788456080286536f * (" + a + " + 0.044715f * " + a + " * " + a
            + " * " + a + "))))";
      case "LeakyRelu": return "(" + a + " >= 0.0f ? " + a + " : " + Block.flt(p[0]) + " * " + a + ")";
      case "Elu": return "(" + a + " >= 0.0f ? " + a + " : " + Block.flt(p[0]) + " * (exp(" + a + ") - 1.0f))";
      case "ThresholdedRelu": return "(" + a + " > " + Block.flt(p[0]) + " ? " + a + " : 0.0f)";
      case "HardSigmoid":
        return "fmax(0.0f, fmin(1.0f, " + Block.flt(p[0]) + " * " + a + " + " + Block.flt(p[1]) + "))";
      case "Clip": // ternaries keep NaN, as the reference's Math.min/max do
        return "(" + a + " < " + Block.flt(p[0]) + " ? " + Block.flt(p[0]) + " : (" + a + " > " + Block.flt(p[1])
            + " ? " + Block.flt(p[1]) + " : " + a + "))";
      case "Selu":
        return "(" + Block.flt(p[1]) + " * (" + a + " > 0.0f ? " + a + " : " + Block.flt(p[0]) + " * (exp(" + a
            + ") - 1.0f)))";
      case "Add": return "(" + a + " + " + b + ")";
      case "Sub": return "(" + a + " - " + b + ")";
      case "Mul": return "(" + a + " * " + b + ")";
      case "Div": return "(" + a + " / " + b + ")";
      case "Pow": return "pow(" + a + ", " + b + ")";
      case "Max": return "(isnan(" + a + ") || isnan(" + b + ") ? NAN : fmax(" + a + ", " + b + "))";
      case "Min": return "(isnan(" + a + ") || isnan(" + b + ") ? NAN : fmin(" + a + ", " + b + "))";
      case "PRelu": return "(" + a + " >= 0.0f ? " + a + " : " + a + " * " + b + ")";
      default:
        throw new UnsupportedOperatorException("FusedExpr function " + fn + " has no OpenCL form");
    }
  }

  /**
   * The float8 form of one-operand function {@code fn} over {@code a}, or null where there is none. Ternaries
   * become select() (a comparison of float8 gives the int8 mask select takes; NaN compares false on both sides,
   * so Clip and LeakyRelu keep NaN as the scalar form does); two-operand math functions take the vector first.
   */
  static String applyVector(String fn, float[] p, String a) {
    switch (fn) {
      case "Relu": return "fmax(" + a + ", 0.0f)";
      case "LeakyRelu": return "select(" + Block.flt(p[0]) + " * " + a + ", " + a + ", " + a + " >= 0.0f)";
      case "Elu":
        return "select(" + Block.flt(p[0]) + " * (exp(" + a + ") - 1.0f), " + a + ", " + a + " >= 0.0f)";
      case "ThresholdedRelu": return "select((float8) (0.0f), " + a + ", " + a + " > " + Block.flt(p[0]) + ")";
      case "HardSigmoid":
        return "fmax(fmin(" + Block.flt(p[0]) + " * " + a + " + " + Block.flt(p[1]) + ", 1.0f), 0.0f)";
      case "HardSwish": return "(" + a + " * fmax(fmin(" + a + " / 6.0f + 0.5f, 1.0f), 0.0f))";
      case "Clip":
        return "select(select(" + a + ", (float8) (" + Block.flt(p[1]) + "), " + a + " > " + Block.flt(p[1])
            + "), (float8) (" + Block.flt(p[0]) + "), " + a + " < " + Block.flt(p[0]) + ")";
      case "Selu":
        return "(" + Block.flt(p[1]) + " * select(" + Block.flt(p[0]) + " * (exp(" + a + ") - 1.0f), " + a + ", "
            + a + " > 0.0f))";
      case "Identity": case "Sigmoid": case "Tanh": case "Exp": case "Log": case "Sqrt": case "Abs": case "Neg":
      case "Reciprocal": case "Erf": case "Floor": case "Ceil": case "Softplus": case "Softsign": case "Sin":
      case "Cos": case "Gelu": case "GeluTanh":
        // the same text is lane-wise: arithmetic and math functions of float8 (Softplus's fmax(a, 0.0f) included,
        // which OpenCL defines for a vector and a scalar)
        return apply(fn, p, a, null);
      default:
        return null;
    }
  }

  private static KernelSource elementwise(Node n, String name, Epilogue epi) {
    int k = n.inputs().size();
    Shapes.requireFloat(n, k);
    long[] out = Shapes.dims(n, n.output(0));
    long nout = Shapes.count(out);
    List<FusedExpr.Token> prog;
    try {
      prog = FusedExpr.parse(n.attributes().getStrings("expr", new String[0]), k);
    } catch (RuntimeException e) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (FusedElementwise): " + e.getMessage());
    }
    String[] index = new String[k];
    StringBuilder params = new StringBuilder();
    List<KernelSource.Arg> args = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      if (n.input(i) == null) {
        throw new UnsupportedOperatorException("node '" + n.name() + "' (FusedElementwise): input " + i + " is absent");
      }
      index[i] = bcastIndex("o", out, Shapes.dims(n, n.input(i)));
      params.append("__global const float* restrict in").append(i).append(", ");
      args.add(KernelSource.Arg.in(i));
    }
    args.add(KernelSource.Arg.out(0));
    // One temporary per token keeps the source linear in the program (nested macros would copy operands).
    StringBuilder body = new StringBuilder();
    Deque<String> stack = new ArrayDeque<>();
    int t = 0;
    for (FusedExpr.Token tok : prog) {
      String e;
      switch (tok.kind()) {
        case INPUT: e = "in" + tok.input() + "[" + index[tok.input()] + "]"; break;
        case CONST: e = Block.flt(tok.value()); break;
        case DUP: e = stack.peek(); break;
        default: {
          String b = tok.fn().arity() == 2 ? stack.pop() : null;
          String a = stack.pop();
          e = apply(tok.fn().name(), tok.params(), a, b);
        }
      }
      String var = "t" + t++;
      body.append("const float ").append(var).append(" = ").append(e).append("; ");
      stack.push(var);
    }
    Block blk = new Block(name, "elementwise.cl", "fused", "FusedElementwise (node '" + n.name() + "') " + prog.size()
        + " tokens over " + k + " inputs");
    blk.def("NOUT", nout).def("FUSED_PARAMS", params.toString()).def("FUSED_BODY(o)", body.toString())
        .def("FUSED_RESULT", stack.peek());
    epi.define(blk, "(v, o)");
    return new KernelSource(name, blk.source(), "", new long[] {Math.max(1, nout)}, null, epi.args(args));
  }

  private static KernelSource im2col(Node n, String name, DeviceClass dc) {
    Shapes.requireFloat(n, 1);
    long[] x = Shapes.dims(n, n.input(0));
    long[] y = Shapes.dims(n, n.output(0));
    long[] ks = n.attributes().getInts("kernel_shape", new long[0]);
    if (x.length != 4 || ks.length != 2 || y.length != 3) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (Im2Col): only 2-D windows (rank-4 input, "
          + "two kernel dims) have an OpenCL kernel");
    }
    long[] st = n.attributes().getInts("strides", new long[] {1, 1});
    long[] dl = n.attributes().getInts("dilations", new long[] {1, 1});
    long[] pads = n.attributes().getInts("pads", new long[4]);
    long oh = (x[2] + pads[0] + pads[2] - ((ks[0] - 1) * dl[0] + 1)) / st[0] + 1;
    long ow = (x[3] + pads[1] + pads[3] - ((ks[1] - 1) * dl[1] + 1)) / st[1] + 1;
    if (oh * ow != y[2] || x[1] * ks[0] * ks[1] != y[1]) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (Im2Col): output " + java.util.Arrays.toString(y)
          + " does not match the window geometry (" + oh + "x" + ow + " positions)");
    }
    if (x[0] * y[1] > Integer.MAX_VALUE) {
      // the output is indexed with long, its rows (batch x C*kh*kw) with int
      throw new UnsupportedOperatorException("node '" + n.name() + "' (Im2Col): " + x[0] * y[1]
          + " column-matrix rows are past the kernel's int row index");
    }
    boolean cpu = dc == DeviceClass.CPU;
    Block b = new Block(name, "conv.cl", cpu ? "im2col_cpu" : "im2col", "Im2Col (node '" + n.name() + "') "
        + ks[0] + "x" + ks[1]);
    b.def("C", x[1]).def("H", x[2]).def("W", x[3]).def("OH", oh).def("OW", ow).def("KH", ks[0]).def("KW", ks[1])
        .def("SH", st[0]).def("SW", st[1]).def("DH", dl[0]).def("DW", dl[1]).def("PH", pads[0]).def("PW", pads[1]);
    long[] global = cpu ? new long[] {Math.max(1, oh), x[0] * y[1]} : new long[] {Math.max(1, oh * ow), y[1], x[0]};
    return new KernelSource(name, b.source(), "", global, null,
        List.of(KernelSource.Arg.in(0), KernelSource.Arg.out(0)));
  }
}
