package io.offloadcl.codegen;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import java.util.List;

/**
 * Pad (constant mode) and Where from layout.cl. Both only move elements, so they work on the element's bits
 * ({@link LayoutGen#elementType}) for every dtype; Pad's fill value is turned into those bits here.
 */
final class PadWhereGen {
  private PadWhereGen() {}

  static boolean handles(String op) {
    return op.equals("Pad") || op.equals("Where");
  }

  static KernelSource generate(Node n, String name) {
    return n.opType().equals("Where") ? where(n, name) : pad(n, name);
  }

  private static KernelSource where(Node n, String name) {
    if (Shapes.dtype(n, n.input(0)) != DType.BOOL) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (Where): condition is "
          + Shapes.dtype(n, n.input(0)) + ", expected BOOL");
    }
    String t = LayoutGen.elementType(n, Shapes.dtype(n, n.output(0)));
    long[] y = Shapes.dims(n, n.output(0));
    long nout = Shapes.count(y);
    Block b = new Block(name, "layout.cl", "where", "Where (node '" + n.name() + "')");
    b.def("T", t).def("NOUT", nout)
        .def("CIDX(o)", FusedGen.bcastIndex("(o)", y, Shapes.dims(n, n.input(0))))
        .def("AIDX(o)", FusedGen.bcastIndex("(o)", y, Shapes.dims(n, n.input(1))))
        .def("BIDX(o)", FusedGen.bcastIndex("(o)", y, Shapes.dims(n, n.input(2))));
    return new KernelSource(name, b.source(), "", new long[] {Math.max(1, nout)}, null, List.of(KernelSource.Arg.in(0),
        KernelSource.Arg.in(1), KernelSource.Arg.in(2), KernelSource.Arg.out(0)));
  }

  private static KernelSource pad(Node n, String name) {
    boolean legacy = n.opsetVersion() > 0 && n.opsetVersion() < 11;
    String mode = n.attributes().getString("mode", "constant");
    if (!mode.equals("constant")) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (Pad): mode '" + mode
          + "' has no OpenCL kernel (constant only)");
    }
    DType dt = Shapes.dtype(n, n.output(0));
    String t = LayoutGen.elementType(n, dt);
    long[] x = Shapes.dims(n, n.input(0));
    long[] y = Shapes.dims(n, n.output(0));
    int r = x.length;
    long[] pads;
    double value = 0;
    if (legacy) {
      pads = n.attributes().getInts("pads", new long[2 * r]);
      value = n.attributes().getFloat("value", 0f);
    } else {
      long[] p = constant(n, 1, "pads");
      long[] axes = n.inputs().size() > 3 && n.input(3) != null ? constant(n, 3, "axes") : null;
      pads = new long[2 * r];
      if (axes == null) {
        if (p.length != 2 * r) {
          throw new UnsupportedOperatorException("node '" + n.name() + "' (Pad): " + p.length + " pads for rank " + r);
        }
        pads = p;
      } else {
        for (int j = 0; j < axes.length; j++) {
          int ax = (int) (axes[j] < 0 ? axes[j] + r : axes[j]);
          pads[ax] = p[j];
          pads[r + ax] = p[axes.length + j];
        }
      }
      if (n.inputs().size() > 2 && n.input(2) != null) {
        TensorData c = n.input(2).constant();
        if (c == null || c.size() != 1) {
          throw new UnsupportedOperatorException("node '" + n.name() + "' (Pad): constant_value must be a constant "
              + "scalar for the OpenCL kernel");
        }
        value = c.getDouble(0);
      }
    }
    StringBuilder idx = new StringBuilder();
    long inner = 1;
    long xs = 1;
    for (int i = r - 1; i >= 0; i--) {
      idx.append("{ const long c = ((o) / ").append(inner).append(") % ").append(y[i]).append(" - ").append(pads[i])
          .append("; inside = inside && c >= 0 && c < ").append(x[i]).append("; ix += c * ").append(xs).append("; } ");
      inner *= y[i];
      xs *= x[i];
    }
    Block b = new Block(name, "layout.cl", "pad", "Pad constant (node '" + n.name() + "')");
    b.def("T", t).def("NOUT", Shapes.count(y)).def("PAD_INDEX(o, ix, inside)", idx.toString())
        .def("PAD_VALUE", bits(n, dt, value));
    return new KernelSource(name, b.source(), "", new long[] {Math.max(1, Shapes.count(y))}, null,
        List.of(KernelSource.Arg.in(0), KernelSource.Arg.out(0)));
  }

  /** The fill value as the bits of the device representation (float types live on the device as float32). */
  private static String bits(Node n, DType dt, double v) {
    switch (dt) {
      case FLOAT32: case FLOAT16: case BFLOAT16:
        return "0x" + Integer.toHexString(Float.floatToRawIntBits((float) v)) + "u";
      case FLOAT64:
        return "0x" + Long.toHexString(Double.doubleToRawLongBits(v)) + "ul";
      case INT64: case UINT64:
        return "((ulong) " + (long) v + "L)";
      default:
        return "((" + LayoutGen.elementType(n, dt) + ") " + (long) v + ")";
    }
  }

  private static long[] constant(Node n, int i, String what) {
    TensorData d = i < n.inputs().size() && n.input(i) != null ? n.input(i).constant() : null;
    if (d == null) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (Pad): " + what
          + " must be a constant for the OpenCL kernel");
    }
    long[] v = new long[d.size()];
    for (int j = 0; j < v.length; j++) {
      v[j] = d.getLong(j);
    }
    return v;
  }
}
