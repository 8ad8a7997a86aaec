package io.offloadcl.ops;

/** Catalog family file: registers its ops with {@link OpCatalog#add}. */
final class ReductionOps {
  private ReductionOps() {}

  static void register() {}
}
