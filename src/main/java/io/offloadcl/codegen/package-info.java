/** OpenCL C generation from the templates in opencl-kernels/, and kernel naming. */
package io.offloadcl.codegen;
