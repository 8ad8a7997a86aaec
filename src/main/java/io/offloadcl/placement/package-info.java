/**
 * Placement: every (fused) op goes whole to one device; a {@link io.offloadcl.placement.Placement} is a new
 * object over the graph with the schedule the choice implies and a per-op explanation.
 *
 * <p>A {@link io.offloadcl.placement.PlacementProblem} turns a graph, devices and pins (op name or type → device)
 * into arrays: op times per device from the {@link io.offloadcl.device.CostModel}, which devices each op may use,
 * value sizes, and the priority order (decreasing HEFT upward rank). Strategies ({@link
 * io.offloadcl.placement.Strategies}): each device alone ({@code cpu-only}, {@code gpu-only}, {@code only:ID}),
 * {@code greedy} (fastest compute, transfers ignored), {@code heft} ({@link io.offloadcl.placement.Heft}) and
 * {@code optimal} (branch and bound, {@link io.offloadcl.placement.OptimalStrategy}). All of them are judged by
 * the same schedule simulation ({@code ScheduleState}): one op at a time per device with insertion into idle
 * gaps, values staged through host memory over each device's host link (one transfer at a time per link),
 * graph inputs starting and outputs ending in host memory, and device memory bounded by weights plus every
 * tensor produced on or copied to the device.
 *
 * <p>Reports: {@link io.offloadcl.placement.PlacementJson} (JSON per strategy) and
 * {@link io.offloadcl.placement.PlacementCharts} (Gantt chart, DOT coloured by device, experiment plot).
 * {@link io.offloadcl.placement.RandomDags} makes seeded layered DAGs for experiments and tests.
 */
package io.offloadcl.placement;
