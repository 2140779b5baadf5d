#!/bin/sh
# Fetch Debian's cloud kernel for the cgroup-v2 VM test tier, *without installing it on the host*:
# `apt-get download` the linux-image-*-cloud-amd64 package that the linux-image-cloud-amd64 metapackage
# depends on and unpack it with `dpkg-deb -x` into a cache directory outside the repository.
#
#   test/vm/fetch-kernel.sh          prints the kernel directory (it holds vmlinuz, modules/, version)
#
# Cache: ${HACO_VM_CACHE:-/var/cache/haco-test/vm}/kernel/<package>/  — reused by later runs.
# Idempotent: when the resolved package is already unpacked it does nothing. `apt-get update` runs only
# when the package cannot be resolved or downloaded (missing or stale apt lists).
# Messages go to stderr; the only stdout line is the kernel directory.
set -eu

CACHE=${HACO_VM_CACHE:-/var/cache/haco-test/vm}
META=${HACO_VM_KERNEL_META:-linux-image-cloud-amd64}

log() { echo "fetch-kernel: $*" >&2; }
die() { log "error: $*"; exit 1; }

for tool in apt-cache apt-get dpkg-deb flock; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (this script needs a Debian-like host)"
done

mkdir -p "$CACHE/kernel" || die "cannot create cache dir $CACHE (set HACO_VM_CACHE to a writable dir)"

# One fetch at a time per cache (parallel CI jobs on the same machine share it).
exec 9>"$CACHE/kernel/.lock"
flock 9

# The kernel package the metapackage depends on, e.g. linux-image-6.1.0-56-cloud-amd64.
resolve() {
  apt-cache depends "$META" 2>/dev/null \
    | sed -n 's/^ *Depends: \(linux-image-[^ ]*-cloud-amd64\)$/\1/p' | head -n 1
}

# Newest kernel already in the cache (fallback when apt lists are unusable, e.g. offline).
newest_cached() {
  for d in "$CACHE"/kernel/linux-image-*; do
    [ -f "$d/vmlinuz" ] && echo "$d"
  done | sort -V | tail -n 1
}

updated=no
update_lists() {
  [ "$updated" = no ] || return 1
  updated=yes
  log "running apt-get update"
  apt-get update -qq >&2 || return 1
}

pkg=$(resolve)
if [ -z "$pkg" ]; then
  cached=$(newest_cached)
  if [ -n "$cached" ] && [ "${CI:-}" != true ]; then
    log "cannot resolve $META (no apt lists?); using cached $(basename "$cached")"
    echo "$cached"; exit 0
  fi
  update_lists || die "apt-get update failed"
  pkg=$(resolve)
  [ -n "$pkg" ] || die "apt-cache depends $META names no linux-image-*-cloud-amd64 package"
fi

dir="$CACHE/kernel/$pkg"
if [ -f "$dir/vmlinuz" ]; then
  echo "$dir"; exit 0
fi

work=$(mktemp -d "$CACHE/kernel/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

download() {
  # `apt-get download` writes into the current directory; as root it warns that the _apt sandbox user
  # cannot write there, which is harmless — the download happens unsandboxed.
  (cd "$work" && apt-get download -q "$pkg" >&2 2>"$work/apt.err") || { cat "$work/apt.err" >&2; return 1; }
}

log "downloading $pkg"
if ! download; then
  update_lists || die "apt-get download $pkg failed and apt-get update failed"
  pkg=$(resolve)
  [ -n "$pkg" ] || die "apt-cache depends $META names no kernel package after apt-get update"
  dir="$CACHE/kernel/$pkg"
  if [ -f "$dir/vmlinuz" ]; then echo "$dir"; exit 0; fi
  download || die "apt-get download $pkg failed"
fi

deb=$(ls "$work"/*.deb)
log "unpacking $(basename "$deb")"
dpkg-deb -x "$deb" "$work/root"

vmlinuz=$(ls "$work"/root/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$vmlinuz" ] || die "$deb has no /boot/vmlinuz-*"
version=${vmlinuz##*/vmlinuz-}

stage="$work/out"
mkdir -p "$stage"
mv "$vmlinuz" "$stage/vmlinuz"
# Modules (overlay, …) for the guest; Debian ships them under /lib or /usr/lib.
for m in "$work/root/lib/modules/$version" "$work/root/usr/lib/modules/$version"; do
  if [ -d "$m" ]; then mv "$m" "$stage/modules"; break; fi
done
[ -f "$work/root/boot/config-$version" ] && mv "$work/root/boot/config-$version" "$stage/config"
echo "$version" > "$stage/version"

rm -rf "$dir"
mv "$stage" "$dir"   # atomic from the point of view of readers checking $dir/vmlinuz
log "kernel $version cached in $dir"
echo "$dir"
