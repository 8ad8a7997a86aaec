/**
 * The graph IR: C = {N, E, I, O}. A {@link io.offloadcl.ir.Graph} holds {@link io.offloadcl.ir.Node}s
 * (operators) connected by {@link io.offloadcl.ir.Value}s (each value has one producer — a node, a graph input
 * or a constant — and a list of uses, one per consuming input slot, so parallel edges are explicit).
 * {@link io.offloadcl.ir.GraphVerifier} checks the invariants; {@link io.offloadcl.ir.GraphPrinter} prints text
 * and DOT. The error hierarchy rooted at {@link io.offloadcl.ir.OffloadException} lives here too, because every
 * package may import {@code ir}.
 */
package io.offloadcl.ir;
