package io.offloadcl.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.api.QuantRunner;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.GraphVerifier;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuantRewriteTest {
  private static List<String> ops(Graph g) {
    List<String> r = new ArrayList<>();
    for (Node n : g.nodes()) {
      r.add(n.opType());
    }
    return r;
  }

  private static CalibrationFile calibrate(Graph g, CalibrationMethod m) {
    return new Calibrator(g, new QuantRunner()).calibrate(QuantTestModels.inputs(40, 1, 21), "test", EnumSet.of(m))
        .get(m);
  }

  @Test
  void quantizedOpsPassInt8DirectlyAndBoundariesAreOnlyAtTheEdges() {
    Graph fp32 = QuantTestModels.convNet(31);
    List<String> before = ops(fp32);
    Graph q = Quantizer.quantize(fp32, calibrate(fp32, CalibrationMethod.ENTROPY));
    assertEquals(before, ops(fp32), "the fp32 graph must not change");
    assertEquals(List.of("QuantizeInt8", "QConvInt8", "MaxPool", "QConvInt8", "Reshape", "QGemmInt8", "QGemmInt8"),
        ops(q));
    for (Node n : q.nodes()) {
      if (n.opType().startsWith("Q") && !n.opType().equals("QuantizeInt8")) {
        assertEquals(DType.INT8, n.input(0).type().dtype(), n.name() + " input");
      }
      if (n.opType().equals("MaxPool") || n.opType().equals("Reshape")) {
        assertEquals(DType.INT8, n.output(0).type().dtype(), n.name() + " runs on int8");
      }
    }
    Node last = q.nodes().get(q.nodes().size() - 1);
    assertEquals("y", last.output(0).name());
    assertEquals(DType.FLOAT32, last.output(0).type().dtype());
    assertEquals("Relu", q.node(q.nodes().get(1).name()).attributes().getString("activation", ""));
    // conv2's bias Add and relu2 were folded into it, relu3 into fc1
    assertEquals("Relu", q.nodes().get(3).attributes().getString("activation", ""));
    assertTrue(q.nodes().get(3).input(2).constant().ints()[0] != 0);
    assertEquals("Relu", q.nodes().get(5).attributes().getString("activation", ""));
    assertEquals("", q.nodes().get(6).attributes().getString("activation", ""));
    GraphVerifier.verify(q);
  }

  @Test
  void quantizedOutputsStayCloseToFp32() {
    Graph fp32 = QuantTestModels.convNet(41);
    for (CalibrationMethod m : CalibrationMethod.values()) {
      Graph q = Quantizer.quantize(fp32, calibrate(fp32, m));
      ReferenceExecutor a = new ReferenceExecutor(fp32);
      ReferenceExecutor b = new ReferenceExecutor(q);
      double err = 0;
      double ref = 0;
      for (Map<String, TensorData> in : QuantTestModels.inputs(30, 2, 42)) {
        float[] ya = a.run(in).get("y").floats();
        float[] yb = b.run(in).get("y").floats();
        for (int i = 0; i < ya.length; i++) {
          err += Math.abs(ya[i] - yb[i]);
          ref += Math.abs(ya[i]);
        }
      }
      assertTrue(err / ref < 0.05, m + ": relative error " + err / ref);
    }
  }

  @Test
  void graphOutputInsideAChainKeepsItsNameAndFloatValue() {
    Graph fp32 = QuantTestModels.convNet(51);
    CalibrationFile cal = calibrate(fp32, CalibrationMethod.MINMAX);
    Graph g2 = QuantGraphs.withOutputs(fp32, List.of("p1"));
    Graph q = Quantizer.quantize(g2, cal);
    Value p1 = q.value("p1");
    assertTrue(q.isOutput(p1));
    assertEquals(DType.FLOAT32, p1.type().dtype(), "a graph output leaves the quantized region as float");
    Map<String, TensorData> out = new ReferenceExecutor(q).run(QuantTestModels.inputs(1, 1, 3).get(0));
    assertEquals(new LinkedHashMap<>(out).keySet(), new java.util.LinkedHashSet<>(List.of("y", "p1")));
    assertNotSame(fp32, q);
  }

  @Test
  void calibrationFileRoundTripsAndIsCheckedAgainstTheModel() {
    Graph fp32 = QuantTestModels.convNet(61);
    CalibrationFile cal = calibrate(fp32, CalibrationMethod.PERCENTILE);
    CalibrationFile back = CalibrationFile.parse(cal.toJson(), "calib.json");
    assertEquals(cal.tensors().keySet(), back.tensors().keySet());
    for (String t : cal.tensors().keySet()) {
      assertEquals(cal.tensors().get(t).scale(), back.tensors().get(t).scale(), 0.0);
      assertEquals(cal.tensors().get(t).saturation(), back.tensors().get(t).saturation(), 0.0);
    }
    String json = cal.toJson();
    String unknown = json.replace("\"p1\"", "\"no_such_tensor\"");
    CalibrationException e1 = assertThrows(CalibrationException.class,
        () -> Quantizer.quantize(fp32, CalibrationFile.parse(unknown, "bad1.json")));
    assertTrue(e1.getMessage().contains("no_such_tensor") && e1.getMessage().contains("bad1.json"), e1.getMessage());
    String notFeeding = json.replace("\"p1\"", "\"c1\"");
    CalibrationException e2 = assertThrows(CalibrationException.class,
        () -> CalibrationFile.parse(notFeeding, "bad2.json").checkAgainst(fp32));
    assertTrue(e2.getMessage().contains("'c1'") && e2.getMessage().contains("bad2.json"), e2.getMessage());
    Graph other = QuantTestModels.convNet(61);
    Map<String, TensorCalibration> fewer = new LinkedHashMap<>(cal.tensors());
    fewer.remove("hr");
    CalibrationFile missing = CalibrationFile.parse(
        new CalibrationFile("qnet", CalibrationMethod.PERCENTILE, 1, fewer).toJson(), "bad3.json");
    CalibrationException e3 = assertThrows(CalibrationException.class, () -> Quantizer.quantize(other, missing));
    assertTrue(e3.getMessage().contains("'hr'") && e3.getMessage().contains("bad3.json"), e3.getMessage());
    CalibrationException e4 = assertThrows(CalibrationException.class,
        () -> CalibrationFile.parse("{\"format\": 3", "bad4.json"));
    assertTrue(e4.getMessage().contains("bad4.json"), e4.getMessage());
    CalibrationException e5 = assertThrows(CalibrationException.class,
        () -> CalibrationFile.parse(json.replaceFirst("\"scale\": [0-9.eE-]+", "\"scale\": -1"), "bad5.json"));
    assertTrue(e5.getMessage().contains("bad5.json") && e5.getMessage().contains("scale"), e5.getMessage());
  }
}
