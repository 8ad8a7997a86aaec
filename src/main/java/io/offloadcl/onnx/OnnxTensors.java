package io.offloadcl.onnx;

import io.offloadcl.ir.TensorData;
import java.nio.file.Path;

/** TensorProto files ({@code input_0.pb}, {@code output_0.pb}) ⇄ {@link TensorData}. */
public final class OnnxTensors {
  private OnnxTensors() {}

  /** @throws io.offloadcl.ir.ModelFormatException naming the file when it is not a valid TensorProto */
  public static NamedTensor read(Path pb) {
    throw new UnsupportedOperationException("OnnxTensors.read is not written yet");
  }

  /** Writes atomically (temp file + rename). */
  public static void write(Path pb, String name, TensorData data) {
    throw new UnsupportedOperationException("OnnxTensors.write is not written yet");
  }
}
