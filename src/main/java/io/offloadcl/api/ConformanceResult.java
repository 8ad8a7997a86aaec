package io.offloadcl.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** The outcome of a conformance run: per-test records in run order, the totals, and a JSON form. */
public final class ConformanceResult {
  private final String backend;
  private final double rtol;
  private final double atol;
  private final List<ConformanceTestResult> tests;

  /** Builds a result over the given records (kept as given). */
  public ConformanceResult(String backend, double rtol, double atol, List<ConformanceTestResult> tests) {
    this.backend = backend;
    this.rtol = rtol;
    this.atol = atol;
    this.tests = List.copyOf(tests);
  }

  public String backend() {
    return backend;
  }

  public List<ConformanceTestResult> tests() {
    return Collections.unmodifiableList(tests);
  }

  public int total() {
    return tests.size();
  }

  public int count(ConformanceStatus s) {
    int c = 0;
    for (ConformanceTestResult t : tests) {
      if (t.status() == s) {
        c++;
      }
    }
    return c;
  }

  public int passed() {
    return count(ConformanceStatus.PASS);
  }

  public int failed() {
    return count(ConformanceStatus.FAIL);
  }

  public int unsupported() {
    return count(ConformanceStatus.UNSUPPORTED);
  }

  public int errors() {
    return count(ConformanceStatus.ERROR);
  }

  /** The records with the given status, in run order. */
  public List<ConformanceTestResult> withStatus(ConformanceStatus s) {
    return tests.stream().filter(t -> t.status() == s).collect(java.util.stream.Collectors.toList());
  }

  /** {@code conformance: N passed, M failed, U unsupported, E errors}. */
  public String summary() {
    return "conformance: " + passed() + " passed, " + failed() + " failed, " + unsupported() + " unsupported, "
        + errors() + " errors";
  }

  @Override
  public String toString() {
    return summary();
  }

  /** The whole result as a JSON document. */
  public String toJson() {
    StringBuilder sb = new StringBuilder(256 + 200 * tests.size());
    sb.append("{\n  \"backend\": ").append(str(backend))
        .append(",\n  \"rtol\": ").append(num(rtol))
        .append(",\n  \"atol\": ").append(num(atol))
        .append(",\n  \"totals\": {\"tests\": ").append(total())
        .append(", \"passed\": ").append(passed())
        .append(", \"failed\": ").append(failed())
        .append(", \"unsupported\": ").append(unsupported())
        .append(", \"errors\": ").append(errors())
        .append("},\n  \"tests\": [");
    for (int i = 0; i < tests.size(); i++) {
      ConformanceTestResult t = tests.get(i);
      sb.append(i == 0 ? "\n    " : ",\n    ");
      sb.append("{\"name\": ").append(str(t.name()))
          .append(", \"folder\": ").append(str(String.valueOf(t.folder())))
          .append(", \"status\": ").append(str(t.status().name()))
          .append(", \"dataSets\": ").append(t.dataSets())
          .append(", \"millis\": ").append(t.millis());
      if (t.message() != null) {
        sb.append(", \"message\": ").append(str(t.message()));
      }
      ConformanceMismatch m = t.mismatch();
      if (m != null) {
        sb.append(", \"mismatch\": {\"dataSet\": ").append(m.dataSet())
            .append(", \"output\": ").append(str(m.output()))
            .append(", \"outputIndex\": ").append(m.outputIndex())
            .append(", \"reason\": ").append(str(m.reason()))
            .append(", \"mismatches\": ").append(m.mismatches())
            .append(", \"elements\": ").append(m.elements())
            .append(", \"maxAbsError\": ").append(num(m.maxAbsError()))
            .append(", \"maxRelError\": ").append(num(m.maxRelError()))
            .append(", \"index\": ").append(m.index())
            .append(", \"expected\": ").append(str(m.expected()))
            .append(", \"actual\": ").append(str(m.actual()))
            .append('}');
      }
      sb.append('}');
    }
    sb.append(tests.isEmpty() ? "]\n}\n" : "\n  ]\n}\n");
    return sb.toString();
  }

  /** Writes {@link #toJson()} to a file atomically. */
  public void writeJson(Path file) {
    try {
      Path abs = file.toAbsolutePath();
      Files.createDirectories(abs.getParent());
      Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
      try {
        Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write conformance report " + file, e);
    }
  }

  /** JSON has no NaN or infinity; they are written as strings so no information is lost. */
  private static String num(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "\"" + v + "\"";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.valueOf((long) v);
    }
    return String.format(Locale.ROOT, "%.9g", v).replaceFirst("0+(?=(e|$))", "").replaceFirst("\\.(?=e|$)", "");
  }

  static String str(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        case '\n': b.append("\\n"); break;
        case '\r': b.append("\\r"); break;
        case '\t': b.append("\\t"); break;
        default:
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    return b.append('"').toString();
  }
}
