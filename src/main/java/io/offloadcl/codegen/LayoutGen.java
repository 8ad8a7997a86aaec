package io.offloadcl.codegen;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import java.util.ArrayList;
import java.util.List;

/** Transpose, Slice, Expand, Concat and Gather from layout.cl, for any dtype with a fixed element size. */
final class LayoutGen {
  private LayoutGen() {}

  static boolean handles(String op) {
    return op.equals("Transpose") || op.equals("Slice") || op.equals("Expand") || op.equals("Concat")
        || op.equals("Gather");
  }

  static String elementType(Node n, DType t) {
    switch (t) {
      case FLOAT32: case INT32: case UINT32: case FLOAT16: case BFLOAT16: // half types live on the device as float32
        return "uint";
      case INT64: case UINT64: case FLOAT64:
        return "ulong";
      case INT8: case UINT8: case BOOL:
        return "uchar";
      case INT16: case UINT16:
        return "ushort";
      default:
        throw new UnsupportedOperatorException("node '" + n.name() + "' (" + n.opType() + "): " + t
            + " tensors are not moved by the OpenCL kernels");
    }
  }

  static KernelSource generate(Node n, String name, DeviceClass dc) {
    String t = elementType(n, Shapes.dtype(n, n.output(0)));
    long[] y = Shapes.dims(n, n.output(0));
    long nout = Shapes.count(y);
    switch (n.opType()) {
      case "Concat":
        return dc == DeviceClass.CPU ? concatBlocks(n, name, t, y, nout) : concat(n, name, t, y, nout);
      case "Gather":
        return gather(n, name, t, y, nout);
      default:
        break;
    }
    long[] x = Shapes.dims(n, n.input(0));
    long[] xs = strides(x);
    long[] src = new long[y.length];
    long base = 0;
    switch (n.opType()) {
      case "Transpose": {
        long[] perm = n.attributes().getInts("perm", null);
        for (int i = 0; i < y.length; i++) {
          src[i] = xs[perm == null ? y.length - 1 - i : (int) perm[i]];
        }
        break;
      }
      case "Expand":
        src = Shapes.broadcastStrides(x, y);
        break;
      default: { // Slice
        long[][] sl = sliceParams(n, x.length);
        for (int i = 0; i < x.length; i++) {
          src[i] = xs[i];
        }
        for (int j = 0; j < sl[0].length; j++) {
          int ax = (int) (sl[2][j] < 0 ? sl[2][j] + x.length : sl[2][j]);
          long d = x[ax];
          long step = sl[3][j];
          long s = sl[0][j];
          if (s < 0) {
            s += d;
          }
          s = step > 0 ? Math.max(0, Math.min(s, d)) : Math.max(-1, Math.min(s, d - 1));
          base += s * xs[ax];
          src[ax] = xs[ax] * step;
        }
      }
    }
    Block b = new Block(name, "layout.cl", "strided_copy", n.opType() + " (node '" + n.name() + "')");
    b.def("T", t).def("NOUT", nout).def("BASE", base);
    b.def("SRC_INDEX(o, ix)", Shapes.indexCode("o", y, new long[][] {src}, new String[] {"ix"}));
    return new KernelSource(name, b.source(), "", new long[] {Math.max(1, nout)}, null,
        List.of(KernelSource.Arg.in(0), KernelSource.Arg.out(0)));
  }

  /** {starts, ends, axes, steps}, from attributes before opset 10 and constant inputs from then on. */
  private static long[][] sliceParams(Node n, int rank) {
    long[] starts;
    long[] ends;
    long[] axes;
    long[] steps;
    if (n.opsetVersion() > 0 && n.opsetVersion() < 10) {
      starts = n.attributes().getInts("starts", new long[0]);
      ends = n.attributes().getInts("ends", new long[0]);
      axes = n.attributes().getInts("axes", null);
      steps = null;
    } else {
      starts = constInts(n, 1);
      ends = constInts(n, 2);
      axes = constInts(n, 3);
      steps = constInts(n, 4);
    }
    if (axes == null) {
      axes = new long[starts.length];
      for (int i = 0; i < axes.length; i++) {
        axes[i] = i;
      }
    }
    if (steps == null) {
      steps = new long[starts.length];
      java.util.Arrays.fill(steps, 1);
    }
    return new long[][] {starts, ends, axes, steps};
  }

