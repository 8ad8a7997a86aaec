package io.offloadcl.codegen;

import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** ReduceX over any axes from reduce.cl, with the opset-dependent axes attribute / input. */
final class ReduceGen {
  /** op -> {INIT, ACC(acc, x), FINAL(acc)}; FINAL may use NRED. */
  private static final Map<String, String[]> OPS = Map.of(
      "ReduceSum", new String[] {"0.0f", "((acc) + (x))", "(acc)"},
      "ReduceMean", new String[] {"0.0f", "((acc) + (x))", "((acc) / (float) NRED)"},
      "ReduceMax", new String[] {"(-INFINITY)", "fmax((acc), (x))", "(acc)"},
      "ReduceMin", new String[] {"INFINITY", "fmin((acc), (x))", "(acc)"},
      "ReduceProd", new String[] {"1.0f", "((acc) * (x))", "(acc)"},
      "ReduceSumSquare", new String[] {"0.0f", "mad((x), (x), (acc))", "(acc)"},
      "ReduceL1", new String[] {"0.0f", "((acc) + fabs(x))", "(acc)"},
      "ReduceL2", new String[] {"0.0f", "mad((x), (x), (acc))", "sqrt(acc)"},
      "ReduceLogSum", new String[] {"0.0f", "((acc) + (x))", "log(acc)"},
      "ReduceLogSumExp", new String[] {"0.0f", "((acc) + exp(x))", "log(acc)"});

  /** Ops whose ACC also combines two partial results, so a vectorised accumulation may be folded with it. */
  private static final java.util.Set<String> SELF_COMBINING =
      java.util.Set.of("ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin");

  private ReduceGen() {}

  /** True when the reduced axes are exactly the innermost ones (and at least one is reduced). */
  static boolean innermost(boolean[] red) {
    int i = red.length;
    while (i > 0 && red[i - 1]) {
      i--;
    }
    for (int j = 0; j < i; j++) {
      if (red[j]) {
        return false;
      }
    }
    return i < red.length;
  }

  static boolean handles(String op) {
    return OPS.containsKey(op);
  }

  static KernelSource generate(Node n, String name, Epilogue epi) {
    Shapes.requireFloat(n, 1);
    long[] x = Shapes.dims(n, n.input(0));
    int r = x.length;
    int v = n.opsetVersion();
    boolean axesInput = v == 0 || (n.opType().equals("ReduceSum") ? v >= 13 : v >= 18);
    long[] axes;
    if (axesInput) {
      if (n.inputs().size() > 1 && n.input(1) != null) {
        TensorData d = n.input(1).constant();
        if (d == null) {
          throw new UnsupportedOperatorException("node '" + n.name() + "' (" + n.opType()
              + "): axes must be a constant for the OpenCL kernel");
        }
        axes = new long[d.size()];
        for (int i = 0; i < axes.length; i++) {
          axes[i] = d.getLong(i);
        }
      } else {
        axes = new long[0];
      }
    } else {
      axes = n.attributes().getInts("axes", new long[0]);
    }
    boolean[] red = new boolean[r];
    if (axes.length == 0) {
      boolean noop = n.attributes().getInt("noop_with_empty_axes", 0) != 0;
      java.util.Arrays.fill(red, !noop);
    }
    for (long a : axes) {
      red[(int) (a < 0 ? a + r : a)] = true;
    }
    long[] strides = new long[r];
    long st = 1;
    for (int i = r - 1; i >= 0; i--) {
      strides[i] = st;
      st *= x[i];
    }
    List<Long> kd = new ArrayList<>();
    List<Long> ks = new ArrayList<>();
    List<Long> rd = new ArrayList<>();
    List<Long> rs = new ArrayList<>();
    for (int i = 0; i < r; i++) {
      (red[i] ? rd : kd).add(x[i]);
      (red[i] ? rs : ks).add(strides[i]);
    }
    long nout = prod(kd);
    long nred = prod(rd);
    String[] f = OPS.get(n.opType());
    boolean inner8 = SELF_COMBINING.contains(n.opType()) && innermost(red) && nred >= 64 && nred % 8 == 0;
    Block b = new Block(name, "reduce.cl", inner8 ? "reduce_inner8" : "reduce", n.opType() + " (node '" + n.name()
        + "') over " + nred + " of " + Shapes.count(x) + " elements");
    b.def("NOUT", nout).def("NRED", nred);
    if (!inner8) {
      b.def("OUT_BASE(o, base)", Shapes.indexCode("o", arr(kd), new long[][] {arr(ks)}, new String[] {"base"}));
      b.def("RED_OFFSET(r, off)", Shapes.indexCode("r", arr(rd), new long[][] {arr(rs)}, new String[] {"off"}));
    }
    b.def("INIT", f[0]).def("ACC(acc, x)", f[1]).def("FINAL(acc)", f[2]);
    epi.define(b, "(v, o)");
    return new KernelSource(name, b.source(), "", new long[] {Math.max(1, nout)}, null,
        epi.args(List.of(KernelSource.Arg.in(0), KernelSource.Arg.out(0))));
  }

  private static long prod(List<Long> l) {
    long p = 1;
    for (long v : l) {
      p *= v;
    }
    return p;
  }

  private static long[] arr(List<Long> l) {
    long[] a = new long[l.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = l.get(i);
    }
    return a;
  }
}
