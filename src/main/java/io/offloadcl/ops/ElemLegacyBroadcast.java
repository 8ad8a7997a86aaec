package io.offloadcl.ops;

import io.offloadcl.ir.Node;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.ShapeMismatchException;

/**
 * Binary ops before opset 7 (Add, Sub, Mul, Div, Pow, And, Or, Xor, Equal, Greater, Less) did not broadcast
 * numpy-style: B broadcast only with {@code broadcast=1}, its dims placed at {@code axis} of A (trailing when
 * no axis is given). Viewing B with ones padded around it turns that into numpy broadcasting, so inference and
 * kernels share one rule.
 */
public final class ElemLegacyBroadcast {
  private ElemLegacyBroadcast() {}

  /** The dims B is to be viewed with; {@code bDims} itself from opset 7 on or when nothing needs aligning. */
  public static long[] alignB(Node node, long[] aDims, long[] bDims) {
    if (node.opsetVersion() >= 7 || node.opsetVersion() <= 0) {
      return bDims;
    }
    if (node.attributes().getInt("broadcast", 0) == 0) {
      if (!Shape.of(aDims).compatibleWith(Shape.of(bDims))) {
        throw new ShapeMismatchException("node '" + node.name() + "' (" + node.opType() + "): shapes " + Shape.of(aDims)
            + " and " + Shape.of(bDims) + " differ and broadcast=0 (opset " + node.opsetVersion() + ")");
      }
      return bDims;
    }
    if (!node.attributes().has("axis")) {
      return bDims;
    }
    long axis = node.attributes().getInt("axis", 0);
    int rank = aDims.length;
    long a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a + bDims.length > rank) {
      throw new ShapeMismatchException("node '" + node.name() + "' (" + node.opType() + "): B of shape "
          + Shape.of(bDims) + " does not fit at axis " + axis + " of A's shape " + Shape.of(aDims));
    }
    long[] r = new long[rank];
    java.util.Arrays.fill(r, 1);
    System.arraycopy(bDims, 0, r, (int) a, bDims.length);
    return r;
  }
}
