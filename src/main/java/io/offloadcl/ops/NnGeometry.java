package io.offloadcl.ops;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.ShapeMismatchException;
import java.util.Arrays;

/**
 * Sliding-window geometry shared by Conv, ConvTranspose and the pools: kernel extent, strides, dilations, the
 * begin/end pads actually applied and the output extent per spatial axis. Shape inference and the reference
 * kernels both build it, so the two can never disagree about an output size.
 *
 * <p>Formulas follow the ONNX operator docs. With explicit pads: {@code out = floor((in + pb + pe - dk) / s) + 1}
 * where {@code dk = (k - 1) * d + 1}; pools with {@code ceil_mode} round up instead and drop a last window that
 * would start inside the end padding. {@code SAME_UPPER}/{@code SAME_LOWER} give {@code out = ceil(in / s)} and
 * split the needed padding with the odd unit at the end (upper) or the beginning (lower); {@code VALID} pads
 * nothing. A dynamic input extent (-1) gives a dynamic output extent and unknown pads.
 */
public final class NnGeometry {
  /** Kernel extent per spatial axis. */
  public final long[] kernel;
  public final long[] strides;
  public final long[] dilations;
  public final long[] padBegin;
  public final long[] padEnd;
  /** Output extent per spatial axis (-1 when the input extent is dynamic). */
  public final long[] out;

  private NnGeometry(long[] kernel, long[] strides, long[] dilations, long[] padBegin, long[] padEnd, long[] out) {
    this.kernel = kernel;
    this.strides = strides;
    this.dilations = dilations;
    this.padBegin = padBegin;
    this.padEnd = padEnd;
    this.out = out;
  }

  public int rank() {
    return kernel.length;
  }

  /** Number of kernel taps (product of kernel extents). */
  public long kernelSize() {
    long n = 1;
    for (long k : kernel) {
      n *= k;
    }
    return n;
  }

  /** Number of output positions per (batch, channel); -1 when dynamic. */
  public long outSize() {
    long n = 1;
    for (long o : out) {
      if (o < 0) {
        return -1;
      }
      n *= o;
    }
    return n;
  }

  /**
   * Geometry of a forward window op (Conv or a pool).
   *
   * @param where node description for messages
   * @param in input spatial extents (may hold -1)
   * @param kernel kernel extents (all positive)
   * @param ceilMode pools only: round the output extent up
   */
  public static NnGeometry forward(String where, long[] in, long[] kernel, Attributes a, boolean ceilMode) {
    int r = in.length;
    if (kernel.length != r) {
      throw new ShapeMismatchException(where + ": kernel_shape " + Arrays.toString(kernel) + " has " + kernel.length
          + " axes, input has " + r + " spatial axes");
    }
    long[] strides = ints(where, a, "strides", r, 1);
    long[] dil = ints(where, a, "dilations", r, 1);
    for (int i = 0; i < r; i++) {
      if (kernel[i] <= 0 || strides[i] <= 0 || dil[i] <= 0) {
        throw new ShapeMismatchException(where + ": kernel_shape, strides and dilations must be positive, got kernel "
            + Arrays.toString(kernel) + ", strides " + Arrays.toString(strides) + ", dilations " + Arrays.toString(dil));
      }
    }
    String autoPad = a.getString("auto_pad", "NOTSET");
    long[] pb = new long[r];
    long[] pe = new long[r];
    long[] out = new long[r];
    if (autoPad.equals("NOTSET") || autoPad.isEmpty()) {
      long[] pads = a.getInts("pads", new long[2 * r]);
      if (pads.length != 2 * r) {
        throw new ShapeMismatchException(where + ": pads " + Arrays.toString(pads) + " should have " + 2 * r + " entries");
      }
      for (int i = 0; i < r; i++) {
        pb[i] = pads[i];
        pe[i] = pads[i + r];
        if (pb[i] < 0 || pe[i] < 0) {
          throw new ShapeMismatchException(where + ": negative pads " + Arrays.toString(pads));
        }
        if (in[i] < 0) {
          out[i] = -1;
          continue;
        }
        long dk = (kernel[i] - 1) * dil[i] + 1;
        long span = in[i] + pb[i] + pe[i] - dk;
        if (span < 0) {
          throw new ShapeMismatchException(where + ": window of extent " + dk + " does not fit padded input extent "
              + (in[i] + pb[i] + pe[i]) + " on spatial axis " + i);
        }
        if (ceilMode) {
          long o = Math.floorDiv(span + strides[i] - 1, strides[i]) + 1;
          if ((o - 1) * strides[i] >= in[i] + pb[i]) {
            o--;
          }
          out[i] = o;
        } else {
          out[i] = span / strides[i] + 1;
        }
      }
    } else if (autoPad.equals("VALID")) {
      for (int i = 0; i < r; i++) {
        if (in[i] < 0) {
          out[i] = -1;
          continue;
        }
        long dk = (kernel[i] - 1) * dil[i] + 1;
        if (in[i] < dk) {
          throw new ShapeMismatchException(where + ": window of extent " + dk + " does not fit input extent " + in[i]
              + " on spatial axis " + i + " (auto_pad VALID)");
        }
        out[i] = (in[i] - dk) / strides[i] + 1;
      }
    } else if (autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER")) {
      for (int i = 0; i < r; i++) {
        if (in[i] < 0) {
          out[i] = -1;
          continue;
        }
        long dk = (kernel[i] - 1) * dil[i] + 1;
        out[i] = (in[i] + strides[i] - 1) / strides[i];
        long total = Math.max(0, (out[i] - 1) * strides[i] + dk - in[i]);
        if (autoPad.equals("SAME_UPPER")) {
          pb[i] = total / 2;
          pe[i] = total - pb[i];
        } else {
          pe[i] = total / 2;
          pb[i] = total - pe[i];
        }
      }
    } else {
      throw new ShapeMismatchException(where + ": auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got '"
          + autoPad + "'");
    }
    return new NnGeometry(kernel, strides, dil, pb, pe, out);
  }

