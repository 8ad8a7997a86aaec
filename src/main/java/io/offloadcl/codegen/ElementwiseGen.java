package io.offloadcl.codegen;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ir.Value;
import java.util.List;
import java.util.Map;

/** Unary and broadcasting binary elementwise kernels from elementwise.cl. */
final class ElementwiseGen {
  private static final Map<String, String> UNARY = Map.ofEntries(
      Map.entry("Relu", "((x) < 0.0f ? 0.0f : (x))"),
      Map.entry("Sigmoid", "(1.0f / (1.0f + exp(-(x))))"),
      Map.entry("Tanh", "tanh(x)"),
      Map.entry("Exp", "exp(x)"),
      Map.entry("Log", "log(x)"),
      Map.entry("Sqrt", "sqrt(x)"),
      Map.entry("Abs", "fabs(x)"),
      Map.entry("Neg", "(-(x))"),
      Map.entry("Erf", "erf(x)"),
      Map.entry("Ceil", "ceil(x)"),
      Map.entry("Floor", "floor(x)"),
      Map.entry("Round", "rint(x)"),
      Map.entry("Reciprocal", "(1.0f / (x))"),
      Map.entry("Sin", "sin(x)"),
      Map.entry("Cos", "cos(x)"),
      Map.entry("Softplus", "log1p(exp(x))"),
      Map.entry("Sign", "((x) > 0.0f ? 1.0f : ((x) < 0.0f ? -1.0f : 0.0f))"),
      Map.entry("HardSwish", "((x) * fmax(0.0f, fmin(1.0f, (x) / 6.0f + 0.5f)))"),
      Map.entry("Identity", "(x)"));

  private static final Map<String, String> BINARY = Map.of(
      "Add", "((a) + (b))",
      "Sub", "((a) - (b))",
      "Mul", "((a) * (b))",
      "Div", "((a) / (b))",
      "Pow", "((b) == rint(b) && fabs(b) < 16777216.0f ? pown((a), (int) (b)) : pow((a), (b)))",
      "Max", "(isnan(a) || isnan(b) ? NAN : fmax((a), (b)))",
      "Min", "(isnan(a) || isnan(b) ? NAN : fmin((a), (b)))",
      "PRelu", "((a) < 0.0f ? (a) * (b) : (a))",
      "Sum", "((a) + (b))",
      "Mean", "(((a) + (b)) * 0.5f)");

  private ElementwiseGen() {}

  static boolean handles(String op) {
    return op.equals("Cast") || op.equals("BatchNormalization") || UNARY.containsKey(op) || BINARY.containsKey(op)
        || op.equals("Clip") || op.equals("LeakyRelu")
        || op.equals("Elu") || op.equals("HardSigmoid") || op.equals("Selu");
  }

