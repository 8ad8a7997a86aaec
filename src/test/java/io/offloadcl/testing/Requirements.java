package io.offloadcl.testing;

import io.offloadcl.ir.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The test-environment rule: a test whose prerequisite (an OpenCL platform, the shared test data, Debian's
 * ONNX test data) is missing is skipped on a developer machine but FAILS on CI (environment {@code CI=true}),
 * where a skip would hide that the tier did not run.
 */
public final class Requirements {
  /** Debian's libonnx-testdata node tests. */
  public static final Path DEBIAN_ONNX_NODE_TESTS = Paths.get("/usr/share/libonnx-testdata/data/node");

  private Requirements() {}

  /**
   * Skips the calling test when {@code available} is false, or fails it when running on CI.
   *
   * @param what the missing prerequisite, in words ("an OpenCL platform", "the shared test data")
   */
  public static void assumeOrFailInCi(boolean available, String what) {
    check(available, what, Settings.isCi());
  }

  /** As {@link #assumeOrFailInCi} with the CI decision passed in (the rule's own test uses it). */
  static void check(boolean available, String what, boolean ci) {
    if (available) {
      return;
    }
    if (ci) {
      Assertions.fail("CI=true and " + what + " is missing: on CI this test must run, not skip");
    }
    Assumptions.abort(what + " is missing; skipping (this would fail with CI=true)");
  }

  /**
   * The shared test-material folder ({@code OFFLOADCL_SHARED}, set by the pom to {@code ../shared}), or a skip /
   * CI failure when it is not there.
   */
  public static Path sharedDir() {
    Optional<Path> p = Settings.sharedDir();
    Path dir = p.orElse(Paths.get("..", "shared"));
    assumeOrFailInCi(Files.isDirectory(dir.resolve("testdata")), "the shared test data (" + dir.resolve("testdata") + ")");
    return dir;
  }

  /** A folder under the shared test data ({@code testdata/<relative>}), skipping or failing when absent. */
  public static Path sharedTestData(String relative) {
    Path p = sharedDir().resolve("testdata").resolve(relative);
    assumeOrFailInCi(Files.exists(p), "shared test data " + p);
    return p;
  }

  /** Debian's ONNX node tests, skipping or failing when the libonnx-testdata package is not installed. */
  public static Path debianOnnxNodeTests() {
    assumeOrFailInCi(Files.isDirectory(DEBIAN_ONNX_NODE_TESTS),
        "Debian's libonnx-testdata (" + DEBIAN_ONNX_NODE_TESTS + "; apt-get install libonnx-testdata)");
    return DEBIAN_ONNX_NODE_TESTS;
  }
}
