package io.offloadcl.api;

import io.offloadcl.onnx.NamedTensor;
import io.offloadcl.onnx.OnnxTensors;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A tensor stored as an ONNX {@code TensorProto} file ({@code input_0.pb}, {@code output_0.pb}), with the name
 * the file carries ("" when unnamed).
 *
 * @param name the tensor's name in the file
 * @param tensor the data
 */
public record TensorFile(String name, Tensor tensor) {
  /** Validates the components. */
  public TensorFile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(tensor, "tensor");
  }

  /** @throws io.offloadcl.ir.ModelFormatException naming the file when it is not a valid TensorProto */
  public static TensorFile read(Path pb) {
    NamedTensor t = OnnxTensors.read(pb);
    return new TensorFile(t.name() == null ? "" : t.name(), Tensor.adopt(t.data()));
  }

  /** Writes the tensor under {@code name} (atomically: temp file + rename). */
  public static void write(Path pb, String name, Tensor tensor) {
    OnnxTensors.write(pb, name, tensor.data());
  }
}
