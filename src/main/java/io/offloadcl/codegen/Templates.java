package io.offloadcl.codegen;

import io.offloadcl.ir.OffloadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OpenCL C templates in {@code opencl-kernels/}, read from the classpath. A template file holds one op
 * family; a line {@code //@section NAME} starts a section, the unit codegen specializes. Text before the first
 * section is the file's commentary and is not emitted. A line {@code //@use FILE NAME} inside a section stands for
 * section NAME of FILE (shared pieces live in {@code common.cl}), so a piece several sections need is written once
 * and every specialized kernel still carries all of its text.
 */
public final class Templates {
  private static final Map<String, Map<String, String>> FILES = new ConcurrentHashMap<>();

  private Templates() {}

  /** The body of section {@code section} of {@code file} (for example "gemm.cl", "gemm_cpu"). */
  public static String section(String file, String section) {
    String body = FILES.computeIfAbsent(file, Templates::load).get(section);
    if (body == null) {
      throw new OffloadException("template opencl-kernels/" + file + " has no section '" + section + "'");
    }
    if (!body.contains("//@use ")) {
      return body;
    }
    // expanded here, not while loading: the map must not load another file from inside its own computeIfAbsent
    StringBuilder sb = new StringBuilder();
    for (String line : body.split("\n", -1)) {
      if (line.startsWith("//@use ")) {
        String[] ref = line.substring("//@use ".length()).trim().split("\\s+");
        if (ref.length != 2) {
          throw new OffloadException("template opencl-kernels/" + file + ", section '" + section + "': '" + line
              + "' must name a file and a section");
        }
        sb.append(section(ref[0], ref[1]).stripTrailing()).append('\n');
      } else {
        sb.append(line).append('\n');
      }
    }
    return sb.substring(0, sb.length() - 1); // the split's last, empty piece added one newline too many
  }

  private static Map<String, String> load(String file) {
    String text;
    try (InputStream in = Templates.class.getClassLoader().getResourceAsStream("opencl-kernels/" + file)) {
      if (in == null) {
        throw new OffloadException("template opencl-kernels/" + file + " is not on the classpath");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new OffloadException("cannot read template opencl-kernels/" + file + ": " + e.getMessage(), e);
    }
    Map<String, String> sections = new LinkedHashMap<>();
    String current = null;
    StringBuilder sb = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      if (line.startsWith("//@section ")) {
        if (current != null) {
          sections.put(current, sb.toString());
        }
        current = line.substring("//@section ".length()).trim();
        sb.setLength(0);
      } else if (current != null) {
        sb.append(line).append('\n');
      }
    }
    if (current != null) {
      sections.put(current, sb.toString());
    }
    return sections;
  }
}
