package io.offloadcl.ops;

/** Catalog family file: registers its ops with {@link OpCatalog#add}. */
final class LayoutOps {
  private LayoutOps() {}

  static void register() {}
}
