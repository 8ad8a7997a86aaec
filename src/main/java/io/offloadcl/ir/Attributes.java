package io.offloadcl.ir;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A node's attributes, in the order they were given. Values are one of: {@code Long} (int), {@code Float}
 * (float), {@code String}, {@link TensorData}, {@link Graph}, {@code long[]} (ints), {@code float[]} (floats),
 * {@code String[]} (strings), {@code TensorData[]} (tensors), {@code Graph[]} (graphs).
 */
public final class Attributes {
  private final Map<String, Object> values = new LinkedHashMap<>();

  public Attributes() {}

  public Attributes(Attributes other) {
    values.putAll(other.values);
  }

  public Attributes set(String name, Object value) {
    check(name, value);
    values.put(name, value);
    return this;
  }

  public Attributes setInt(String name, long v) {
    return set(name, v);
  }

  public Attributes setFloat(String name, float v) {
    return set(name, v);
  }

  public Attributes setInts(String name, long... v) {
    return set(name, v.clone());
  }

  public Attributes setFloats(String name, float... v) {
    return set(name, v.clone());
  }

  public Attributes setString(String name, String v) {
    return set(name, v);
  }

  public void remove(String name) {
    values.remove(name);
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public Object get(String name) {
    return values.get(name);
  }

  public Map<String, Object> asMap() {
    return Collections.unmodifiableMap(values);
  }

  public long getInt(String name, long dflt) {
    Object v = values.get(name);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Long) {
      return (Long) v;
    }
    throw wrongKind(name, "int", v);
  }

  public float getFloat(String name, float dflt) {
    Object v = values.get(name);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Float) {
      return (Float) v;
    }
    if (v instanceof Long) {
      return (Long) v;
    }
    throw wrongKind(name, "float", v);
  }

  public String getString(String name, String dflt) {
    Object v = values.get(name);
    if (v == null) {
      return dflt;
    }
    if (v instanceof String) {
      return (String) v;
    }
    throw wrongKind(name, "string", v);
  }

  /** The ints attribute, or {@code dflt} (may be null) when absent. */
  public long[] getInts(String name, long[] dflt) {
    Object v = values.get(name);
    if (v == null) {
      return dflt;
    }
    if (v instanceof long[]) {
      return ((long[]) v).clone();
    }
    throw wrongKind(name, "ints", v);
  }

  public float[] getFloats(String name, float[] dflt) {
    Object v = values.get(name);
    if (v == null) {
      return dflt;
    }
    if (v instanceof float[]) {
      return ((float[]) v).clone();
    }
    throw wrongKind(name, "floats", v);
  }

  public String[] getStrings(String name, String[] dflt) {
    Object v = values.get(name);
    if (v == null) {
      return dflt;
    }
    if (v instanceof String[]) {
      return ((String[]) v).clone();
    }
    throw wrongKind(name, "strings", v);
  }

  public TensorData getTensor(String name) {
    Object v = values.get(name);
    if (v == null || v instanceof TensorData) {
      return (TensorData) v;
    }
    throw wrongKind(name, "tensor", v);
  }

  private static void check(String name, Object v) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("attribute without a name");
    }
    if (!(v instanceof Long || v instanceof Float || v instanceof String || v instanceof TensorData
        || v instanceof Graph || v instanceof long[] || v instanceof float[] || v instanceof String[]
        || v instanceof TensorData[] || v instanceof Graph[])) {
      throw new IllegalArgumentException(
          "attribute " + name + " has unsupported value type " + (v == null ? "null" : v.getClass().getSimpleName()));
    }
  }

  private static ShapeMismatchException wrongKind(String name, String want, Object got) {
    return new ShapeMismatchException(
        "attribute '" + name + "' should be " + want + " but is " + got.getClass().getSimpleName());
  }

  /** Printable form of one attribute value. */
  public static String format(Object v) {
    if (v instanceof long[]) {
      return Arrays.toString((long[]) v);
    } else if (v instanceof float[]) {
      return Arrays.toString((float[]) v);
    } else if (v instanceof String[]) {
      return Arrays.toString((String[]) v);
    } else if (v instanceof String) {
      return '"' + (String) v + '"';
    } else if (v instanceof TensorData) {
      return "tensor " + ((TensorData) v).type();
    } else if (v instanceof Graph) {
      return "graph " + ((Graph) v).name();
    } else if (v instanceof Object[]) {
      return "[" + ((Object[]) v).length + " items]";
    }
    return String.valueOf(v);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Object> e : values.entrySet()) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(e.getKey()).append('=').append(format(e.getValue()));
    }
    return sb.toString();
  }
}
