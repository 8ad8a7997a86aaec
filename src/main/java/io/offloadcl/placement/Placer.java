package io.offloadcl.placement;

import io.offloadcl.device.CostModel;
import io.offloadcl.device.DeviceProfile;
import io.offloadcl.ir.Graph;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The entry point: place a graph on devices with a named strategy and optional pins. */
public final class Placer {
  private Placer() {}

  /**
   * @param pins op name or op type → device id (may be empty)
   * @throws PlacementException naming the op and devices when no valid placement exists
   */
  public static Placement place(Graph g, List<DeviceProfile> devices, String strategy, Map<String, String> pins) {
    return Strategies.byName(strategy).place(new PlacementProblem(g, devices, pins, CostModel.DEFAULT));
  }

  /**
   * Runs several strategies on one problem. A strategy that cannot place the graph (an unsupported op on a
   * single device) gives an outcome with its error message instead of a placement.
   */
  public static Map<String, Outcome> placeAll(Graph g, List<DeviceProfile> devices, List<String> strategies,
      Map<String, String> pins) {
    PlacementProblem p = new PlacementProblem(g, devices, pins, CostModel.DEFAULT);
    Map<String, Outcome> r = new LinkedHashMap<>();
    for (String s : strategies) {
      try {
        r.put(s, new Outcome(s, Strategies.byName(s).place(p), null));
      } catch (PlacementException e) {
        r.put(s, new Outcome(s, null, e.getMessage()));
      }
    }
    return r;
  }

  /** One strategy's result: a placement, or why there is none. */
  public record Outcome(String strategy, Placement placement, String error) {
    public boolean ok() {
      return placement != null;
    }
  }
}
