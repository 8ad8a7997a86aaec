package io.offloadcl.runtime.cpu;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ops.LayoutParams;
import io.offloadcl.ops.ShapeOpValues;
import java.util.ArrayList;
import java.util.List;

/**
 * Reference kernels for the shape ops. Reshape, Flatten, Squeeze and Unsqueeze return views
 * ({@link TensorData#reshape}) sharing the input's array: no element is copied.
 */
final class ShapeKernels {
  private ShapeKernels() {}

  static void register() {
    add("Reshape", ShapeKernels::reshape);
    add("Flatten", (n, in) -> one(in[0].reshape(LayoutParams.flatten(n, in[0].dims()))));
    add("Squeeze", ShapeKernels::squeeze);
    add("Unsqueeze", ShapeKernels::unsqueeze);
    add("Shape", ShapeKernels::shape);
    add("Size", (n, in) -> one(TensorData.scalarLong(in[0].size())));
    add("Constant", (n, in) -> one(ShapeOpValues.constant(n)));
    add("ConstantOfShape", ShapeKernels::constantOfShape);
    add("Range", ShapeKernels::range);
    add("EyeLike", ShapeKernels::eyeLike);
    add("OneHot", ShapeKernels::oneHot);
    add("NonZero", ShapeKernels::nonZero);
  }

  /** Registers a kernel behind a check that the op's required inputs are present. */
  private static void add(String op, CpuKernel k) {
    int required = io.offloadcl.ops.OpCatalog.find(op).minInputs();
    CpuKernels.add(op, (n, in) -> {
      for (int i = 0; i < required; i++) {
        LayoutKernels.need(n, in, i, "required");
      }
      return k.run(n, in);
    });
  }

  private static TensorData[] one(TensorData t) {
    return new TensorData[] {t};
  }

  private static TensorData[] reshape(Node n, TensorData[] in) {
    long[] target = n.opsetVersion() < 5 ? n.attributes().getInts("shape", null) : LayoutKernels.arg(in, 1);
    if (target == null) {
      throw LayoutParams.error(n, "a target shape is required");
    }
    boolean allowZero = n.opsetVersion() >= 14 && n.attributes().getInt("allowzero", 0) != 0;
    return one(in[0].reshape(LayoutParams.reshape(n, in[0].dims(), target, allowZero)));
  }

  private static long[] axes(Node n, TensorData[] in) {
    return n.opsetVersion() < 13 ? n.attributes().getInts("axes", null) : LayoutKernels.arg(in, 1);
  }

  private static TensorData[] squeeze(Node n, TensorData[] in) {
    return one(in[0].reshape(LayoutParams.squeeze(n, in[0].dims(), axes(n, in))));
  }

  private static TensorData[] unsqueeze(Node n, TensorData[] in) {
    long[] axes = axes(n, in);
    if (axes == null) {
      throw LayoutParams.error(n, "axes are required");
    }
    return one(in[0].reshape(LayoutParams.unsqueeze(n, in[0].dims(), axes)));
  }

  private static TensorData[] shape(Node n, TensorData[] in) {
    long[] d = in[0].dims();
    int[] r = ShapeOpValues.shapeRange(n, d.length);
    long[] v = java.util.Arrays.copyOfRange(d, r[0], r[1]);
    return one(TensorData.ofLongs(new long[] {v.length}, v));
  }

  private static TensorData[] constantOfShape(Node n, TensorData[] in) {
    TensorData v = n.attributes().getTensor("value");
    long[] shape = in[0].toLongArray();
    for (long d : shape) {
      if (d < 0) {
        throw LayoutParams.error(n, "shape " + java.util.Arrays.toString(shape) + " has a negative dimension");
      }
    }
    DType dt = v == null ? DType.FLOAT32 : v.dtype();
    if (dt == DType.FLOAT32) {
      // no array until someone reads one: folded weights (onnx-light models make all theirs this way) go to the
      // device as fills, and BN folding scales a fill per row
      return one(TensorData.filled(shape, v != null && v.size() > 0 ? (float) v.getDouble(0) : 0f));
    }
    TensorData out = TensorData.zeros(dt, shape);
    if (v != null && v.size() > 0) {
      LayoutIndexCopy.fill(out.array(), 0, out.size(), v);
    }
    return one(out);
  }

