package io.offloadcl.onnx;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.ModelFormatException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * TensorProto ⇄ {@link TensorData}. Every size a file declares is checked against the bytes actually present
 * before anything is allocated, so a corrupted dims list cannot make us allocate gigabytes.
 */
final class TensorCodec {
  /** Largest element count a Java array can hold. */
  static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  private TensorCodec() {}

  /** Maps an ONNX data-type code, failing with a message that says whether the code is merely unsupported. */
  static DType dtype(int code, String what) {
    DType t = DType.fromOnnx(code);
    if (t != null) {
      return t;
    }
    switch (code) {
      case 14: case 15:
        throw new UnsupportedOperatorException(what + ": complex data type (code " + code + ") is not supported");
      case 17: case 18: case 19: case 20: case 21: case 22: case 23: case 24: case 25:
        throw new UnsupportedOperatorException(what + ": data type code " + code
            + " (float8/int4/float4 family) is not supported");
      default:
        throw new ModelFormatException(what + ": unknown data type code " + code);
    }
  }

  /** Validated dims and their element count; {@code what} names the tensor in messages. */
  static long[] dims(List<Long> dimList, String what) {
    long[] dims = new long[dimList.size()];
    long count = 1;
    boolean zero = false;
    for (int i = 0; i < dims.length; i++) {
      long d = dimList.get(i);
      if (d < 0) {
        throw new ModelFormatException(what + ": negative dimension " + d + " at axis " + i + " in " + dimList);
      }
      dims[i] = d;
      if (d == 0) {
        zero = true;
      } else if (!zero) {
        // overflow and oversize are both reported as too large; the check stops once the count is zero
        if (count > MAX_ELEMENTS / d) {
          throw new ModelFormatException(what + ": shape " + dimList + " has more elements than a tensor can hold");
        }
        count *= d;
      }
    }
    return dims;
  }

  /**
   * Decodes a tensor.
   *
   * @param baseDir the folder external-data locations are relative to; null forbids external data
   * @param what how messages name the tensor ("initializer 'w'", "file input_0.pb")
   */
  static TensorData decode(TensorProto t, Path baseDir, String what) {
    if (t.hasSegment()) {
      throw new UnsupportedOperatorException(what + ": segmented tensors are not supported");
    }
    DType dtype = dtype(t.getDataType(), what);
    long[] dims = dims(t.getDimsList(), what);
    int n = (int) TensorData.count(dims);
    boolean external = t.hasDataLocation() && t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
    if (external || (t.getExternalDataCount() > 0 && !t.hasRawData())) {
      if (dtype == DType.STRING) {
        throw new ModelFormatException(what + ": string tensors cannot use external data");
      }
      ByteBuffer bytes = readExternal(t, baseDir, (long) n * dtype.byteSize(), what);
      return fromRaw(dtype, dims, n, bytes, what);
    }
    if (t.hasRawData()) {
      if (dtype == DType.STRING) {
        throw new ModelFormatException(what + ": string tensors must use string_data, not raw_data");
      }
      ByteString raw = t.getRawData();
      long want = (long) n * dtype.byteSize();
      if (raw.size() != want) {
        throw new ModelFormatException(what + ": raw_data has " + raw.size() + " bytes but " + dtype.shortName()
            + " shape " + java.util.Arrays.toString(dims) + " needs " + want);
      }
      return fromRaw(dtype, dims, n, raw.asReadOnlyByteBuffer(), what);
    }
    return fromTyped(t, dtype, dims, n, what);
  }

  private static void expectCount(int have, int n, String field, String what) {
    if (have != n) {
      throw new ModelFormatException(what + ": " + field + " holds " + have + " values but the shape needs " + n);
    }
  }

