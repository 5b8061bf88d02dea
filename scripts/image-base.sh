#!/usr/bin/env bash
# Build a minimal Debian base image from Debian packages and import it into local storage.
#
# Why: `make image` defaults to an official Python slim image from a registry, but a machine
# with no registry access (these development machines, an air-gapped site) can build its own
# base with debootstrap and feed it to `make image BASE_IMAGE=...`.  Runs as root.
#
#   scripts/image-base.sh [IMAGE_NAME] [SUITE] [MIRROR]
set -euo pipefail
NAME="${1:-localhost/perimeter-base:bookworm}"
SUITE="${2:-bookworm}"
MIRROR="${3:-http://deb.debian.org/debian}"
if buildah inspect --type image "$NAME" >/dev/null 2>&1; then
  echo ">> base image $NAME already present"
  exit 0
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/perimeter-base.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo ">> debootstrap $SUITE (python3, venv, CA certificates, libgomp1) into $work/root"
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates,libgomp1 \
  "$SUITE" "$work/root" "$MIRROR" >"$work/debootstrap.log" 2>&1 || { tail -30 "$work/debootstrap.log"; exit 1; }
# Nothing of apt's caches or lists belongs in a base image.
rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*
tar -C "$work/root" -cf "$work/base.tar" .
echo ">> importing as $NAME"
# A single-layer image from the root file system (buildah has no import verb in Debian's 1.28).
ctr="$(buildah from scratch)"
trap 'buildah rm "$ctr" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
buildah add "$ctr" "$work/base.tar" / >/dev/null
buildah config --env LANG=C.UTF-8 --cmd /bin/bash "$ctr"
buildah commit --rm "$ctr" "$NAME" >/dev/null
trap 'rm -rf "$work"' EXIT
buildah images "$NAME"