  private static TensorData[] range(Node n, TensorData[] in) {
    for (int i = 0; i < 3; i++) {
      LayoutKernels.need(n, in, i, i == 0 ? "start" : i == 1 ? "limit" : "delta");
    }
    long cnt = ShapeOpValues.rangeCount(n, in[0], in[1], in[2]);
    DType dt = in[0].dtype();
    TensorData out = TensorData.zeros(dt, cnt);
    if (dt.isFloating()) {
      double s = in[0].getDouble(0);
      double d = in[2].getDouble(0);
      if (dt == DType.FLOAT32) {
        // accumulate in float as the ONNX reference does, so long ranges round the same way
        float fs = (float) s;
        float fd = (float) d;
        float[] f = out.floats();
        for (int i = 0; i < cnt; i++) {
          f[i] = fs + i * fd;
        }
      } else {
        for (int i = 0; i < cnt; i++) {
          out.setDouble(i, s + i * d);
        }
      }
    } else {
      long s = in[0].getLong(0);
      long d = in[2].getLong(0);
      for (int i = 0; i < cnt; i++) {
        out.setLong(i, s + i * d);
      }
    }
    return one(out);
  }

  private static TensorData[] eyeLike(Node n, TensorData[] in) {
    long[] d = in[0].dims();
    if (d.length != 2) {
      throw LayoutParams.error(n, "input has rank " + d.length + ", expected 2");
    }
    DType dt = n.attributes().has("dtype") ? ShapeOpValues.dtypeAttr(n, "dtype") : in[0].dtype();
    long k = n.attributes().getInt("k", 0);
    TensorData out = TensorData.zeros(dt, d);
    for (long i = 0; i < d[0]; i++) {
      long j = i + k;
      if (j >= 0 && j < d[1]) {
        out.setLong((int) (i * d[1] + j), 1);
      }
    }
    return one(out);
  }

  private static TensorData[] oneHot(Node n, TensorData[] in) {
    TensorData ind = LayoutKernels.need(n, in, 0, "indices");
    long depth = (long) LayoutKernels.need(n, in, 1, "depth").getDouble(0);
    TensorData values = LayoutKernels.need(n, in, 2, "values");
    if (depth < 0) {
      throw LayoutParams.error(n, "depth " + depth + " is negative");
    }
    if (values.size() != 2) {
      throw LayoutParams.error(n, "values must have 2 elements [off, on], got " + values.size());
    }
    long[] id = ind.dims();
    int rank = id.length + 1;
    int axis = LayoutParams.axis(n, n.attributes().getInt("axis", -1), rank);
    long[] outDims = new long[rank];
    int k = 0;
    for (int i = 0; i < rank; i++) {
      outDims[i] = i == axis ? depth : id[k++];
    }
    TensorData out = TensorData.zeros(values.dtype(), outDims);
    TensorData off = TensorData.wrap(values.dtype(), new long[0], java.lang.reflect.Array.newInstance(values.array().getClass().getComponentType(), 1));
    System.arraycopy(values.array(), 0, off.array(), 0, 1);
    LayoutIndexCopy.fill(out.array(), 0, out.size(), off);
    int outer = (int) LayoutParams.product(id, 0, axis);
    int inner = (int) LayoutParams.product(id, axis, id.length);
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        long v = (long) ind.getDouble(o * inner + i);
        if (v < 0) {
          v += depth;
        }
        if (v >= 0 && v < depth) {
          System.arraycopy(values.array(), 1, out.array(), (int) ((o * depth + v) * inner + i), 1);
        }
      }
    }
    return one(out);
  }

  private static TensorData[] nonZero(Node n, TensorData[] in) {
    TensorData x = in[0];
    long[] d = x.dims();
    int rank = d.length;
    List<Integer> hits = new ArrayList<>();
    for (int i = 0; i < x.size(); i++) {
      boolean nz = x.dtype() == DType.STRING ? !x.strings()[i].isEmpty() : x.getDouble(i) != 0;
      if (nz) {
        hits.add(i);
      }
    }
    int cnt = hits.size();
    long[] out = new long[rank * cnt];
    int[] st = LayoutIndexCopy.strides(d);
    for (int h = 0; h < cnt; h++) {
      int rem = hits.get(h);
      for (int a = 0; a < rank; a++) {
        out[a * cnt + h] = rem / st[a];
        rem %= st[a];
      }
    }
    return one(TensorData.ofLongs(new long[] {rank, cnt}, out));
  }
}
