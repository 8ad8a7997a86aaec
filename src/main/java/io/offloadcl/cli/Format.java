package io.offloadcl.cli;

import io.offloadcl.api.Tensor;
import io.offloadcl.api.TensorInfo;
import java.util.Arrays;
import java.util.Locale;

/** Text forms of tensors and their types for the commands' output. */
final class Format {
  private Format() {}

  static String typeOf(Tensor t) {
    return t.dtype().shortName() + Arrays.toString(t.shape()).replace(" ", "");
  }

  static String typeOf(TensorInfo t) {
    String s = t.toString();
    return s.substring(s.indexOf(": ") + 2);
  }

  /** "[0.1, 0.2, …]" with at most {@code n} elements. */
  static String firstValues(Tensor t, int n) {
    StringBuilder sb = new StringBuilder("[");
    int m = Math.min(n, t.size());
    boolean floating = t.dtype().isFloating();
    for (int i = 0; i < m; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(floating ? String.format(Locale.ROOT, "%.6g", t.getDouble(i)) : String.valueOf((long) t.getDouble(i)));
    }
    if (t.size() > m) {
      sb.append(", …");
    }
    return sb.append(']').toString();
  }

  /** A byte count for people: "812 B", "3.4 KiB", "1.2 MiB". */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    if (n < 1024 * 1024) {
      return String.format(java.util.Locale.ROOT, "%.1f KiB", n / 1024.0);
    }
    return String.format(java.util.Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
  }
}
