#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test VM's initramfs (busybox sh), built by run-vm.sh.
#
# Mounts the host's root (9p tag "hostroot", read-only) under a tmpfs-backed
# overlayfs on /newroot, so the whole root is writable inside the VM while no
# write ever reaches the host. Then runs the command from /xtsw-run.conf
# chrooted in /newroot, in the caller's directory, prints
# "XTSW-VM-EXIT: <status>" on the console and powers the VM off.

export PATH=/bin

die() {
	echo "VM init: $*"
	poweroff -f
}

/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /lower /rw /newroot
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/null >/dev/console 2>&1

# Defines VM_CWD, exports the variables passed through and sets "$@" to the
# command (written by run-vm.sh).
# shellcheck source=/dev/null
. /xtsw-run.conf

# virtio, 9p and overlay modules, numbered in load order by run-vm.sh.
for m in /modules/*.ko; do
	[ -e "$m" ] || continue
	insmod "$m" || die "insmod $m failed"
done

mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000 hostroot /lower ||
	die "cannot mount the host root (9p tag hostroot)"

# The writable layer lives in RAM and is thrown away with the VM.
mount -t tmpfs -o mode=0755 tmpfs /rw
mkdir -p /rw/upper /rw/work
if ! mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work \
		overlay /newroot; then
	# Fallback for a kernel whose overlayfs refuses a 9p lower layer: the
	# root stays read-only, only the usual scratch places get a tmpfs (not
	# /tmp if the command runs in there). dkms or apt would not work.
	echo "VM init: overlayfs over 9p failed, root is read-only"
	mount --move /lower /newroot
	for d in /var/tmp /root /tmp; do
		case "$VM_CWD/" in "$d"/*) continue ;; esac
		mount -t tmpfs tmpfs "/newroot$d"
	done
fi

# A kernel from scripts/kernels.sh's cache (VM_KROOT): its modules, headers
# and kbuild where modprobe, DKMS and kbuild look for them. Read-write (the
# overlay), so DKMS can install modules there and depmod can run.
if [ -n "${VM_KROOT:-}" ]; then
	for d in "/newroot$VM_KROOT"/lib/modules/* "/newroot$VM_KROOT"/usr/src/* \
		 "/newroot$VM_KROOT"/usr/lib/*; do
		to=/newroot${d#"/newroot$VM_KROOT"}
		mkdir -p "$to" && mount --bind "$d" "$to" ||
			die "cannot bind $d at $to"
	done
fi

mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /newroot/dev/pts
mount -t tmpfs -o mode=1777 tmpfs /newroot/dev/shm
mount -t tmpfs -o mode=0755 tmpfs /newroot/run
# devtmpfs has none of these; bash process substitution needs /dev/fd.
ln -sf /proc/self/fd /newroot/dev/fd
ln -sf /proc/self/fd/0 /newroot/dev/stdin
ln -sf /proc/self/fd/1 /newroot/dev/stdout
ln -sf /proc/self/fd/2 /newroot/dev/stderr

# Module autoloading (request_module) runs this helper from the kernel, in
# the initramfs root, not in the chroot: hand it over to the real modprobe.
printf '#!/bin/sh\nexec /bin/chroot /newroot /sbin/modprobe "$@"\n' >/bin/xtsw-modprobe
chmod 755 /bin/xtsw-modprobe
echo /bin/xtsw-modprobe >/proc/sys/kernel/modprobe

hostname xtsw-vm
ip link set lo up

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root XTSW_VM=1
# shellcheck disable=SC2016 # expanded by the inner shell
chroot /newroot /bin/sh -c 'cd "$1" || exit 125; shift; exec "$@"' \
	xtsw-vm "$VM_CWD" "$@"
rc=$?

# Leading newline: the marker must not be glued to unterminated output.
printf '\nXTSW-VM-EXIT: %d\n' "$rc"
sync
poweroff -f
