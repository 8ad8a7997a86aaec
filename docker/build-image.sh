#!/usr/bin/env bash
# Builds the POCL image offloadcl/pocl:latest FROM the locally built base (see build-base.sh).
# Idempotent: skips when the image exists and was built from this Dockerfile (FORCE=1 rebuilds).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BASE="${BASE_IMAGE:-offloadcl/debian:bookworm}"
IMAGE="${POCL_IMAGE:-offloadcl/pocl:latest}"
# the image is labelled with its Dockerfile's hash, so an edited Dockerfile rebuilds it
sum=$(sha256sum "$here/pocl/Dockerfile" | cut -d' ' -f1)
have=$(docker image inspect -f '{{ index .Config.Labels "offloadcl.dockerfile.sha256" }}' "$IMAGE" 2>/dev/null || true)
if [ "${FORCE:-0}" != 1 ] && [ "$have" = "$sum" ]; then
  echo "build-image: $IMAGE is up to date, nothing to do"
  exit 0
fi
"$here/build-base.sh"
docker build --network host --build-arg BASE="$BASE" --label "offloadcl.dockerfile.sha256=$sum" -t "$IMAGE" "$here/pocl"
echo "build-image: built $IMAGE"
