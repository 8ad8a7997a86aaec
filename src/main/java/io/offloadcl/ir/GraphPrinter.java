package io.offloadcl.ir;

import java.util.StringJoiner;

/** Text and Graphviz DOT forms of a graph. Parallel edges print as repeated inputs and as repeated DOT edges. */
public final class GraphPrinter {
  private GraphPrinter() {}

  /** One line per input, constant, node and output; e.g. {@code %y:float32[1,4] = Mul(%x, %x)}. */
  public static String toText(Graph g) {
    StringBuilder sb = new StringBuilder();
    sb.append("graph ").append(g.name()).append(" {\n");
    for (Value v : g.inputs()) {
      sb.append("  input ").append(v).append('\n');
    }
    for (Value v : g.constants()) {
      sb.append("  const ").append(v).append('\n');
    }
    for (Node n : g.nodes()) {
      StringJoiner outs = new StringJoiner(", ");
      for (Value o : n.outputs()) {
        outs.add(o == null ? "_" : o.toString());
      }
      StringJoiner ins = new StringJoiner(", ");
      for (Value i : n.inputs()) {
        ins.add(i == null ? "_" : "%" + i.name());
      }
      sb.append("  ").append(outs).append(" = ").append(n.opType()).append('(').append(ins).append(')');
      if (!n.attributes().asMap().isEmpty()) {
        sb.append(" {").append(n.attributes()).append('}');
      }
      sb.append("  # ").append(n.name()).append('\n');
    }
    StringJoiner outs = new StringJoiner(", ");
    for (Value o : g.outputs()) {
      outs.add("%" + o.name());
    }
    sb.append("  return ").append(outs).append("\n}\n");
    return sb.toString();
  }

  /** Graphviz DOT; {@code colorOf} may be null, else gives a fill colour per node (e.g. by device). */
  public static String toDot(Graph g, java.util.function.Function<Node, String> colorOf) {
    StringBuilder sb = new StringBuilder();
    sb.append("digraph \"").append(esc(g.name())).append("\" {\n  rankdir=TB;\n  node [shape=box, style=filled, fillcolor=white];\n");
    for (Value v : g.inputs()) {
      sb.append("  \"in:").append(esc(v.name())).append("\" [shape=ellipse, fillcolor=lightgrey, label=\"")
          .append(esc(v.name())).append("\\n").append(v.type() == null ? "" : esc(v.type().toString())).append("\"];\n");
    }
    for (Node n : g.nodes()) {
      String color = colorOf == null ? null : colorOf.apply(n);
      sb.append("  \"").append(esc(n.name())).append("\" [label=\"").append(esc(n.opType())).append("\\n")
          .append(esc(n.name())).append('"');
      if (color != null) {
        sb.append(", fillcolor=\"").append(esc(color)).append('"');
      }
      sb.append("];\n");
    }
    for (Value o : g.outputs()) {
      sb.append("  \"out:").append(esc(o.name())).append("\" [shape=ellipse, fillcolor=lightgrey, label=\"")
          .append(esc(o.name())).append("\"];\n");
    }
    for (Node n : g.nodes()) {
      for (Value in : n.inputs()) {
        if (in == null || in.isConstant()) {
          continue;
        }
        String src = in.producer() != null ? in.producer().name() : "in:" + in.name();
        sb.append("  \"").append(esc(src)).append("\" -> \"").append(esc(n.name())).append("\" [label=\"")
            .append(esc(in.type() == null ? in.name() : in.type().toString())).append("\"];\n");
      }
    }
    for (Value o : g.outputs()) {
      String src = o.producer() != null ? o.producer().name() : "in:" + o.name();
      sb.append("  \"").append(esc(src)).append("\" -> \"out:").append(esc(o.name())).append("\";\n");
    }
    return sb.append("}\n").toString();
  }

  private static String esc(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
