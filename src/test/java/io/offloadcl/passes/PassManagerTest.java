package io.offloadcl.passes;

import static io.offloadcl.passes.PassTesting.graph;
import static io.offloadcl.passes.PassTesting.input;
import static io.offloadcl.passes.PassTesting.op;
import static io.offloadcl.passes.PassTesting.scalar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.GraphException;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.ShapeInference;
import io.offloadcl.passes.cleanup.EliminateDeadNodes;
import io.offloadcl.passes.cleanup.EliminateIdentity;
import io.offloadcl.passes.fusion.FuseElementwiseChains;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PassManagerTest {
  static Graph chain() {
    Graph g = graph("chain");
    Value x = input(g, "x", 4, 4);
    Value a = op(g, "Identity", "a", x);
    Value b = op(g, "Exp", "b", a);
    Value c = op(g, "Mul", "c", b, scalar(g, "k", 3f));
    op(g, "Neg", "dead", c);
    g.addOutput(op(g, "Relu", "y", c));
    ShapeInference.run(g);
    return g;
  }

  @Test
  void reportCountsNodesBytesAndWritesJson() {
    Graph g = chain();
    PassReport r = new PassManager(DefaultPipeline.create()).run(g, PassTesting.context(DeviceCapabilities.ALL));
    assertEquals(5, r.nodesBefore());
    assertEquals(1, r.nodesAfter());
    assertTrue(r.bytesAfter() < r.bytesBefore(), r.toTable());
    JsonObject j = JsonParser.parseString(r.toJson()).getAsJsonObject();
    for (String k : List.of("nodesBefore", "nodesAfter", "bytesBefore", "bytesAfter", "passes")) {
      assertTrue(j.has(k), "JSON has " + k);
    }
    JsonObject first = j.getAsJsonArray("passes").get(0).getAsJsonObject();
    for (String k : List.of("name", "nodesBefore", "nodesAfter", "ms")) {
      assertTrue(first.has(k), "pass entry has " + k);
    }
    assertTrue(r.toTable().contains("FuseElementwiseChains"));
  }

  @Test
  void disabledPassesDoNotRunAndUnknownNamesAreRejected() {
    Graph g = chain();
    PassReport r = new PassManager(DefaultPipeline.create()).disable(List.of("FuseElementwiseChains"))
        .run(g, PassTesting.context(DeviceCapabilities.ALL));
    for (PassReport.Entry e : r.passes()) {
      assertFalse(e.name().equals("FuseElementwiseChains"));
    }
    assertEquals(3, r.nodesAfter(), "Exp, Mul, Relu stay apart");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PassManager(DefaultPipeline.create()).disable(List.of("FuseEverything")));
    assertTrue(e.getMessage().contains("FuseEverything") && e.getMessage().contains("FuseActivation"));
  }

  @Test
  void dumpAfterGivesTextAndDot() {
    List<String> dumps = new ArrayList<>();
    new PassManager(DefaultPipeline.create())
        .dumpAfter("FuseElementwiseChains", PassManager.DumpFormat.DOT, (p, t) -> dumps.add(t))
        .run(chain(), PassContext.defaults());
    assertEquals(1, dumps.size());
    assertTrue(dumps.get(0).startsWith("digraph") && dumps.get(0).contains("FusedElementwise"));
    dumps.clear();
    new PassManager(DefaultPipeline.create())
        .dumpAfter("EliminateIdentity", PassManager.DumpFormat.TEXT, (p, t) -> dumps.add(t))
        .run(chain(), PassContext.defaults());
    assertTrue(dumps.size() >= 1 && dumps.get(0).startsWith("graph chain"));
  }

  @Test
  void fixedPointGroupStopsWhenNothingChanges() {
    Pipeline p = new Pipeline().fixedPoint("Clean", 5, "test", new EliminateIdentity(), new EliminateDeadNodes());
    PassReport r = new PassManager(p).run(chain(), PassTesting.context(DeviceCapabilities.ALL));
    // round 1 changes, round 2 confirms nothing is left
    assertEquals(4, r.passes().size());
    assertEquals(Set.of(1, 2), Set.copyOf(r.passes().stream().map(PassReport.Entry::round).toList()));
  }

  @Test
  void verificationNamesTheBrokenPass() {
    Pass breaker = new Pass() {
      @Override
      public String name() {
        return "BreakOutputs";
      }

      @Override
      public boolean run(Graph g, PassContext ctx) {
        g.addNode("Relu", "cyc", List.of(g.value("x")), List.of("cy"), null);
        g.setInput(g.node("cyc"), 0, g.value("cy"));
        return true;
      }
    };
    GraphException e = assertThrows(GraphException.class, () -> new PassManager(new Pipeline().add(breaker, "test"))
        .run(chain(), PassTesting.context(DeviceCapabilities.ALL)));
    assertTrue(e.getMessage().contains("BreakOutputs"), e.getMessage());
  }

  @Test
  void everyDefaultPassHasAUniqueNameAndAReason() {
    Pipeline p = DefaultPipeline.create();
    for (Pipeline.Step s : p.steps()) {
      assertFalse(s.why().isBlank(), s.name());
    }
    assertTrue(p.passNames().contains("FoldConstants"));
    assertEquals(p.passNames().size(), Set.copyOf(p.passNames()).size());
    assertTrue(new FuseElementwiseChains().name().equals("FuseElementwiseChains"));
  }
}
