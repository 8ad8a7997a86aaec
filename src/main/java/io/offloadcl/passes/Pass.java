package io.offloadcl.passes;

import io.offloadcl.ir.Graph;

/**
 * One graph rewrite. A pass is a small final class named verb-first ({@code EliminateDeadNodes},
 * {@code FuseMatMulAdd}); it edits the graph in place and says whether it changed anything, which is what
 * lets the {@link PassManager} iterate fixed-point groups.
 */
public interface Pass {
  /** Stable name, used by {@code --disable} and {@code --dump-after}. */
  String name();

  /** Rewrites {@code g}; true when the graph changed. */
  boolean run(Graph g, PassContext ctx);
}
