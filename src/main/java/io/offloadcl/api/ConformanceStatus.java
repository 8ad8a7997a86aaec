package io.offloadcl.api;

/** The verdict on one backend test folder. */
public enum ConformanceStatus {
  /** Every output of every data set matched within tolerance. */
  PASS,
  /** Some output differed (dtype, shape or values beyond tolerance). */
  FAIL,
  /** An op, a data type or a form of an op the import or the backend does not support; or random by design. */
  UNSUPPORTED,
  /** Any other exception: a bug or a malformed test. */
  ERROR
}