  /**
   * Geometry of ConvTranspose: {@code out = s * (in - 1) + output_padding + dk - pb - pe}; with
   * {@code output_shape} the pads are derived from it, and SAME_* without it targets {@code in * s}. The total
   * padding goes half to each side, the odd unit to the end for SAME_UPPER and to the beginning otherwise (ONNX
   * ConvTranspose doc).
   */
  public static NnGeometry transposed(String where, long[] in, long[] kernel, Attributes a) {
    int r = in.length;
    if (kernel.length != r) {
      throw new ShapeMismatchException(where + ": kernel_shape " + Arrays.toString(kernel) + " has " + kernel.length
          + " axes, input has " + r + " spatial axes");
    }
    long[] strides = ints(where, a, "strides", r, 1);
    long[] dil = ints(where, a, "dilations", r, 1);
    long[] outPad = ints(where, a, "output_padding", r, 0);
    String autoPad = a.getString("auto_pad", "NOTSET");
    if (!(autoPad.isEmpty() || autoPad.equals("NOTSET") || autoPad.equals("VALID") || autoPad.equals("SAME_UPPER")
        || autoPad.equals("SAME_LOWER"))) {
      throw new ShapeMismatchException(where + ": auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got '"
          + autoPad + "'");
    }
    long[] outShape = a.getInts("output_shape", null);
    if (outShape != null && outShape.length > r) {
      // output_shape may list N and C too; only the trailing spatial extents matter
      outShape = Arrays.copyOfRange(outShape, outShape.length - r, outShape.length);
    }
    if (outShape != null && outShape.length != r) {
      throw new ShapeMismatchException(where + ": output_shape " + Arrays.toString(outShape) + " should have " + r
          + " spatial entries");
    }
    boolean same = autoPad.startsWith("SAME");
    long[] pb = new long[r];
    long[] pe = new long[r];
    long[] out = new long[r];
    long[] pads = a.getInts("pads", null);
    if (pads != null && pads.length != 2 * r) {
      throw new ShapeMismatchException(where + ": pads " + Arrays.toString(pads) + " should have " + 2 * r + " entries");
    }
    for (int i = 0; i < r; i++) {
      if (kernel[i] <= 0 || strides[i] <= 0 || dil[i] <= 0) {
        throw new ShapeMismatchException(where + ": kernel_shape, strides and dilations must be positive");
      }
      long dk = (kernel[i] - 1) * dil[i] + 1;
      if (in[i] < 0) {
        out[i] = outShape != null ? outShape[i] : -1;
        continue;
      }
      long full = strides[i] * (in[i] - 1) + outPad[i] + dk;
      if (outShape != null || same) {
        long target = outShape != null ? outShape[i] : in[i] * strides[i];
        long total = full - target;
        // floor division as in the ONNX reference: a negative total (output_shape larger than the natural
        // extent) then leaves the begin side unpadded and grows the end
        long half = Math.floorDiv(total, 2);
        if (autoPad.equals("SAME_UPPER")) {
          pb[i] = half;
          pe[i] = total - half;
        } else {
          pb[i] = total - half;
          pe[i] = half;
        }
        out[i] = target;
      } else {
        if (pads != null && !autoPad.equals("VALID")) {
          pb[i] = pads[i];
          pe[i] = pads[i + r];
        }
        out[i] = full - pb[i] - pe[i];
      }
      if (out[i] <= 0) {
        throw new ShapeMismatchException(where + ": output extent " + out[i] + " on spatial axis " + i
            + " is not positive");
      }
    }
    return new NnGeometry(kernel, strides, dil, pb, pe, out);
  }

  private static long[] ints(String where, Attributes a, String name, int r, long dflt) {
    long[] v = a.getInts(name, null);
    if (v == null) {
      long[] d = new long[r];
      Arrays.fill(d, dflt);
      return d;
    }
    if (v.length != r) {
      throw new ShapeMismatchException(where + ": " + name + " " + Arrays.toString(v) + " should have " + r + " entries");
    }
    return v;
  }
}
