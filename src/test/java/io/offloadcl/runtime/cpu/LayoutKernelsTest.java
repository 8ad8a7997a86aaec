package io.offloadcl.runtime.cpu;

import static io.offloadcl.runtime.cpu.LayoutTestGraphs.assertFloats;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.assertLongs;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.attrs;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.c;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.d;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.f;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.iota;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.l;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.ls;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.run;
import static io.offloadcl.runtime.cpu.LayoutTestGraphs.runN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import org.junit.jupiter.api.Test;

class LayoutKernelsTest {

  @Test
  void transposeDefaultReversesAxes() {
    LayoutTestGraphs.Result r = run("Transpose", 13, null, iota(2, 3));
    assertFloats(r.get(), d(3, 2), 0, 3, 1, 4, 2, 5);
    assertEquals(Shape.of(3, 2), r.inferred[0].shape());
  }

  @Test
  void transposeWithPermKeepsInnerRunsAndMovesInt64() {
    TensorData x = TensorData.zeros(DType.INT64, 2, 3, 2);
    for (int i = 0; i < x.size(); i++) {
      x.longs()[i] = 100 + i;
    }
    LayoutTestGraphs.Result r = run("Transpose", 13, attrs().setInts("perm", 1, 0, 2), x);
    // out[j][i][k] = x[i][j][k]
    assertLongs(r.get(), d(3, 2, 2), 100, 101, 106, 107, 102, 103, 108, 109, 104, 105, 110, 111);
  }

  @Test
  void concatNegativeAxisOddSizes() {
    LayoutTestGraphs.Result r = run("Concat", 13, attrs().setInt("axis", -1), iota(2, 1), f(d(2, 3), 10, 11, 12, 13, 14, 15));
    assertFloats(r.get(), d(2, 4), 0, 10, 11, 12, 1, 13, 14, 15);
  }

