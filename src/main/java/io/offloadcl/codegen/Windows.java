package io.offloadcl.codegen;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.UnsupportedOperatorException;

/**
 * Sliding-window geometry shared by Conv and the pools, normalised to 2-D (a 1-D window is H = 1): kernel,
 * strides, dilations, start/end padding with auto_pad resolved against the output size shape inference gave.
 */
record Windows(long h, long w, long oh, long ow, long kh, long kw, long sh, long sw, long dh, long dw, long ph,
    long pw, long phEnd, long pwEnd) {

  static Windows of(Node n, long[] x, long[] y, long[] kernel) {
    int sp = x.length - 2;
    if (sp < 1 || sp > 2 || y.length != x.length || kernel.length != sp) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (" + n.opType() + "): only 1-D and 2-D "
          + "windows have an OpenCL kernel (input rank " + x.length + ")");
    }
    Attributes at = n.attributes();
    long[] strides = at.getInts("strides", ones(sp));
    long[] dil = at.getInts("dilations", ones(sp));
    long[] pads = at.getInts("pads", new long[2 * sp]);
    String auto = at.getString("auto_pad", "NOTSET");
    long[] begin = new long[sp];
    long[] end = new long[sp];
    for (int i = 0; i < sp; i++) {
      long in = x[2 + i];
      long out = y[2 + i];
      if (auto.equals("SAME_UPPER") || auto.equals("SAME_LOWER")) {
        long total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 - in);
        begin[i] = auto.equals("SAME_UPPER") ? total / 2 : total - total / 2;
        end[i] = total - begin[i];
      } else if (!auto.equals("VALID")) {
        begin[i] = pads[i];
        end[i] = pads[sp + i];
      }
    }
    if (sp == 1) {
      return new Windows(1, x[2], 1, y[2], 1, kernel[0], 1, strides[0], 1, dil[0], 0, begin[0], 0, end[0]);
    }
    return new Windows(x[2], x[3], y[2], y[3], kernel[0], kernel[1], strides[0], strides[1], dil[0], dil[1],
        begin[0], begin[1], end[0], end[1]);
  }

  private static long[] ones(int n) {
    long[] a = new long[n];
    java.util.Arrays.fill(a, 1);
    return a;
  }

  void define(Block b) {
    b.def("H", h).def("W", w).def("OH", oh).def("OW", ow).def("KH", kh).def("KW", kw).def("SH", sh)
        .def("SW", sw).def("DH", dh).def("DW", dw).def("PH", ph).def("PW", pw);
  }
}
