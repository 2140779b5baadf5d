#!/bin/sh
# haco-mkrootfs DIR: make a minimal busybox root filesystem at DIR (inside the test VM).
# DIR/bin/busybox plus `busybox --install -s` links, and empty proc, sys, dev, tmp, etc, root.
set -e
[ $# -eq 1 ] || { echo "usage: haco-mkrootfs DIR" >&2; exit 2; }
root=$1
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" \
  "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/etc" "$root/root"
cp /bin/busybox "$root/bin/busybox"
# Run the copy through chroot so the links point at /bin/busybox *inside* DIR.
chroot "$root" /bin/busybox --install -s
echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"
