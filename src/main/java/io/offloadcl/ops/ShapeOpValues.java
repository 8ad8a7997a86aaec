package io.offloadcl.ops;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;

/**
 * Values of the shape ops that inference and the reference kernels both need: a Constant node's tensor, the
 * [start, end) window of Shape, and the element count of Range.
 */
public final class ShapeOpValues {
  private ShapeOpValues() {}

  /** The tensor a Constant node yields. */
  public static TensorData constant(Node n) {
    var a = n.attributes();
    if (a.has("sparse_value")) {
      throw ShapeOps.unsupported(n, "attribute 'sparse_value' (sparse constants) is not supported");
    }
    if (a.has("value")) {
      return a.getTensor("value");
    }
    if (a.has("value_float")) {
      return TensorData.scalarFloat(a.getFloat("value_float", 0));
    }
    if (a.has("value_floats")) {
      float[] f = a.getFloats("value_floats", null);
      return TensorData.ofFloats(new long[] {f.length}, f);
    }
    if (a.has("value_int")) {
      return TensorData.scalarLong(a.getInt("value_int", 0));
    }
    if (a.has("value_ints")) {
      long[] v = a.getInts("value_ints", null);
      return TensorData.ofLongs(new long[] {v.length}, v);
    }
    if (a.has("value_string")) {
      return TensorData.wrap(DType.STRING, new long[0], new String[] {a.getString("value_string", "")});
    }
    if (a.has("value_strings")) {
      String[] s = a.getStrings("value_strings", null);
      return TensorData.wrap(DType.STRING, new long[] {s.length}, s);
    }
    throw LayoutParams.error(n, "no value attribute (value, value_float(s), value_int(s), value_string(s))");
  }

  /** Shape's [start, end) over a tensor of the given rank (start/end from opset 15, clamped). */
  public static int[] shapeRange(Node n, int rank) {
    long s = n.attributes().getInt("start", 0);
    long e = n.attributes().getInt("end", rank);
    if (s < 0) {
      s += rank;
    }
    if (e < 0) {
      e += rank;
    }
    s = Math.max(0, Math.min(rank, s));
    e = Math.max(0, Math.min(rank, e));
    return new int[] {(int) s, (int) Math.max(s, e)};
  }

  /** Range's element count: max(ceil((limit - start) / delta), 0). */
  public static long rangeCount(Node n, TensorData start, TensorData limit, TensorData delta) {
    if (start.size() != 1 || limit.size() != 1 || delta.size() != 1) {
      throw LayoutParams.error(n, "start, limit and delta must be scalars; got " + start.shape() + ", " + limit.shape() + ", " + delta.shape());
    }
    if (start.dtype().isFloating()) {
      double d = delta.getDouble(0);
      if (d == 0) {
        throw LayoutParams.error(n, "delta is 0");
      }
      return Math.max((long) Math.ceil((limit.getDouble(0) - start.getDouble(0)) / d), 0);
    }
    long d = delta.getLong(0);
    if (d == 0) {
      throw LayoutParams.error(n, "delta is 0");
    }
    long span = limit.getLong(0) - start.getLong(0);
    long q = Math.floorDiv(span, d);
    if (Math.floorMod(span, d) != 0) {
      q++;
    }
    return Math.max(q, 0);
  }

  /** A dtype attribute given as an ONNX TensorProto code. */
  public static DType dtypeAttr(Node n, String name) {
    long code = n.attributes().getInt(name, 1);
    DType t = DType.fromOnnx((int) code);
    if (t == null) {
      throw ShapeOps.unsupported(n, "attribute '" + name + "' names data type " + code + ", which is not supported");
    }
    return t;
  }
}
