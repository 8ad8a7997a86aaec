/**
 * Device profiles ({@code device-profiles/*.yaml}) and the cost model: what each device can run and how fast.
 *
 * <p>Device differences are data, never vendor checks in code: a {@link io.offloadcl.device.DeviceProfile} says
 * which ops a device offers, its peak throughput, memory bandwidth and capacity, host link and launch overhead,
 * and per-{@link io.offloadcl.ops.FusionKind} efficiency. {@link io.offloadcl.device.DeviceProfiles} reads them
 * with SnakeYAML's node API so a bad file is rejected with its file, line and field.
 *
 * <p>The cost model ({@link io.offloadcl.device.CostModel}) splits an op into launch (E), read (R), compute (C)
 * and write (W), with R and W overlapping C:
 * <pre>
 *   time(op, d)      = launch_d + max(flops / (peak_d · eff_d(kind)), (bytesRead + bytesWritten) / bw_d)
 *   transfer(v, a→b) = leg(a) + leg(b),   leg(x) = 0 if x computes on host memory, else latency_x + bytes / link_x
 * </pre>
 * A fused op's cost leaves out the intermediates it keeps on chip, so fusion appears as fewer bytes and fewer
 * launches. The op's flops and bytes come from the op catalog ({@link io.offloadcl.ops.OpSpec#cost}), with a
 * rough estimate from value types ({@link io.offloadcl.device.OpEstimates}) for ops it cannot cost. The full
 * write-up is {@code docs/cost-model.md}.
 */
package io.offloadcl.device;
