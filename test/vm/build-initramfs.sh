#!/bin/sh
# Build the initramfs (cpio newc, gzip) of the haco cgroup-v2 test VM.
#
#   test/vm/build-initramfs.sh [-k KERNEL_DIR] [-m MODULE]... OUT.cpio.gz [EXTRA_ROOT]...
#
# The image holds: busybox-static at /bin/busybox, /init (init.sh: mounts proc, sysfs, devtmpfs, cgroup2,
# tmpfs; enables controllers; runs /haco/test.sh between @@HACO-VM-BEGIN@@ / @@HACO-VM-END rc=N@@; powers
# off), /bin/haco-mkrootfs (mkrootfs.sh), and the kernel modules named with -m (paths relative to
# KERNEL_DIR/modules, default kernel/fs/overlayfs/overlay.ko) at /lib/modules/*.ko.
# Each EXTRA_ROOT directory is copied on top, in order (the caller's /haco/test.sh, /bin/haco-launch, …).
# Needs: busybox (static: busybox-static on Debian), gzip. The archive is made with busybox cpio.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
BUSYBOX=${HACO_VM_BUSYBOX:-/bin/busybox}
kernel_dir=
modules=
while getopts k:m: opt; do
  case $opt in
    k) kernel_dir=$OPTARG ;;
    m) modules="$modules $OPTARG" ;;
    *) echo "usage: $0 [-k KERNEL_DIR] [-m MODULE]... OUT.cpio.gz [EXTRA_ROOT]..." >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-k KERNEL_DIR] [-m MODULE]... OUT.cpio.gz [EXTRA_ROOT]..." >&2; exit 2; }
out=$1; shift
[ -n "$modules" ] || modules=kernel/fs/overlayfs/overlay.ko

die() { echo "build-initramfs: error: $*" >&2; exit 1; }
[ -x "$BUSYBOX" ] || die "$BUSYBOX not found (apt-get install busybox-static)"
# A dynamically linked busybox cannot run in the VM (no libc there); ldd fails on static binaries.
if ldd "$BUSYBOX" >/dev/null 2>&1; then
  die "$BUSYBOX is dynamically linked; install busybox-static (or set HACO_VM_BUSYBOX)"
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/haco-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM

mkdir -p "$stage/bin" "$stage/sbin" "$stage/lib/modules" "$stage/haco" "$stage/proc" "$stage/sys" \
  "$stage/dev" "$stage/tmp" "$stage/run" "$stage/root" "$stage/etc"
cp "$BUSYBOX" "$stage/bin/busybox"
cp "$here/init.sh" "$stage/init"
cp "$here/mkrootfs.sh" "$stage/bin/haco-mkrootfs"
chmod 0755 "$stage/init" "$stage/bin/busybox" "$stage/bin/haco-mkrootfs"
echo "root:x:0:0:root:/root:/bin/sh" > "$stage/etc/passwd"
echo "root:x:0:" > "$stage/etc/group"

if [ -n "$kernel_dir" ]; then
  for m in $modules; do
    [ -f "$kernel_dir/modules/$m" ] || die "module $m not found under $kernel_dir/modules"
    cp "$kernel_dir/modules/$m" "$stage/lib/modules/"
  done
fi

for extra in "$@"; do
  [ -d "$extra" ] || die "extra root $extra is not a directory"
  cp -a "$extra/." "$stage/"
done

tmp_out="$out.tmp.$$"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | "$BUSYBOX" cpio -o -H newc -R 0:0 2>/dev/null) \
  | gzip -1 > "$tmp_out"
mv "$tmp_out" "$out"
