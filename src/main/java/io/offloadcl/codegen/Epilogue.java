package io.offloadcl.codegen;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Work applied to each output value just before it is stored: bias, alpha/beta scaling, an activation, a
 * residual add. Every template stores through {@code EPILOGUE(v, ...)}, so fusing elementwise work into a
 * kernel means choosing an epilogue, not writing a new kernel.
 *
 * <p>An expression reads the value as {@code v} and the template's index parameters by name (gemm passes
 * {@code bt, m, n}; elementwise and reduce {@code o}; conv {@code n, c, p}; pools {@code nc, p}); its extra
 * buffers are {@code ep0, ep1, ...}, bound to the node inputs listed in {@link #inputs()}. Stages compose with
 * {@link #then}: each stage becomes its own macro, applied to the previous stage's result, and the later
 * stage's buffers are renumbered after the earlier's.
 *
 * <p>A stage may also have a vector form, over a float8 {@code v} holding 8 consecutive columns (the template's
 * last index parameter) with that parameter naming the first of them; a template that stores whole float8
 * runs (gemm_cpu) uses it when every stage has one ({@link #defineVector}). The code that builds a stage knows
 * how its buffer is indexed, so it says whether a vector form exists
 * ({@link #Epilogue(String, String, List)}); a stage built from one expression alone gets its own text as
 * vector form only where that text is plainly lane-wise: buffers indexed without the column, arithmetic and
 * one-operand math functions, no comparison or ternary ({@link #lanewise}).
 */
public final class Epilogue {
  /** Stores the value unchanged. */
  public static final Epilogue NONE = new Epilogue(List.of(), List.of());

  private static final Pattern EP = Pattern.compile("\\bep(\\d+)\\b");
  private static final Pattern TOKEN = Pattern.compile(
      "\\s+|ep\\d+\\[|[A-Za-z_]\\w*|(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?[fF]?|[-+*/(),\\]]|.");
  /** OpenCL C math functions of one operand, defined for float8 as for float. */
  private static final Set<String> LANEWISE_FN = Set.of("exp", "tanh", "log", "sqrt", "fabs", "erf", "floor", "ceil",
      "log1p", "sin", "cos");

  /**
   * One stage: the scalar expression and its float8 form, null where it has none; {@code derive}: the creator
   * gave none, and the scalar text serves where it is lane-wise.
   */
  private record Stage(String scalar, String vector, boolean derive) {
    Stage renumber(int shift) {
      return new Stage(shift(scalar, shift), vector == null ? null : shift(vector, shift), derive);
    }

    String vectorOver(List<String> names) {
      return !derive ? vector : lanewise(scalar, names) ? scalar : null;
    }
  }

  private final List<Stage> stages;
  private final List<Integer> inputs;

  /**
   * One stage: {@code expression} over {@code v}, its buffers {@code ep0..} bound to node inputs {@code inputs};
   * its vector form is the same text where that is plainly lane-wise.
   */
  public Epilogue(String expression, List<Integer> inputs) {
    this(List.of(new Stage(expression, null, true)), inputs);
  }

  /**
   * One stage with an explicit vector form: {@code vector} is the expression over a float8 {@code v} of 8
   * consecutive columns, the column parameter naming the first (a unit-stride buffer reads
   * {@code vload8(0, epK + index)}), or null where the stage has none and templates store it value by value.
   */
  public Epilogue(String expression, String vector, List<Integer> inputs) {
    this(List.of(new Stage(expression, vector, false)), inputs);
  }

  private Epilogue(List<Stage> stages, List<Integer> inputs) {
    this.stages = List.copyOf(stages);
    this.inputs = List.copyOf(inputs);
  }

  /** This epilogue, then {@code next} applied to its result. */
  public Epilogue then(Epilogue next) {
    List<Stage> s = new ArrayList<>(stages);
    int shift = inputs.size();
    for (Stage e : next.stages) {
      s.add(e.renumber(shift));
    }
    List<Integer> in = new ArrayList<>(inputs);
    in.addAll(next.inputs);
    return new Epilogue(s, in);
  }

  private static String shift(String e, int shift) {
    Matcher m = EP.matcher(e);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, "ep" + (Integer.parseInt(m.group(1)) + shift));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** The stage expressions, first applied first. */
  public List<String> stages() {
    return stages.stream().map(Stage::scalar).toList();
  }

  /** The node input slots bound to {@code ep0, ep1, ...}. */
  public List<Integer> inputs() {
    return inputs;
  }

  /** Defines EPILOGUE with the template's parameter list and EPI_PARAMS with the extra buffers. */
  void define(Block b, String params) {
    String value = "(v)";
    for (int i = 0; i < stages.size(); i++) {
      b.def("EPI_STAGE" + i + params, stages.get(i).scalar());
      value = "EPI_STAGE" + i + params.replaceFirst("\\(v", "(" + value);
    }
    b.def("EPILOGUE" + params, value);
    StringBuilder p = new StringBuilder();
    for (int i = 0; i < inputs.size(); i++) {
      p.append(", __global const float* restrict ep").append(i);
    }
    b.def("EPI_PARAMS", p.toString());
  }

  /** Whether every stage has a float8 form over {@code params} (value first, column last). */
  boolean hasVector(String params) {
    List<String> names = paramNames(params);
    return stages.stream().allMatch(s -> s.vectorOver(names) != null);
  }

  /**
   * Defines EPILOGUE8 (same parameters as EPILOGUE, {@code v} a float8 of 8 consecutive columns starting at the
   * column parameter) where every stage has a vector form; returns whether it did.
   */
  boolean defineVector(Block b, String params) {
    if (!hasVector(params)) {
      return false;
    }
    List<String> names = paramNames(params);
    String value = "(v)";
    for (int i = 0; i < stages.size(); i++) {
      b.def("EPI_VSTAGE" + i + params, stages.get(i).vectorOver(names));
      value = "EPI_VSTAGE" + i + params.replaceFirst("\\(v", "(" + value);
    }
    b.def("EPILOGUE8" + params, value);
    return true;
  }

  private static List<String> paramNames(String params) {
    List<String> names = new ArrayList<>();
    for (String p : params.replaceAll("[()\\s]", "").split(",")) {
      names.add(p);
    }
    return names;
  }

  /**
   * Whether a scalar expression is valid, with the same meaning lane by lane, for a float8 {@code v}: outside
   * buffer subscripts it holds only {@code v}, number literals, + - * / parentheses and one-operand math
   * functions; every subscript avoids the column (the last of {@code names}), so the buffer value is one scalar
   * that OpenCL broadcasts over the vector (a bias {@code ep0[c]}). Comparisons and ternaries would need select(),
   * and two-operand functions such as fmax take their vector operand first, so those stay scalar here: their
   * creators give the vector form explicitly.
   */
  static boolean lanewise(String e, List<String> names) {
    String column = names.get(names.size() - 1);
    Matcher m = TOKEN.matcher(e);
    int depth = 0; // subscript nesting
    while (m.find()) {
      String t = m.group();
      if (t.isBlank()) {
        continue;
      }
      boolean word = Character.isLetter(t.charAt(0)) || t.charAt(0) == '_';
      if (t.startsWith("ep") && t.endsWith("[")) {
        depth++;
      } else if (t.equals("]")) {
        if (depth-- == 0) {
          return false;
        }
      } else if (depth > 0) {
        // an index of integer arithmetic over the non-column parameters: one value for all 8 lanes
        if (word ? t.equals(column) || t.equals("v") : !(Character.isDigit(t.charAt(0)) || "+-*/%()".contains(t))) {
          return false;
        }
      } else if (word) {
        if (!t.equals("v") && !(LANEWISE_FN.contains(t) && e.substring(m.end()).stripLeading().startsWith("("))) {
          return false;
        }
      } else if (!(Character.isDigit(t.charAt(0)) || t.charAt(0) == '.' || "+-*/()".contains(t))) {
        return false;
      }
    }
    return depth == 0;
  }

  List<KernelSource.Arg> args(List<KernelSource.Arg> base) {
    List<KernelSource.Arg> all = new ArrayList<>(base);
    for (int i : inputs) {
      all.add(KernelSource.Arg.in(i));
    }
    return all;
  }
}