  private static TensorData fromTyped(TensorProto t, DType dtype, long[] dims, int n, String what) {
    switch (dtype) {
      case FLOAT32: {
        expectCount(t.getFloatDataCount(), n, "float_data", what);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
          a[i] = t.getFloatData(i);
        }
        return TensorData.wrap(dtype, dims, a);
      }
      case FLOAT16: case BFLOAT16: {
        expectCount(t.getInt32DataCount(), n, "int32_data", what);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
          int bits = t.getInt32Data(i) & 0xFFFF;
          a[i] = dtype == DType.FLOAT16 ? halfToFloat(bits) : Float.intBitsToFloat(bits << 16);
        }
        return TensorData.wrap(dtype, dims, a);
      }
      case INT8: case UINT8: case INT16: case UINT16: case INT32: {
        expectCount(t.getInt32DataCount(), n, "int32_data", what);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
          a[i] = narrow(dtype, t.getInt32Data(i));
        }
        return TensorData.wrap(dtype, dims, a);
      }
      case BOOL: {
        expectCount(t.getInt32DataCount(), n, "int32_data", what);
        boolean[] a = new boolean[n];
        for (int i = 0; i < n; i++) {
          a[i] = t.getInt32Data(i) != 0;
        }
        return TensorData.wrap(dtype, dims, a);
      }
      case INT64: {
        expectCount(t.getInt64DataCount(), n, "int64_data", what);
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
          a[i] = t.getInt64Data(i);
        }
        return TensorData.wrap(dtype, dims, a);
      }
      case UINT32: case UINT64: {
        expectCount(t.getUint64DataCount(), n, "uint64_data", what);
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
          long v = t.getUint64Data(i);
          a[i] = dtype == DType.UINT32 ? v & 0xFFFFFFFFL : v;
        }
        return TensorData.wrap(dtype, dims, a);
      }
      case FLOAT64: {
        expectCount(t.getDoubleDataCount(), n, "double_data", what);
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
          a[i] = t.getDoubleData(i);
        }
        return TensorData.wrap(dtype, dims, a);
      }
      case STRING: {
        expectCount(t.getStringDataCount(), n, "string_data", what);
        String[] a = new String[n];
        for (int i = 0; i < n; i++) {
          a[i] = t.getStringData(i).toStringUtf8();
        }
        return TensorData.wrap(dtype, dims, a);
      }
      default:
        throw new ModelFormatException(what + ": cannot decode data type " + dtype);
    }
  }

  private static int narrow(DType t, int v) {
    switch (t) {
      case INT8: return (byte) v;
      case UINT8: return v & 0xFF;
      case INT16: return (short) v;
      case UINT16: return v & 0xFFFF;
      default: return v;
    }
  }

  private static TensorData fromRaw(DType dtype, long[] dims, int n, ByteBuffer buf, String what) {
    ByteBuffer b = buf.slice().order(ByteOrder.LITTLE_ENDIAN);
    switch (dtype) {
      case FLOAT32: {
        float[] a = new float[n];
        b.asFloatBuffer().get(a);
        return TensorData.wrap(dtype, dims, a);
      }
      case FLOAT16: case BFLOAT16: {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
          int bits = b.getShort(2 * i) & 0xFFFF;
          a[i] = dtype == DType.FLOAT16 ? halfToFloat(bits) : Float.intBitsToFloat(bits << 16);
        }
        return TensorData.wrap(dtype, dims, a);
      }
      case INT8: case UINT8: {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
          a[i] = dtype == DType.INT8 ? b.get(i) : b.get(i) & 0xFF;
        }
        return TensorData.wrap(dtype, dims, a);
      }
      case INT16: case UINT16: {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
          short s = b.getShort(2 * i);
          a[i] = dtype == DType.INT16 ? s : s & 0xFFFF;
        }
        return TensorData.wrap(dtype, dims, a);
      }
      case INT32: {
        int[] a = new int[n];
        b.asIntBuffer().get(a);
        return TensorData.wrap(dtype, dims, a);
      }
      case UINT32: {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
          a[i] = b.getInt(4 * i) & 0xFFFFFFFFL;
        }
        return TensorData.wrap(dtype, dims, a);
      }
      case INT64: case UINT64: {
        long[] a = new long[n];
        b.asLongBuffer().get(a);
        return TensorData.wrap(dtype, dims, a);
      }
      case FLOAT64: {
        double[] a = new double[n];
        b.asDoubleBuffer().get(a);
        return TensorData.wrap(dtype, dims, a);
      }
      case BOOL: {
        boolean[] a = new boolean[n];
        for (int i = 0; i < n; i++) {
          a[i] = b.get(i) != 0;
        }
        return TensorData.wrap(dtype, dims, a);
      }
      default:
        throw new ModelFormatException(what + ": data type " + dtype + " has no raw encoding");
    }
  }

  private static ByteBuffer readExternal(TensorProto t, Path baseDir, long want, String what) {
    String location = null;
    long offset = 0;
    long length = -1;
    for (StringStringEntryProto e : t.getExternalDataList()) {
      String v = e.getValue();
      switch (e.getKey()) {
        case "location":
          location = v;
          break;
        case "offset":
          offset = parseSize(v, "offset", what);
          break;
        case "length":
          length = parseSize(v, "length", what);
          break;
        default:
          break; // checksum and future keys do not change how the bytes are read
      }
    }
    if (location == null || location.isEmpty()) {
      throw new ModelFormatException(what + ": external data without a 'location'");
    }
    if (baseDir == null) {
      throw new ModelFormatException(what + ": uses external data file '" + location
          + "' but the model was given as bytes without a folder to resolve it in");
    }
    Path base = baseDir.toAbsolutePath().normalize();
    Path file;
    try {
      file = base.resolve(location).normalize();
    } catch (java.nio.file.InvalidPathException e) {
      throw new ModelFormatException(what + ": external data location '" + location + "' is not a valid path", e);
    }
    if (!file.startsWith(base) || file.equals(base)) {
      throw new ModelFormatException(what + ": external data location '" + location
          + "' escapes the model folder " + base);
    }
    try {
      // a symlink inside the folder could still point outside it
      Path real = file.toRealPath();
      if (!real.startsWith(base.toRealPath())) {
        throw new ModelFormatException(what + ": external data file '" + location + "' resolves outside the model folder");
      }
      if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
        throw new ModelFormatException(what + ": external data location '" + location + "' is not a regular file");
      }
      long size = Files.size(real);
      if (length < 0) {
        length = size - offset;
      }
      if (length != want) {
        throw new ModelFormatException(what + ": external data length " + length + " does not match the "
            + want + " bytes its shape needs");
      }
      if (offset > size || length > size - offset) {
        throw new ModelFormatException(what + ": external data '" + location + "' range [" + offset + ", "
            + (offset + length) + ") is beyond the file's " + size + " bytes");
      }
      ByteBuffer buf = ByteBuffer.allocate((int) length);
      try (FileChannel ch = FileChannel.open(real, StandardOpenOption.READ)) {
        long pos = offset;
        while (buf.hasRemaining()) {
          int r = ch.read(buf, pos);
          if (r < 0) {
            throw new ModelFormatException(what + ": external data file '" + location + "' ended early");
          }
          pos += r;
        }
      }
      buf.flip();
      return buf;
    } catch (NoSuchFileException e) {
      throw new ModelFormatException(what + ": external data file '" + location + "' not found in " + base, e);
    } catch (IOException e) {
      throw new ModelFormatException(what + ": cannot read external data file '" + location + "': " + e, e);
    }
  }

  private static long parseSize(String v, String key, String what) {
    try {
      long l = Long.parseLong(v.trim());
      if (l < 0) {
        throw new NumberFormatException("negative");
      }
      return l;
    } catch (NumberFormatException e) {
      throw new ModelFormatException(what + ": external data " + key + " '" + v + "' is not a byte count");
    }
  }

  /** Encodes a tensor with raw_data (string tensors use string_data). */
  static TensorProto encode(String name, TensorData d) {
    TensorProto.Builder b = TensorProto.newBuilder().setDataType(d.dtype().onnxCode());
    if (name != null && !name.isEmpty()) {
      b.setName(name);
    }
    for (long dim : d.dims()) {
      b.addDims(dim);
    }
    if (d.dtype() == DType.STRING) {
      for (String s : d.strings()) {
        b.addStringData(ByteString.copyFrom(s, StandardCharsets.UTF_8));
      }
      return b.build();
    }
    int n = d.size();
    ByteBuffer buf = ByteBuffer.allocate(n * d.dtype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    switch (d.dtype()) {
      case FLOAT32:
        buf.asFloatBuffer().put(d.floats());
        break;
      case FLOAT16:
        for (float f : d.floats()) {
          buf.putShort((short) floatToHalf(f));
        }
        break;
      case BFLOAT16:
        for (float f : d.floats()) {
          buf.putShort((short) floatToBfloat16(f));
        }
        break;
      case INT8: case UINT8:
        for (int v : d.ints()) {
          buf.put((byte) v);
        }
        break;
      case INT16: case UINT16:
        for (int v : d.ints()) {
          buf.putShort((short) v);
        }
        break;
      case INT32:
        buf.asIntBuffer().put(d.ints());
        break;
      case UINT32:
        for (long v : d.longs()) {
          buf.putInt((int) v);
        }
        break;
      case INT64: case UINT64:
        buf.asLongBuffer().put(d.longs());
        break;
      case FLOAT64:
        buf.asDoubleBuffer().put(d.doubles());
        break;
      case BOOL:
        for (boolean v : d.bools()) {
          buf.put((byte) (v ? 1 : 0));
        }
        break;
      default:
        throw new IllegalArgumentException("cannot encode " + d.dtype());
    }
    b.setRawData(ByteString.copyFrom(buf.array()));
    return b.build();
  }

  /** IEEE 754 binary16 bits → float (exact: every half is a float). */
  static float halfToFloat(int h) {
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1F;
    int mant = h & 0x3FF;
    if (exp == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      // subnormal half: value = mant * 2^-24, exactly representable as a normal float
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** float → binary16 bits, round to nearest even, overflow to infinity, NaN kept NaN. */
  static int floatToHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xFF;
    int mant = bits & 0x7FFFFF;
    if (exp == 0xFF) {
      return sign | 0x7C00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0);
    }
    int e = exp - 127 + 15;
    if (e >= 0x1F) {
      return sign | 0x7C00;
    }
    if (e <= 0) {
      if (e < -10) {
        return sign;
      }
      int m = mant | 0x800000;
      int shift = 14 - e;
      int half = m >>> shift;
      int rem = m & ((1 << shift) - 1);
      int mid = 1 << (shift - 1);
      if (rem > mid || (rem == mid && (half & 1) != 0)) {
        half++;
      }
      return sign | half;
    }
    int half = (e << 10) | (mant >>> 13);
    int rem = mant & 0x1FFF;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
      half++; // a carry into the exponent is the correct rounding, up to infinity
    }
    return sign | half;
  }

  /** float → bfloat16 bits, round to nearest even, NaN kept NaN. */
  static int floatToBfloat16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return ((bits >>> 16) & 0xFFFF) | 0x40;
    }
    int lsb = (bits >>> 16) & 1;
    return ((bits + 0x7FFF + lsb) >>> 16) & 0xFFFF;
  }
}
