package io.offloadcl.ops;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The operator catalog: every op OffloadCL understands, registered in plain code by its family file. Only the
 * default ONNX domain ("" or "ai.onnx") and our own fused ops (domain "offloadcl") are known.
 */
public final class OpCatalog {
  private static final Map<String, OpSpec> SPECS = new TreeMap<>();

  static {
    ElementwiseOps.register();
    ReductionOps.register();
    NnOps.register();
    LayoutOps.register();
    ShapeOps.register();
    FusedOps.register();
    QuantOps.register();
  }

  private OpCatalog() {}

  /** Called by the family files while the catalog initializes. */
  static void add(OpSpec spec) {
    if (SPECS.put(spec.opType(), spec) != null) {
      throw new IllegalStateException("op " + spec.opType() + " registered twice");
    }
  }

  public static boolean isKnownDomain(String domain) {
    return domain == null || domain.isEmpty() || domain.equals("ai.onnx") || domain.equals("offloadcl");
  }

  /** The spec for an op type in a known domain, or null. */
  public static OpSpec find(String domain, String opType) {
    return isKnownDomain(domain) ? SPECS.get(opType) : null;
  }

  public static OpSpec find(String opType) {
    return SPECS.get(opType);
  }

  /** Every registered spec by op type (sorted). */
  public static Map<String, OpSpec> all() {
    return Collections.unmodifiableMap(SPECS);
  }
}
