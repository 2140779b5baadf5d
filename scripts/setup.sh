#!/usr/bin/env bash
# Installs what haco needs on a Debian/Ubuntu machine (as root) and builds it: the system tools haco
# drives, the C toolchain for the launcher, the npm dependencies. Idempotent and quick when done.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential libseccomp-dev       # the native launcher
  busybox-static                       # busybox rootfs, the VM test initramfs
  debootstrap lxc lxc-templates        # bootstrap strategies
  iproute2 iputils-ping util-linux procps  # networking, unshare/nsenter (peers in the bench), ps
  tar xz-utils zstd gzip cpio          # tarball import/archive, initramfs
  qemu-system-x86                      # the cgroup v2 VM test tier
  bubblewrap runc hyperfine            # peers and timing for `npm run bench`
  nftables
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "haco setup: missing packages: ${missing[*]} — run this script as root (or apt-get install them)" >&2
    exit 1
  fi
  echo "haco setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "haco setup: Node.js >= 20 is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
# `npm ci` runs haco's own `prepare` script: the JS bundles, type declarations and the launcher.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm run --silent build
fi
