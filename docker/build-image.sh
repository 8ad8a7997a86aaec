#!/usr/bin/env bash
# Builds the POCL image offloadcl/pocl:latest FROM the locally built base (see build-base.sh).
# Idempotent: skips when the image exists (FORCE=1 rebuilds).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BASE="${BASE_IMAGE:-offloadcl/debian:bookworm}"
IMAGE="${POCL_IMAGE:-offloadcl/pocl:latest}"
if [ "${FORCE:-0}" != 1 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "build-image: $IMAGE exists, nothing to do"
  exit 0
fi
"$here/build-base.sh"
docker build --network host --build-arg BASE="$BASE" -t "$IMAGE" "$here/pocl"
echo "build-image: built $IMAGE"
