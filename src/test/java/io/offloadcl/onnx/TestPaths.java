package io.offloadcl.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Where the shared test material lives (read in place, never copied into the project). */
final class TestPaths {
  private TestPaths() {}

  static Path shared() {
    String env = System.getenv("OFFLOADCL_SHARED");
    return env != null ? Paths.get(env) : Paths.get("..", "shared");
  }

  static Path nodeTests() {
    return shared().resolve("testdata/onnx-node-v1.22");
  }

  static Path debianNodeTests() {
    return Paths.get("/usr/share/libonnx-testdata/data/node");
  }

  static Path models() {
    return shared().resolve("testdata/models");
  }

  static boolean ci() {
    return io.offloadcl.ir.Settings.isCi();
  }

  /** The {@code model.onnx} files one level below {@code root}, sorted. */
  static List<Path> modelFiles(Path root) {
    try (Stream<Path> s = Files.list(root)) {
      return s.map(d -> d.resolve("model.onnx")).filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
