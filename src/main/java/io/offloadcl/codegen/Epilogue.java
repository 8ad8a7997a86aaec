package io.offloadcl.codegen;

import java.util.ArrayList;
import java.util.List;

/**
 * Work applied to each output value just before it is stored: bias, alpha/beta scaling, an activation, a
 * residual add. Every template stores through {@code EPILOGUE(v, ...)}, so fusing elementwise work into a
 * kernel means choosing an epilogue, not writing a new kernel.
 *
 * <p>The expression reads the value as {@code v} and the template's index parameters by name (gemm passes
 * {@code bt, m, n}; elementwise {@code o}; conv {@code n, c, p}); extra buffers are {@code ep0, ep1, ...}, bound
 * to the node inputs listed in {@link #inputs()}.
 */
public final class Epilogue {
  /** Stores the value unchanged. */
  public static final Epilogue NONE = new Epilogue("(v)", List.of());

  private final String expression;
  private final List<Integer> inputs;

  public Epilogue(String expression, List<Integer> inputs) {
    this.expression = expression;
    this.inputs = List.copyOf(inputs);
  }

  public String expression() {
    return expression;
  }

  /** The node input slots bound to {@code ep0, ep1, ...}. */
  public List<Integer> inputs() {
    return inputs;
  }

  /** Defines EPILOGUE with the template's parameter list and EPI_PARAMS with the extra buffers. */
  void define(Block b, String params) {
    b.def("EPILOGUE" + params, expression);
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
