package io.offloadcl.onnx;

import io.offloadcl.ir.Graph;
import java.nio.file.Path;

/** {@link Graph} → ONNX ModelProto bytes; tests and the demo build their models in code with it. */
public final class OnnxWriter {
  private OnnxWriter() {}

  public static byte[] toBytes(Graph g) {
    throw new UnsupportedOperationException("OnnxWriter.toBytes is not written yet");
  }

  public static void write(Graph g, Path file) {
    throw new UnsupportedOperationException("OnnxWriter.write is not written yet");
  }
}
