package io.offloadcl.passes.fold;

import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;

/** Per-output-channel arithmetic on constant weights, shared by the folding passes. */
final class ChannelMath {
  private ChannelMath() {}

  /**
   * The constant {@code c} as one number per channel when, broadcast against an output of rank {@code rank},
   * it varies at most along axis {@code axis} of extent {@code channels} and does not grow the output; else
   * null.
   */
  static double[] perChannel(Value c, int rank, int axis, long channels) {
    if (c == null || !c.isConstant() || !c.constant().dtype().isFloating()) {
      return null;
    }
    TensorData d = c.constant();
    long[] dims = d.dims();
    if (dims.length > rank) {
      return null;
    }
    int lead = rank - dims.length;
    for (int i = 0; i < dims.length; i++) {
      int ax = i + lead;
      if (dims[i] != 1 && !(ax == axis && dims[i] == channels)) {
        return null;
      }
    }
    double[] r = new double[(int) channels];
    for (int m = 0; m < channels; m++) {
      r[m] = d.getDouble(d.size() == 1 ? 0 : m);
    }
    return r;
  }

  /** Rank of a value's static type, or -1. */
  static int rank(Value v) {
    TensorType t = v == null ? null : v.type();
    return t == null || !t.hasRank() ? -1 : t.shape().rank();
  }

  /** A copy of conv weights {@code W[M, ...]} with output channel m scaled by {@code s[m]}. */
  static TensorData scaleRows(TensorData w, double[] s) {
    if (s.length == 0 || w.size() % s.length != 0) {
      throw new IllegalArgumentException("weights of " + w.size() + " elements do not split into " + s.length
          + " output channels");
    }
    int per = w.size() / s.length;
    float[] fill = w.dtype() == io.offloadcl.ir.DType.FLOAT32 ? w.rowValues() : null;
    if (fill != null && (fill.length == 1 || fill.length == s.length)) {
      // a fill (ConstantOfShape weights) stays one: each output channel's row is one product, and no array is
      // made (resnet50: 102 MB at every session open)
      float[] rows = new float[s.length];
      for (int m = 0; m < rows.length; m++) {
        rows[m] = (float) (fill[fill.length == 1 ? 0 : m] * s[m]);
      }
      return TensorData.filledRows(w.dims(), rows);
    }
    if (w.dtype() == io.offloadcl.ir.DType.FLOAT32) {
      // a whole network's weights pass through here at every session open: one pass from the old array into a
      // new one, rows in parallel, instead of a copy then per-element typed accessors
      float[] src = w.floats();
      float[] dst = new float[src.length];
      java.util.stream.IntStream.range(0, s.length).parallel().forEach(m -> {
        double k = s[m];
        for (int i = m * per, e = i + per; i < e; i++) {
          dst[i] = (float) (src[i] * k);
        }
      });
      return TensorData.wrap(w.dtype(), w.dims(), dst);
    }
    TensorData r = w.copy();
    for (int i = 0; i < r.size(); i++) {
      r.setDouble(i, r.getDouble(i) * s[i / per]);
    }
    return r;
  }

  /** A copy of {@code W[K, M]} with column m scaled by {@code s[m]}. */
  static TensorData scaleColumns(TensorData w, double[] s) {
    TensorData r = w.copy();
    int m = s.length;
    for (int i = 0; i < r.size(); i++) {
      r.setDouble(i, r.getDouble(i) * s[i % m]);
    }
    return r;
  }

  /** The bias input as one number per channel (zeros when absent), or null when it is not a constant vector. */
  static double[] bias(Value b, long channels) {
    if (b == null) {
      return new double[(int) channels];
    }
    if (!b.isConstant() || b.constant().size() != channels) {
      return null;
    }
    double[] r = new double[(int) channels];
    for (int m = 0; m < channels; m++) {
      r[m] = b.constant().getDouble(m);
    }
    return r;
  }

  /** A 1-D constant tensor of the weights' dtype. */
  static TensorData vector(TensorData like, double[] v) {
    TensorData r = TensorData.zeros(like.dtype(), v.length);
    for (int i = 0; i < v.length; i++) {
      r.setDouble(i, v[i]);
    }
    return r;
  }

  /** The weights' output-channel count for a Conv (dim 0 of W), or -1. */
  static long convChannels(Node conv) {
    Value w = conv.input(1);
    return w != null && w.isConstant() && w.constant().rank() >= 3 ? w.constant().dim(0) : -1;
  }
}
