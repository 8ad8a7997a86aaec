package io.offloadcl.ops;

import io.offloadcl.ir.ShapeMismatchException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The scalar vocabulary of fused epilogues and {@code FusedElementwise} programs, and the parser of the
 * postfix program encoding documented in {@link FusedOps}. Only names, arities and parameter counts live here;
 * the arithmetic is in the reference kernels ({@code runtime.cpu.FusedKernels}) and in codegen.
 */
public final class FusedExpr {
  /** One scalar function: name, operand count, float-parameter count. */
  public static final class Fn {
    private final String name;
    private final int arity;
    private final int params;

    Fn(String name, int arity, int params) {
      this.name = name;
      this.arity = arity;
      this.params = params;
    }

    public String name() {
      return name;
    }

    public int arity() {
      return arity;
    }

    public int params() {
      return params;
    }
  }

  /** One parsed program token. */
  public static final class Token {
    /** What a token does. */
    public enum Kind { INPUT, CONST, DUP, APPLY }

    private final Kind kind;
    private final int input;
    private final float value;
    private final Fn fn;
    private final float[] params;

    private Token(Kind kind, int input, float value, Fn fn, float[] params) {
      this.kind = kind;
      this.input = input;
      this.value = value;
      this.fn = fn;
      this.params = params;
    }

    public Kind kind() {
      return kind;
    }

    /** Input index for {@link Kind#INPUT}. */
    public int input() {
      return input;
    }

    /** Literal for {@link Kind#CONST}. */
    public float value() {
      return value;
    }

    /** Function for {@link Kind#APPLY}. */
    public Fn fn() {
      return fn;
    }

    /** Parameters for {@link Kind#APPLY} (a copy). */
    public float[] params() {
      return params == null ? new float[0] : params.clone();
    }
  }

  private static final Map<String, Fn> FNS = new TreeMap<>();

  static {
    for (String u : new String[] {"Relu", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Abs", "Neg", "Reciprocal", "Erf",
        "Floor", "Ceil", "Softplus", "Softsign", "Sin", "Cos", "HardSwish", "Gelu", "GeluTanh", "Identity"}) {
      def(u, 1, 0);
    }
    def("LeakyRelu", 1, 1);
    def("Elu", 1, 1);
    def("ThresholdedRelu", 1, 1);
    def("HardSigmoid", 1, 2);
    def("Clip", 1, 2);
    def("Selu", 1, 2);
    for (String b : new String[] {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "PRelu"}) {
      def(b, 2, 0);
    }
  }

  private FusedExpr() {}

  private static void def(String name, int arity, int params) {
    FNS.put(name, new Fn(name, arity, params));
  }

  /** The function named {@code name}, or null. */
  public static Fn fn(String name) {
    return FNS.get(name);
  }

  /** Every function by name. */
  public static Map<String, Fn> functions() {
    return Collections.unmodifiableMap(FNS);
  }

  /** True when {@code name} is a one-operand function usable as a conv/gemm activation epilogue. */
  public static boolean isActivation(String name) {
    Fn f = FNS.get(name);
    return f != null && f.arity == 1;
  }

  /** Formats an apply token, e.g. {@code LeakyRelu:0.1}. */
  public static String applyToken(String fn, float... params) {
    StringBuilder sb = new StringBuilder(fn);
    for (float p : params) {
      sb.append(':').append(Float.toString(p));
    }
    return sb.toString();
  }

  /**
   * Parses and checks a program: every token known, parameter counts right, input indices below
   * {@code numInputs}, and the stack holding exactly one value at the end.
   *
   * @throws ShapeMismatchException naming the bad token
   */
  public static List<Token> parse(String[] program, int numInputs) {
    if (program == null || program.length == 0) {
      throw new ShapeMismatchException("FusedElementwise needs a non-empty 'expr' attribute");
    }
    List<Token> r = new ArrayList<>(program.length);
    int depth = 0;
    for (int i = 0; i < program.length; i++) {
      String t = program[i];
      Token tok;
      if (t.startsWith("in:")) {
        int k = parseInt(t.substring(3), t, i);
        if (k < 0 || k >= numInputs) {
          throw new ShapeMismatchException("expr token " + i + " '" + t + "' refers to input " + k + " but the node has "
              + numInputs + " inputs");
        }
        tok = new Token(Token.Kind.INPUT, k, 0, null, null);
        depth++;
      } else if (t.startsWith("const:")) {
        tok = new Token(Token.Kind.CONST, -1, parseFloat(t.substring(6), t, i), null, null);
        depth++;
      } else if (t.equals("dup")) {
        if (depth < 1) {
          throw new ShapeMismatchException("expr token " + i + " 'dup' on an empty stack");
        }
        tok = new Token(Token.Kind.DUP, -1, 0, null, null);
        depth++;
      } else {
        String[] parts = t.split(":");
        Fn f = FNS.get(parts[0]);
        if (f == null) {
          throw new ShapeMismatchException("expr token " + i + " '" + t + "': unknown function; known are " + FNS.keySet());
        }
        if (parts.length - 1 != f.params) {
          throw new ShapeMismatchException("expr token " + i + " '" + t + "': " + f.name + " takes " + f.params
              + " parameters, got " + (parts.length - 1));
        }
        float[] ps = new float[f.params];
        for (int p = 0; p < ps.length; p++) {
          ps[p] = parseFloat(parts[p + 1], t, i);
        }
        if (depth < f.arity) {
          throw new ShapeMismatchException("expr token " + i + " '" + t + "' needs " + f.arity + " operands, stack has "
              + depth);
        }
        depth -= f.arity - 1;
        tok = new Token(Token.Kind.APPLY, -1, 0, f, ps);
      }
      r.add(tok);
    }
    if (depth != 1) {
      throw new ShapeMismatchException("expr leaves " + depth + " values on the stack; expected 1");
    }
    return r;
  }

  /** Number of function applications in a program (its FLOPs per element). */
  public static int applications(String[] program) {
    int n = 0;
    for (String t : program) {
      if (!t.startsWith("in:") && !t.startsWith("const:") && !t.equals("dup")) {
        n++;
      }
    }
    return n;
  }

  private static int parseInt(String s, String tok, int i) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new ShapeMismatchException("expr token " + i + " '" + tok + "': bad input index");
    }
  }

  private static float parseFloat(String s, String tok, int i) {
    try {
      return Float.parseFloat(s);
    } catch (NumberFormatException e) {
      throw new ShapeMismatchException("expr token " + i + " '" + tok + "': bad number");
    }
  }
}
