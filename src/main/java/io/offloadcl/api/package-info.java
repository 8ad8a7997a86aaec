/** The public face: InferenceSession, SessionOptions, Tensor. */
package io.offloadcl.api;
