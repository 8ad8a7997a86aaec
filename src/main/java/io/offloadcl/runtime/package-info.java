/**
 * Executors and the memory planner; runtime.opencl is the only package importing JOCL, runtime.cpu holds the
 * reference kernels. This package itself holds what spans devices: {@link io.offloadcl.runtime.MultiDeviceExecutor}
 * runs a placement on several real devices (with {@link io.offloadcl.runtime.RunReport}, measured against predicted
 * time), and {@link io.offloadcl.runtime.Calibrator} measures a device to make its profile.
 */
package io.offloadcl.runtime;
