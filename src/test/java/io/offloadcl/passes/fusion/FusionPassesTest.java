package io.offloadcl.passes.fusion;

import static io.offloadcl.passes.PassTesting.assertKinds;
import static io.offloadcl.passes.PassTesting.graph;
import static io.offloadcl.passes.PassTesting.input;
import static io.offloadcl.passes.PassTesting.op;
import static io.offloadcl.passes.PassTesting.optimize;
import static io.offloadcl.passes.PassTesting.scalar;
import static io.offloadcl.passes.PassTesting.weights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Value;
import io.offloadcl.passes.DeviceCapabilities;
import io.offloadcl.passes.PassTesting;
import org.junit.jupiter.api.Test;

class FusionPassesTest {
  static Value conv(Graph g, Value x, long cin, long cout, String name) {
    Attributes a = new Attributes().setInts("pads", 1, 1, 1, 1).setInts("kernel_shape", 3, 3);
    return op(g, "Conv", name, a, x, weights(g, name + "_w", 7, cout, cin, 3, 3), weights(g, name + "_b", 8, cout));
  }

  @Test
  void matMulPlusBiasBecomesGemmIn2dAndFusedMatMulBatched() {
    PassTesting.Outcome two = optimize(() -> {
      Graph g = graph("mm-add");
      Value x = input(g, "x", 4, 6);
      Value y = op(g, "MatMul", "mm", x, weights(g, "w", 1, 6, 5));
      g.addOutput(op(g, "Add", "y", weights(g, "b", 2, 5), y));
      return g;
    }, DeviceCapabilities.ALL, new FuseMatMulAdd());
    assertKinds("Add=1 MatMul=1", "Gemm=1", two);
    assertEquals("y", two.after.outputs().get(0).name());
    PassTesting.Outcome three = optimize(() -> {
      Graph g = graph("bmm-add");
      Value x = input(g, "x", 2, 4, 6);
      Value y = op(g, "MatMul", "mm", x, weights(g, "w", 1, 6, 5));
      g.addOutput(op(g, "Add", "y", y, weights(g, "b", 2, 5)));
      return g;
    }, DeviceCapabilities.ALL, new FuseMatMulAdd());
    assertKinds("Add=1 MatMul=1", "FusedMatMul=1", three);
  }

