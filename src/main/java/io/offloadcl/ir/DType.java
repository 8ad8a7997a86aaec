package io.offloadcl.ir;

import java.util.Locale;

/** Element types, numbered as in ONNX's {@code TensorProto.DataType}. */
public enum DType {
  FLOAT32(1, 4),
  UINT8(2, 1),
  INT8(3, 1),
  UINT16(4, 2),
  INT16(5, 2),
  INT32(6, 4),
  INT64(7, 8),
  STRING(8, 0),
  BOOL(9, 1),
  FLOAT16(10, 2),
  FLOAT64(11, 8),
  UINT32(12, 4),
  UINT64(13, 8),
  BFLOAT16(16, 2);

  private final int onnxCode;
  private final int byteSize;

  DType(int onnxCode, int byteSize) {
    this.onnxCode = onnxCode;
    this.byteSize = byteSize;
  }

  /** The ONNX {@code TensorProto.DataType} number. */
  public int onnxCode() {
    return onnxCode;
  }

  /** Bytes per element (0 for strings). */
  public int byteSize() {
    return byteSize;
  }

  public boolean isFloating() {
    return this == FLOAT32 || this == FLOAT64 || this == FLOAT16 || this == BFLOAT16;
  }

  public boolean isInteger() {
    switch (this) {
      case UINT8: case INT8: case UINT16: case INT16: case INT32: case INT64: case UINT32: case UINT64:
        return true;
      default:
        return false;
    }
  }

  public boolean isSigned() {
    return this == INT8 || this == INT16 || this == INT32 || this == INT64 || isFloating();
  }

  /** Lower-case name as printed ("float32", "int64"). */
  public String shortName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Returns the type for an ONNX data-type code, or null when there is none we know. */
  public static DType fromOnnx(int code) {
    for (DType t : values()) {
      if (t.onnxCode == code) {
        return t;
      }
    }
    return null;
  }
}
