package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.runtime.cpu.CpuKernel;
import io.offloadcl.runtime.cpu.CpuKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Builds one test graph holding many independent op cases (each output a graph output with its expected
 * value), so a whole op family costs one program build.
 */
final class OpGraph {
  final Graph graph = new Graph("cases");
  final Map<String, TensorData> feeds = new LinkedHashMap<>();
  final Map<String, TensorData> expected = new LinkedHashMap<>();
  final Random rnd;
  private int counter;

  OpGraph(long seed) {
    graph.opsetImports().put("", 17);
    rnd = new Random(seed);
  }

  Value input(long... dims) {
    return input(-2, 2, dims);
  }

  Value input(double lo, double hi, long... dims) {
    TensorData d = TensorData.zeros(DType.FLOAT32, dims);
    for (int i = 0; i < d.size(); i++) {
      d.setDouble(i, lo + (hi - lo) * rnd.nextDouble());
    }
    return feed(d);
  }

  Value feed(TensorData d) {
    String name = "in" + (counter++);
    Value v = graph.addInput(name, d.type());
    feeds.put(name, d);
    return v;
  }

  Value constant(TensorData d) {
    return graph.addConstant("c" + (counter++), d);
  }

  Value node(String op, int opset, Attributes at, DType outType, long[] outDims, Value... ins) {
    Node n = graph.addNode(op, "", opset, op + "_" + (counter++), Arrays.asList(ins), List.of("v" + (counter++)),
        at == null ? new Attributes() : at);
    n.output(0).setType(TensorType.of(outType, outDims));
    return n.output(0);
  }

  Value node(String op, Attributes at, long[] outDims, Value... ins) {
    return node(op, 17, at, DType.FLOAT32, outDims, ins);
  }

  void expect(Value v, TensorData want) {
    assertArrayEquals(v.type().shape().dims(), want.dims(), "reference shape for " + v.name());
    graph.addOutput(v);
    expected.put(v.name(), want);
  }

  /**
   * Shape inference, then each value of {@code outs} expected to equal what its op's reference kernel
   * (runtime.cpu) computes from the fed inputs; then one run on a strict CPU-class OpenCL executor (no Java
   * fallback, one kernel per value of {@code outs}) compared within the tolerances. Returns the kernels' sources.
   */
  List<String> checkStrictOnCpuAgainstKernels(List<Value> outs, double rtol, double atol) {
    io.offloadcl.ops.ShapeInference.run(graph);
    for (Value y : outs) {
      Node n = y.producer();
      CpuKernel k = CpuKernels.find(n.opType());
      org.junit.jupiter.api.Assertions.assertNotNull(k, n.opType());
      TensorData[] ins = new TensorData[n.inputs().size()];
      for (int i = 0; i < ins.length; i++) {
        ins[i] = n.input(i) == null ? null : feedOf(n.input(i));
      }
      expect(y, k.run(n, ins)[0]);
    }
    ClDevice d = OpenClTestSupport.requireDevice();
    try (ClContext ctx = ClContext.open(d); ProgramCache cache = new ProgramCache(ctx, null);
        OpenClExecutor ex = new OpenClExecutor(graph, ctx, cache,
            new OpenClExecutor.Options(true, io.offloadcl.codegen.DeviceClass.CPU, null))) {
      org.junit.jupiter.api.Assertions.assertTrue(ex.fallbacks().isEmpty(), ex.fallbacks().toString());
      assertEquals(outs.size(), ex.kernelSources().size(), "one kernel per node");
      check(ex.run(feeds), rtol, atol, false);
      return ex.kernelSources().stream().map(io.offloadcl.codegen.KernelSource::source).toList();
    }
  }

  TensorData feedOf(Value v) {
    return v.isConstant() ? v.constant() : feeds.get(v.name());
  }

  /**
   * Compares with the loop references and, for every case whose op has a runtime.cpu reference kernel and
   * whose inputs are all fed, with that kernel too. Returns how many cases the reference kernels covered.
   */
  int check(Map<String, TensorData> got, double rtol, double atol) {
    return check(got, rtol, atol, true);
  }

  /** As {@link #check(Map, double, double)}; {@code withKernels} false for cases that are not plain ops. */
  int check(Map<String, TensorData> got, double rtol, double atol, boolean withKernels) {
    assertEquals(expected.keySet(), got.keySet());
    List<String> bad = new ArrayList<>();
    compare(expected, got, rtol, atol, "", bad);
    Map<String, TensorData> fromKernels = new LinkedHashMap<>();
    for (String name : withKernels ? expected.keySet() : List.<String>of()) {
      Node n = graph.value(name).producer();
      CpuKernel k = CpuKernels.find(n.opType());
      TensorData[] ins = new TensorData[n.inputs().size()];
      boolean fed = k != null;
      for (int i = 0; i < ins.length && fed; i++) {
        Value v = n.input(i);
        ins[i] = v == null ? null : feedOf(v);
        fed = v == null || ins[i] != null;
      }
      if (fed) {
        fromKernels.put(name, k.run(n, ins)[0]);
      }
    }
    Map<String, TensorData> sub = new LinkedHashMap<>();
    fromKernels.keySet().forEach(name -> sub.put(name, got.get(name)));
    compare(fromKernels, sub, rtol, atol, " (vs runtime.cpu reference kernel)", bad);
    if (!bad.isEmpty()) {
      fail(bad.size() + " of " + expected.size() + " cases differ:\n" + String.join("\n", bad));
    }
    return fromKernels.size();
  }

  private void compare(Map<String, TensorData> wants, Map<String, TensorData> got, double rtol, double atol,
      String against, List<String> bad) {
    for (Map.Entry<String, TensorData> e : wants.entrySet()) {
      TensorData want = e.getValue();
      TensorData have = got.get(e.getKey());
      Value v = graph.value(e.getKey());
      String what = e.getKey() + " = " + v.producer().opType() + " " + v.type() + against;
      if (have.dtype() != want.dtype() || !Arrays.equals(have.dims(), want.dims())) {
        bad.add(what + ": got " + have.type());
        continue;
      }
      for (int i = 0; i < want.size(); i++) {
        double w = want.getDouble(i);
        double h = have.getDouble(i);
        if (!(Math.abs(w - h) <= atol + rtol * Math.abs(w)) && !(Double.isNaN(w) && Double.isNaN(h))) {
          bad.add(what + ": element " + i + " expected " + w + " got " + h);
          break;
        }
      }
    }
  }
}