  @Test
  void matMulWhoseProductIsAGraphOutputIsNotFused() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("mm-out");
      Value x = input(g, "x", 4, 6);
      Value y = op(g, "MatMul", "mm", x, weights(g, "w", 1, 6, 5));
      g.addOutput(op(g, "Add", "y", y, weights(g, "b", 2, 5)));
      g.addOutput(y);
      return g;
    }, DeviceCapabilities.ALL, new FuseMatMulAdd());
    assertKinds("Add=1 MatMul=1", "Add=1 MatMul=1", o);
  }

  @Test
  void activationsBecomeEpilogues() {
    String[][] cases = {{"Relu", null}, {"LeakyRelu", "alpha"}, {"Sigmoid", null}, {"Tanh", null},
        {"HardSigmoid", "alpha"}, {"HardSwish", null}, {"Gelu", null}, {"Clip", "clip"}};
    for (String[] c : cases) {
      PassTesting.Outcome o = optimize(() -> {
        Graph g = graph("conv-" + c[0]);
        Value x = input(g, "x", 1, 2, 5, 5);
        Value y = conv(g, x, 2, 3, "conv");
        Attributes a = new Attributes();
        Value act;
        if ("clip".equals(c[1])) {
          act = op(g, "Clip", "y", a, y, scalar(g, "lo", 0f), scalar(g, "hi", 0.5f));
        } else {
          if ("alpha".equals(c[1])) {
            a.setFloat("alpha", 0.3f);
          }
          act = op(g, c[0], "y", a, y);
        }
        g.addOutput(act);
        return g;
      }, DeviceCapabilities.ALL, new FuseActivation());
      assertKinds(c[0].compareTo("Conv") < 0 ? c[0] + "=1 Conv=1" : "Conv=1 " + c[0] + "=1", "FusedConv=1", o);
      assertEquals(c[0], o.only("FusedConv").attributes().getString("activation", ""));
    }
  }

  @Test
  void gemmAndMatMulTakeActivations() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("gemm-relu");
      Value x = input(g, "x", 3, 4);
      Value y = op(g, "Gemm", "gemm", new Attributes().setInt("transB", 1), x, weights(g, "w", 1, 5, 4),
          weights(g, "c", 2, 5));
      Value z = op(g, "MatMul", "mm", op(g, "Relu", "r", y), weights(g, "w2", 3, 5, 2));
      g.addOutput(op(g, "Tanh", "out", z));
      return g;
    }, DeviceCapabilities.ALL, new FuseActivation());
    assertKinds("Gemm=1 MatMul=1 Relu=1 Tanh=1", "FusedGemm=1 FusedMatMul=1", o);
  }

  @Test
  void activationIsNotFusedWhenTheDeviceLacksTheFusedOp() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("no-fused");
      Value x = input(g, "x", 1, 2, 4, 4);
      g.addOutput(op(g, "Relu", "y", conv(g, x, 2, 2, "conv")));
      return g;
    }, DeviceCapabilities.allBut("FusedConv"), new FuseActivation());
    assertKinds("Conv=1 Relu=1", "Conv=1 Relu=1", o);
  }

  @Test
  void residualAddThenActivation() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("resblock");
      Value x = input(g, "x", 1, 3, 5, 5);
      Value c1 = op(g, "Relu", "c1r", conv(g, x, 3, 3, "c1"));
      Value c2 = conv(g, c1, 3, 3, "c2");
      g.addOutput(op(g, "Relu", "y", op(g, "Add", "sum", c2, x)));
      return g;
    }, DeviceCapabilities.ALL, new FuseResidualAdd(), new FuseActivation());
    assertKinds("Add=1 Conv=2 Relu=2", "FusedConv=2", o);
    int residuals = 0;
    for (Node n : o.after.nodes()) {
      residuals += n.attributes().getInt("residual", 0);
    }
    assertEquals(1, residuals);
  }

  @Test
  void addOfAValueWithItselfIsNotAResidual() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("self-add");
      Value x = input(g, "x", 1, 2, 4, 4);
      Value c = conv(g, x, 2, 2, "conv");
      g.addOutput(op(g, "Add", "y", c, c));
      return g;
    }, DeviceCapabilities.ALL, new FuseResidualAdd());
    assertKinds("Add=1 Conv=1", "Add=1 Conv=1", o);
  }

  @Test
  void elementwiseTreeBecomesOneNodeWithParallelEdges() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("chain");
      Value x = input(g, "x", 2, 3, 4);
      Value b = input(g, "b", 4);
      Value t = op(g, "Add", "t", x, b);
      Value sq = op(g, "Mul", "sq", t, t);
      Value s = op(g, "Sigmoid", "s", sq);
      Value cl = op(g, "Clip", "cl", s, scalar(g, "lo", 0.1f), scalar(g, "hi", 0.9f));
      Value m = op(g, "Mul", "m", cl, x);
      g.addOutput(op(g, "Sub", "y", m, scalar(g, "half", 0.5f)));
      return g;
    }, DeviceCapabilities.ALL, new FuseElementwiseChains());
    assertKinds("Add=1 Clip=1 Mul=2 Sigmoid=1 Sub=1", "FusedElementwise=1", o);
    Node f = o.only("FusedElementwise");
    assertArrayEquals(new String[] {"in:0", "in:1", "Add", "dup", "Mul", "Sigmoid", "Clip:0.1:0.9", "in:0", "Mul",
        "const:0.5", "Sub"}, f.attributes().getStrings("expr", null));
    assertEquals(2, f.inputs().size(), "x is one input though read twice");
  }

  @Test
  void intermediateGraphOutputIsNotFusedAway() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("chain-out");
      Value x = input(g, "x", 8);
      Value a = op(g, "Exp", "a", x);
      Value b = op(g, "Neg", "b", a);
      Value c = op(g, "Abs", "c", b);
      g.addOutput(op(g, "Sqrt", "y", c));
      g.addOutput(b);
      return g;
    }, DeviceCapabilities.ALL, new FuseElementwiseChains());
    assertKinds("Abs=1 Exp=1 Neg=1 Sqrt=1", "FusedElementwise=2", o);
    assertEquals("b", o.after.outputs().get(1).name());
    assertSame(o.after.outputs().get(1).producer().opType(), "FusedElementwise");
  }

  @Test
  void broadcastIntermediatesAreNotFused() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("bcast");
      Value x = input(g, "x", 3, 4);
      Value v = input(g, "v", 4);
      Value e = op(g, "Exp", "e", v);
      g.addOutput(op(g, "Relu", "y", op(g, "Mul", "m", x, e)));
      return g;
    }, DeviceCapabilities.ALL, new FuseElementwiseChains());
    assertKinds("Exp=1 Mul=1 Relu=1", "Exp=1 FusedElementwise=1", o);
  }

  @Test
  void chainLengthIsBounded() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("long");
      Value v = input(g, "x", 16);
      for (int i = 0; i < 40; i++) {
        v = op(g, i % 2 == 0 ? "Sigmoid" : "Neg", "v" + i, v);
      }
      g.addOutput(v);
      return g;
    }, DeviceCapabilities.ALL, new FuseElementwiseChains());
    assertEquals(3, o.after.nodes().size(), "40 ops in groups of at most 16");
  }

  @Test
  void hardSwishForms() {
    PassTesting.Outcome a = optimize(() -> {
      Graph g = graph("hs1");
      Value x = input(g, "x", 2, 8);
      Value h = op(g, "HardSigmoid", "h", new Attributes().setFloat("alpha", 1f / 6).setFloat("beta", 0.5f), x);
      g.addOutput(op(g, "Mul", "y", x, h));
      return g;
    }, DeviceCapabilities.ALL, new RecognizeHardSwish());
    assertKinds("HardSigmoid=1 Mul=1", "HardSwish=1", a);
    for (int form = 0; form < 3; form++) {
      int f = form;
      PassTesting.Outcome b = optimize(() -> {
        Graph g = graph("hs2");
        Value x = input(g, "x", 2, 8);
        Value c = op(g, "Clip", "c", op(g, "Add", "a", x, scalar(g, "three", 3f)), scalar(g, "z", 0f),
            scalar(g, "six", 6f));
        Value y;
        if (f == 0) {
          y = op(g, "Div", "y", op(g, "Mul", "m", x, c), scalar(g, "six2", 6f));
        } else if (f == 1) {
          y = op(g, "Mul", "y", x, op(g, "Div", "d", c, scalar(g, "six2", 6f)));
        } else {
          y = op(g, "Mul", "y", op(g, "Mul", "m", c, x), scalar(g, "sixth", 1f / 6));
        }
        g.addOutput(y);
        return g;
      }, DeviceCapabilities.ALL, new RecognizeHardSwish(), new io.offloadcl.passes.cleanup.EliminateDeadNodes());
      assertEquals("HardSwish=1", PassTesting.kinds(b.kindsAfter()), "form " + f + "\n" + b.after);
    }
  }

  @Test
  void geluForms() {
    for (int form = 0; form < 3; form++) {
      int f = form;
      PassTesting.Outcome o = optimize(() -> {
        Graph g = graph("gelu");
        Value x = input(g, "x", 2, 8);
        Value d = f == 1 ? op(g, "Mul", "d", x, scalar(g, "isq2", (float) (1 / Math.sqrt(2))))
            : op(g, "Div", "d", x, scalar(g, "sq2", 1.4142135f));
        Value s = op(g, "Add", "s", op(g, "Erf", "e", d), scalar(g, "one", 1f));
        Value y;
        if (f == 0) {
          y = op(g, "Mul", "y", op(g, "Mul", "h", x, scalar(g, "half", 0.5f)), s);
        } else if (f == 1) {
          y = op(g, "Mul", "y", op(g, "Mul", "m", x, s), scalar(g, "half", 0.5f));
        } else {
          y = op(g, "Mul", "y", x, op(g, "Mul", "m", s, scalar(g, "half", 0.5f)));
        }
        g.addOutput(y);
        return g;
      }, DeviceCapabilities.ALL, new RecognizeGelu(), new io.offloadcl.passes.cleanup.EliminateDeadNodes());
      assertEquals("Gelu=1", PassTesting.kinds(o.kindsAfter()), "form " + f + "\n" + o.after);
    }
  }

  @Test
  void layerNormIsRecognized() {
    for (boolean pow : new boolean[] {true, false}) {
      PassTesting.Outcome o = optimize(() -> {
        Graph g = graph("ln");
        Value x = input(g, "x", 2, 3, 8);
        Attributes ax = new Attributes().setInts("axes", -1);
        Value m = op(g, "ReduceMean", "m", ax, x);
        Value d = op(g, "Sub", "d", x, m);
        Value p = pow ? op(g, "Pow", "p", d, scalar(g, "two", 2f)) : op(g, "Mul", "p", d, d);
        Value v = op(g, "ReduceMean", "v", new Attributes(ax), p);
        Value s = op(g, "Sqrt", "s", op(g, "Add", "ve", v, scalar(g, "eps", 1e-5f)));
        Value n = op(g, "Div", "n", d, s);
        Value y = op(g, "Add", "y", op(g, "Mul", "sc", n, weights(g, "gamma", 3, 8)), weights(g, "beta", 4, 8));
        g.addOutput(y);
        return g;
      }, DeviceCapabilities.ALL, new RecognizeLayerNorm(), new io.offloadcl.passes.cleanup.EliminateDeadNodes());
      assertKinds(pow ? "Add=2 Div=1 Mul=1 Pow=1 ReduceMean=2 Sqrt=1 Sub=1"
          : "Add=2 Div=1 Mul=2 ReduceMean=2 Sqrt=1 Sub=1", "LayerNormalization=1", o);
    }
  }

  @Test
  void layerNormWithAnIntermediateOutputStays() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("ln-out");
      Value x = input(g, "x", 2, 8);
      Attributes ax = new Attributes().setInts("axes", 1);
      Value m = op(g, "ReduceMean", "m", ax, x);
      Value d = op(g, "Sub", "d", x, m);
      Value v = op(g, "ReduceMean", "v", new Attributes(ax), op(g, "Pow", "p", d, scalar(g, "two", 2f)));
      Value n = op(g, "Div", "n", d, op(g, "Sqrt", "s", op(g, "Add", "ve", v, scalar(g, "eps", 1e-5f))));
      g.addOutput(n);
      g.addOutput(v);
      return g;
    }, DeviceCapabilities.ALL, new RecognizeLayerNorm());
    assertEquals(7, o.after.nodes().size());
  }

  @Test
  void activationAfterMaxPoolMovesNextToTheConvAndFuses() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("conv-pool-relu");
      Value x = input(g, "x", 1, 2, 6, 6);
      Value p = op(g, "MaxPool", "p", new Attributes().setInts("kernel_shape", 2, 2).setInts("strides", 2, 2),
          conv(g, x, 2, 3, "conv"));
      g.addOutput(op(g, "Relu", "y", p));
      return g;
    }, DeviceCapabilities.ALL, new HoistActivationAbovePool(), new FuseActivation());
    assertKinds("Conv=1 MaxPool=1 Relu=1", "FusedConv=1 MaxPool=1", o);
    assertEquals("y", o.after.outputs().get(0).name());
  }

  @Test
  void nonMonotoneActivationStaysAfterThePool() {
    PassTesting.Outcome o = optimize(() -> {
      Graph g = graph("conv-pool-abs");
      Value x = input(g, "x", 1, 2, 6, 6);
      Value p = op(g, "MaxPool", "p", new Attributes().setInts("kernel_shape", 2, 2), conv(g, x, 2, 3, "conv"));
      g.addOutput(op(g, "Abs", "y", p));
      return g;
    }, DeviceCapabilities.ALL, new HoistActivationAbovePool(), new FuseActivation());
    assertKinds("Abs=1 Conv=1 MaxPool=1", "Abs=1 Conv=1 MaxPool=1", o);
  }
}
