#!/usr/bin/env bash
# One command: build the base and POCL images when missing, build the jar, and run the container tests
# (PoclContainerIT: `offloadcl devices`, the OpenCL conformance suite on the v1.22 node tests and the three shared
# models inside the POCL container, compared with test_data_set_0 and bit for bit with the host's POCL).
# Needs a running Docker engine and the shared test data beside the checkout (../shared).
set -euo pipefail
cd "$(dirname "$0")/.."
docker/build-image.sh
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE="${TESTCONTAINERS_HOST_OVERRIDE:-localhost}"
exec mvn -B verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=PoclContainerIT "$@"
