package io.offloadcl.api;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The record of one backend test folder.
 *
 * @param name the test's name: the root folder's name and the path below it ({@code onnx-node-v1.22/test_abs})
 * @param folder the test folder
 * @param status the verdict
 * @param message null for PASS; the mismatch, the unsupported reason or the error otherwise
 * @param mismatch the first failing output for FAIL, else null
 * @param dataSets how many {@code test_data_set_N} folders were run
 * @param millis wall time spent on the test (import included)
 */
public record ConformanceTestResult(String name, Path folder, ConformanceStatus status, String message,
    ConformanceMismatch mismatch, int dataSets, long millis) {

  /** One line for a console: {@code PASS  name (12 ms)} or {@code FAIL  name: message}. */
  public String toLine() {
    String head = String.format(Locale.ROOT, "%-11s %s", status, name);
    return message == null ? head + " (" + millis + " ms)" : head + ": " + message;
  }
}
