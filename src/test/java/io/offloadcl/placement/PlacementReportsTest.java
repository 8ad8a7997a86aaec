package io.offloadcl.placement;

import static io.offloadcl.placement.TestDevices.cpu;
import static io.offloadcl.placement.TestDevices.gpu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.offloadcl.device.DeviceProfile;
import io.offloadcl.ir.Graph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlacementReportsTest {
  private final Graph g = RandomDags.generate(15, 3, 21);
  private final List<DeviceProfile> devs = List.of(cpu("cpu"), gpu("gpu"));

  @Test
  void jsonHasMakespanBytesAndTheDeviceOfEveryOp() {
    Map<String, Placer.Outcome> res = Placer.placeAll(g, devs, List.of("heft", "only:nope", "optimal"), Map.of());
    JsonObject root = JsonParser.parseString(PlacementJson.toJson(g, devs, res.values())).getAsJsonObject();
    JsonObject heft = root.getAsJsonObject("strategies").getAsJsonObject("heft");
    Placement p = res.get("heft").placement();
    assertEquals(p.makespanMs(), heft.get("makespanMs").getAsDouble(), 1e-12);
    assertEquals(p.bytesTransferred(), heft.get("bytesTransferred").getAsLong());
    assertEquals(15, heft.getAsJsonObject("devices").size());
    p.assignment().forEach((op, dev) -> assertEquals(dev, heft.getAsJsonObject("devices").get(op).getAsString()));
    assertEquals(15, heft.getAsJsonArray("ops").size());
    assertTrue(root.getAsJsonObject("strategies").getAsJsonObject("only:nope").get("error").getAsString()
        .contains("no device 'nope'"));
    assertEquals("optimal", root.getAsJsonObject("strategies").getAsJsonObject("optimal").get("status").getAsString());
  }

  @Test
  void ganttAsSvgAndPngAndDotColouredByDevice(@TempDir Path tmp) throws Exception {
    Placement p = Placer.place(g, devs, "heft", Map.of());
    Path svg = tmp.resolve("g.svg");
    Path png = tmp.resolve("sub/g.png");
    PlacementCharts.save(PlacementCharts.gantt(p), svg, 800, 300);
    PlacementCharts.save(PlacementCharts.gantt(p), png, 800, 300);
    assertTrue(Files.readString(svg).contains("<svg"));
    byte[] head = Files.readAllBytes(png);
    assertEquals((byte) 0x89, head[0]);
    assertEquals('P', head[1]);
    String dot = PlacementCharts.dot(p);
    for (var n : g.nodes()) {
      String colour = p.deviceOf(n).id().equals("cpu") ? "#9ecae1" : "#fdd0a2";
      assertTrue(dot.contains("\"" + n.name() + "\" [label=\"" + n.opType() + "\\n" + n.name() + "\", fillcolor=\""
          + colour + "\"]"), n.name());
    }
    assertTrue(dot.contains("cluster_legend"));
  }
}
