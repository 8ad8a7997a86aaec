package io.offloadcl.passes.cleanup;

import static io.offloadcl.passes.PassTesting.assertKinds;
import static io.offloadcl.passes.PassTesting.graph;
import static io.offloadcl.passes.PassTesting.input;
import static io.offloadcl.passes.PassTesting.longs;
import static io.offloadcl.passes.PassTesting.op;
import static io.offloadcl.passes.PassTesting.optimize;
import static io.offloadcl.passes.PassTesting.scalar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Value;
import io.offloadcl.passes.DeviceCapabilities;
import io.offloadcl.passes.PassTesting;
import org.junit.jupiter.api.Test;

class CleanupPassesTest {
  @Test
  void deadNodesAndUnusedConstantsGo() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("dead");
      Value x = input(g, "x", 2, 3);
      Value c = scalar(g, "c", 2f);
      Value y = op(g, "Relu", "y", x);
      Value dead = op(g, "Mul", "dead", y, c);
      op(g, "Exp", "dead2", dead);
      g.addOutput(y);
      return g;
    }, DeviceCapabilities.ALL, new EliminateDeadNodes());
    assertKinds("Exp=1 Mul=1 Relu=1", "Relu=1", o);
    assertEquals(null, o.after.value("c"), "the constant only the dead Mul read is removed");
  }

  @Test
  void identityLikeNodesGoButOutputNamesStay() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("identity");
      Value x = input(g, "x", 2, 3);
      Value a = op(g, "Relu", "a", x);
      Value b = op(g, "Identity", "b", a);
      Value c = g.addNode("Dropout", "drop", java.util.List.of(b), java.util.List.of("c", "mask"), new Attributes())
          .output(0);
      Value d = op(g, "Reshape", "d", c, longs(g, "shape", 2, 3));
      Value e = op(g, "Cast", "e", new Attributes().setInt("to", 1), d);
      Value f = op(g, "Transpose", "f", new Attributes().setInts("perm", 0, 1), e);
      Value h = op(g, "Sigmoid", "h", f);
      Value out = op(g, "Identity", "out", h);
      g.addOutput(out);
      return g;
    }, DeviceCapabilities.ALL, new EliminateIdentity());
    assertKinds("Cast=1 Dropout=1 Identity=2 Relu=1 Reshape=1 Sigmoid=1 Transpose=1", "Relu=1 Sigmoid=1", o);
    assertEquals("out", o.after.outputs().get(0).name(), "graph output keeps its name");
    assertSame(o.only("Sigmoid"), o.after.outputs().get(0).producer());
  }

  @Test
  void identityFromGraphInputToOutputIsKept() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("passthrough");
      Value x = input(g, "x", 4);
      g.addOutput(op(g, "Identity", "y", x));
      g.addOutput(op(g, "Relu", "z", x));
      return g;
    }, DeviceCapabilities.ALL, new EliminateIdentity());
    assertKinds("Identity=1 Relu=1", "Identity=1 Relu=1", o);
  }

  @Test
  void reshapeThatChangesShapeStays() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("reshape");
      Value x = input(g, "x", 2, 3);
      g.addOutput(op(g, "Relu", "y", op(g, "Reshape", "r", x, longs(g, "s", 3, 2))));
      return g;
    }, DeviceCapabilities.ALL, new EliminateIdentity());
    assertKinds("Relu=1 Reshape=1", "Relu=1 Reshape=1", o);
  }

  @Test
  void commonSubexpressionsMergeKeepingParallelEdges() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("cse");
      Value x = input(g, "x", 2, 3);
      Value a = op(g, "Relu", "a", x);
      Value b = op(g, "Relu", "b", x);
      Value c1 = scalar(g, "one", 1f);
      Value c2 = scalar(g, "one_again", 1f);
      Value pa = op(g, "Add", "pa", a, c1);
      Value pb = op(g, "Add", "pb", b, c2);
      g.addOutput(op(g, "Mul", "y", pa, pb));
      return g;
    }, DeviceCapabilities.ALL, new EliminateCommonSubexpressions(), new EliminateDeadNodes());
    assertKinds("Add=2 Mul=1 Relu=2", "Add=1 Mul=1 Relu=1", o);
    io.offloadcl.ir.Node mul = o.only("Mul");
    assertSame(mul.input(0), mul.input(1), "Mul(t, t): one value, two uses");
    assertEquals(2, mul.input(0).uses().size());
  }

  @Test
  void duplicatesThatAreBothGraphOutputsStay() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("cse-out");
      Value x = input(g, "x", 3);
      g.addOutput(op(g, "Exp", "a", x));
      g.addOutput(op(g, "Exp", "b", x));
      return g;
    }, DeviceCapabilities.ALL, new EliminateCommonSubexpressions());
    assertKinds("Exp=2", "Exp=2", o);
    assertFalse(o.report.passes().get(0).changed());
  }
}
