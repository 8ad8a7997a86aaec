package io.offloadcl.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.ShapeInference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The NN reference kernels against naive direct loops written here, independently of the optimized kernels,
 * on graphs built in code and run by the {@link ReferenceExecutor}.
 */
class NnKernelsTest {
  private final Random rnd = new Random(42);

  // ------------------------------------------------------------------ graph helpers

  private TensorData randomFloats(long... dims) {
    float[] v = new float[(int) TensorData.count(dims)];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextFloat() * 2 - 1;
    }
    return TensorData.ofFloats(dims, v);
  }

  private TensorData randomDoubles(long... dims) {
    double[] v = new double[(int) TensorData.count(dims)];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextDouble() * 2 - 1;
    }
    return TensorData.wrap(DType.FLOAT64, dims, v);
  }

  /**
   * Runs one node whose first input is a graph input and the others constants (null = omitted); returns every
   * output.
   */
  private static TensorData[] run(String op, int opset, Attributes attrs, int outputs, TensorData... inputs) {
    Graph g = new Graph("t");
    g.opsetImports().put("", opset);
    List<Value> ins = new ArrayList<>();
    Map<String, TensorData> feed = new LinkedHashMap<>();
    for (int i = 0; i < inputs.length; i++) {
      if (inputs[i] == null) {
        ins.add(null);
      } else if (i == 0) {
        ins.add(g.addInput("in0", inputs[0].type()));
        feed.put("in0", inputs[0]);
      } else {
        ins.add(g.addConstant("in" + i, inputs[i]));
      }
    }
    List<String> outs = new ArrayList<>();
    for (int i = 0; i < outputs; i++) {
      outs.add("out" + i);
    }
    Node n = g.addNode(op, "n0", ins, outs, attrs);
    for (Value o : n.outputs()) {
      g.addOutput(o);
    }
    ShapeInference.run(g);
    Map<String, TensorData> r = new ReferenceExecutor(g).run(feed);
    TensorData[] res = new TensorData[outputs];
    for (int i = 0; i < outputs; i++) {
      res[i] = r.get("out" + i);
      // static inference must agree with what the kernel produced
      assertEquals(n.output(i).type().shape(), res[i].shape(), "inferred shape of output " + i);
      assertEquals(n.output(i).type().dtype(), res[i].dtype());
    }
    return res;
  }

  private static void assertClose(double[] want, TensorData got, double tol) {
    assertEquals(want.length, got.size(), "element count");
    for (int i = 0; i < want.length; i++) {
      double g = got.getDouble(i);
      double err = Math.abs(g - want[i]);
      assertTrue(err <= tol * (1 + Math.abs(want[i])), "element " + i + ": expected " + want[i] + ", got " + g);
    }
  }

  // ------------------------------------------------------------------ oracles (naive loops)

  /** Output extent for explicit pads (floor) or, with ceil, the pool rule dropping a window starting in padding. */
  private static int outExtent(int in, int k, int s, int d, int pb, int pe, boolean ceil) {
    int dk = (k - 1) * d + 1;
    int span = in + pb + pe - dk;
    if (!ceil) {
      return span / s + 1;
    }
    int o = (span + s - 1) / s + 1;
    if ((o - 1) * s >= in + pb) {
      o--;
    }
    return o;
  }

  /** Naive Conv over 3 spatial axes (lower-rank cases pass extents of 1). */
  private static double[] naiveConv(TensorData x, int[] in, TensorData w, int[] k, double[] bias, int n, int c, int m,
      int group, int[] s, int[] d, int[] pb, int[] pe, int[] outDims) {
    int[] o = new int[3];
    for (int i = 0; i < 3; i++) {
      o[i] = outExtent(in[i], k[i], s[i], d[i], pb[i], pe[i], false);
    }
    System.arraycopy(o, 0, outDims, 0, 3);
    int cg = c / group;
    int mg = m / group;
    double[] y = new double[n * m * o[0] * o[1] * o[2]];
    int yi = 0;
    for (int b = 0; b < n; b++) {
      for (int oc = 0; oc < m; oc++) {
        int grp = oc / mg;
        for (int z = 0; z < o[0]; z++) {
          for (int yy = 0; yy < o[1]; yy++) {
            for (int xx = 0; xx < o[2]; xx++) {
              double acc = bias == null ? 0 : bias[oc];
              for (int ci = 0; ci < cg; ci++) {
                int ic = grp * cg + ci;
                for (int kz = 0; kz < k[0]; kz++) {
                  for (int ky = 0; ky < k[1]; ky++) {
                    for (int kx = 0; kx < k[2]; kx++) {
                      int iz = z * s[0] - pb[0] + kz * d[0];
                      int iy = yy * s[1] - pb[1] + ky * d[1];
                      int ix = xx * s[2] - pb[2] + kx * d[2];
                      if (iz < 0 || iy < 0 || ix < 0 || iz >= in[0] || iy >= in[1] || ix >= in[2]) {
                        continue;
                      }
                      double xv = x.getDouble((((b * c + ic) * in[0] + iz) * in[1] + iy) * in[2] + ix);
                      double wv = w.getDouble((((oc * cg + ci) * k[0] + kz) * k[1] + ky) * k[2] + kx);
                      acc += xv * wv;
                    }
                  }
                }
              }
              y[yi++] = acc;
            }
          }
        }
      }
    }
    return y;
  }

  private void checkConv2d(int n, int c, int h, int wd, int m, int group, int kh, int kw, int[] strides, int[] dil,
      int[] pads, boolean bias) {
    TensorData x = randomFloats(n, c, h, wd);
    TensorData w = randomFloats(m, c / group, kh, kw);
    TensorData b = bias ? randomFloats(m) : null;
    Attributes a = new Attributes().setInt("group", group).setInts("strides", strides[0], strides[1])
        .setInts("dilations", dil[0], dil[1]).setInts("pads", pads[0], pads[1], pads[2], pads[3]);
    TensorData y = run("Conv", 17, a, 1, x, w, b)[0];
    int[] od = new int[3];
    double[] want = naiveConv(x, new int[] {1, h, wd}, w, new int[] {1, kh, kw}, bias ? toDoubles(b) : null, n, c, m,
        group, new int[] {1, strides[0], strides[1]}, new int[] {1, dil[0], dil[1]},
        new int[] {0, pads[0], pads[1]}, new int[] {0, pads[2], pads[3]}, od);
    assertArrayEquals(new long[] {n, m, od[1], od[2]}, y.dims());
    assertClose(want, y, 1e-4);
  }

  private static double[] toDoubles(TensorData t) {
    double[] r = new double[t.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = t.getDouble(i);
    }
    return r;
  }

  // ------------------------------------------------------------------ Conv

  @Test
  void conv2dOddSizesPaddingStridesDilations() {
    checkConv2d(1, 3, 17, 17, 5, 1, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1, 1, 1}, true);
    checkConv2d(2, 3, 17, 13, 4, 1, 3, 5, new int[] {2, 3}, new int[] {1, 1}, new int[] {0, 2, 1, 0}, false);
    checkConv2d(1, 1, 1, 1, 1, 1, 1, 1, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0, 0, 0}, true);
    checkConv2d(1, 2, 9, 11, 3, 1, 3, 3, new int[] {1, 2}, new int[] {2, 3}, new int[] {2, 1, 2, 3}, true);
    // large enough to take several column chunks and the parallel split
    checkConv2d(1, 16, 33, 35, 32, 1, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1, 1, 1}, true);
  }

  @Test
  void conv2dGroupsAndDepthwise() {
    checkConv2d(1, 4, 7, 9, 6, 2, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1, 1, 1}, true);
    checkConv2d(2, 6, 17, 5, 6, 6, 3, 3, new int[] {2, 1}, new int[] {1, 1}, new int[] {1, 0, 1, 2}, false);
    // depthwise with channel multiplier 2
    checkConv2d(1, 3, 8, 8, 6, 3, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1, 1, 1}, true);
  }

  @Test
  void conv2dPointwiseSkipsUnrolling() {
    checkConv2d(2, 17, 5, 7, 3, 1, 1, 1, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0, 0, 0}, true);
    checkConv2d(1, 8, 9, 9, 4, 2, 1, 1, new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0, 0, 0}, false);
  }

  @Test
  void conv1dAnd3d() {
    TensorData x = randomFloats(2, 3, 17);
    TensorData w = randomFloats(4, 3, 3);
    TensorData y = run("Conv", 11, new Attributes().setInts("pads", 1, 2).setInts("strides", 2), 1, x, w)[0];
    int[] od = new int[3];
    double[] want = naiveConv(x, new int[] {1, 1, 17}, w, new int[] {1, 1, 3}, null, 2, 3, 4, 1, new int[] {1, 1, 2},
        new int[] {1, 1, 1}, new int[] {0, 0, 1}, new int[] {0, 0, 2}, od);
    assertArrayEquals(new long[] {2, 4, od[2]}, y.dims());
    assertClose(want, y, 1e-4);

    TensorData x3 = randomFloats(1, 2, 5, 6, 7);
    TensorData w3 = randomFloats(3, 2, 2, 3, 3);
    TensorData b3 = randomFloats(3);
    TensorData y3 = run("Conv", 11, new Attributes().setInts("pads", 1, 0, 1, 0, 1, 1).setInts("dilations", 1, 2, 1),
        1, x3, w3, b3)[0];
    double[] want3 = naiveConv(x3, new int[] {5, 6, 7}, w3, new int[] {2, 3, 3}, toDoubles(b3), 1, 2, 3, 1,
        new int[] {1, 1, 1}, new int[] {1, 2, 1}, new int[] {1, 0, 1}, new int[] {0, 1, 1}, od);
    assertArrayEquals(new long[] {1, 3, od[0], od[1], od[2]}, y3.dims());
    assertClose(want3, y3, 1e-4);
  }

  @Test
  void convAutoPadModes() {
    TensorData x = randomFloats(1, 2, 7, 8);
    TensorData w = randomFloats(3, 2, 3, 4);
    for (String mode : new String[] {"SAME_UPPER", "SAME_LOWER", "VALID"}) {
      TensorData y = run("Conv", 17, new Attributes().setString("auto_pad", mode).setInts("strides", 2, 3), 1, x, w)[0];
      int[] pb = new int[3];
      int[] pe = new int[3];
      int[] in = {1, 7, 8};
      int[] k = {1, 3, 4};
      int[] s = {1, 2, 3};
      for (int i = 1; i < 3 && !mode.equals("VALID"); i++) {
        int out = (in[i] + s[i] - 1) / s[i];
        int total = Math.max(0, (out - 1) * s[i] + k[i] - in[i]);
        pb[i] = mode.equals("SAME_UPPER") ? total / 2 : total - total / 2;
        pe[i] = total - pb[i];
      }
      int[] od = new int[3];
      double[] want = naiveConv(x, in, w, k, null, 1, 2, 3, 1, s, new int[] {1, 1, 1}, pb, pe, od);
      if (!mode.equals("VALID")) {
        assertEquals(4, od[1], mode);
        assertEquals(3, od[2], mode);
      }
      assertArrayEquals(new long[] {1, 3, od[1], od[2]}, y.dims(), mode);
      assertClose(want, y, 1e-4);
    }
  }

  @Test
  void convFloat64UsesDirectPath() {
    TensorData x = randomDoubles(1, 4, 6, 5);
    TensorData w = randomDoubles(2, 2, 3, 3);
    TensorData b = randomDoubles(2);
    TensorData y = run("Conv", 17, new Attributes().setInt("group", 2).setInts("pads", 1, 1, 1, 1), 1, x, w, b)[0];
    assertEquals(DType.FLOAT64, y.dtype());
    int[] od = new int[3];
    double[] want = naiveConv(x, new int[] {1, 6, 5}, w, new int[] {1, 3, 3}, toDoubles(b), 1, 4, 2, 2,
        new int[] {1, 1, 1}, new int[] {1, 1, 1}, new int[] {0, 1, 1}, new int[] {0, 1, 1}, od);
    assertClose(want, y, 1e-12);
  }

  @Test
  void convChannelMismatchNamesNode() {
    TensorData x = randomFloats(1, 4, 5, 5);
    TensorData w = randomFloats(2, 3, 3, 3);
    ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
        () -> run("Conv", 17, new Attributes(), 1, x, w));
    assertTrue(e.getMessage().contains("'n0'") && e.getMessage().contains("4") && e.getMessage().contains("3"),
        e.getMessage());
  }

  // ------------------------------------------------------------------ ConvTranspose

  /** Naive 2-d transposed convolution by scattering, with explicit begin pads and output extents. */
  private static double[] naiveConvTranspose2d(TensorData x, int n, int c, int h, int wd, TensorData w, int mg,
      int group, int kh, int kw, int[] s, int[] d, int[] pb, int oh, int ow, double[] bias) {
    int m = mg * group;
    int cg = c / group;
    double[] y = new double[n * m * oh * ow];
    for (int b = 0; b < n; b++) {
      for (int oc = 0; oc < m; oc++) {
        for (int i = 0; i < oh * ow; i++) {
          y[(b * m + oc) * oh * ow + i] = bias == null ? 0 : bias[oc];
        }
      }
      for (int ic = 0; ic < c; ic++) {
        int grp = ic / cg;
        for (int iy = 0; iy < h; iy++) {
          for (int ix = 0; ix < wd; ix++) {
            double xv = x.getDouble(((b * c + ic) * h + iy) * wd + ix);
            for (int o = 0; o < mg; o++) {
              int oc = grp * mg + o;
              for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                  int oy = iy * s[0] - pb[0] + ky * d[0];
                  int ox = ix * s[1] - pb[1] + kx * d[1];
                  if (oy < 0 || ox < 0 || oy >= oh || ox >= ow) {
                    continue;
                  }
                  y[((b * m + oc) * oh + oy) * ow + ox] += xv * w.getDouble(((ic * mg + o) * kh + ky) * kw + kx);
                }
              }
            }
          }
        }
      }
    }
    return y;
  }

  @Test
  void convTransposeStridesPadsOutputPaddingGroups() {
    TensorData x = randomFloats(2, 4, 3, 5);
    TensorData w = randomFloats(4, 3, 3, 2);
    TensorData b = randomFloats(6);
    Attributes a = new Attributes().setInt("group", 2).setInts("strides", 2, 3).setInts("pads", 1, 0, 0, 1)
        .setInts("output_padding", 1, 2).setInts("dilations", 1, 2);
    TensorData y = run("ConvTranspose", 17, a, 1, x, w, b)[0];
    // out = s*(in-1) + output_padding + (k-1)*d+1 - pb - pe
    int oh = 2 * 2 + 1 + 3 - 1 - 0;
    int ow = 3 * 4 + 2 + 3 - 0 - 1;
    assertArrayEquals(new long[] {2, 6, oh, ow}, y.dims());
    double[] want = naiveConvTranspose2d(x, 2, 4, 3, 5, w, 3, 2, 3, 2, new int[] {2, 3}, new int[] {1, 2},
        new int[] {1, 0}, oh, ow, toDoubles(b));
    assertClose(want, y, 1e-4);
  }

  @Test
  void convTransposeFloat64MatchesFloatPath() {
    TensorData x = randomDoubles(1, 6, 4, 3);
    TensorData w = randomDoubles(6, 2, 2, 3);
    TensorData b = randomDoubles(6);
    Attributes a = new Attributes().setInt("group", 3).setInts("strides", 1, 2).setInts("pads", 0, 1, 1, 0);
    TensorData y = run("ConvTranspose", 17, a, 1, x, w, b)[0];
    assertEquals(DType.FLOAT64, y.dtype());
    int oh = 3 + 2 - 0 - 1;
    int ow = 2 * 2 + 3 - 1 - 0;
    assertArrayEquals(new long[] {1, 6, oh, ow}, y.dims());
    double[] want = naiveConvTranspose2d(x, 1, 6, 4, 3, w, 2, 3, 2, 3, new int[] {1, 2}, new int[] {1, 1},
        new int[] {0, 1}, oh, ow, toDoubles(b));
    assertClose(want, y, 1e-12);
  }

  @Test
  void convTransposeOutputShapeAndAutoPad() {
    TensorData x = randomFloats(1, 1, 3, 3);
    TensorData w = randomFloats(1, 2, 3, 3);
    // output_shape 10x8 with strides 3x2: total padding = 3*2+0+3-10 = -1 and 2*2+3-8 = -1; split with floor
    // division (begin -1 - floor(-1/2) = 0, end -1) the extra row and column go to the end
    TensorData y = run("ConvTranspose", 17, new Attributes().setInts("strides", 3, 2).setInts("output_shape", 10, 8),
        1, x, w)[0];
    assertArrayEquals(new long[] {1, 2, 10, 8}, y.dims());
    double[] want = naiveConvTranspose2d(x, 1, 1, 3, 3, w, 2, 1, 3, 3, new int[] {3, 2}, new int[] {1, 1},
        new int[] {0, 0}, 10, 8, null);
    assertClose(want, y, 1e-4);

    TensorData y2 = run("ConvTranspose", 17, new Attributes().setInts("strides", 2, 2).setString("auto_pad", "SAME_UPPER"),
        1, x, w)[0];
    assertArrayEquals(new long[] {1, 2, 6, 6}, y2.dims());
    // full = 2*2+3 = 7, total pad 1: SAME_UPPER puts it at the end
    double[] want2 = naiveConvTranspose2d(x, 1, 1, 3, 3, w, 2, 1, 3, 3, new int[] {2, 2}, new int[] {1, 1},
        new int[] {0, 0}, 6, 6, null);
    assertClose(want2, y2, 1e-4);
  }

  // ------------------------------------------------------------------ pools

  private static double[] naivePool2d(TensorData x, int n, int c, int h, int w, int kh, int kw, int[] s, int[] d,
      int[] pb, int[] pe, boolean ceil, boolean max, boolean includePad, int[] outDims, long[] argmax) {
    int oh = outExtent(h, kh, s[0], d[0], pb[0], pe[0], ceil);
    int ow = outExtent(w, kw, s[1], d[1], pb[1], pe[1], ceil);
    outDims[0] = oh;
    outDims[1] = ow;
    double[] y = new double[n * c * oh * ow];
    int yi = 0;
    for (int p = 0; p < n * c; p++) {
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++) {
          double acc = max ? Double.NEGATIVE_INFINITY : 0;
          int cnt = 0;
          int padCnt = 0;
          long arg = -1;
          for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
              int iy = oy * s[0] - pb[0] + ky * d[0];
              int ix = ox * s[1] - pb[1] + kx * d[1];
              if (iy >= -pb[0] && iy < h + pe[0] && ix >= -pb[1] && ix < w + pe[1]) {
                padCnt++;
              }
              if (iy < 0 || ix < 0 || iy >= h || ix >= w) {
                continue;
              }
              double v = x.getDouble((p * h + iy) * w + ix);
              if (max) {
                if (v > acc) {
                  acc = v;
                  arg = (long) (p * h + iy) * w + ix;
                }
              } else {
                acc += v;
              }
              cnt++;
            }
          }
          if (argmax != null) {
            argmax[yi] = arg;
          }
          y[yi++] = max ? acc : acc / (includePad ? padCnt : cnt);
        }
      }
    }
    return y;
  }

  private void checkPool2d(String op, int n, int c, int h, int w, int kh, int kw, int[] s, int[] d, int[] pads,
      boolean ceil, boolean includePad) {
    TensorData x = randomFloats(n, c, h, w);
    Attributes a = new Attributes().setInts("kernel_shape", kh, kw).setInts("strides", s[0], s[1])
        .setInts("pads", pads[0], pads[1], pads[2], pads[3]).setInt("ceil_mode", ceil ? 1 : 0);
    if (d[0] != 1 || d[1] != 1) {
      a.setInts("dilations", d[0], d[1]);
    }
    boolean max = op.equals("MaxPool");
    if (!max) {
      a.setInt("count_include_pad", includePad ? 1 : 0);
    }
    TensorData y = run(op, 19, a, 1, x)[0];
    int[] od = new int[2];
    double[] want = naivePool2d(x, n, c, h, w, kh, kw, s, d, new int[] {pads[0], pads[1]}, new int[] {pads[2], pads[3]},
        ceil, max, includePad, od, null);
    assertArrayEquals(new long[] {n, c, od[0], od[1]}, y.dims(), op);
    assertClose(want, y, 1e-5);
  }

  @Test
  void maxPoolVariants() {
    checkPool2d("MaxPool", 1, 3, 17, 17, 3, 3, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1, 1, 1}, false, false);
    checkPool2d("MaxPool", 2, 1, 5, 6, 2, 3, new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0, 0, 0}, true, false);
    checkPool2d("MaxPool", 1, 2, 9, 7, 2, 2, new int[] {1, 2}, new int[] {2, 3}, new int[] {1, 0, 0, 1}, false, false);
    checkPool2d("MaxPool", 1, 1, 1, 1, 1, 1, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0, 0, 0}, false, false);
    checkPool2d("MaxPool", 1, 2, 6, 6, 3, 3, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1, 1, 1}, true, false);
  }

  @Test
  void averagePoolVariants() {
    checkPool2d("AveragePool", 1, 3, 17, 17, 3, 3, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1, 1, 1}, false,
        false);
    checkPool2d("AveragePool", 1, 3, 17, 17, 3, 3, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1, 1, 1}, false,
        true);
    checkPool2d("AveragePool", 2, 1, 5, 6, 2, 3, new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0, 0, 0}, true,
        true);
    checkPool2d("AveragePool", 1, 2, 6, 6, 3, 3, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1, 1, 1}, true,
        true);
    checkPool2d("AveragePool", 1, 2, 9, 8, 2, 2, new int[] {2, 1}, new int[] {2, 2}, new int[] {1, 0, 1, 1}, true,
        false);
  }

  @Test
  void poolSameUpperMatchesExplicitPads() {
    TensorData x = randomFloats(1, 2, 5, 5);
    Attributes a = new Attributes().setInts("kernel_shape", 3, 3).setInts("strides", 2, 2)
        .setString("auto_pad", "SAME_UPPER");
    TensorData y = run("AveragePool", 11, a, 1, x)[0];
    // out = ceil(5/2) = 3, total pad = 2*2+3-5 = 2: one each side
    int[] od = new int[2];
    double[] want = naivePool2d(x, 1, 2, 5, 5, 3, 3, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1},
        new int[] {1, 1}, false, false, false, od, null);
    assertArrayEquals(new long[] {1, 2, 3, 3}, y.dims());
    assertClose(want, y, 1e-5);

    TensorData x2 = randomFloats(1, 1, 4, 4);
    TensorData y2 = run("MaxPool", 11, new Attributes().setInts("kernel_shape", 2, 2).setString("auto_pad", "SAME_LOWER"),
        1, x2)[0];
    double[] want2 = naivePool2d(x2, 1, 1, 4, 4, 2, 2, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1},
        new int[] {0, 0}, false, true, false, od, null);
    assertArrayEquals(new long[] {1, 1, 4, 4}, y2.dims());
    assertClose(want2, y2, 1e-6);
  }

  @Test
  void maxPoolIndicesRowAndColumnMajor() {
    TensorData x = randomFloats(2, 3, 5, 4);
    Attributes a = new Attributes().setInts("kernel_shape", 2, 2).setInts("strides", 2, 1).setInts("pads", 0, 1, 1, 0);
    TensorData[] r = run("MaxPool", 12, a, 2, x);
    int[] od = new int[2];
    long[] arg = new long[(int) TensorData.count(r[0].dims())];
    double[] want = naivePool2d(x, 2, 3, 5, 4, 2, 2, new int[] {2, 1}, new int[] {1, 1}, new int[] {0, 1},
        new int[] {1, 0}, false, true, false, od, arg);
    assertClose(want, r[0], 1e-6);
    assertEquals(DType.INT64, r[1].dtype());
    assertArrayEquals(arg, r[1].longs());

    TensorData[] rc = run("MaxPool", 12, new Attributes(a).setInt("storage_order", 1), 2, x);
    for (int i = 0; i < arg.length; i++) {
      long rowMajor = arg[i];
      long plane = rowMajor / 20;
      long h = rowMajor % 20 / 4;
      long w = rowMajor % 4;
      assertEquals(plane * 20 + w * 5 + h, rc[1].longs()[i], "column-major index " + i);
    }
  }

  @Test
  void maxPoolUint8And3d() {
    int[] v = {3, 200, 7, 9, 1, 255, 0, 4, 100};
    TensorData x = TensorData.wrap(DType.UINT8, new long[] {1, 1, 3, 3}, v);
    TensorData y = run("MaxPool", 12, new Attributes().setInts("kernel_shape", 2, 2), 1, x)[0];
    assertEquals(DType.UINT8, y.dtype());
    assertArrayEquals(new int[] {200, 255, 9, 255}, y.ints());

    TensorData x3 = randomFloats(1, 2, 3, 4, 5);
    TensorData y3 = run("MaxPool", 12, new Attributes().setInts("kernel_shape", 2, 2, 2), 1, x3)[0];
    assertArrayEquals(new long[] {1, 2, 2, 3, 4}, y3.dims());
    for (int pl = 0; pl < 2; pl++) {
      for (int z = 0; z < 2; z++) {
        for (int yy = 0; yy < 3; yy++) {
          for (int xx = 0; xx < 4; xx++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int t = 0; t < 8; t++) {
              m = Math.max(m, x3.getDouble(((pl * 3 + z + (t >> 2)) * 4 + yy + ((t >> 1) & 1)) * 5 + xx + (t & 1)));
            }
            assertEquals(m, y3.getDouble(((pl * 2 + z) * 3 + yy) * 4 + xx), 0);
          }
        }
      }
    }
  }

  @Test
  void globalPools() {
    TensorData x = randomFloats(2, 3, 5, 7);
    TensorData avg = run("GlobalAveragePool", 17, new Attributes(), 1, x)[0];
    TensorData max = run("GlobalMaxPool", 17, new Attributes(), 1, x)[0];
    assertArrayEquals(new long[] {2, 3, 1, 1}, avg.dims());
    for (int p = 0; p < 6; p++) {
      double s = 0;
      double m = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < 35; i++) {
        s += x.getDouble(p * 35 + i);
        m = Math.max(m, x.getDouble(p * 35 + i));
      }
      assertEquals(s / 35, avg.getDouble(p), 1e-6);
      assertEquals(m, max.getDouble(p), 0);
    }
  }

  // ------------------------------------------------------------------ BatchNormalization

  @Test
  void batchNormInference() {
    TensorData x = randomFloats(2, 3, 4, 5);
    TensorData scale = randomFloats(3);
    TensorData bias = randomFloats(3);
    TensorData mean = randomFloats(3);
    TensorData var = TensorData.ofFloats(new long[] {3}, 0.5f, 1.5f, 0.01f);
    TensorData y = run("BatchNormalization", 15, new Attributes().setFloat("epsilon", 1e-3f), 1, x, scale, bias, mean,
        var)[0];
    double[] want = new double[x.size()];
    for (int i = 0; i < want.length; i++) {
      int ch = i / 20 % 3;
      want[i] = (x.getDouble(i) - mean.getDouble(ch)) / Math.sqrt(var.getDouble(ch) + 1e-3) * scale.getDouble(ch)
          + bias.getDouble(ch);
    }
    assertClose(want, y, 1e-5);
  }

  @Test
  void batchNormSpatialZeroBeforeOpset9() {
    TensorData x = randomFloats(2, 2, 3);
    TensorData p = randomFloats(2, 3);
    TensorData v = TensorData.ofFloats(new long[] {2, 3}, 1, 2, 3, 4, 5, 6);
    TensorData y = run("BatchNormalization", 7, new Attributes().setInt("spatial", 0), 1, x, p, p, p, v)[0];
    double[] want = new double[12];
    for (int i = 0; i < 12; i++) {
      int e = i % 6;
      want[i] = (x.getDouble(i) - p.getDouble(e)) / Math.sqrt(v.getDouble(e) + 1e-5) * p.getDouble(e) + p.getDouble(e);
    }
    assertClose(want, y, 1e-5);
  }

  @Test
  void batchNormTrainingModeIsUnsupported() {
    TensorData x = randomFloats(1, 2, 2);
    TensorData p = randomFloats(2);
    UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
        () -> run("BatchNormalization", 15, new Attributes().setInt("training_mode", 1), 1, x, p, p, p, p));
    assertTrue(e.getMessage().contains("'n0'") && e.getMessage().contains("training_mode"), e.getMessage());
  }

  // ------------------------------------------------------------------ LRN, InstanceNormalization, Lp*

  @Test
  void lrnAcrossChannels() {
    TensorData x = randomFloats(2, 5, 3, 2);
    Attributes a = new Attributes().setInt("size", 4).setFloat("alpha", 0.5f).setFloat("beta", 0.6f)
        .setFloat("bias", 2f);
    TensorData y = run("LRN", 13, a, 1, x)[0];
    double[] want = new double[x.size()];
    for (int b = 0; b < 2; b++) {
      for (int c = 0; c < 5; c++) {
        for (int i = 0; i < 6; i++) {
          double sq = 0;
          // size 4: one channel below, two above
          for (int q = c - 1; q <= c + 2; q++) {
            if (q >= 0 && q < 5) {
              double v = x.getDouble((b * 5 + q) * 6 + i);
              sq += v * v;
            }
          }
          int idx = (b * 5 + c) * 6 + i;
          want[idx] = x.getDouble(idx) / Math.pow(2 + 0.5 / 4 * sq, 0.6);
        }
      }
    }
    assertClose(want, y, 1e-5);
  }

  @Test
  void instanceNormalization() {
    TensorData x = randomFloats(2, 3, 17);
    TensorData scale = randomFloats(3);
    TensorData bias = randomFloats(3);
    TensorData y = run("InstanceNormalization", 6, new Attributes().setFloat("epsilon", 0.01f), 1, x, scale, bias)[0];
    double[] want = new double[x.size()];
    for (int p = 0; p < 6; p++) {
      double m = 0;
      for (int i = 0; i < 17; i++) {
        m += x.getDouble(p * 17 + i) / 17;
      }
      double v = 0;
      for (int i = 0; i < 17; i++) {
        v += Math.pow(x.getDouble(p * 17 + i) - m, 2) / 17;
      }
      for (int i = 0; i < 17; i++) {
        want[p * 17 + i] = (x.getDouble(p * 17 + i) - m) / Math.sqrt(v + 0.01) * scale.getDouble(p % 3)
            + bias.getDouble(p % 3);
      }
    }
    assertClose(want, y, 1e-5);
  }

  @Test
  void lpNormalizationAndLpPool() {
    TensorData x = randomFloats(2, 3, 4);
    TensorData y1 = run("LpNormalization", 13, new Attributes().setInt("axis", 1).setInt("p", 1), 1, x)[0];
    TensorData y2 = run("LpNormalization", 13, new Attributes(), 1, x)[0];
    for (int b = 0; b < 2; b++) {
      for (int i = 0; i < 4; i++) {
        double n1 = 0;
        for (int c = 0; c < 3; c++) {
          n1 += Math.abs(x.getDouble((b * 3 + c) * 4 + i));
        }
        for (int c = 0; c < 3; c++) {
          int idx = (b * 3 + c) * 4 + i;
          assertEquals(x.getDouble(idx) / n1, y1.getDouble(idx), 1e-6);
        }
      }
      for (int c = 0; c < 3; c++) {
        double n2 = 0;
        for (int i = 0; i < 4; i++) {
          n2 += Math.pow(x.getDouble((b * 3 + c) * 4 + i), 2);
        }
        for (int i = 0; i < 4; i++) {
          int idx = (b * 3 + c) * 4 + i;
          assertEquals(x.getDouble(idx) / Math.sqrt(n2), y2.getDouble(idx), 1e-6);
        }
      }
    }
    TensorData xp = randomFloats(1, 2, 5, 5);
    Attributes a = new Attributes().setInts("kernel_shape", 2, 3).setInts("strides", 2, 1).setInts("pads", 1, 1, 0, 1)
        .setInt("p", 3);
    TensorData yp = run("LpPool", 18, a, 1, xp)[0];
    assertArrayEquals(new long[] {1, 2, 3, 5}, yp.dims());
    for (int pl = 0; pl < 2; pl++) {
      for (int oy = 0; oy < 3; oy++) {
        for (int ox = 0; ox < 5; ox++) {
          double s = 0;
          for (int ky = 0; ky < 2; ky++) {
            for (int kx = 0; kx < 3; kx++) {
              int iy = oy * 2 - 1 + ky;
              int ix = ox - 1 + kx;
              if (iy >= 0 && iy < 5 && ix >= 0 && ix < 5) {
                s += Math.pow(Math.abs(xp.getDouble((pl * 5 + iy) * 5 + ix)), 3);
              }
            }
          }
          assertEquals(Math.cbrt(s), yp.getDouble((pl * 3 + oy) * 5 + ox), 1e-5);
        }
      }
    }
  }

  // ------------------------------------------------------------------ Gemm / MatMul

  private static double[] naiveMatMul(double[] a, int ao, double[] b, int bo, int m, int k, int n) {
    double[] y = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int q = 0; q < k; q++) {
          s += a[ao + i * k + q] * b[bo + q * n + j];
        }
        y[i * n + j] = s;
      }
    }
    return y;
  }

  private static double[] transpose(double[] x, int r, int c) {
    double[] t = new double[r * c];
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < c; j++) {
        t[j * r + i] = x[i * c + j];
      }
    }
    return t;
  }

  @Test
  void gemmAttributesAndBroadcastBias() {
    int[][] sizes = {{1, 1, 1}, {3, 17, 5}, {17, 3, 1}, {2, 700, 300}, {64, 65, 67}};
    for (int[] sz : sizes) {
      int m = sz[0];
      int k = sz[1];
      int n = sz[2];
      for (int variant = 0; variant < 4; variant++) {
        boolean ta = (variant & 1) != 0;
        boolean tb = (variant & 2) != 0;
        TensorData a = ta ? randomFloats(k, m) : randomFloats(m, k);
        TensorData b = tb ? randomFloats(n, k) : randomFloats(k, n);
        TensorData c = variant == 0 ? randomFloats(n) : variant == 1 ? randomFloats(m, 1) : randomFloats(m, n);
        Attributes at = new Attributes().setInt("transA", ta ? 1 : 0).setInt("transB", tb ? 1 : 0)
            .setFloat("alpha", 0.5f).setFloat("beta", 2f);
        TensorData y = run("Gemm", 13, at, 1, a, b, c)[0];
        double[] ad = ta ? transpose(toDoubles(a), k, m) : toDoubles(a);
        double[] bd = tb ? transpose(toDoubles(b), n, k) : toDoubles(b);
        double[] want = naiveMatMul(ad, 0, bd, 0, m, k, n);
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            double cv = variant == 0 ? c.getDouble(j) : variant == 1 ? c.getDouble(i) : c.getDouble(i * n + j);
            want[i * n + j] = 0.5 * want[i * n + j] + 2 * cv;
          }
        }
        assertClose(want, y, 1e-4);
      }
    }
  }

  @Test
  void gemmWithoutBiasAndFloat64() {
    TensorData a = randomDoubles(3, 4);
    TensorData b = randomDoubles(4, 5);
    TensorData y = run("Gemm", 13, new Attributes(), 1, a, b)[0];
    assertEquals(DType.FLOAT64, y.dtype());
    assertClose(naiveMatMul(toDoubles(a), 0, toDoubles(b), 0, 3, 4, 5), y, 1e-12);
  }

  @Test
  void matMulShapesAndBroadcast() {
    long[][][] cases = {
        {{3}, {3}}, {{3}, {2, 3, 4}}, {{2, 3, 4}, {4}}, {{17, 3}, {3, 5}}, {{2, 1, 3, 4}, {5, 4, 2}},
        {{4, 3, 5}, {5, 7}}, {{1, 1}, {1, 1}}, {{3, 1, 2, 5}, {1, 4, 5, 3}}};
    for (long[][] cs : cases) {
      TensorData a = randomFloats(cs[0]);
      TensorData b = randomFloats(cs[1]);
      TensorData y = run("MatMul", 13, new Attributes(), 1, a, b)[0];
      // oracle: numpy semantics spelled out with explicit index arithmetic
      long[] ad = cs[0].length == 1 ? new long[] {1, cs[0][0]} : cs[0];
      long[] bd = cs[1].length == 1 ? new long[] {cs[1][0], 1} : cs[1];
      int m = (int) ad[ad.length - 2];
      int k = (int) ad[ad.length - 1];
      int n = (int) bd[bd.length - 1];
      int rank = Math.max(ad.length, bd.length) - 2;
      long[] batch = new long[rank];
      for (int i = 0; i < rank; i++) {
        int ai = i - (rank - (ad.length - 2));
        int bi = i - (rank - (bd.length - 2));
        long da = ai < 0 ? 1 : ad[ai];
        long db = bi < 0 ? 1 : bd[bi];
        batch[i] = Math.max(da, db);
      }
      int batches = (int) TensorData.count(batch);
      double[] want = new double[batches * m * n];
      double[] av = toDoubles(a);
      double[] bv = toDoubles(b);
      for (int t = 0; t < batches; t++) {
        int rem = t;
        int aIdx = 0;
        int bIdx = 0;
        int aMul = 1;
        int bMul = 1;
        for (int i = rank - 1; i >= 0; i--) {
          int idx = (int) (rem % batch[i]);
          rem /= (int) batch[i];
          int ai = i - (rank - (ad.length - 2));
          int bi = i - (rank - (bd.length - 2));
          if (ai >= 0) {
            aIdx += (ad[ai] == 1 ? 0 : idx) * aMul;
            aMul *= (int) ad[ai];
          }
          if (bi >= 0) {
            bIdx += (bd[bi] == 1 ? 0 : idx) * bMul;
            bMul *= (int) bd[bi];
          }
        }
        double[] part = naiveMatMul(av, aIdx * m * k, bv, bIdx * k * n, m, k, n);
        System.arraycopy(part, 0, want, t * m * n, m * n);
      }
      assertClose(want, y, 1e-4);
      assertEquals(want.length, y.size(), Arrays.deepToString(cs));
    }
  }

  @Test
  void matMulIntegersWrapLikeC() {
    TensorData a = TensorData.wrap(DType.INT32, new long[] {2, 2}, new int[] {1, 2, 3, 4});
    TensorData b = TensorData.wrap(DType.INT32, new long[] {2, 2}, new int[] {5, 6, 7, 8});
    TensorData y = run("MatMul", 13, new Attributes(), 1, a, b)[0];
    assertArrayEquals(new int[] {19, 22, 43, 50}, y.ints());
    TensorData big = TensorData.wrap(DType.INT32, new long[] {1, 1}, new int[] {1 << 20});
    assertArrayEquals(new int[] {0}, run("MatMul", 13, new Attributes(), 1, big, big)[0].ints());
  }

  @Test
  void matMulInnerMismatchNamesNodeAndShapes() {
    ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
        () -> run("MatMul", 13, new Attributes(), 1, randomFloats(2, 3), randomFloats(4, 2)));
    assertTrue(e.getMessage().contains("'n0'") && e.getMessage().contains("[2,3]") && e.getMessage().contains("[4,2]"),
        e.getMessage());
  }
}
