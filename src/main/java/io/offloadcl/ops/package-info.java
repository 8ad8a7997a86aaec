/**
 * The operator catalog. Each op is one {@link io.offloadcl.ops.OpSpec}: inputs, {@link io.offloadcl.ops.FusionKind},
 * shape inference and {@link io.offloadcl.ops.OpCost} (FLOPs, bytes read, bytes written). Ops are registered in
 * plain code by family files ({@code ElementwiseOps}, {@code ReductionOps}, {@code NnOps}, {@code LayoutOps},
 * {@code ShapeOps}); {@link io.offloadcl.ops.OpCatalog} is the lookup.
 */
package io.offloadcl.ops;
