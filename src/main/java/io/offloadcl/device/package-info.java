/** Device profiles (device-profiles/*.yaml) and the cost model. */
package io.offloadcl.device;
