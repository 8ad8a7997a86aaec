package io.offloadcl.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An operator instance. Inputs may repeat a value (parallel edges) and may hold null for an omitted optional
 * input; outputs may hold null for an omitted optional output. Edges are changed only through {@link Graph},
 * which keeps the use lists in step.
 */
public final class Node {
  private final String name;
  private String opType;
  private String domain;
  private int opsetVersion;
  final List<Value> inputs = new ArrayList<>();
  final List<Value> outputs = new ArrayList<>();
  private final Attributes attributes;

  Node(String name, String opType, String domain, int opsetVersion, Attributes attributes) {
    this.name = name;
    this.opType = opType;
    this.domain = domain == null ? "" : domain;
    this.opsetVersion = opsetVersion;
    this.attributes = attributes == null ? new Attributes() : attributes;
  }

  /** Unique within its graph. */
  public String name() {
    return name;
  }

  public String opType() {
    return opType;
  }

  /** Operator domain; "" is the default ONNX domain. */
  public String domain() {
    return domain;
  }

  /** The opset version the model imports for this node's domain; ops whose meaning changed read it. */
  public int opsetVersion() {
    return opsetVersion;
  }

  public Attributes attributes() {
    return attributes;
  }

  public List<Value> inputs() {
    return Collections.unmodifiableList(inputs);
  }

  public List<Value> outputs() {
    return Collections.unmodifiableList(outputs);
  }

  /** Input i, or null when it is omitted or beyond the given inputs. */
  public Value input(int i) {
    return i < inputs.size() ? inputs.get(i) : null;
  }

  /** Output i, or null when it is omitted or beyond the given outputs. */
  public Value output(int i) {
    return i < outputs.size() ? outputs.get(i) : null;
  }

  public boolean hasInput(int i) {
    return input(i) != null;
  }

  @Override
  public String toString() {
    return name + ":" + opType;
  }
}
