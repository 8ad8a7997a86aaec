package io.offloadcl.runtime.opencl;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.UnsupportedOperatorException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Converts between {@link TensorData} storage and the device representation: each dtype's own width, except
 * FLOAT16 and BFLOAT16, which live on the device as float32 (no kernel computes in them; layout kernels only
 * move them), and STRING, which never reaches a device.
 */
final class HostTransfer {
  private HostTransfer() {}

  static int deviceBytes(DType t) {
    switch (t) {
      case FLOAT16:
      case BFLOAT16:
        return 4;
      case STRING:
        throw new UnsupportedOperatorException("STRING tensors cannot live on an OpenCL device");
      default:
        return t.byteSize();
    }
  }

  /**
   * A row fill written without its Java array (which would be made, filled and copied once more): each row is
   * bulk-put from one small chunk holding its value.
   */
  private static void putRows(float[] rows, int n, java.nio.FloatBuffer f) {
    if (rows.length == 0 || n == 0) {
      return;
    }
    int per = n / rows.length;
    float[] chunk = new float[Math.min(per, 8192)];
    for (float v : rows) {
      java.util.Arrays.fill(chunk, v);
      for (int left = per; left > 0; left -= chunk.length) {
        f.put(chunk, 0, Math.min(left, chunk.length));
      }
    }
  }

  static ByteBuffer toDevice(TensorData d) {
    ByteBuffer b = hostBuffer(d.dtype(), d.size());
    put(d, b);
    return b;
  }

  /**
   * Writes {@code d} in device representation at the start of {@code b} (native order, at least {@link #bytes}
   * long): how runs fill a reused staging buffer or a mapped device buffer without allocating.
   */
  static void put(TensorData d, ByteBuffer b) {
    DType t = d.dtype();
    int n = d.size();
    switch (t) {
      case FLOAT32:
      case FLOAT16:
      case BFLOAT16: {
        float[] rows = d.rowValues();
        if (rows != null) {
          putRows(rows, n, b.asFloatBuffer());
        } else {
          b.asFloatBuffer().put(d.floats());
        }
        break;
      }
      case FLOAT64:
        b.asDoubleBuffer().put(d.doubles());
        break;
      case INT32:
        b.asIntBuffer().put(d.ints());
        break;
      case INT64:
      case UINT64:
        b.asLongBuffer().put(d.longs());
        break;
      case BOOL: {
        boolean[] v = d.bools();
        for (int i = 0; i < n; i++) {
          b.put(i, (byte) (v[i] ? 1 : 0));
        }
        break;
      }
      case INT8:
      case UINT8:
        for (int i = 0; i < n; i++) {
          b.put(i, (byte) d.getLong(i));
        }
        break;
      case INT16:
      case UINT16:
        for (int i = 0; i < n; i++) {
          b.putShort(2 * i, (short) d.getLong(i));
        }
        break;
      case UINT32:
        for (int i = 0; i < n; i++) {
          b.putInt(4 * i, (int) d.getLong(i));
        }
        break;
      default:
        throw new UnsupportedOperatorException(t + " tensors cannot live on an OpenCL device");
    }
  }

  /** Bytes of {@code n} elements of {@code t} on the device (at least 4: OpenCL has no empty buffers). */
  static long bytes(DType t, long n) {
    return Math.max(4, n * deviceBytes(t));
  }

  static ByteBuffer hostBuffer(DType t, int n) {
    return direct(bytes(t, n), () -> "a " + t + " tensor of " + n + " elements");
  }

  /**
   * A direct buffer of {@code bytes}; {@code what} names the tensor in the error when Java cannot hold it (a
   * direct buffer holds at most 2 GiB - 1 bytes).
   */
  static ByteBuffer direct(long bytes, java.util.function.Supplier<String> what) {
    if (bytes > Integer.MAX_VALUE) {
      throw new io.offloadcl.ir.DeviceException(what.get() + " is " + bytes + " bytes; the host side of a transfer"
          + " is a Java direct buffer, which holds at most " + Integer.MAX_VALUE + " bytes");
    }
    return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
  }

  static TensorData fromDevice(ByteBuffer b, DType t, long[] dims) {
    int n = 1;
    for (long x : dims) {
      n *= (int) x;
    }
    TensorData d = TensorData.zeros(t, dims);
    switch (t) {
      case FLOAT32:
      case FLOAT16:
      case BFLOAT16:
        b.asFloatBuffer().get(d.floats(), 0, n);
        break;
      case FLOAT64:
        b.asDoubleBuffer().get(d.doubles(), 0, n);
        break;
      case INT32:
        b.asIntBuffer().get(d.ints(), 0, n);
        break;
      case INT64:
      case UINT64:
        b.asLongBuffer().get(d.longs(), 0, n);
        break;
      case BOOL: {
        boolean[] v = d.bools();
        for (int i = 0; i < n; i++) {
          v[i] = b.get(i) != 0;
        }
        break;
      }
      case INT8:
        for (int i = 0; i < n; i++) {
          d.setLong(i, b.get(i));
        }
        break;
      case UINT8:
        for (int i = 0; i < n; i++) {
          d.setLong(i, b.get(i) & 0xff);
        }
        break;
      case INT16:
        for (int i = 0; i < n; i++) {
          d.setLong(i, b.getShort(2 * i));
        }
        break;
      case UINT16:
        for (int i = 0; i < n; i++) {
          d.setLong(i, b.getShort(2 * i) & 0xffff);
        }
        break;
      case UINT32:
        for (int i = 0; i < n; i++) {
          d.setLong(i, b.getInt(4 * i) & 0xffffffffL);
        }
        break;
      default:
        throw new UnsupportedOperatorException(t + " tensors cannot live on an OpenCL device");
    }
    return d;
  }
}
