package io.offloadcl.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An edge source in the graph: a graph input, a constant (initializer) or a node output. Every consumer is
 * recorded as a {@link Use} (node, input slot), so {@code Mul(x, x)} gives x two uses at the same node — a
 * parallel edge, kept as such by every rewrite.
 */
public final class Value {
  /** One consuming edge: {@code node.inputs().get(index) == this value}. */
  public static final class Use {
    private final Node node;
    private final int index;

    Use(Node node, int index) {
      this.node = node;
      this.index = index;
    }

    public Node node() {
      return node;
    }

    public int index() {
      return index;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Use && ((Use) o).node == node && ((Use) o).index == index;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(node) * 31 + index;
    }

    @Override
    public String toString() {
      return node.name() + "#" + index;
    }
  }

  private String name;
  private TensorType type;
  private Node producer;
  private int producerIndex = -1;
  private TensorData constant;
  final List<Use> uses = new ArrayList<>();

  Value(String name, TensorType type) {
    this.name = name;
    this.type = type;
  }

  public String name() {
    return name;
  }

  void rename(String n) {
    this.name = n;
  }

  /** Static type, or null when not yet inferred. */
  public TensorType type() {
    return type;
  }

  public void setType(TensorType t) {
    this.type = t;
  }

  /** The node producing this value, or null for graph inputs and constants. */
  public Node producer() {
    return producer;
  }

  public int producerIndex() {
    return producerIndex;
  }

  void setProducer(Node n, int index) {
    this.producer = n;
    this.producerIndex = index;
  }

  /** The constant's data when this value is an initializer, else null. */
  public TensorData constant() {
    return constant;
  }

  void setConstant(TensorData d) {
    this.constant = d;
  }

  public boolean isConstant() {
    return constant != null;
  }

  /** Consuming edges, one per input slot (unmodifiable). */
  public List<Use> uses() {
    return Collections.unmodifiableList(uses);
  }

  /** Distinct consuming nodes in first-use order. */
  public List<Node> consumers() {
    List<Node> r = new ArrayList<>();
    for (Use u : uses) {
      if (!r.contains(u.node)) {
        r.add(u.node);
      }
    }
    return r;
  }

  @Override
  public String toString() {
    return "%" + name + (type == null ? "" : ":" + type);
  }
}
