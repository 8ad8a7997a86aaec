package io.offloadcl.ir;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The computational graph C = {N, E, I, O}: nodes (operators), edges (a {@link Value} to each of its uses),
 * inputs and outputs. Constants (initializers) are values without a producer that carry data.
 *
 * <p>All edge changes go through this class so that every {@link Value#uses()} list stays exact, which keeps
 * parallel edges ({@code Mul(x, x)}) intact through rewrites. Node order is kept topological by
 * {@link #sortTopologically()}; builders and passes call it after inserting nodes out of order.
 */
public final class Graph {
  private String name;
  private final List<Node> nodes = new ArrayList<>();
  private final List<Value> inputs = new ArrayList<>();
  private final List<Value> outputs = new ArrayList<>();
  private final Map<String, Value> values = new LinkedHashMap<>();
  private final Map<String, Node> nodesByName = new HashMap<>();
  private final Map<String, Integer> opsetImports = new LinkedHashMap<>();
  private int nameCounter;

  public Graph(String name) {
    this.name = name == null ? "graph" : name;
  }

  public String name() {
    return name;
  }

  public void setName(String n) {
    this.name = n;
  }

  /** Opset imports of the model: domain ("" for ai.onnx) → version. */
  public Map<String, Integer> opsetImports() {
    return opsetImports;
  }

  public List<Node> nodes() {
    return Collections.unmodifiableList(nodes);
  }

  public List<Value> inputs() {
    return Collections.unmodifiableList(inputs);
  }

  public List<Value> outputs() {
    return Collections.unmodifiableList(outputs);
  }

  /** All values by name: inputs, constants and node outputs. */
  public Collection<Value> values() {
    return Collections.unmodifiableCollection(values.values());
  }

  public Value value(String valueName) {
    return values.get(valueName);
  }

  public Node node(String nodeName) {
    return nodesByName.get(nodeName);
  }

  /** Constant values (initializers), in insertion order. */
  public List<Value> constants() {
    List<Value> r = new ArrayList<>();
    for (Value v : values.values()) {
      if (v.isConstant()) {
        r.add(v);
      }
    }
    return r;
  }

  /** A value name not used yet, starting from {@code base}. */
  public String freshValueName(String base) {
    String b = base == null || base.isEmpty() ? "v" : base;
    if (!values.containsKey(b)) {
      return b;
    }
    String n;
    do {
      n = b + "_" + (++nameCounter);
    } while (values.containsKey(n));
    return n;
  }

  /** A node name not used yet, starting from {@code base}. */
  public String freshNodeName(String base) {
    String b = base == null || base.isEmpty() ? "node" : base;
    if (!nodesByName.containsKey(b)) {
      return b;
    }
    String n;
    do {
      n = b + "_" + (++nameCounter);
    } while (nodesByName.containsKey(n));
    return n;
  }

  private Value newValue(String valueName, TensorType type) {
    if (valueName == null || valueName.isEmpty()) {
      throw new ModelFormatException("a value needs a non-empty name");
    }
    if (values.containsKey(valueName)) {
      throw new ModelFormatException("value '" + valueName + "' is defined twice");
    }
    Value v = new Value(valueName, type);
    values.put(valueName, v);
    return v;
  }

  public Value addInput(String valueName, TensorType type) {
    Value v = newValue(valueName, type);
    inputs.add(v);
    return v;
  }

  /** Adds a constant (initializer) value. */
  public Value addConstant(String valueName, TensorData data) {
    Value v = newValue(valueName, data.type());
    v.setConstant(data);
    return v;
  }

  /** Replaces a constant's data (shape and dtype follow the new data). */
  public void setConstantData(Value v, TensorData data) {
    if (!v.isConstant()) {
      throw new IllegalArgumentException(v.name() + " is not a constant");
    }
    v.setConstant(data);
    v.setType(data.type());
  }

  /** Marks an existing value as a graph output (a value may be listed once). */
  public void addOutput(Value v) {
    requireOwn(v);
    outputs.add(v);
  }

  public void setOutput(int index, Value v) {
    requireOwn(v);
    outputs.set(index, v);
  }

  public boolean isOutput(Value v) {
    for (Value o : outputs) {
      if (o == v) {
        return true;
      }
    }
    return false;
  }

  public boolean isInput(Value v) {
    for (Value i : inputs) {
      if (i == v) {
        return true;
      }
    }
    return false;
  }

  /**
   * Appends a node. {@code inputs} may contain nulls (omitted optional inputs) and repeats (parallel edges);
   * {@code outputNames} entries may be null or empty for omitted optional outputs. Output types start unknown.
   */
  public Node addNode(String opType, String nodeName, List<Value> nodeInputs, List<String> outputNames,
      Attributes attrs) {
    return addNode(opType, "", opsetImports.getOrDefault("", 0), nodeName, nodeInputs, outputNames, attrs);
  }

  public Node addNode(String opType, String domain, int opsetVersion, String nodeName, List<Value> nodeInputs,
      List<String> outputNames, Attributes attrs) {
    String nn = nodeName == null || nodeName.isEmpty() ? freshNodeName(opType) : nodeName;
    if (nodesByName.containsKey(nn)) {
      throw new ModelFormatException("node name '" + nn + "' is used twice");
    }
    Node n = new Node(nn, opType, domain, opsetVersion, attrs);
    for (Value in : nodeInputs) {
      if (in != null) {
        requireOwn(in);
      }
      n.inputs.add(in);
      if (in != null) {
        in.uses.add(new Value.Use(n, n.inputs.size() - 1));
      }
    }
    for (String on : outputNames) {
      if (on == null || on.isEmpty()) {
        n.outputs.add(null);
      } else {
        Value v = newValue(on, null);
        v.setProducer(n, n.outputs.size());
        n.outputs.add(v);
      }
    }
    nodes.add(n);
    nodesByName.put(nn, n);
    return n;
  }

  /** Points input slot {@code index} of {@code node} at {@code v} (null omits it). */
  public void setInput(Node node, int index, Value v) {
    if (v != null) {
      requireOwn(v);
    }
    while (node.inputs.size() <= index) {
      node.inputs.add(null);
    }
    Value old = node.inputs.get(index);
    if (old != null) {
      old.uses.remove(new Value.Use(node, index));
    }
    node.inputs.set(index, v);
    if (v != null) {
      v.uses.add(new Value.Use(node, index));
    }
  }

  /** Appends an input slot to a node. */
  public void appendInput(Node node, Value v) {
    setInput(node, node.inputs.size(), v);
  }

  /** Drops trailing input slots so the node has {@code count} inputs. */
  public void truncateInputs(Node node, int count) {
    while (node.inputs.size() > count) {
      setInput(node, node.inputs.size() - 1, null);
      node.inputs.remove(node.inputs.size() - 1);
    }
  }

  /**
   * Moves every use of {@code from} (every edge, parallel ones included) to {@code to}; graph outputs listing
   * {@code from} are redirected too when {@code includeOutputs}.
   */
  public void replaceAllUses(Value from, Value to, boolean includeOutputs) {
    requireOwn(to);
    if (from == to) {
      return;
    }
    for (Value.Use u : new ArrayList<>(from.uses)) {
      setInput(u.node(), u.index(), to);
    }
    if (includeOutputs) {
      for (int i = 0; i < outputs.size(); i++) {
        if (outputs.get(i) == from) {
          outputs.set(i, to);
        }
      }
    }
  }

  /** Removes a node whose outputs are unused and not graph outputs; its input edges go with it. */
  public void removeNode(Node n) {
    for (Value o : n.outputs) {
      if (o == null) {
        continue;
      }
      if (!o.uses.isEmpty() || isOutput(o)) {
        throw new IllegalStateException("cannot remove " + n + ": output " + o.name() + " is still used");
      }
    }
    for (int i = 0; i < n.inputs.size(); i++) {
      Value in = n.inputs.get(i);
      if (in != null) {
        in.uses.remove(new Value.Use(n, i));
      }
    }
    for (Value o : n.outputs) {
      if (o != null) {
        values.remove(o.name());
      }
    }
    nodes.remove(n);
    nodesByName.remove(n.name());
  }

  /** Removes a constant, graph input or orphan value that nothing uses. */
  public void removeValue(Value v) {
    if (!v.uses.isEmpty() || isOutput(v) || v.producer() != null) {
      throw new IllegalStateException("value " + v.name() + " is still in use");
    }
    values.remove(v.name());
    inputs.remove(v);
  }

  /** Renames a value (used when a rewrite must keep a graph output's name). */
  public void renameValue(Value v, String newName) {
    requireOwn(v);
    if (values.containsKey(newName)) {
      throw new IllegalArgumentException("value name " + newName + " is taken");
    }
    values.remove(v.name());
    v.rename(newName);
    values.put(newName, v);
  }

  /**
   * Reorders nodes topologically (Kahn's algorithm, stable with respect to the current order).
   *
   * @throws GraphException naming a node on a cycle when there is one
   */
  public void sortTopologically() {
    Map<Node, Integer> pending = new IdentityHashMap<>();
    for (Node n : nodes) {
      int c = 0;
      for (Value in : n.inputs) {
        if (in != null && in.producer() != null) {
          c++;
        }
      }
      pending.put(n, c);
    }
    Deque<Node> ready = new ArrayDeque<>();
    for (Node n : nodes) {
      if (pending.get(n) == 0) {
        ready.add(n);
      }
    }
    List<Node> order = new ArrayList<>(nodes.size());
    while (!ready.isEmpty()) {
      Node n = ready.poll();
      order.add(n);
      for (Value o : n.outputs) {
        if (o == null) {
          continue;
        }
        for (Value.Use u : o.uses) {
          Integer c = pending.get(u.node());
          if (c == null) {
            continue;
          }
          pending.put(u.node(), c - 1);
          if (c - 1 == 0) {
            ready.add(u.node());
          }
        }
      }
    }
    if (order.size() != nodes.size()) {
      for (Node n : nodes) {
        if (pending.get(n) > 0) {
          throw new GraphException("graph '" + name + "' has a cycle through node '" + n.name() + "' (" + n.opType() + ")");
        }
      }
    }
    nodes.clear();
    nodes.addAll(order);
  }

  private void requireOwn(Value v) {
    if (values.get(v.name()) != v) {
      throw new IllegalArgumentException("value " + v.name() + " does not belong to graph " + name);
    }
  }

  /**
   * A structural copy: same names, types, attributes (copied maps, shared values) and constant data (shared,
   * immutable by convention). Later stages build their own graph from it instead of editing an earlier
   * stage's, e.g. to specialize dynamic input dimensions for one run.
   */
  public Graph copy() {
    Graph g = new Graph(name);
    g.opsetImports.putAll(opsetImports);
    g.nameCounter = nameCounter;
    for (Value v : inputs) {
      g.addInput(v.name(), v.type());
    }
    for (Value v : values.values()) {
      if (v.isConstant()) {
        Value c = g.addConstant(v.name(), v.constant());
        c.setType(v.type());
      }
    }
    for (Node n : nodes) {
      List<Value> ins = new ArrayList<>(n.inputs.size());
      for (Value in : n.inputs) {
        ins.add(in == null ? null : g.values.get(in.name()));
      }
      List<String> outs = new ArrayList<>(n.outputs.size());
      for (Value o : n.outputs) {
        outs.add(o == null ? null : o.name());
      }
      Node m = g.addNode(n.opType(), n.domain(), n.opsetVersion(), n.name(), ins, outs, new Attributes(n.attributes()));
      for (int i = 0; i < n.outputs.size(); i++) {
        if (n.outputs.get(i) != null) {
          m.outputs.get(i).setType(n.outputs.get(i).type());
        }
      }
    }
    for (Value o : outputs) {
      g.outputs.add(g.values.get(o.name()));
    }
    return g;
  }

  @Override
  public String toString() {
    return GraphPrinter.toText(this);
  }
}
