package io.offloadcl.runtime.cpu;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ops.LayoutParams;
import java.util.Arrays;

/**
 * Reference kernels for the data-movement ops. They move elements of any dtype through the backing arrays
 * ({@link System#arraycopy} works for every storage class), never through doubles, so int64 and strings stay
 * exact. Block-structured ops (Concat, Split, Gather) copy contiguous blocks; index maps go through
 * {@link LayoutIndexCopy}.
 */
final class LayoutKernels {
  private LayoutKernels() {}

  static void register() {
    add("Transpose", LayoutKernels::transpose);
    add("Concat", LayoutKernels::concat);
    add("Expand", LayoutKernels::expand);
    add("Gather", LayoutKernels::gather);
    add("GatherElements", LayoutKernels::gatherElements);
    add("GatherND", LayoutKernels::gatherNd);
    add("ScatterElements", LayoutKernels::scatterElements);
    add("Scatter", LayoutKernels::scatterElements);
    add("ScatterND", LayoutKernels::scatterNd);
    add("Pad", LayoutKernels::pad);
    add("Slice", LayoutKernels::slice);
    add("Split", LayoutKernels::split);
    add("Tile", LayoutKernels::tile);
    add("DepthToSpace", (n, in) -> depthSpace(n, in, true));
    add("SpaceToDepth", (n, in) -> depthSpace(n, in, false));
    add("Trilu", LayoutKernels::trilu);
    add("ReverseSequence", LayoutKernels::reverseSequence);
    add("Compress", LayoutKernels::compress);
    add("Unique", LayoutKernels::unique);
    add("Resize", (n, in) -> new TensorData[] {LayoutResize.run(n, in)});
    add("Upsample", (n, in) -> new TensorData[] {LayoutResize.run(n, in)});
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

  static long[] arg(TensorData[] in, int i) {
    return i < in.length && in[i] != null ? in[i].toLongArray() : null;
  }

  /** Input i, or an error naming the node when a required input is missing. */
  static TensorData need(Node n, TensorData[] in, int i, String what) {
    if (i >= in.length || in[i] == null) {
      throw LayoutParams.error(n, "input " + i + " ('" + what + "') is required but missing");
    }
    return in[i];
  }

  /** Tables for viewing src (dims {@code in}) with per-output-axis source axes and index functions. */
  private static int[][] identityTables(long[] dims) {
    int[] st = LayoutIndexCopy.strides(dims);
    int[][] t = new int[dims.length][];
    for (int a = 0; a < dims.length; a++) {
      t[a] = new int[(int) dims[a]];
      for (int j = 0; j < t[a].length; j++) {
        t[a][j] = j * st[a];
      }
    }
    return t;
  }

  static TensorData transposeData(Node n, TensorData x, int[] p) {
    long[] in = x.dims();
    int[] st = LayoutIndexCopy.strides(in);
    long[] out = new long[in.length];
    int[][] t = new int[in.length][];
    for (int a = 0; a < p.length; a++) {
      out[a] = in[p[a]];
      t[a] = new int[(int) out[a]];
      for (int j = 0; j < t[a].length; j++) {
        t[a][j] = j * st[p[a]];
      }
    }
    return LayoutIndexCopy.run(x, out, t, null);
  }

  private static TensorData[] transpose(Node n, TensorData[] in) {
    return one(transposeData(n, in[0], LayoutParams.perm(n, in[0].rank())));
  }

  private static TensorData[] concat(Node n, TensorData[] in) {
    long[][] shapes = new long[in.length][];
    for (int i = 0; i < in.length; i++) {
      shapes[i] = in[i].dims();
      if (in[i].dtype() != in[0].dtype()) {
        throw LayoutParams.error(n, "input " + i + " is " + in[i].dtype().shortName() + ", expected " + in[0].dtype().shortName());
      }
    }
    int axis = LayoutParams.axis(n, n.attributes().getInt("axis", 0), shapes[0].length);
    long[] outDims = LayoutParams.concat(n, shapes, axis);
    TensorData out = TensorData.zeros(in[0].dtype(), outDims);
    int outer = (int) LayoutParams.product(outDims, 0, axis);
    int outBlock = (int) LayoutParams.product(outDims, axis, outDims.length);
    int off = 0;
    for (TensorData t : in) {
      int block = (int) LayoutParams.product(t.dims(), axis, outDims.length);
      Object s = t.array();
      for (int o = 0; o < outer; o++) {
        System.arraycopy(s, o * block, out.array(), o * outBlock + off, block);
      }
      off += block;
    }
    return one(out);
  }

  /** Expands x (dims right-aligned) to outDims by repeating broadcast axes. */
  static TensorData broadcastTo(TensorData x, long[] outDims) {
    long[] in = x.dims();
    int[] st = LayoutIndexCopy.strides(in);
    int shift = outDims.length - in.length;
    int[][] t = new int[outDims.length][];
    for (int a = 0; a < outDims.length; a++) {
      t[a] = new int[(int) outDims[a]];
      int ia = a - shift;
      if (ia < 0 || in[ia] == 1) {
        continue;
      }
      for (int j = 0; j < t[a].length; j++) {
        t[a][j] = j * st[ia];
      }
    }
    return LayoutIndexCopy.run(x, outDims, t, null);
  }

  private static TensorData[] expand(Node n, TensorData[] in) {
    long[] outDims = LayoutParams.expand(n, need(n, in, 0, "input").dims(), need(n, in, 1, "shape").toLongArray());
    if (Arrays.equals(outDims, in[0].dims())) {
      return one(in[0]);
    }
    return one(broadcastTo(in[0], outDims));
  }

  private static int index(Node n, long v, long dim, String what) {
    long i = v < 0 ? v + dim : v;
    if (i < 0 || i >= dim) {
      throw LayoutParams.error(n, what + " index " + v + " is out of range for extent " + dim);
    }
    return (int) i;
  }

  private static TensorData[] gather(Node n, TensorData[] in) {
    TensorData x = need(n, in, 0, "data");
    TensorData ind = need(n, in, 1, "indices");
    long[] d = x.dims();
    int axis = LayoutParams.axis(n, n.attributes().getInt("axis", 0), d.length);
    long[] id = ind.dims();
    long[] outDims = new long[d.length - 1 + id.length];
    int k = 0;
    for (int i = 0; i < axis; i++) {
      outDims[k++] = d[i];
    }
    for (long v : id) {
      outDims[k++] = v;
    }
    for (int i = axis + 1; i < d.length; i++) {
      outDims[k++] = d[i];
    }
    TensorData out = TensorData.zeros(x.dtype(), outDims);
    int outer = (int) LayoutParams.product(d, 0, axis);
    int ax = (int) d[axis];
    int inner = (int) LayoutParams.product(d, axis + 1, d.length);
    int cnt = ind.size();
    int[] idx = new int[cnt];
    for (int i = 0; i < cnt; i++) {
      idx[i] = index(n, ind.getLong(i), ax, "gather");
    }
    Object s = x.array();
    Object o = out.array();
    for (int b = 0; b < outer; b++) {
      for (int i = 0; i < cnt; i++) {
        System.arraycopy(s, (b * ax + idx[i]) * inner, o, (b * cnt + i) * inner, inner);
      }
    }
    return one(out);
  }

  private static TensorData[] gatherElements(Node n, TensorData[] in) {
    TensorData x = in[0];
    TensorData ind = in[1];
    long[] d = x.dims();
    long[] id = ind.dims();
    if (id.length != d.length) {
      throw LayoutParams.error(n, "indices have rank " + id.length + ", expected the data rank " + d.length);
    }
    int axis = LayoutParams.axis(n, n.attributes().getInt("axis", 0), d.length);
    TensorData out = TensorData.zeros(x.dtype(), id);
    int[] st = LayoutIndexCopy.strides(d);
    int[] pos = new int[id.length];
    for (int i = 0; i < ind.size(); i++) {
      int src = 0;
      for (int a = 0; a < d.length; a++) {
        int c = a == axis ? index(n, ind.getLong(i), d[a], "gather") : pos[a];
        src += c * st[a];
      }
      System.arraycopy(x.array(), src, out.array(), i, 1);
      for (int a = id.length - 1; a >= 0; a--) {
        if (++pos[a] < id[a]) {
          break;
        }
        pos[a] = 0;
      }
    }
    return one(out);
  }

  private static TensorData[] gatherNd(Node n, TensorData[] in) {
    TensorData x = in[0];
    TensorData ind = in[1];
    long[] d = x.dims();
    long[] id = ind.dims();
    int b = (int) n.attributes().getInt("batch_dims", 0);
    int last = (int) id[id.length - 1];
    if (b + last > d.length) {
      throw LayoutParams.error(n, "indices' last dim " + last + " plus batch_dims " + b + " exceeds the data rank " + d.length);
    }
    long[] outDims = new long[id.length - 1 + d.length - b - last];
    int k = 0;
    for (int i = 0; i < id.length - 1; i++) {
      outDims[k++] = id[i];
    }
    for (int i = b + last; i < d.length; i++) {
      outDims[k++] = d[i];
    }
    TensorData out = TensorData.zeros(x.dtype(), outDims);
    int batches = (int) LayoutParams.product(d, 0, b);
    int perBatchData = (int) LayoutParams.product(d, b, d.length);
    int tuples = (int) LayoutParams.product(id, b, id.length - 1);
    int slice = (int) LayoutParams.product(d, b + last, d.length);
    int[] st = LayoutIndexCopy.strides(Arrays.copyOfRange(d, b, d.length));
    int q = 0;
    for (int bb = 0; bb < batches; bb++) {
      for (int t = 0; t < tuples; t++) {
        int src = bb * perBatchData;
        int base = (bb * tuples + t) * last;
        for (int j = 0; j < last; j++) {
          src += index(n, ind.getLong(base + j), d[b + j], "gather") * st[j];
        }
        System.arraycopy(x.array(), src, out.array(), q, slice);
        q += slice;
      }
    }
    return one(out);
  }

  private static TensorData[] scatterElements(Node n, TensorData[] in) {
    TensorData x = in[0];
    TensorData ind = in[1];
    TensorData upd = in[2];
    long[] d = x.dims();
    long[] id = ind.dims();
    if (!Arrays.equals(id, upd.dims()) || id.length != d.length) {
      throw LayoutParams.error(n, "indices " + Arrays.toString(id) + " and updates " + Arrays.toString(upd.dims()) + " must have equal shapes of the data rank " + d.length);
    }
    int axis = LayoutParams.axis(n, n.attributes().getInt("axis", 0), d.length);
    String red = n.attributes().getString("reduction", "none");
    TensorData out = x.copy();
    int[] st = LayoutIndexCopy.strides(d);
    int[] pos = new int[id.length];
    for (int i = 0; i < ind.size(); i++) {
      int dst = 0;
      for (int a = 0; a < d.length; a++) {
        int c = a == axis ? index(n, ind.getLong(i), d[a], "scatter") : pos[a];
        dst += c * st[a];
      }
      if (red.equals("none")) {
        System.arraycopy(upd.array(), i, out.array(), dst, 1);
      } else {
        double a = out.getDouble(dst);
        double u = upd.getDouble(i);
        double r;
        switch (red) {
          case "add": r = a + u; break;
          case "mul": r = a * u; break;
          case "max": r = Math.max(a, u); break;
          case "min": r = Math.min(a, u); break;
          default: throw new io.offloadcl.ir.UnsupportedOperatorException("node '" + n.name() + "': reduction '" + red + "' is not supported");
        }
        if (out.dtype() == DType.INT64) {
          long la = out.getLong(dst);
          long lu = upd.getLong(i);
          out.longs()[dst] = red.equals("add") ? la + lu : red.equals("mul") ? la * lu : red.equals("max") ? Math.max(la, lu) : Math.min(la, lu);
        } else {
          out.setDouble(dst, r);
        }
      }
      for (int a = id.length - 1; a >= 0; a--) {
        if (++pos[a] < id[a]) {
          break;
        }
        pos[a] = 0;
      }
    }
    return one(out);
  }

  private static TensorData[] scatterNd(Node n, TensorData[] in) {
    TensorData x = in[0];
    TensorData ind = in[1];
    TensorData upd = in[2];
    long[] d = x.dims();
    long[] id = ind.dims();
    int k = (int) id[id.length - 1];
    if (k > d.length) {
      throw LayoutParams.error(n, "indices' last dim " + k + " exceeds the data rank " + d.length);
    }
    String red = n.attributes().getString("reduction", "none");
    TensorData out = x.copy();
    int[] st = LayoutIndexCopy.strides(d);
    int slice = (int) LayoutParams.product(d, k, d.length);
    int tuples = k == 0 ? ind.size() : ind.size() / k;
    if ((long) tuples * slice != upd.size()) {
      throw LayoutParams.error(n, "updates have " + upd.size() + " elements, expected " + (long) tuples * slice);
    }
    for (int t = 0; t < tuples; t++) {
      int dst = 0;
      for (int j = 0; j < k; j++) {
        dst += index(n, ind.getLong(t * k + j), d[j], "scatter") * st[j];
      }
      if (red.equals("none")) {
        System.arraycopy(upd.array(), t * slice, out.array(), dst, slice);
        continue;
      }
      for (int i = 0; i < slice; i++) {
        double a = out.getDouble(dst + i);
        double u = upd.getDouble(t * slice + i);
        double r;
        switch (red) {
          case "add": r = a + u; break;
          case "mul": r = a * u; break;
          case "max": r = Math.max(a, u); break;
          case "min": r = Math.min(a, u); break;
          default: throw new io.offloadcl.ir.UnsupportedOperatorException("node '" + n.name() + "': reduction '" + red + "' is not supported");
        }
        out.setDouble(dst + i, r);
      }
    }
    return one(out);
  }

  private static TensorData[] pad(Node n, TensorData[] in) {
    TensorData x = in[0];
    long[] d = x.dims();
    String mode = n.attributes().getString("mode", "constant");
    long[] pads;
    long[] axes = null;
    TensorData value;
    if (n.opsetVersion() < 11) {
      pads = n.attributes().getInts("pads", n.attributes().getInts("paddings", null));
      value = TensorData.scalarFloat(n.attributes().getFloat("value", 0f));
    } else {
      pads = arg(in, 1);
      value = in.length > 2 ? in[2] : null;
      axes = arg(in, 3);
    }
    if (pads == null) {
      throw LayoutParams.error(n, "pads are required");
    }
    long[] full = LayoutParams.pads(n, d.length, pads, axes);
    long[] outDims = LayoutParams.padded(n, d, full);
    int rank = d.length;
    int[] st = LayoutIndexCopy.strides(d);
    int[][] t = new int[rank][];
    for (int a = 0; a < rank; a++) {
      t[a] = new int[(int) outDims[a]];
      long len = d[a];
      for (int j = 0; j < t[a].length; j++) {
        long s = j - full[a];
        if (s < 0 || s >= len) {
          if (mode.equals("constant") || len == 0) {
            if (len == 0 && !mode.equals("constant")) {
              throw LayoutParams.error(n, "cannot pad an empty axis " + a + " in mode " + mode);
            }
            t[a][j] = -1;
            continue;
          }
          switch (mode) {
            case "edge":
              s = s < 0 ? 0 : len - 1;
              break;
            case "wrap":
              s = Math.floorMod(s, len);
              break;
            case "reflect":
              if (len == 1) {
                s = 0;
              } else {
                long period = 2 * (len - 1);
                s = Math.floorMod(s, period);
                if (s >= len) {
                  s = period - s;
                }
              }
              break;
            default:
              throw new io.offloadcl.ir.UnsupportedOperatorException("node '" + n.name() + "' (Pad): mode '" + mode + "' is not supported");
          }
        }
        t[a][j] = (int) s * st[a];
      }
    }
    TensorData fill = mode.equals("constant") ? LayoutIndexCopy.scalarOf(x.dtype(), value) : null;
    return one(LayoutIndexCopy.run(x, outDims, t, fill));
  }

  private static TensorData[] slice(Node n, TensorData[] in) {
    TensorData x = in[0];
    long[] d = x.dims();
    LayoutParams.SliceSpec s;
    if (n.opsetVersion() < 10) {
      s = LayoutParams.slice(n, d, n.attributes().getInts("starts", new long[0]), n.attributes().getInts("ends", new long[0]),
          n.attributes().getInts("axes", null), null);
    } else {
      s = LayoutParams.slice(n, d, need(n, in, 1, "starts").toLongArray(), need(n, in, 2, "ends").toLongArray(), arg(in, 3), arg(in, 4));
    }
    int[] st = LayoutIndexCopy.strides(d);
    int[][] t = new int[d.length][];
    for (int a = 0; a < d.length; a++) {
      t[a] = new int[(int) s.count[a]];
      for (int j = 0; j < t[a].length; j++) {
        t[a][j] = (int) (s.start[a] + j * s.step[a]) * st[a];
      }
    }
    return one(LayoutIndexCopy.run(x, s.count, t, null));
  }

  private static TensorData[] split(Node n, TensorData[] in) {
    TensorData x = in[0];
    long[] d = x.dims();
    int axis = LayoutParams.axis(n, n.attributes().getInt("axis", 0), d.length);
    long[] split = n.opsetVersion() < 13 ? n.attributes().getInts("split", null) : arg(in, 1);
    int nOut = n.outputs().size();
    long[] sizes = LayoutParams.split(n, d[axis], split, nOut);
    int outer = (int) LayoutParams.product(d, 0, axis);
    int inner = (int) LayoutParams.product(d, axis + 1, d.length);
    int ax = (int) d[axis];
    TensorData[] outs = new TensorData[nOut];
    int off = 0;
    for (int k = 0; k < nOut; k++) {
      long[] od = d.clone();
      od[axis] = sizes[k];
      TensorData o = TensorData.zeros(x.dtype(), od);
      int block = (int) sizes[k] * inner;
      for (int b = 0; b < outer; b++) {
        System.arraycopy(x.array(), (b * ax + off) * inner, o.array(), b * block, block);
      }
      off += (int) sizes[k];
      outs[k] = o;
    }
    return outs;
  }

  private static TensorData[] tile(Node n, TensorData[] in) {
    TensorData x = in[0];
    long[] d = x.dims();
    long[] outDims = LayoutParams.tile(n, d, need(n, in, 1, "repeats").toLongArray());
    int[] st = LayoutIndexCopy.strides(d);
    int[][] t = new int[d.length][];
    for (int a = 0; a < d.length; a++) {
      t[a] = new int[(int) outDims[a]];
      for (int j = 0; j < t[a].length; j++) {
        t[a][j] = (int) (j % d[a]) * st[a];
      }
    }
    return one(LayoutIndexCopy.run(x, outDims, t, null));
  }

  private static TensorData[] depthSpace(Node n, TensorData[] in, boolean toSpace) {
    TensorData x = in[0];
    long[] d = x.dims();
    if (d.length != 4) {
      throw LayoutParams.error(n, "input has rank " + d.length + ", expected 4 (NCHW)");
    }
    long b = n.attributes().getInt("blocksize", 0);
    if (b <= 0) {
      throw LayoutParams.error(n, "attribute 'blocksize' must be positive, got " + b);
    }
    long nn = d[0];
    long c = d[1];
    long h = d[2];
    long w = d[3];
    if (toSpace) {
      if (c % (b * b) != 0) {
        throw LayoutParams.error(n, "channels " + c + " are not divisible by blocksize² = " + b * b);
      }
      long oc = c / (b * b);
      boolean crd = "CRD".equals(n.attributes().getString("mode", "DCR"));
      TensorData v = crd ? x.reshape(nn, oc, b, b, h, w) : x.reshape(nn, b, b, oc, h, w);
      int[] p = crd ? new int[] {0, 1, 4, 2, 5, 3} : new int[] {0, 3, 4, 1, 5, 2};
      return one(transposeData(n, v, p).reshape(nn, oc, h * b, w * b));
    }
    if (h % b != 0 || w % b != 0) {
      throw LayoutParams.error(n, "spatial extents " + h + "x" + w + " are not divisible by blocksize " + b);
    }
    TensorData v = x.reshape(nn, c, h / b, b, w / b, b);
    return one(transposeData(n, v, new int[] {0, 3, 5, 1, 2, 4}).reshape(nn, c * b * b, h / b, w / b));
  }

  private static TensorData[] compress(Node n, TensorData[] in) {
    TensorData x = in[0];
    TensorData cond = in[1];
    boolean flat = !n.attributes().has("axis");
    long[] d = flat ? new long[] {x.size()} : x.dims();
    int axis = flat ? 0 : LayoutParams.axis(n, n.attributes().getInt("axis", 0), d.length);
    if (cond.size() > d[axis]) {
      throw LayoutParams.error(n, "condition has " + cond.size() + " entries; axis " + axis + " has extent " + d[axis]);
    }
    int[] st = LayoutIndexCopy.strides(d);
    int[][] t = new int[d.length][];
    long[] out = d.clone();
    for (int a = 0; a < d.length; a++) {
      if (a == axis) {
        int[] keep = new int[cond.size()];
        int k = 0;
        for (int i = 0; i < cond.size(); i++) {
          if (cond.getDouble(i) != 0) {
            keep[k++] = i * st[a];
          }
        }
        t[a] = Arrays.copyOf(keep, k);
        out[a] = k;
      } else {
        t[a] = new int[(int) d[a]];
        for (int j = 0; j < t[a].length; j++) {
          t[a][j] = j * st[a];
        }
      }
    }
    return one(LayoutIndexCopy.run(flat ? x.reshape(d) : x, out, t, null));
  }

  /**
   * Unique values (or slices along an axis): slices are compared element by element in row-major order, which
   * is the lexicographic order the ONNX reference sorts by.
   */
  private static TensorData[] unique(Node n, TensorData[] in) {
    TensorData x = in[0];
    boolean flat = !n.attributes().has("axis");
    long[] d = flat ? new long[] {x.size()} : x.dims();
    int axis = flat ? 0 : LayoutParams.axis(n, n.attributes().getInt("axis", 0), d.length);
    int len = (int) d[axis];
    int outer = (int) LayoutParams.product(d, 0, axis);
    int inner = (int) LayoutParams.product(d, axis + 1, d.length);
    java.util.List<java.util.List<Comparable<?>>> keys = new java.util.ArrayList<>();
    for (int i = 0; i < len; i++) {
      java.util.List<Comparable<?>> k = new java.util.ArrayList<>(outer * inner);
      for (int o = 0; o < outer; o++) {
        for (int j = 0; j < inner; j++) {
          int e = (o * len + i) * inner + j;
          k.add(x.dtype() == DType.STRING ? x.strings()[e] : x.dtype().isFloating() ? (Comparable<?>) x.getDouble(e) : (Comparable<?>) x.getLong(e));
        }
      }
      keys.add(k);
    }
    java.util.Map<java.util.List<Comparable<?>>, Integer> first = new java.util.LinkedHashMap<>();
    for (int i = 0; i < len; i++) {
      first.putIfAbsent(keys.get(i), i);
    }
    java.util.List<Integer> order = new java.util.ArrayList<>(first.values());
    if (n.attributes().getInt("sorted", 1) != 0) {
      order.sort((a, b) -> compareKeys(keys.get(a), keys.get(b)));
    }
    java.util.Map<java.util.List<Comparable<?>>, Integer> slot = new java.util.HashMap<>();
    for (int u = 0; u < order.size(); u++) {
      slot.put(keys.get(order.get(u)), u);
    }
    int m = order.size();
    long[] indices = new long[m];
    long[] counts = new long[m];
    long[] inverse = new long[len];
    for (int u = 0; u < m; u++) {
      indices[u] = order.get(u);
    }
    for (int i = 0; i < len; i++) {
      int u = slot.get(keys.get(i));
      inverse[i] = u;
      counts[u]++;
    }
    int[] st = LayoutIndexCopy.strides(d);
    int[][] t = new int[d.length][];
    long[] out = d.clone();
    out[axis] = m;
    for (int a = 0; a < d.length; a++) {
      t[a] = new int[(int) out[a]];
      for (int j = 0; j < t[a].length; j++) {
        t[a][j] = (a == axis ? order.get(j) : j) * st[a];
      }
    }
    TensorData y = LayoutIndexCopy.run(flat ? x.reshape(d) : x, out, t, null);
    return new TensorData[] {y, TensorData.ofLongs(new long[] {m}, indices), TensorData.ofLongs(new long[] {len}, inverse),
        TensorData.ofLongs(new long[] {m}, counts)};
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compareKeys(java.util.List<Comparable<?>> a, java.util.List<Comparable<?>> b) {
    for (int i = 0; i < a.size(); i++) {
      int c = ((Comparable) a.get(i)).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private static TensorData[] reverseSequence(Node n, TensorData[] in) {
    TensorData x = in[0];
    long[] d = x.dims();
    if (d.length < 2) {
      throw LayoutParams.error(n, "input has rank " + d.length + ", expected at least 2");
    }
    int batchAxis = LayoutParams.axis(n, n.attributes().getInt("batch_axis", 1), d.length);
    int timeAxis = LayoutParams.axis(n, n.attributes().getInt("time_axis", 0), d.length);
    long[] lens = in[1].toLongArray();
    if (lens.length != d[batchAxis]) {
      throw LayoutParams.error(n, "sequence_lens has " + lens.length + " entries; the batch axis has extent " + d[batchAxis]);
    }
    TensorData out = x.copy();
    int[] st = LayoutIndexCopy.strides(d);
    int[] pos = new int[d.length];
    for (int i = 0; i < x.size(); i++) {
      long len = Math.min(lens[pos[batchAxis]], d[timeAxis]);
      int tpos = pos[timeAxis];
      if (tpos < len) {
        int src = i + (int) (len - 1 - 2L * tpos) * st[timeAxis];
        System.arraycopy(x.array(), src, out.array(), i, 1);
      }
      for (int a = d.length - 1; a >= 0; a--) {
        if (++pos[a] < d[a]) {
          break;
        }
        pos[a] = 0;
      }
    }
    return one(out);
  }

  private static TensorData[] trilu(Node n, TensorData[] in) {
    TensorData x = in[0];
    long[] d = x.dims();
    if (d.length < 2) {
      throw LayoutParams.error(n, "input has rank " + d.length + ", expected at least 2");
    }
    long k = in.length > 1 && in[1] != null ? in[1].getLong(0) : 0;
    boolean upper = n.attributes().getInt("upper", 1) != 0;
    TensorData out = x.copy();
    int rows = (int) d[d.length - 2];
    int cols = (int) d[d.length - 1];
    int mats = rows * cols == 0 ? 0 : x.size() / (rows * cols);
    TensorData zero = TensorData.zeros(x.dtype());
    for (int m = 0; m < mats; m++) {
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          boolean keep = upper ? j - i >= k : j - i <= k;
          if (!keep) {
            System.arraycopy(zero.array(), 0, out.array(), (m * rows + i) * cols + j, 1);
          }
        }
      }
    }
    return one(out);
  }
}
