/** Placers (strategies) assigning every operator whole to one device, with per-op explanations. */
package io.offloadcl.placement;
