#!/usr/bin/env bash
# Builds the Debian bookworm base image locally, for machines where no image registry is reachable:
# debootstrap a minimal root file system, then import it as offloadcl/debian:bookworm.
# Idempotent: does nothing when the image already exists (FORCE_BASE=1 rebuilds).
set -euo pipefail
IMAGE="${BASE_IMAGE:-offloadcl/debian:bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if ! command -v docker >/dev/null 2>&1; then
  echo "build-base: docker is not installed (apt-get install docker.io)" >&2
  exit 2
fi
if ! docker info >/dev/null 2>&1; then
  echo "build-base: the Docker engine is not running (start dockerd)" >&2
  exit 2
fi
if [ "${FORCE_BASE:-0}" != 1 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "build-base: $IMAGE exists, nothing to do"
  exit 0
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  echo "build-base: debootstrap is not installed (apt-get install debootstrap)" >&2
  exit 2
fi
root=$(mktemp -d /tmp/offloadcl-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "build-base: debootstrap bookworm into $root"
debootstrap --variant=minbase bookworm "$root" "$MIRROR" >/tmp/offloadcl-debootstrap.log 2>&1 || {
  tail -20 /tmp/offloadcl-debootstrap.log >&2
  echo "build-base: debootstrap failed (log: /tmp/offloadcl-debootstrap.log)" >&2
  exit 1
}
# keep the image small: package lists and caches are rebuilt by apt-get update in the Dockerfile
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
tar -C "$root" -c . | docker import - "$IMAGE"
echo "build-base: built $IMAGE"
