package io.offloadcl.onnx;

import io.offloadcl.ir.Graph;
import java.nio.file.Path;

/** ONNX ModelProto → {@link Graph}. (Being written; see issue 2 §3.) */
public final class OnnxImporter {
  private OnnxImporter() {}

  /**
   * Reads, validates and imports a model file, runs static shape inference, and fails before anything runs
   * when an op is unsupported.
   *
   * @throws io.offloadcl.ir.ModelFormatException for a malformed, truncated or inconsistent file
   * @throws io.offloadcl.ir.UnsupportedOperatorException listing every unsupported op type and its nodes
   */
  public static Graph load(Path model) {
    throw new UnsupportedOperationException("OnnxImporter.load is not written yet");
  }

  /** As {@link #load} from bytes; {@code baseDir} (nullable) resolves external-data files. */
  public static Graph fromBytes(byte[] bytes, Path baseDir) {
    throw new UnsupportedOperationException("OnnxImporter.fromBytes is not written yet");
  }
}
