#!/bin/busybox sh
# /init of the haco test VM (PID 1 in the initramfs). Built into the image by build-initramfs.sh.
# Sets up a minimal pure cgroup-v2 system, runs /haco/test.sh with its output between markers on the
# console, then powers the VM off. Everything here is busybox.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=dumb

mkdir -p /proc /sys /dev /tmp /run /root
# Opt-in (/haco/switch-root in the image): move everything onto a tmpfs and switch_root into it, so that
# the root is a real mount. pivot_root(2) cannot leave an initramfs, and criu cannot dump a mount
# namespace whose root is one; checkpoint tests need both. busybox switch_root only runs as PID 1.
if [ -e /haco/switch-root ] && [ ! -e /.switched ]; then
  mkdir -p /newroot
  mount -t tmpfs -o mode=0755 tmpfs /newroot
  for d in /*; do
    case $d in /newroot|/proc|/sys|/dev) ;; *) cp -a "$d" /newroot/ ;; esac
  done
  mkdir -p /newroot/proc /newroot/sys /newroot/dev
  touch /newroot/.switched
  exec switch_root /newroot /init
fi
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The kernel may have found no /dev/console before devtmpfs existed: (re)attach stdio to the console.
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# Let child cgroups use every controller the tests need (memory, pids, cpu, io, cpuset).
echo "+cpu +cpuset +memory +pids +io" > /sys/fs/cgroup/cgroup.subtree_control

# Kernel modules copied in by build-initramfs.sh (overlay, …); no modules.dep, so plain insmod.
for ko in /lib/modules/*.ko; do
  [ -e "$ko" ] && insmod "$ko" 2>/dev/null
done
hostname haco-vm
ip link set lo up 2>/dev/null

cd /
echo "@@HACO-VM-BEGIN@@"
if [ -f /haco/test.sh ]; then
  sh /haco/test.sh </dev/null 2>&1
  rc=$?
else
  echo "haco-vm: no /haco/test.sh in the initramfs"
  rc=127
fi
echo "@@HACO-VM-END rc=$rc@@"
sync
poweroff -f
