package io.offloadcl.ops;

/** Catalog family file: registers its ops with {@link OpCatalog#add}. */
final class ShapeOps {
  private ShapeOps() {}

  static void register() {}
}
