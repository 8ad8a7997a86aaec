package io.offloadcl.placement;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.offloadcl.device.DeviceProfile;
import io.offloadcl.ir.Graph;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The placement report as JSON: the devices, then per strategy its {@code makespanMs}, {@code bytesTransferred},
 * the device of every op ({@code devices}: op → device id), busy time and memory per device, the schedule, the
 * transfers and one explanation per op. A strategy that could not place the graph has {@code error} instead.
 */
public final class PlacementJson {
  private PlacementJson() {}

  public static String toJson(Graph g, List<DeviceProfile> devices, Collection<Placer.Outcome> outcomes) {
    JsonObject root = new JsonObject();
    root.addProperty("graph", g.name());
    root.addProperty("ops", g.nodes().size());
    JsonArray devs = new JsonArray();
    for (DeviceProfile d : devices) {
      JsonObject o = new JsonObject();
      o.addProperty("id", d.id());
      o.addProperty("name", d.name());
      o.addProperty("kind", d.kind().yamlName());
      if (d.source() != null) {
        o.addProperty("profile", d.source());
      }
      devs.add(o);
    }
    root.add("devices", devs);
    JsonObject strategies = new JsonObject();
    for (Placer.Outcome out : outcomes) {
      strategies.add(out.strategy(), out.ok() ? strategy(out.placement()) : error(out.error()));
    }
    root.add("strategies", strategies);
    return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().disableHtmlEscaping()
        .create().toJson(root);
  }

  private static JsonObject error(String message) {
    JsonObject o = new JsonObject();
    o.addProperty("error", message);
    return o;
  }

  private static JsonObject strategy(Placement p) {
    JsonObject o = new JsonObject();
    o.addProperty("makespanMs", p.makespanMs());
    o.addProperty("bytesTransferred", p.bytesTransferred());
    o.addProperty("status", p.status().name().toLowerCase(java.util.Locale.ROOT));
    if (p.note() != null) {
      o.addProperty("note", p.note());
    }
    o.addProperty("searchSeconds", p.searchSeconds());
    JsonObject assign = new JsonObject();
    for (Map.Entry<String, String> e : p.assignment().entrySet()) {
      assign.addProperty(e.getKey(), e.getValue());
    }
    o.add("devices", assign);
    JsonObject busy = new JsonObject();
    p.busyMs().forEach(busy::addProperty);
    o.add("busyMs", busy);
    JsonObject mem = new JsonObject();
    p.memoryBytes().forEach(mem::addProperty);
    o.add("memoryBytes", mem);
    JsonArray transfers = new JsonArray();
    for (Placement.Transfer t : p.transfers()) {
      transfers.add(transfer(t));
    }
    o.add("transfers", transfers);
    JsonArray ops = new JsonArray();
    for (OpExplanation e : p.explanations()) {
      JsonObject x = new JsonObject();
      x.addProperty("op", e.op());
      x.addProperty("opType", e.opType());
      x.addProperty("device", e.device());
      x.addProperty("startMs", e.startMs());
      x.addProperty("endMs", e.endMs());
      x.addProperty("reason", e.reason());
      JsonArray cands = new JsonArray();
      for (OpExplanation.Candidate c : e.candidates()) {
        JsonObject cj = new JsonObject();
        cj.addProperty("device", c.device());
        if (c.computeMs() != null) {
          cj.addProperty("computeMs", c.computeMs());
        }
        if (c.refusal() != null) {
          cj.addProperty("refused", c.refusal());
        }
        if (c.score() != null) {
          cj.addProperty(c.scoreLabel(), c.score());
        }
        cands.add(cj);
      }
      x.add("candidates", cands);
      JsonArray in = new JsonArray();
      e.transfersIn().forEach(t -> in.add(transfer(t)));
      x.add("transfersIn", in);
      JsonArray out = new JsonArray();
      e.transfersOut().forEach(t -> out.add(transfer(t)));
      x.add("transfersOut", out);
      ops.add(x);
    }
    o.add("ops", ops);
    return o;
  }

  private static JsonObject transfer(Placement.Transfer t) {
    JsonObject o = new JsonObject();
    o.addProperty("value", t.value());
    o.addProperty("from", t.from());
    o.addProperty("to", t.to());
    o.addProperty("bytes", t.bytes());
    o.addProperty("startMs", t.startMs());
    o.addProperty("endMs", t.endMs());
    return o;
  }
}