  @Test
  void concatRejectsMismatchNamingNode() {
    ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
        () -> run("Concat", 13, attrs().setInt("axis", 0), iota(2, 3), iota(2, 4)));
    assertTrue(e.getMessage().contains("'n'"), e.getMessage());
  }

  @Test
  void expandBroadcastsAndAddsRank() {
    LayoutTestGraphs.Result r = run("Expand", 13, null, f(d(3, 1), 1, 2, 3), c(ls(2, 1, 2)));
    assertFloats(r.get(), d(2, 3, 2), 1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3);
    assertEquals(Shape.of(2, 3, 2), r.inferred[0].shape());
  }

  @Test
  void expandToNegativeShapeIsAShapeError() {
    ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> run("Expand", 13, null, iota(3), c(ls(-2, 3))));
    assertTrue(e.getMessage().contains("negative"), e.getMessage());
  }

  @Test
  void gatherAxis1WithNegativeInt32Indices() {
    TensorData idx = TensorData.wrap(DType.INT32, d(2), new int[] {-1, 0});
    LayoutTestGraphs.Result r = run("Gather", 13, attrs().setInt("axis", 1), iota(2, 3), idx);
    assertFloats(r.get(), d(2, 2), 2, 0, 5, 3);
  }

  @Test
  void gatherAxis0With2dIndicesAndScalarIndex() {
    LayoutTestGraphs.Result r = run("Gather", 13, null, iota(3, 2), l(d(2, 2), 0, 2, 1, 1));
    assertFloats(r.get(), d(2, 2, 2), 0, 1, 4, 5, 2, 3, 2, 3);
    LayoutTestGraphs.Result s = run("Gather", 13, null, iota(3, 2), TensorData.scalarLong(2));
    assertFloats(s.get(), d(2), 4, 5);
  }

  @Test
  void gatherOutOfRangeIsAnError() {
    assertThrows(ShapeMismatchException.class, () -> run("Gather", 13, null, iota(3), ls(3)));
  }

  @Test
  void padConstantReflectEdgeWrap() {
    TensorData x = f(d(1, 3), 1, 2, 3);
    LayoutTestGraphs.Result r = run("Pad", 13, null, x, c(ls(0, 2, 0, 1)), c(TensorData.scalarFloat(9)));
    assertFloats(r.get(), d(1, 6), 9, 9, 1, 2, 3, 9);
    assertEquals(Shape.of(1, 6), r.inferred[0].shape());
    assertFloats(run("Pad", 13, attrs().setString("mode", "reflect"), x, c(ls(0, 2, 0, 2))).get(), d(1, 7), 3, 2, 1, 2, 3, 2, 1);
    assertFloats(run("Pad", 13, attrs().setString("mode", "edge"), x, c(ls(0, 2, 0, 1))).get(), d(1, 6), 1, 1, 1, 2, 3, 3);
    assertFloats(run("Pad", 19, attrs().setString("mode", "wrap"), x, c(ls(0, 2, 0, 1))).get(), d(1, 6), 2, 3, 1, 2, 3, 1);
  }

  @Test
  void padOpset2AttributeAndOpset18Axes() {
    TensorData x = iota(2, 2);
    assertFloats(run("Pad", 2, attrs().setInts("pads", 1, 0, 0, 0).setFloat("value", 7), x).get(), d(3, 2), 7, 7, 0, 1, 2, 3);
    assertFloats(run("Pad", 18, null, x, c(ls(1, 1)), null, c(ls(-1))).get(), d(2, 4), 0, 0, 1, 0, 0, 2, 3, 0);
  }

  @Test
  void padNegativeCrops() {
    assertFloats(run("Pad", 13, null, iota(4), c(ls(-1, -2))).get(), d(1), 1);
  }

  @Test
  void sliceNegativeStepAndClamping() {
    LayoutTestGraphs.Result r = run("Slice", 13, null, iota(2, 5), c(ls(-1)), c(ls(Long.MIN_VALUE)), c(ls(1)), c(ls(-2)));
    assertFloats(r.get(), d(2, 3), 4, 2, 0, 9, 7, 5);
    assertEquals(Shape.of(2, 3), r.inferred[0].shape());
    LayoutTestGraphs.Result s = run("Slice", 13, null, iota(2, 5), c(ls(0, 1)), c(ls(Long.MAX_VALUE, 3)));
    assertFloats(s.get(), d(2, 2), 1, 2, 6, 7);
  }

  @Test
  void sliceOpset1Attributes() {
    LayoutTestGraphs.Result r = run("Slice", 1, attrs().setInts("starts", 1).setInts("ends", 100).setInts("axes", -1), iota(2, 3));
    assertFloats(r.get(), d(2, 2), 1, 2, 4, 5);
  }

  @Test
  void sliceWithDynamicStartsInfersDynamicAxisOnly() {
    LayoutTestGraphs.Result r = run("Slice", 13, null, iota(2, 5), ls(1), c(ls(4)), c(ls(1)));
    assertEquals(Shape.of(2, -1), r.inferred[0].shape());
    assertFloats(r.get(), d(2, 3), 1, 2, 3, 6, 7, 8);
  }

  @Test
  void splitFormsAcrossOpsets() {
    LayoutTestGraphs.Result a = runN("Split", 11, attrs().setInt("axis", 1).setInts("split", 1, 2), 2, iota(2, 3));
    assertFloats(a.out[0], d(2, 1), 0, 3);
    assertFloats(a.out[1], d(2, 2), 1, 2, 4, 5);
    LayoutTestGraphs.Result b = runN("Split", 13, attrs().setInt("axis", -1), 2, iota(2, 3), c(ls(2, 1)));
    assertFloats(b.out[0], d(2, 2), 0, 1, 3, 4);
    LayoutTestGraphs.Result e = runN("Split", 13, null, 3, iota(3, 1));
    assertFloats(e.out[2], d(1, 1), 2);
    LayoutTestGraphs.Result g = runN("Split", 18, attrs().setInt("num_outputs", 3), 3, iota(7));
    assertFloats(g.out[0], d(3), 0, 1, 2);
    assertFloats(g.out[2], d(1), 6);
    assertEquals(Shape.of(1), g.inferred[2].shape());
  }

  @Test
  void tileRepeats() {
    assertFloats(run("Tile", 13, null, iota(1, 2), c(ls(2, 2))).get(), d(2, 4), 0, 1, 0, 1, 0, 1, 0, 1);
  }

  @Test
  void depthToSpaceAndBack() {
    TensorData x = iota(1, 4, 1, 2);
    LayoutTestGraphs.Result r = run("DepthToSpace", 13, attrs().setInt("blocksize", 2), x);
    // DCR: out[0,0,y,x'] with y = h*2+i, x' = w*2+j takes channel i*2+j at (h, w)
    assertFloats(r.get(), d(1, 1, 2, 4), 0, 2, 1, 3, 4, 6, 5, 7);
    LayoutTestGraphs.Result back = run("SpaceToDepth", 13, attrs().setInt("blocksize", 2), r.get());
    assertFloats(back.get(), d(1, 4, 1, 2), 0, 1, 2, 3, 4, 5, 6, 7);
  }

  @Test
  void gatherElementsAndScatterElements() {
    LayoutTestGraphs.Result g = run("GatherElements", 13, attrs().setInt("axis", 1), f(d(2, 2), 1, 2, 3, 4), l(d(2, 2), 0, 0, 1, 0));
    assertFloats(g.get(), d(2, 2), 1, 1, 4, 3);
    LayoutTestGraphs.Result s = run("ScatterElements", 18, attrs().setInt("axis", 1).setString("reduction", "add"),
        f(d(1, 5), 1, 2, 3, 4, 5), l(d(1, 2), 1, 1), f(d(1, 2), 1.1f, 2.1f));
    assertFloats(s.get(), d(1, 5), 1, 5.2f, 3, 4, 5);
  }

  @Test
  void gatherNdWithBatchDims() {
    LayoutTestGraphs.Result g = run("GatherND", 13, attrs().setInt("batch_dims", 1), iota(2, 2, 2), l(d(2, 1), 1, 0));
    assertFloats(g.get(), d(2, 2), 2, 3, 4, 5);
  }

  @Test
  void triluLowerWithK() {
    LayoutTestGraphs.Result t = run("Trilu", 14, attrs().setInt("upper", 0), iota(2, 3), c(TensorData.scalarLong(-1)));
    assertFloats(t.get(), d(2, 3), 0, 0, 0, 3, 0, 0);
  }

  @Test
  void compressAlongAxisAndFlattened() {
    TensorData cond = TensorData.wrap(DType.BOOL, d(3), new boolean[] {true, false, true});
    LayoutTestGraphs.Result r = run("Compress", 11, attrs().setInt("axis", -1), iota(2, 3), c(cond));
    assertFloats(r.get(), d(2, 2), 0, 2, 3, 5);
    assertEquals(Shape.of(2, 2), r.inferred[0].shape());
    LayoutTestGraphs.Result f = run("Compress", 11, null, iota(2, 3), cond);
    assertFloats(f.get(), d(2), 0, 2);
    assertEquals(Shape.of(-1), f.inferred[0].shape());
  }

  @Test
  void uniqueUnsortedKeepsFirstOccurrenceOrder() {
    LayoutTestGraphs.Result r = runN("Unique", 11, attrs().setInt("sorted", 0), 4, f(d(5), 3, 1, 3, 2, 1));
    assertFloats(r.out[0], d(3), 3, 1, 2);
    assertLongs(r.out[1], d(3), 0, 1, 3);
    assertLongs(r.out[2], d(5), 0, 1, 0, 2, 1);
    assertLongs(r.out[3], d(3), 2, 2, 1);
    LayoutTestGraphs.Result s = runN("Unique", 11, attrs().setInt("axis", 0), 1, f(d(3, 2), 2, 0, 1, 5, 2, 0));
    assertFloats(s.out[0], d(2, 2), 1, 5, 2, 0);
  }

  @Test
  void reverseSequencePerBatchLength() {
    // time_axis 0, batch_axis 1: column b reverses its first lens[b] rows
    LayoutTestGraphs.Result r = run("ReverseSequence", 10, null, iota(3, 2), ls(3, 2));
    assertFloats(r.get(), d(3, 2), 4, 3, 2, 1, 0, 5);
  }

  @Test
  void resizeNearestUpsampleAsymmetricFloor() {
    LayoutTestGraphs.Result r = run("Resize", 13,
        attrs().setString("coordinate_transformation_mode", "asymmetric").setString("nearest_mode", "floor"),
        f(d(1, 1, 1, 2), 1, 2), null, c(f(d(4), 1, 1, 1, 2)));
    assertFloats(r.get(), d(1, 1, 1, 4), 1, 1, 2, 2);
    assertEquals(Shape.of(1, 1, 1, 4), r.inferred[0].shape());
  }

  @Test
  void resizeBilinearHalfPixelBySizes() {
    // 1x1x2x2 → 1x1x4x4, half_pixel: x_in = (x+0.5)/2-0.5 → -0.25, 0.25, 0.75, 1.25 → clamped taps
    LayoutTestGraphs.Result r = run("Resize", 13, attrs().setString("mode", "linear"),
        f(d(1, 1, 2, 2), 1, 2, 3, 4), null, null, c(ls(1, 1, 4, 4)));
    assertFloats(r.get(), d(1, 1, 4, 4),
        1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4);
  }

  @Test
  void resizeLinearAlignCorners1d() {
    LayoutTestGraphs.Result r = run("Resize", 13,
        attrs().setString("mode", "linear").setString("coordinate_transformation_mode", "align_corners"),
        f(d(3), 0, 10, 20), null, null, c(ls(5)));
    assertFloats(r.get(), d(5), 0, 5, 10, 15, 20);
  }

  @Test
  void resizeOpset10ScalesSignature() {
    LayoutTestGraphs.Result r = run("Resize", 10, attrs().setString("mode", "nearest"),
        f(d(1, 1, 2, 2), 1, 2, 3, 4), c(f(d(4), 1, 1, 2, 1.5f)));
    // asymmetric; upsampling truncates: rows 0,0,1,1; cols floor(0/1.5)=0, floor(1/1.5)=0, floor(2/1.5)=1
    assertFloats(r.get(), d(1, 1, 4, 3), 1, 1, 2, 1, 1, 2, 3, 3, 4, 3, 3, 4);
  }

  @Test
  void resizeCubicAsymmetricKeepsSamplePoints() {
    LayoutTestGraphs.Result r = run("Resize", 13,
        attrs().setString("mode", "cubic").setString("coordinate_transformation_mode", "asymmetric"),
        f(d(4), 0, 1, 4, 9), null, c(f(d(1), 2)));
    float[] v = r.get().toFloatArray();
    assertEquals(8, v.length);
    assertEquals(0, v[0], 1e-6);
    assertEquals(1, v[2], 1e-6);
    assertEquals(4, v[4], 1e-6);
    assertEquals(9, v[6], 1e-6);
  }

  @Test
  void resizeAntialiasLinearDownscaleWidensTheFilter() {
    // scale 0.5 stretches the triangle to 4 taps: weights 1/8, 3/8, 3/8, 1/8 around x = 0.5 and 2.5 (edge-clamped)
    LayoutTestGraphs.Result r = run("Resize", 18, attrs().setString("mode", "linear").setInt("antialias", 1),
        f(d(4), 0, 1, 2, 3), null, null, c(ls(2)));
    assertFloats(r.get(), d(2), 0.625f, 2.375f);
  }

  @Test
  void resizeAxesAndKeepAspectRatio() {
    LayoutTestGraphs.Result r = run("Resize", 18, attrs().setInts("axes", -1), iota(2, 2), null, c(f(d(1), 2)));
    assertFloats(r.get(), d(2, 4), 0, 0, 1, 1, 2, 2, 3, 3);
    assertEquals(Shape.of(2, 4), r.inferred[0].shape());
    LayoutTestGraphs.Result k = run("Resize", 18, attrs().setString("keep_aspect_ratio_policy", "not_smaller"),
        iota(2, 4), null, null, c(ls(4, 4)));
    assertArrayEquals(d(4, 8), k.get().dims());
    LayoutTestGraphs.Result m = run("Resize", 18, attrs().setString("keep_aspect_ratio_policy", "not_larger"),
        iota(2, 4), null, null, c(ls(4, 4)));
    assertArrayEquals(d(2, 4), m.get().dims());
  }

  @Test
  void resizeTfCropAndResizeExtrapolates() {
    LayoutTestGraphs.Result r = run("Resize", 13,
        attrs().setString("mode", "linear").setString("coordinate_transformation_mode", "tf_crop_and_resize").setFloat("extrapolation_value", -1),
        f(d(3), 0, 10, 20), c(f(d(2), 0.5f, 1.5f)), null, c(ls(3)));
    // x = 0.5·2 + j·(1.0·2)/2 → 1, 2, 3 (past the end → extrapolation value)
    assertFloats(r.get(), d(3), 10, 20, -1);
  }

  @Test
  void upsampleAttributeAndInputForms() {
    LayoutTestGraphs.Result a = run("Upsample", 7, attrs().setFloats("scales", 1, 2), f(d(1, 2), 1, 2));
    assertFloats(a.get(), d(1, 4), 1, 1, 2, 2);
    LayoutTestGraphs.Result b = run("Upsample", 9, attrs().setString("mode", "linear"), f(d(1, 2), 1, 3), c(f(d(2), 1, 2)));
    // asymmetric: x_in = j/2 → 0, 0.5, 1, 1.5 (clamped)
    assertFloats(b.get(), d(1, 4), 1, 2, 3, 3);
    assertEquals(Shape.of(1, 4), b.inferred[0].shape());
  }

  @Test
  void resizeWithRuntimeScalesInfersRankOnly() {
    LayoutTestGraphs.Result r = run("Resize", 13, null, iota(1, 2), null, f(d(2), 1, 2));
    assertEquals(Shape.of(-1, -1), r.inferred[0].shape());
    assertArrayEquals(d(1, 4), r.get().dims());
  }

  @Test
  void resizeUnknownModeIsUnsupported() {
    UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
        () -> run("Resize", 13, attrs().setString("mode", "lanczos"), iota(1, 2), null, c(f(d(2), 1, 2))));
    assertTrue(e.getMessage().contains("lanczos"), e.getMessage());
  }

  @Test
  void stringsMoveThroughConcatAndSlice() {
    TensorData s = TensorData.wrap(DType.STRING, d(3), new String[] {"a", "b", "c"});
    LayoutTestGraphs.Result r = run("Concat", 13, attrs().setInt("axis", 0), s, s);
    assertArrayEquals(new String[] {"a", "b", "c", "a", "b", "c"}, r.get().strings());
    LayoutTestGraphs.Result t = run("Slice", 13, null, r.get(), c(ls(1)), c(ls(6)), c(ls(0)), c(ls(2)));
    assertArrayEquals(new String[] {"b", "a", "c"}, t.get().strings());
  }

  @Test
  void boolTransposeAndPad() {
    TensorData b = TensorData.wrap(DType.BOOL, d(2, 2), new boolean[] {true, false, false, false});
    LayoutTestGraphs.Result r = run("Transpose", 13, null, b);
    assertArrayEquals(new boolean[] {true, false, false, false}, r.get().bools());
    LayoutTestGraphs.Result p = run("Pad", 13, attrs().setString("mode", "edge"), b, c(ls(0, 1, 0, 0)));
    assertArrayEquals(new boolean[] {true, true, false, false, false, false}, p.get().bools());
  }
}
