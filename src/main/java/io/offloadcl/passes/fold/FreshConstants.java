package io.offloadcl.passes.fold;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Float arrays that constant folding allocated itself (the results of {@code ConstantOfShape}), so that no caller,
 * imported graph or other tensor can hold them. A later fold may then rewrite such weights in place instead of
 * copying them: the onnx-light models generate all their weights this way (resnet50: 102 MB), and BN folding
 * would otherwise allocate and write a second copy at every session open. Weakly held, and keyed by array
 * identity (arrays do not override equals).
 */
final class FreshConstants {
  private static final Set<Object> FRESH = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  private FreshConstants() {}

  /** Records a float32 result that folding just computed into a new array. */
  static void add(TensorData d) {
    if (d != null && d.dtype() == DType.FLOAT32 && d.size() > 0) {
      FRESH.add(d.array());
    }
  }

  /**
   * True when {@code v}'s float32 data may be overwritten: folding allocated it, {@code v} has exactly one use and
   * is no graph output, and no other constant of {@code g} shares its array (a folded Reshape would).
   */
  static boolean ownedBySingleUse(Graph g, Value v) {
    if (v == null || !v.isConstant() || v.uses().size() != 1 || g.isOutput(v)) {
      return false;
    }
    Object a = v.constant().array();
    if (v.constant().dtype() != DType.FLOAT32 || !FRESH.contains(a)) {
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
