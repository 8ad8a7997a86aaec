package io.offloadcl.ops;

/** Catalog family file: registers its ops with {@link OpCatalog#add}. */
final class NnOps {
  private NnOps() {}

  static void register() {}
}
