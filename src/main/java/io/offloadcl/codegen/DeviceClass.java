package io.offloadcl.codegen;

/**
 * The class of device a kernel variant is generated for. It comes from the device's OpenCL type or its
 * profile, never from a vendor name: CPU devices (POCL) get register-blocked vector kernels, GPUs get
 * local-memory tiling.
 */
public enum DeviceClass { CPU, GPU }