  private static long[] constInts(Node n, int i) {
    if (i >= n.inputs().size() || n.input(i) == null) {
      return null;
    }
    TensorData d = n.input(i).constant();
    if (d == null) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (Slice): input " + i
          + " must be a constant for the OpenCL kernel");
    }
    long[] v = new long[d.size()];
    for (int j = 0; j < v.length; j++) {
      v[j] = d.getLong(j);
    }
    return v;
  }

  /** Concat's axis, negative values counted from the end of {@code rank}. */
  private static int concatAxis(Node n, int rank) {
    long axis = n.attributes().getInt("axis", 0);
    return (int) (axis < 0 ? axis + rank : axis);
  }

  /** The product of {@code y[from..to)}: the extent of the dimensions before or after the concat axis. */
  private static long extent(long[] y, int from, int to) {
    long e = 1;
    for (int i = from; i < to; i++) {
      e *= y[i];
    }
    return e;
  }

  private static KernelSource concat(Node n, String name, String t, long[] y, long nout) {
    int axis = concatAxis(n, y.length);
    long inner = extent(y, axis + 1, y.length);
    StringBuilder params = new StringBuilder();
    StringBuilder pick = new StringBuilder();
    List<KernelSource.Arg> args = new ArrayList<>();
    long off = 0;
    int k = 0;
    for (int i = 0; i < n.inputs().size(); i++) {
      if (n.input(i) == null) {
        continue;
      }
      long a = Shapes.dims(n, n.input(i))[axis];
      if (a == 0) {
        continue;
      }
      params.append(k == 0 ? "" : ", ").append("__global const T* restrict x").append(k);
      pick.append(k == 0 ? "" : " else ").append("if (a < ").append(off + a).append(") v = x").append(k)
          .append("[((long) outer * ").append(a).append(" + a - ").append(off).append(") * INNER + inner];");
      args.add(KernelSource.Arg.in(i));
      off += a;
      k++;
    }
    if (k == 0) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (Concat): every input is empty");
    }
    pick.append(" else v = 0;");
    args.add(KernelSource.Arg.out(0));
    Block b = new Block(name, "layout.cl", "concat", "Concat (node '" + n.name() + "') of " + k + " inputs");
    b.def("T", t).def("NOUT", nout).def("OUTAX", y[axis]).def("INNER", inner);
    b.def("CONCAT_PARAMS", params.toString()).def("CONCAT_PICK", pick.toString());
    return new KernelSource(name, b.source(), "", new long[] {Math.max(1, nout)}, null, args);
  }

  /**
   * Concat as block copies (concat_blocks): every input contributes one contiguous block per outer row, so
   * one launch copies them all with 16-element vector loads instead of picking an input per element.
   */
  private static KernelSource concatBlocks(Node n, String name, String t, long[] y, long nout) {
    int axis = concatAxis(n, y.length);
    long inner = extent(y, axis + 1, y.length);
    long outer = extent(y, 0, axis);
    long row = y[axis] * inner;
    StringBuilder params = new StringBuilder();
    StringBuilder select = new StringBuilder("switch (k) {");
    List<KernelSource.Arg> args = new ArrayList<>();
    long off = 0;
    long maxLen = 0;
    int k = 0;
    for (int i = 0; i < n.inputs().size(); i++) {
      if (n.input(i) == null) {
        continue;
      }
      long len = Shapes.dims(n, n.input(i))[axis] * inner;
      if (len == 0) {
        continue;
      }
      params.append(k == 0 ? "" : ", ").append("__global const T* restrict x").append(k);
      select.append(" case ").append(k).append(": src = x").append(k).append(" + (long) (outer) * ").append(len)
          .append("; len = ").append(len).append("; dst = (long) (outer) * ").append(row).append(" + ")
          .append(off).append("; break;");
      args.add(KernelSource.Arg.in(i));
      off += len;
      maxLen = Math.max(maxLen, len);
      k++;
    }
    if (k == 0) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (Concat): every input is empty");
    }
    select.append(" default: break; }");
    args.add(KernelSource.Arg.out(0));
    Block b = new Block(name, "layout.cl", "concat_blocks", "Concat (node '" + n.name() + "') of " + k
        + " inputs, " + outer + " row(s)");
    b.def("T", t).def("OUTER", outer).def("CONCAT_PARAMS", params.toString())
        .def("CONCAT_SELECT(k, outer, src, len, dst)", select.toString());
    return new KernelSource(name, b.source(), "", new long[] {Math.max(1, (maxLen + 15) / 16), Math.max(1, outer), k},
        null, args);
  }

  private static KernelSource gather(Node n, String name, String t, long[] y, long nout) {
    long[] x = Shapes.dims(n, n.input(0));
    long[] idx = Shapes.dims(n, n.input(1));
    DType it = Shapes.dtype(n, n.input(1));
    if (it != DType.INT64 && it != DType.INT32) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (Gather): indices are " + it);
    }
    long axis = n.attributes().getInt("axis", 0);
    if (axis < 0) {
      axis += x.length;
    }
    long inner = 1;
    for (int i = (int) axis + 1; i < x.length; i++) {
      inner *= x[i];
    }
    Block b = new Block(name, "layout.cl", "gather", "Gather (node '" + n.name() + "') axis " + axis);
    b.def("T", t).def("IT", it == DType.INT64 ? "long" : "int").def("NOUT", nout).def("D", x[(int) axis])
        .def("NIDX", Math.max(1, Shapes.count(idx))).def("INNER", inner);
    return new KernelSource(name, b.source(), "", new long[] {Math.max(1, nout)}, null,
        List.of(KernelSource.Arg.in(0), KernelSource.Arg.in(1), KernelSource.Arg.out(0)));
  }

  static long[] strides(long[] d) {
    long[] s = new long[d.length];
    long st = 1;
    for (int i = d.length - 1; i >= 0; i--) {
      s[i] = st;
      st *= d[i];
    }
    return s;
  }
}
