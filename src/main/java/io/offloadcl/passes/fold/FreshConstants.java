package io.offloadcl.passes.fold;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import java.lang.ref.WeakReference;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Float arrays that constant folding allocated itself (the results of {@code ConstantOfShape}), so that no caller,
 * imported graph or other tensor can hold them. A later fold may then rewrite such weights in place instead of
 * copying them: the onnx-light models generate all their weights this way (resnet50: 102 MB), and BN folding
 * would otherwise allocate and write a second copy at every session open. Weakly held, and keyed by array
 * identity (arrays do not override equals).
 */
final class FreshConstants {
  /**
   * Whom an array belongs to: the graph whose folding allocated it (weakly: the graph holds the array, so a strong
   * reference would keep both alive), and its one repeated value while every element still holds it.
   */
  private record Owner(WeakReference<Graph> graph, Float splat) {}

  private static final Map<Object, Owner> FRESH = Collections.synchronizedMap(new WeakHashMap<>());

  private FreshConstants() {}

  /** Records a float32 result that folding {@code g} just computed into a new array, every element {@code splat}. */
  static void addSplat(Graph g, TensorData d, float splat) {
    if (d != null && d.dtype() == DType.FLOAT32 && d.size() > 0) {
      FRESH.put(d.array(), new Owner(new WeakReference<>(g), splat));
    }
  }

  /** The value every element of this fresh array holds, or null when unknown or since rewritten. */
  static Float splat(TensorData d) {
    Owner o = FRESH.get(d.array());
    return o == null ? null : o.splat();
  }

  /** Notes that an owned array was rewritten: it still belongs to its graph, but is no longer one repeated value. */
  static void rewritten(TensorData d) {
    FRESH.computeIfPresent(d.array(), (k, o) -> new Owner(o.graph(), null));
  }

  /**
   * True when {@code v}'s float32 data may be overwritten: folding {@code g} itself allocated it (a copy of the
   * graph shares the arrays, so it never qualifies), {@code v} has exactly one use and is no graph output, and no
   * other constant of {@code g} shares its array (a folded Reshape would). A copy of {@code g} taken while passes
   * still run on {@code g} shares arrays that {@code g}'s later folds may rewrite; sessions copy before the
   * pipeline and specialize after it, so no such copy exists today.
   */
  static boolean ownedBySingleUse(Graph g, Value v) {
    if (v == null || !v.isConstant() || v.uses().size() != 1 || g.isOutput(v)) {
      return false;
    }
    Object a = v.constant().array();
    Owner o = v.constant().dtype() == DType.FLOAT32 ? FRESH.get(a) : null;
    if (o == null || o.graph().get() != g) {
      return false;
    }
    for (Value c : g.constants()) {
      if (c != v && c.isConstant() && c.constant().array() == a) {
        return false;
      }
    }
    return true;
  }
}
