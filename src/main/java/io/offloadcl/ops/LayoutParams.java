package io.offloadcl.ops;

import io.offloadcl.ir.Node;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import java.util.Arrays;

/**
 * Parameter resolution shared by the layout/shape op specs (static inference, where shape-determining inputs
 * are constants) and the reference kernels (run time, where they are concrete). Keeping one implementation
 * means the inferred shape and the computed shape cannot drift apart. Dims may be -1 (dynamic) at inference
 * time; every helper passes dynamic dims through instead of guessing.
 */
public final class LayoutParams {
  private LayoutParams() {}

  /** An error naming the node. */
  public static ShapeMismatchException error(Node n, String what) {
    return new ShapeMismatchException("node '" + n.name() + "' (" + n.opType() + "): " + what);
  }

  /** Normalizes a possibly negative axis into [0, rank). */
  public static int axis(Node n, long axis, int rank) {
    long a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw error(n, "axis " + axis + " is out of range for rank " + rank + " (expected " + -rank + ".." + (rank - 1) + ")");
    }
    return (int) a;
  }

  /** Normalizes a list of axes, rejecting repeats. */
  public static int[] axes(Node n, long[] axes, int rank) {
    int[] r = new int[axes.length];
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < axes.length; i++) {
      r[i] = axis(n, axes[i], rank);
      if (seen[r[i]]) {
        throw error(n, "axis " + axes[i] + " is repeated in " + Arrays.toString(axes));
      }
      seen[r[i]] = true;
    }
    return r;
  }

  /** Integer values of a constant, or null. */
  public static long[] longs(TensorData d) {
    return d == null ? null : d.toLongArray();
  }

  /** Product of dims, -1 when any is dynamic. */
  public static long product(long[] dims, int from, int to) {
    long p = 1;
    for (int i = from; i < to; i++) {
      if (dims[i] < 0) {
        return -1;
      }
      p *= dims[i];
    }
    return p;
  }

  // ---------------------------------------------------------------- Reshape

  /**
   * Reshape's output dims: 0 copies the input dim (unless allowzero), -1 is inferred from the element count.
   * With dynamic input dims the inferred dim may stay -1.
   */
  public static long[] reshape(Node n, long[] in, long[] target, boolean allowZero) {
    long[] out = new long[target.length];
    int infer = -1;
    long known = 1;
    boolean knownDynamic = false;
    for (int i = 0; i < target.length; i++) {
      long t = target[i];
      if (t == -1) {
        if (infer >= 0) {
          throw error(n, "shape " + Arrays.toString(target) + " has more than one -1");
        }
        infer = i;
        continue;
      }
      if (t < -1) {
        throw error(n, "shape " + Arrays.toString(target) + " has invalid entry " + t);
      }
      if (t == 0 && !allowZero) {
        if (i >= in.length) {
          throw error(n, "shape " + Arrays.toString(target) + " copies dim " + i + " (0) but the input " + Arrays.toString(in) + " has rank " + in.length);
        }
        t = in[i];
      }
      out[i] = t;
      if (t < 0) {
        knownDynamic = true;
      } else {
        known *= t;
      }
    }
    long total = product(in, 0, in.length);
    if (infer >= 0) {
      if (allowZero && known == 0 && !knownDynamic) {
        throw error(n, "shape " + Arrays.toString(target) + " has both 0 and -1 with allowzero=1");
      }
      if (total < 0 || knownDynamic) {
        out[infer] = -1;
      } else if (known == 0 || total % known != 0) {
        throw error(n, "cannot reshape " + total + " elements " + Arrays.toString(in) + " to " + Arrays.toString(target));
      } else {
        out[infer] = total / known;
      }
    } else if (total >= 0 && !knownDynamic && total != known) {
      throw error(n, "cannot reshape " + total + " elements " + Arrays.toString(in) + " to " + Arrays.toString(target));
    }
    return out;
  }

  // ---------------------------------------------------------------- Flatten / Squeeze / Unsqueeze

  public static long[] flatten(Node n, long[] in) {
    long a = n.attributes().getInt("axis", 1);
    int rank = in.length;
    long ax = a < 0 ? a + rank : a;
    if (ax < 0 || ax > rank) {
      throw error(n, "axis " + a + " is out of range for rank " + rank + " (expected " + -rank + ".." + rank + ")");
    }
    return new long[] {product(in, 0, (int) ax), product(in, (int) ax, rank)};
  }

  /** Squeeze's output dims; {@code axes} null squeezes every 1 (dynamic dims are then unknowable: null result). */
  public static long[] squeeze(Node n, long[] in, long[] axes) {
    boolean[] drop = new boolean[in.length];
    if (axes == null || axes.length == 0) {
      for (int i = 0; i < in.length; i++) {
        if (in[i] < 0) {
          return null;
        }
        drop[i] = in[i] == 1;
      }
    } else {
      for (int a : axes(n, axes, in.length)) {
        if (in[a] >= 0 && in[a] != 1) {
          throw error(n, "cannot squeeze axis " + a + " of shape " + Arrays.toString(in) + ": its extent is " + in[a] + ", expected 1");
        }
        drop[a] = true;
      }
    }
    long[] out = new long[in.length];
    int k = 0;
    for (int i = 0; i < in.length; i++) {
      if (!drop[i]) {
        out[k++] = in[i];
      }
    }
    return Arrays.copyOf(out, k);
  }

  public static long[] unsqueeze(Node n, long[] in, long[] axes) {
    int rank = in.length + axes.length;
    boolean[] ins = new boolean[rank];
    for (int a : axes(n, axes, rank)) {
      ins[a] = true;
    }
    long[] out = new long[rank];
    int k = 0;
    for (int i = 0; i < rank; i++) {
      out[i] = ins[i] ? 1 : in[k++];
    }
    return out;
  }

  // ---------------------------------------------------------------- Transpose / Concat / Expand / Tile

  public static int[] perm(Node n, int rank) {
    long[] p = n.attributes().getInts("perm", null);
    int[] r = new int[rank];
    if (p == null) {
      for (int i = 0; i < rank; i++) {
        r[i] = rank - 1 - i;
      }
      return r;
    }
    if (p.length != rank) {
      throw error(n, "perm " + Arrays.toString(p) + " has " + p.length + " entries; the input has rank " + rank);
    }
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < rank; i++) {
      r[i] = axis(n, p[i], rank);
      if (seen[r[i]]) {
        throw error(n, "perm " + Arrays.toString(p) + " is not a permutation");
      }
      seen[r[i]] = true;
    }
    return r;
  }

  public static long[] concat(Node n, long[][] ins, int axis) {
    long[] out = ins[0].clone();
    out[axis] = 0;
    for (int k = 0; k < ins.length; k++) {
      long[] s = ins[k];
      if (s.length != out.length) {
        throw error(n, "input " + k + " has rank " + s.length + ", expected " + out.length + " like input 0");
      }
      for (int i = 0; i < s.length; i++) {
        if (i == axis) {
          out[i] = out[i] < 0 || s[i] < 0 ? -1 : out[i] + s[i];
        } else if (out[i] < 0) {
          out[i] = s[i];
        } else if (s[i] >= 0 && s[i] != out[i]) {
          throw error(n, "input " + k + " has shape " + Arrays.toString(s) + "; expected extent " + out[i] + " on axis " + i + " (all but axis " + axis + " must match)");
        }
      }
    }
    return out;
  }

  public static long[] expand(Node n, long[] in, long[] shape) {
    for (long v : shape) {
      if (v < 0) {
        throw error(n, "shape " + Arrays.toString(shape) + " has a negative dimension");
      }
    }
    try {
      return Broadcast.shape(in, shape);
    } catch (ShapeMismatchException e) {
      throw error(n, "cannot expand " + Arrays.toString(in) + " to " + Arrays.toString(shape) + ": " + e.getMessage());
    }
  }

  public static long[] tile(Node n, long[] in, long[] repeats) {
    if (repeats.length != in.length) {
      throw error(n, "repeats " + Arrays.toString(repeats) + " has " + repeats.length + " entries; the input has rank " + in.length);
    }
    long[] out = new long[in.length];
    for (int i = 0; i < in.length; i++) {
      if (repeats[i] < 0) {
        throw error(n, "repeats " + Arrays.toString(repeats) + " has a negative entry");
      }
      out[i] = in[i] < 0 ? -1 : in[i] * repeats[i];
    }
    return out;
  }

  // ---------------------------------------------------------------- Slice

  /** Resolved slice: per input axis the first index, the step and the output count. */
  public static final class SliceSpec {
    public final long[] start;
    public final long[] step;
    public final long[] count;

    SliceSpec(long[] start, long[] step, long[] count) {
      this.start = start;
      this.step = step;
      this.count = count;
    }
  }

  /** Resolves Slice with clamping as the ONNX spec says; dims of unknown extent give count -1. */
  public static SliceSpec slice(Node n, long[] in, long[] starts, long[] ends, long[] axes, long[] steps) {
    int rank = in.length;
    if (starts.length != ends.length) {
      throw error(n, "starts " + Arrays.toString(starts) + " and ends " + Arrays.toString(ends) + " differ in length");
    }
    if (axes == null) {
      axes = new long[starts.length];
      for (int i = 0; i < axes.length; i++) {
        axes[i] = i;
      }
    }
    if (axes.length != starts.length || (steps != null && steps.length != starts.length)) {
      throw error(n, "starts, ends, axes and steps must have equal lengths; got " + starts.length + ", " + ends.length + ", " + axes.length + ", " + (steps == null ? "none" : steps.length));
    }
    int[] ax = axes(n, axes, rank);
    long[] st = new long[rank];
    long[] sp = new long[rank];
    long[] cnt = in.clone();
    Arrays.fill(sp, 1);
    for (int i = 0; i < ax.length; i++) {
      int a = ax[i];
      long step = steps == null ? 1 : steps[i];
      if (step == 0) {
        throw error(n, "step 0 on axis " + a);
      }
      sp[a] = step;
      long d = in[a];
      if (d < 0) {
        cnt[a] = -1;
        continue;
      }
      long s = starts[i];
      long e = ends[i];
      if (s < 0) {
        s += d;
      }
      if (e < 0) {
        e += d;
      }
      if (step > 0) {
        s = clamp(s, 0, d);
        e = clamp(e, 0, d);
        cnt[a] = e > s ? (e - s + step - 1) / step : 0;
      } else {
        s = clamp(s, 0, d - 1);
        e = clamp(e, -1, d - 1);
        cnt[a] = s > e ? (s - e + (-step) - 1) / (-step) : 0;
      }
      st[a] = s;
    }
    return new SliceSpec(st, sp, cnt);
  }

  private static long clamp(long v, long lo, long hi) {
    return v < lo ? lo : Math.min(v, hi);
  }

  // ---------------------------------------------------------------- Pad

  /** Full 2·rank pads (begins then ends) from the pads list and optional axes. */
  public static long[] pads(Node n, int rank, long[] pads, long[] axes) {
    int[] ax;
    if (axes == null) {
      ax = new int[rank];
      for (int i = 0; i < rank; i++) {
        ax[i] = i;
      }
    } else {
      ax = axes(n, axes, rank);
    }
    if (pads.length != 2 * ax.length) {
      throw error(n, "pads " + Arrays.toString(pads) + " has " + pads.length + " entries; expected " + 2 * ax.length);
    }
    long[] full = new long[2 * rank];
    for (int i = 0; i < ax.length; i++) {
      full[ax[i]] = pads[i];
      full[ax[i] + rank] = pads[i + ax.length];
    }
    return full;
  }

  public static long[] padded(Node n, long[] in, long[] full) {
    int rank = in.length;
    long[] out = new long[rank];
    for (int i = 0; i < rank; i++) {
      out[i] = in[i] < 0 ? -1 : in[i] + full[i] + full[i + rank];
      if (out[i] < -1 || (in[i] >= 0 && out[i] < 0)) {
        throw error(n, "pads remove more than the extent " + in[i] + " of axis " + i);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- Split

  /** Split sizes along the axis; null when the extent is unknown and the sizes depend on it. */
  public static long[] split(Node n, long dim, long[] split, int outputs) {
    if (split != null) {
      if (split.length != outputs) {
        throw error(n, "split " + Arrays.toString(split) + " has " + split.length + " entries for " + outputs + " outputs");
      }
      long s = 0;
      for (long v : split) {
        if (v < 0) {
          throw error(n, "split " + Arrays.toString(split) + " has a negative entry");
        }
        s += v;
      }
      if (dim >= 0 && s != dim) {
        throw error(n, "split " + Arrays.toString(split) + " sums to " + s + "; the axis has extent " + dim);
      }
      return split;
    }
    if (dim < 0) {
      return null;
    }
    long[] r = new long[outputs];
    if (n.attributes().has("num_outputs")) {
      // opset 18: ceil-sized chunks, the last one smaller when the extent does not divide
      long chunk = (dim + outputs - 1) / outputs;
      long left = dim;
      for (int i = 0; i < outputs; i++) {
        r[i] = Math.min(chunk, left);
        left -= r[i];
      }
      return r;
    }
    if (dim % outputs != 0) {
      throw error(n, "axis extent " + dim + " does not split evenly into " + outputs + " outputs");
    }
    Arrays.fill(r, dim / outputs);
    return r;
  }

  // ---------------------------------------------------------------- Resize

  /** Resolved Resize geometry: output dims and the scale used for coordinate mapping, per axis. */
  public static final class ResizeSpec {
    public final long[] outDims;
    public final double[] scales;

    ResizeSpec(long[] outDims, double[] scales) {
      this.outDims = outDims;
      this.scales = scales;
    }
  }

  /** Checks the attributes we cannot honour; run by both inference and kernel. */
  public static void checkResizeSupported(Node n) {
    String mode = n.attributes().getString("mode", "nearest");
    if (!mode.equals("nearest") && !mode.equals("linear") && !mode.equals("cubic") && !mode.equals("bilinear")) {
      throw new UnsupportedOperatorException("node '" + n.name() + "' (" + n.opType() + "): mode '" + mode + "' is not supported (nearest, linear, cubic)");
    }
    String ctm = n.attributes().getString("coordinate_transformation_mode", "half_pixel");
    switch (ctm) {
      case "half_pixel": case "pytorch_half_pixel": case "align_corners": case "asymmetric":
      case "tf_crop_and_resize": case "half_pixel_symmetric": case "tf_half_pixel_for_nn":
        break;
      default:
        throw new UnsupportedOperatorException("node '" + n.name() + "' (Resize): coordinate_transformation_mode '" + ctm + "' is not supported");
    }
  }

  /**
   * Output dims and scales. {@code scales}/{@code sizes} refer to {@code axes} (all axes when null); either may
   * be null or empty. Returns null when neither is given.
   */
  public static ResizeSpec resize(Node n, long[] in, float[] scales, long[] sizes, double[] roi) {
    int rank = in.length;
    long[] axAttr = n.attributes().getInts("axes", null);
    int[] ax;
    if (axAttr == null) {
      ax = new int[rank];
      for (int i = 0; i < rank; i++) {
        ax[i] = i;
      }
    } else {
      ax = axes(n, axAttr, rank);
    }
    long[] out = in.clone();
    double[] sc = new double[rank];
    Arrays.fill(sc, 1.0);
    boolean crop = "tf_crop_and_resize".equals(n.attributes().getString("coordinate_transformation_mode", "half_pixel"));
    if (scales != null && scales.length > 0) {
      if (sizes != null && sizes.length > 0) {
        throw error(n, "only one of scales and sizes may be given");
      }
      if (scales.length != ax.length) {
        throw error(n, "scales has " + scales.length + " entries; expected " + ax.length);
      }
      for (int i = 0; i < ax.length; i++) {
        int a = ax[i];
        if (scales[i] <= 0) {
          throw error(n, "scale " + scales[i] + " on axis " + a + " must be positive");
        }
        sc[a] = scales[i];
        if (in[a] < 0) {
          out[a] = -1;
        } else {
          double len = in[a];
          if (crop && roi != null && roi.length == 2 * ax.length) {
            len *= roi[i + ax.length] - roi[i];
          }
          out[a] = (long) Math.floor(len * scales[i]);
        }
      }
      return new ResizeSpec(out, sc);
    }
    if (sizes != null && sizes.length > 0) {
      if (sizes.length != ax.length) {
        throw error(n, "sizes has " + sizes.length + " entries; expected " + ax.length);
      }
      for (long v : sizes) {
        if (v < 0) {
          throw error(n, "sizes " + Arrays.toString(sizes) + " has a negative entry");
        }
      }
      String policy = n.attributes().getString("keep_aspect_ratio_policy", "stretch");
      if (policy.equals("stretch")) {
        for (int i = 0; i < ax.length; i++) {
          int a = ax[i];
          out[a] = sizes[i];
          sc[a] = in[a] <= 0 ? 1.0 : (double) sizes[i] / in[a];
        }
        return new ResizeSpec(out, sc);
      }
      if (!policy.equals("not_larger") && !policy.equals("not_smaller")) {
        throw new UnsupportedOperatorException("node '" + n.name() + "' (Resize): keep_aspect_ratio_policy '" + policy + "' is not supported");
      }
      double s = policy.equals("not_larger") ? Double.MAX_VALUE : 0;
      for (int i = 0; i < ax.length; i++) {
        if (in[ax[i]] < 0) {
          for (int a : ax) {
            out[a] = -1;
          }
          return new ResizeSpec(out, sc);
        }
        double r = (double) sizes[i] / in[ax[i]];
        s = policy.equals("not_larger") ? Math.min(s, r) : Math.max(s, r);
      }
      for (int a : ax) {
        out[a] = Math.round(s * in[a]);
        sc[a] = s;
      }
      return new ResizeSpec(out, sc);
    }
    return null;
  }
}
