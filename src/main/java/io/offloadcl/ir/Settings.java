package io.offloadcl.ir;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Optional;

/**
 * The one place that reads environment variables and system properties. Every other class asks here, so the
 * knobs OffloadCL reacts to are listed in one file and tests can reason about them.
 *
 * <p>A setting named {@code offloadcl.cache.dir} is looked up first as the system property of that name, then
 * as the environment variable {@code OFFLOADCL_CACHE_DIR} (upper case, dots become underscores). A property
 * wins so that a single JVM (a test, an embedding service) can override what the environment says.
 *
 * <table>
 *   <caption>Settings read</caption>
 *   <tr><th>setting</th><th>meaning</th></tr>
 *   <tr><td>{@code offloadcl.cache.dir}</td><td>where compiled OpenCL programs are cached
 *       (default {@code ~/.cache/offloadcl})</td></tr>
 *   <tr><td>{@code offloadcl.opencl.device}</td><td>pins OpenCL sessions to one device, by its index in the
 *       device list ({@code offloadcl devices}); unset, a session picks per input shape by the cost model</td></tr>
 *   <tr><td>{@code offloadcl.shared}</td><td>the shared test-material folder (tests only)</td></tr>
 *   <tr><td>{@code offloadcl.verbose}</td><td>{@code true}: log more and keep stack traces</td></tr>
 *   <tr><td>{@code CI} (environment only)</td><td>{@code true} on the CI machine: tests that would skip for a
 *       missing OpenCL platform or missing test data fail instead</td></tr>
 * </table>
 */
public final class Settings {
  private Settings() {}

  /**
   * The raw value of a setting: the system property {@code key}, else the environment variable derived from
   * it ({@code offloadcl.cache.dir} → {@code OFFLOADCL_CACHE_DIR}); empty when neither is set or both are blank.
   */
  public static Optional<String> get(String key) {
    String p = System.getProperty(key);
    if (p != null && !p.isBlank()) {
      return Optional.of(p.trim());
    }
    String e = System.getenv(envName(key));
    if (e != null && !e.isBlank()) {
      return Optional.of(e.trim());
    }
    return Optional.empty();
  }

  /** A setting read as a boolean: "true", "1", "yes" and "on" (any case) are true; unset gives {@code dflt}. */
  public static boolean flag(String key, boolean dflt) {
    return get(key).map(Settings::truthy).orElse(dflt);
  }

  /** The environment variable name for a setting key. */
  public static String envName(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** True on a CI machine (environment variable {@code CI} set to true), where missing prerequisites fail tests. */
  public static boolean isCi() {
    String e = System.getenv("CI");
    return e != null && truthy(e);
  }

  /** The shared test-material folder ({@code OFFLOADCL_SHARED}), when configured. */
  public static Optional<Path> sharedDir() {
    return get("offloadcl.shared").map(Paths::get);
  }

  /** Where compiled OpenCL programs and other derived artifacts are cached. */
  public static Path cacheDir() {
    return get("offloadcl.cache.dir").map(Paths::get)
        .orElseGet(() -> Paths.get(System.getProperty("user.home", "."), ".cache", "offloadcl"));
  }

  /** True when verbose output was asked for through the environment ({@code OFFLOADCL_VERBOSE}). */
  public static boolean verbose() {
    return flag("offloadcl.verbose", false);
  }

  /** The number of processors the JVM may use (not an environment read, but kept with the other host facts). */
  public static int availableProcessors() {
    return Runtime.getRuntime().availableProcessors();
  }

  private static boolean truthy(String s) {
    String v = s.trim().toLowerCase(Locale.ROOT);
    return v.equals("true") || v.equals("1") || v.equals("yes") || v.equals("on");
  }
}
