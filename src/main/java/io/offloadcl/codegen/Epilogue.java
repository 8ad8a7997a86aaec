package io.offloadcl.codegen;

import java.util.ArrayList;
import java.util.List;
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
 */
public final class Epilogue {
  /** Stores the value unchanged. */
  public static final Epilogue NONE = new Epilogue(List.of(), List.of());

  private static final Pattern EP = Pattern.compile("\\bep(\\d+)\\b");

  private final List<String> stages;
  private final List<Integer> inputs;

  /** One stage: {@code expression} over {@code v}, its buffers {@code ep0..} bound to node inputs {@code inputs}. */
  public Epilogue(String expression, List<Integer> inputs) {
    this(List.of(expression), inputs);
  }

  private Epilogue(List<String> stages, List<Integer> inputs) {
    this.stages = List.copyOf(stages);
    this.inputs = List.copyOf(inputs);
  }

  /** This epilogue, then {@code next} applied to its result. */
  public Epilogue then(Epilogue next) {
    List<String> s = new ArrayList<>(stages);
    int shift = inputs.size();
    for (String e : next.stages) {
      Matcher m = EP.matcher(e);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(sb, "ep" + (Integer.parseInt(m.group(1)) + shift));
      }
      m.appendTail(sb);
      s.add(sb.toString());
    }
    List<Integer> in = new ArrayList<>(inputs);
    in.addAll(next.inputs);
    return new Epilogue(s, in);
  }

  /** The stage expressions, first applied first. */
  public List<String> stages() {
    return stages;
  }

  /** The node input slots bound to {@code ep0, ep1, ...}. */
  public List<Integer> inputs() {
    return inputs;
  }

  /** Defines EPILOGUE with the template's parameter list and EPI_PARAMS with the extra buffers. */
  void define(Block b, String params) {
    String value = "(v)";
    for (int i = 0; i < stages.size(); i++) {
      b.def("EPI_STAGE" + i + params, stages.get(i));
      value = "EPI_STAGE" + i + params.replaceFirst("\\(v", "(" + value);
    }
    b.def("EPILOGUE" + params, value);
    StringBuilder p = new StringBuilder();
    for (int i = 0; i < inputs.size(); i++) {
      p.append(", __global const float* restrict ep").append(i);
    }
    b.def("EPI_PARAMS", p.toString());
  }

  List<KernelSource.Arg> args(List<KernelSource.Arg> base) {
    List<KernelSource.Arg> all = new ArrayList<>(base);
    for (int i : inputs) {
      all.add(KernelSource.Arg.in(i));
    }
    return all;
  }
}
