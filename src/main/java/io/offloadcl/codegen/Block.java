package io.offloadcl.codegen;

import java.util.ArrayList;
import java.util.List;

/**
 * Specializes one template section into a self-contained block: the section's parameters become
 * {@code #define}s before it and are undefined after it, so blocks of many kernels can share one program.
 */
final class Block {
  private final String kernelName;
  private final String file;
  private final String section;
  private final String comment;
  private final List<String[]> defines = new ArrayList<>();

  Block(String kernelName, String file, String section, String comment) {
    this.kernelName = kernelName;
    this.file = file;
    this.section = section;
    this.comment = comment;
    def("KNAME", kernelName);
  }

  Block def(String name, String value) {
    defines.add(new String[] {name, value});
    return this;
  }

  Block def(String name, long value) {
    return def(name, Long.toString(value));
  }

  static String flt(double v) {
    float f = (float) v;
    if (Float.isNaN(f)) {
      return "NAN";
    }
    if (Float.isInfinite(f)) {
      return f > 0 ? "INFINITY" : "(-INFINITY)";
    }
    String s = Float.toString(f);
    return (f < 0 ? "(" + s + "f)" : s + "f");
  }

  String source() {
    StringBuilder sb = new StringBuilder();
    sb.append("// ---- ").append(kernelName).append(": ").append(comment).append(" [").append(file).append(" / ")
        .append(section).append("]\n");
    for (String[] d : defines) {
      sb.append("#define ").append(d[0]).append(' ').append(d[1]).append('\n');
    }
    sb.append(Templates.section(file, section));
    for (String[] d : defines) {
      int p = d[0].indexOf('(');
      sb.append("#undef ").append(p < 0 ? d[0] : d[0].substring(0, p)).append('\n');
    }
    return sb.toString();
  }
}
