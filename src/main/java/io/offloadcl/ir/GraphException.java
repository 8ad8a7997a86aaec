package io.offloadcl.ir;

/** Thrown for a graph that breaks the IR's invariants (cycle, dangling value, duplicate name, empty inputs or outputs). */
public class GraphException extends OffloadException {
  private static final long serialVersionUID = 1L;

  public GraphException(String message) {
    super(message);
  }

  public GraphException(String message, Throwable cause) {
    super(message, cause);
  }
}
