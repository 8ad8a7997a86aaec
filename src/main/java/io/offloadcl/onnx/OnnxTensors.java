package io.offloadcl.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.CodedInputStream;
import io.offloadcl.ir.ModelFormatException;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.TensorData;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** TensorProto files ({@code input_0.pb}, {@code output_0.pb} of ONNX backend tests) ⇄ {@link TensorData}. */
public final class OnnxTensors {
  private OnnxTensors() {}

  /**
   * Reads one serialized TensorProto; external data is resolved relative to the file's folder.
   *
   * @throws ModelFormatException naming the file when it is missing or not a valid TensorProto
   */
  public static NamedTensor read(Path pb) {
    if (pb == null) {
      throw new ModelFormatException("no tensor file given (null path)");
    }
    String name = String.valueOf(pb);
    byte[] bytes;
    try {
      if (Files.size(pb) > Integer.MAX_VALUE - 8) {
        throw new ModelFormatException(name + ": too large for a TensorProto");
      }
      bytes = Files.readAllBytes(pb);
    } catch (NoSuchFileException e) {
      throw new ModelFormatException(name + ": tensor file not found", e);
    } catch (IOException e) {
      throw new ModelFormatException(name + ": cannot read tensor file: " + e, e);
    }
    TensorProto t;
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      t = TensorProto.parseFrom(in);
      in.checkLastTagWas(0);
    } catch (IOException e) {
      throw new ModelFormatException(name + ": not a valid TensorProto (protobuf parse error: " + e.getMessage() + ")", e);
    } catch (RuntimeException e) {
      throw new ModelFormatException(name + ": not a valid TensorProto (" + e + ")", e);
    }
    if (!t.hasDataType()) {
      throw new ModelFormatException(name + ": TensorProto has no data_type");
    }
    try {
      Path dir = pb.toAbsolutePath().getParent();
      return new NamedTensor(t.getName(), TensorCodec.decode(t, dir, name));
    } catch (OffloadException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ModelFormatException(name + ": malformed TensorProto: " + e, e);
    }
  }

  /** Writes a TensorProto atomically (temp file in the same folder, then a rename). */
  public static void write(Path pb, String name, TensorData data) {
    try {
      writeAtomically(pb, TensorCodec.encode(name, data).toByteArray());
    } catch (IOException e) {
      throw new ModelFormatException(pb + ": cannot write tensor file: " + e, e);
    }
  }

  static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
    try {
      Files.write(tmp, bytes);
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