  static KernelSource generate(Node n, String name, Epilogue epi) {
    String op = n.opType();
    if (op.equals("Cast")) {
      if (!epi.stages().isEmpty()) {
        throw new UnsupportedOperatorException("node '" + n.name() + "' (Cast) takes no epilogue");
      }
      return cast(n, name);
    }
    if (op.equals("BatchNormalization")) {
      return batchNorm(n, name, epi);
    }
    int present = 0;
    for (Value v : n.inputs()) {
      present += v == null ? 0 : 1;
    }
    boolean binary = BINARY.containsKey(op) && present == 2;
    Shapes.requireFloat(n, binary ? 2 : 1);
    long[] out = Shapes.dims(n, n.output(0));
    long nout = Shapes.count(out);
    if (binary) {
      long[] a = Shapes.dims(n, n.input(0));
      long[] b = Shapes.dims(n, n.input(1));
      Block blk = new Block(name, "elementwise.cl", "binary", op + " (node '" + n.name() + "')");
      blk.def("NOUT", nout);
      blk.def("OP(a, b)", BINARY.get(op));
      blk.def("BCAST_INDEX(o, ia, ib)", Shapes.indexCode("o", out,
          new long[][] {Shapes.broadcastStrides(a, out), Shapes.broadcastStrides(b, out)}, new String[] {"ia", "ib"}));
      epi.define(blk, "(v, o)");
      return new KernelSource(name, blk.source(), "", new long[] {nout}, null,
          epi.args(List.of(KernelSource.Arg.in(0), KernelSource.Arg.in(1), KernelSource.Arg.out(0))));
    }
    if (present != 1 && !op.equals("Clip")) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (" + op + ") with " + present
          + " inputs has no OpenCL kernel yet");
    }
    if (!java.util.Arrays.equals(Shapes.dims(n, n.input(0)), out)) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (" + op + "): input and output shapes differ");
    }
    Block blk = new Block(name, "elementwise.cl", "unary", op + " (node '" + n.name() + "')");
    blk.def("NOUT", nout);
    blk.def("OP(x)", unaryExpr(n));
    epi.define(blk, "(v, o)");
    return new KernelSource(name, blk.source(), "", new long[] {nout}, null,
        epi.args(List.of(KernelSource.Arg.in(0), KernelSource.Arg.out(0))));
  }

  private static KernelSource batchNorm(Node n, String name, Epilogue epi) {
    Shapes.requireFloat(n, 5);
    for (int i = 1; i < n.outputs().size(); i++) {
      if (n.output(i) != null) {
        throw new UnsupportedOperatorException("node '" + n.name() + "' (BatchNormalization): training-mode "
            + "outputs have no OpenCL kernel");
      }
    }
    long[] x = Shapes.dims(n, n.input(0));
    long nout = Shapes.count(x);
    long c = x.length > 1 ? x[1] : 1;
    Block b = new Block(name, "elementwise.cl", "batchnorm", "BatchNormalization (node '" + n.name() + "')");
    b.def("NOUT", nout).def("C", c).def("INNER", x.length > 1 ? nout / (x[0] * c) : 1)
        .def("EPS", Block.flt(n.attributes().getFloat("epsilon", 1e-5f)));
    epi.define(b, "(v, o)");
    return new KernelSource(name, b.source(), "", new long[] {Math.max(1, nout)}, null, epi.args(List.of(
        KernelSource.Arg.in(0), KernelSource.Arg.in(1), KernelSource.Arg.in(2), KernelSource.Arg.in(3),
        KernelSource.Arg.in(4), KernelSource.Arg.out(0))));
  }

  private static KernelSource cast(Node n, String name) {
    DType from = Shapes.dtype(n, n.input(0));
    DType to = Shapes.dtype(n, n.output(0));
    long nout = Shapes.count(Shapes.dims(n, n.output(0)));
    Block b = new Block(name, "elementwise.cl", "cast", "Cast " + from + " -> " + to + " (node '" + n.name()
        + "')");
    b.def("TIN", clType(n, from)).def("TOUT", clType(n, to)).def("NOUT", nout);
    b.def("CONVERT(x)", to == DType.BOOL ? "((x) != 0 ? 1 : 0)" : "(" + clType(n, to) + ") (x)");
    return new KernelSource(name, b.source(), "", new long[] {Math.max(1, nout)}, null,
        List.of(KernelSource.Arg.in(0), KernelSource.Arg.out(0)));
  }

  private static String clType(Node n, DType t) {
    switch (t) {
      case FLOAT32: return "float";
      case INT32: return "int";
      case UINT32: return "uint";
      case INT64: return "long";
      case UINT64: return "ulong";
      case INT16: return "short";
      case UINT16: return "ushort";
      case INT8: return "char";
      case UINT8: case BOOL: return "uchar";
      default:
        throw new UnsupportedOperatorException("node '" + n.name() + "' (Cast): " + t
            + " has no OpenCL cast kernel (half and double types are converted on the host)");
    }
  }

  private static String unaryExpr(Node n) {
    Attributes at = n.attributes();
    switch (n.opType()) {
      case "LeakyRelu":
        return "((x) < 0.0f ? " + Block.flt(at.getFloat("alpha", 0.01f)) + " * (x) : (x))";
      case "Elu":
        return "((x) < 0.0f ? " + Block.flt(at.getFloat("alpha", 1f)) + " * (exp(x) - 1.0f) : (x))";
      case "Selu":
        return "(" + Block.flt(at.getFloat("gamma", 1.0507009873554805f)) + " * ((x) <= 0.0f ? "
            + Block.flt(at.getFloat("alpha", 1.6732632423543772f)) + " * (exp(x) - 1.0f) : (x)))";
      case "HardSigmoid":
        return "fmax(0.0f, fmin(1.0f, " + Block.flt(at.getFloat("alpha", 0.2f)) + " * (x) + "
            + Block.flt(at.getFloat("beta", 0.5f)) + "))";
      case "Clip": {
        double lo = Double.NEGATIVE_INFINITY;
        double hi = Double.POSITIVE_INFINITY;
        if (n.opsetVersion() > 0 && n.opsetVersion() < 11) {
          lo = at.getFloat("min", Float.NEGATIVE_INFINITY);
          hi = at.getFloat("max", Float.POSITIVE_INFINITY);
        } else {
          lo = scalarInput(n, 1, lo);
          hi = scalarInput(n, 2, hi);
        }
        return "((x) < " + Block.flt(lo) + " ? " + Block.flt(lo) + " : ((x) > " + Block.flt(hi) + " ? "
            + Block.flt(hi) + " : (x)))";
      }
      default:
        String e = UNARY.get(n.opType());
        if (e == null) {
          e = "(x)"; // one-input Max/Min/Sum/Mean
        }
        return e;
    }
  }

  private static double scalarInput(Node n, int i, double dflt) {
    if (i >= n.inputs().size() || n.input(i) == null) {
      return dflt;
    }
    TensorData d = n.input(i).constant();
    if (d == null || d.size() != 1) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (Clip): input " + i
          + " must be a constant scalar for the OpenCL kernel");
    }
    return d.getDouble(0);
  }
}
