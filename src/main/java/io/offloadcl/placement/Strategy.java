package io.offloadcl.placement;

/** A placement strategy: decides a device for every op of a {@link PlacementProblem}. */
public interface Strategy {
  /** The name used on the command line and in reports. */
  String name();

  /**
   * @throws PlacementException when this strategy cannot produce a valid placement (an op its device does not
   *     support, memory that does not fit)
   */
  Placement place(PlacementProblem problem);
}
