package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Concats done in place: producers write their parts straight into the concat's buffer (sub-buffers) and the
 * Concat launches nothing, only where that is sound; results always equal the reference executor's.
 */
@Tag("opencl")
class ConcatInPlaceTest extends ClFixture {
  private static Attributes axis(int a) {
    return new Attributes().setInt("axis", a);
  }

  /** Builds {@code body} on a fresh graph, runs it three times on OpenCL, checks it; returns launches per run. */
  private static int launches(Consumer<OpGraph> body) {
    OpGraph g = new OpGraph(11);
    body.accept(g);
    Map<String, TensorData> want = new ReferenceExecutor(g.graph).run(g.feeds);
    want.forEach(g.expected::put);
    try (OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, cache, OpenClExecutor.Options.defaults())) {
      for (int i = 0; i < 3; i++) {
        g.check(ex.run(g.feeds), 1e-6, 1e-6, false);
      }
      return ex.launchesPerRun();
    }
  }

  private static void out(OpGraph g, Value v) {
    g.graph.addOutput(v);
  }

  @Test
  void channelConcatOfKernelOutputsLaunchesNothing() {
    // two producers (Neg, Tanh) of 32 x 4 x 4 floats each (512-byte parts), concatenated on channels, then read
    int n = launches(g -> {
      Value x = g.input(1, 32, 4, 4);
      Value a = g.node("Neg", null, new long[] {1, 32, 4, 4}, x);
      Value b = g.node("Tanh", null, new long[] {1, 32, 4, 4}, x);
      Value c = g.node("Concat", axis(1), new long[] {1, 64, 4, 4}, a, b);
      out(g, g.node("Sigmoid", null, new long[] {1, 64, 4, 4}, c));
    });
    assertEquals(3, n, "Neg, Tanh, Sigmoid; the Concat is done in place");
  }

  @Test
  void aPartReadAgainAfterTheConcatStaysIntact() {
    // a is read by the concat and by a later Add: the concat's buffer must outlive both, and a stays valid
    int n = launches(g -> {
      Value x = g.input(1, 32, 2, 2);
      Value a = g.node("Neg", null, new long[] {1, 32, 2, 2}, x);
      Value b = g.node("Tanh", null, new long[] {1, 32, 2, 2}, x);
      Value c = g.node("Concat", axis(1), new long[] {1, 64, 2, 2}, a, b);
      Value s = g.node("Sigmoid", null, new long[] {1, 64, 2, 2}, c);
      // enough work after the concat that a freed buffer would be reused and overwritten
      Value t = s;
      for (int i = 0; i < 4; i++) {
        t = g.node("Neg", null, new long[] {1, 64, 2, 2}, t);
      }
      out(g, t);
      out(g, g.node("Add", null, new long[] {1, 32, 2, 2}, a, x));
      out(g, g.node("Mul", null, new long[] {1, 32, 2, 2}, b, x));
    });
    assertEquals(9, n, "Neg, Tanh, Sigmoid, 4 x Neg, Add, Mul and nothing for the Concat");
  }

  @Test
  void theConcatsBufferIsFreedAfterItsLastPartIsReadAndReused() {
    // a (a part) is read once more after the concat's readers; then u and v are alive at once next to t: with the
    // concat's buffer free again they fit in the three buffers planned so far, without it they need a fourth
    OpGraph g = new OpGraph(14);
    Value x = g.input(1, 32, 4, 4);
    Value a = g.node("Neg", null, new long[] {1, 32, 4, 4}, x);
    Value b = g.node("Tanh", null, new long[] {1, 32, 4, 4}, x);
    Value c = g.node("Concat", axis(1), new long[] {1, 64, 4, 4}, a, b);
    Value s = g.node("Sigmoid", null, new long[] {1, 64, 4, 4}, c);
    Value t = g.node("Add", null, new long[] {1, 64, 4, 4}, s, s);
    out(g, g.node("Mul", null, new long[] {1, 32, 4, 4}, a, x));
    Value u = g.node("Neg", null, new long[] {1, 64, 4, 4}, t);
    Value v = g.node("Tanh", null, new long[] {1, 64, 4, 4}, t);
    out(g, g.node("Add", null, new long[] {1, 64, 4, 4}, u, v));
    new ReferenceExecutor(g.graph).run(g.feeds).forEach(g.expected::put);
    try (OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, cache, OpenClExecutor.Options.defaults())) {
      g.check(ex.run(g.feeds), 1e-6, 1e-6, false);
      long whole = 64L * 4 * 4 * 4;
      assertEquals(3 * whole, ex.memoryPlan().peakBytes(), ex.memoryPlan().toString());
    }
  }

  @Test
  void concatsThatCannotBeInPlaceStillLaunchAndAreCorrect() {
    // batch 2: each part is two runs of the output, not one
    assertEquals(3, launches(g -> {
      Value x = g.input(2, 32, 2, 2);
      Value a = g.node("Neg", null, new long[] {2, 32, 2, 2}, x);
      Value b = g.node("Tanh", null, new long[] {2, 32, 2, 2}, x);
      out(g, g.node("Concat", axis(1), new long[] {2, 64, 2, 2}, a, b));
    }));
    // a graph input as a part, the same value twice, a part that is a graph output, a part whose offset
    // (3 x 5 floats = 60 bytes) is not aligned
    assertEquals(2, launches(g -> {
      Value x = g.input(1, 32, 2, 2);
      Value a = g.node("Neg", null, new long[] {1, 32, 2, 2}, x);
      out(g, g.node("Concat", axis(1), new long[] {1, 64, 2, 2}, a, x));
    }));
    assertEquals(2, launches(g -> {
      Value x = g.input(1, 32, 2, 2);
      Value a = g.node("Neg", null, new long[] {1, 32, 2, 2}, x);
      out(g, g.node("Concat", axis(1), new long[] {1, 64, 2, 2}, a, a));
    }));
    assertEquals(3, launches(g -> {
      Value x = g.input(1, 32, 2, 2);
      Value a = g.node("Neg", null, new long[] {1, 32, 2, 2}, x);
      Value b = g.node("Tanh", null, new long[] {1, 32, 2, 2}, x);
      out(g, a);
      out(g, g.node("Concat", axis(1), new long[] {1, 64, 2, 2}, a, b));
    }));
    assertEquals(3, launches(g -> {
      Value x = g.input(1, 3, 5);
      Value a = g.node("Neg", null, new long[] {1, 3, 5}, x);
      Value b = g.node("Tanh", null, new long[] {1, 3, 5}, x);
      out(g, g.node("Concat", axis(1), new long[] {1, 6, 5}, a, b));
    }));
  }

  @Test
  void concurrentRunsWriteTheirPartsIntoTheirOwnLanesBuffers() throws Exception {
    // each lane makes its own sub-buffers of its own concat buffer: runs in parallel must not see each other's parts
    OpGraph g = new OpGraph(13);
    Value x = g.input(1, 32, 4, 4);
    Value a = g.node("Neg", null, new long[] {1, 32, 4, 4}, x);
    Value b = g.node("Tanh", null, new long[] {1, 32, 4, 4}, x);
    Value c = g.node("Concat", axis(1), new long[] {1, 64, 4, 4}, a, b);
    out(g, g.node("Sigmoid", null, new long[] {1, 64, 4, 4}, c));
    new ReferenceExecutor(g.graph).run(g.feeds).forEach(g.expected::put);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try (OpenClExecutor ex = new OpenClExecutor(g.graph, ctx, cache, OpenClExecutor.Options.defaults())) {
      assertEquals(3, ex.launchesPerRun(), "Neg, Tanh, Sigmoid");
      java.util.List<java.util.concurrent.Future<Map<String, TensorData>>> runs = new java.util.ArrayList<>();
      for (int i = 0; i < 32; i++) {
        runs.add(pool.submit(() -> ex.run(g.feeds)));
      }
      for (java.util.concurrent.Future<Map<String, TensorData>> r : runs) {
        g.check(r.get(), 1e-6, 1e-6, false);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void nestedConcatsPlaceOnlyTheInnerOne() {
    int n = launches(g -> {
      Value x = g.input(1, 32, 2, 2);
      Value a = g.node("Neg", null, new long[] {1, 32, 2, 2}, x);
      Value b = g.node("Tanh", null, new long[] {1, 32, 2, 2}, x);
      Value c = g.node("Sigmoid", null, new long[] {1, 32, 2, 2}, x);
      Value ab = g.node("Concat", axis(1), new long[] {1, 64, 2, 2}, a, b);
      out(g, g.node("Concat", axis(1), new long[] {1, 96, 2, 2}, ab, c));
    });
    assertEquals(4, n, "three producers and the outer concat");
    assertTrue(ctx.subBufferAlign() > 0, "POCL reports CL_DEVICE_MEM_BASE_ADDR_ALIGN");
  }
}
