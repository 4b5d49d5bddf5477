#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run one command inside a throwaway qemu VM booting the host's Debian kernel.
#
# The VM sees the host's whole root read-only over 9p, made writable by a
# tmpfs overlay (nothing is written back), and runs COMMAND as root in the
# caller's current directory. The serial console is streamed to stdout and to
# $VM_WORKDIR/console.log. Exit status: COMMAND's, or non-zero if the VM
# did not report one, the watchdog fired, or the kernel logged an oops, BUG,
# WARNING and the like.
#
# Usage: tests/vm/run-vm.sh [--kver KVER] -- COMMAND [ARGS...]
#   KVER: a kernel release, "primary" (the default: Debian 12's default
#   kernel) or "second" (its 6.12), as scripts/kernels.sh resolves them.
#
# Environment:
#   VM_TIMEOUT  seconds before the whole VM is killed (default 1500)
#   VM_SMP      virtual CPUs (default 2; make check gives each of its
#               boots that run side by side one: two TCG guests of two
#               vCPUs on two cores slow each other down two to three times)
#   VM_SLUB_DEBUG  slub_debug flags of the VM's kernel (default FZPU; empty:
#               none, for benchmarks)
#   VM_WORKDIR  scratch directory, relative to the repository top
#               (default build/vm)
#   VM_LOG      console log (default $VM_WORKDIR/console.log)
#   XTABLES_LIBDIR, V, KEEP_GOING and XTSW_* are passed to COMMAND.
#   Inside the VM XTSW_VM=1 is set.
set -eu -o pipefail

usage() {
	echo "usage: $0 [--kver KVER] -- COMMAND [ARGS...]" >&2
	exit 2
}

kver=
while [[ $# -gt 0 ]]; do
	case $1 in
	--kver) [[ $# -ge 2 ]] || usage; kver=$2; shift 2 ;;
	--kver=*) kver=${1#--kver=}; shift ;;
	--) shift; break ;;
	*) usage ;;
	esac
done
[[ $# -gt 0 ]] || usage

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
timeout_s=${VM_TIMEOUT:-1500}
workdir=${VM_WORKDIR:-build/vm}
[[ $workdir == /* ]] || workdir=$top/$workdir
log=${VM_LOG:-$workdir/console.log}

# The kernel: Debian 12's default one unless named (a release, "primary"
# or "second"); installed, or in scripts/kernels.sh's private cache, whose
# modules, headers and kbuild init.sh bind-mounts at their usual paths.
kernels() { sh "$top/scripts/kernels.sh" "$@"; }
kver=$(kernels release "${kver:-primary}")
kroot=$(kernels root "$kver")
kernel=${kroot%/}/boot/vmlinuz-$kver
[[ -r $kernel ]] || { echo "VM: cannot read $kernel" >&2; exit 1; }

mkdir -p "$workdir" "$(dirname "$log")"
tmp=$(mktemp -d "$workdir/run.XXXXXX")
# shellcheck disable=SC2317 # called from the trap
cleanup() {
	# Interrupted while qemu runs: stop it and let the pipeline drain.
	if [[ -s $tmp/qemu.pid ]] && kill "$(cat "$tmp/qemu.pid")" 2>/dev/null; then
		wait
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# Single-quote a string for /bin/sh.
shq() {
	printf "'%s'" "${1//\'/\'\\\'\'}"
}

# --- initramfs ------------------------------------------------------------
root=$tmp/root
mkdir -p "$root/bin" "$root/modules"
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$top/tests/vm/init.sh" "$root/init"
chmod 755 "$root/init"

# Modules to mount 9p over virtio, plus overlay, in dependency order.
n=0
declare -A seen=()
for mod in virtio_pci 9pnet_virtio 9p overlay; do
	deps=$(modprobe -d "$kroot" -S "$kver" --show-depends "$mod") ||
		{ echo "VM: cannot resolve module $mod for $kver" >&2; exit 1; }
	while read -r cmd ko _; do
		[[ $cmd == insmod && -z ${seen[$ko]:-} ]] || continue
		seen[$ko]=1
		dst=$root/modules/$(printf %02d $n)-$(basename "${ko%%.ko*}").ko
		n=$((n + 1))
		case $ko in
		*.ko) cp "$ko" "$dst" ;;
		*.ko.xz) xz -dc "$ko" >"$dst" ;;
		*.ko.zst) zstd -qdc "$ko" >"$dst" ;;
		*.ko.gz) gzip -dc "$ko" >"$dst" ;;
		*) echo "VM: unknown module format $ko" >&2; exit 1 ;;
		esac
	done <<<"$deps"
done

# What init runs: the command, where, and with which variables.
{
	echo "VM_CWD=$(shq "$PWD")"
	[[ $kroot == / ]] || echo "VM_KROOT=$(shq "$kroot")"
	for v in XTABLES_LIBDIR V KEEP_GOING ${!XTSW_@}; do
		[[ -v $v ]] && echo "export $v=$(shq "${!v}")"
	done
	printf 'set --'
	for a in "$@"; do printf ' %s' "$(shq "$a")"; done
	echo
} >"$root/xtsw-run.conf"

initrd=$tmp/initramfs.cpio
(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) >"$initrd"

# --- boot -----------------------------------------------------------------
# Kernel messages of level warning and above (loglevel=5) reach the console
# with timestamps, so WARN()s and oopses land in the log and can be found.
# panic=-1 plus -no-reboot turns a panic into a qemu exit. The Debian
# kernel has SLUB_DEBUG and DEBUG_LIST: slub_debug=FZPU checks every free
# (F: consistency, Z: red zones, P: poisoning, U: owner tracking), and
# panic_on_warn=1 stops the run at the first WARN, so a corruption or a
# warning fails the run instead of scrolling past.
append="console=ttyS0 edd=off loglevel=5 printk.time=1 panic=-1"
append+=" panic_on_warn=1"
slub_debug=${VM_SLUB_DEBUG-FZPU}
[[ -z $slub_debug ]] || append+=" slub_debug=$slub_debug"

echo "VM: booting $kver, log in $log"
start=$(date +%s)
# The serial line ends lines with \r\n and SeaBIOS sends terminal resets and
# clear-screens: strip \r and escape sequences for the log and stdout.
# qemu runs in the background so that the traps above can run (bash defers
# traps until a foreground job ends) and kill it through its pid file.
{
	rc=0
	timeout -k 10 "$timeout_s" qemu-system-x86_64 \
		-accel tcg,thread=multi -cpu max -smp "${VM_SMP:-2}" -m 2048 \
		-nographic -no-reboot -nic none \
		-kernel "$kernel" -initrd "$initrd" -append "$append" \
		-fsdev local,id=fs0,path=/,security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=fs0,mount_tag=hostroot \
		-pidfile "$tmp/qemu.pid" </dev/null 2>&1 || rc=$?
	echo "$rc" >"$tmp/qemu.rc"
} | sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' | tee "$log" &
wait $! || true
rm -f "$tmp/qemu.pid"
elapsed=$(($(date +%s) - start))
qemu_rc=$(cat "$tmp/qemu.rc" 2>/dev/null || echo 255)

status=0
if [[ $qemu_rc == 124 || $qemu_rc == 137 ]]; then
	echo "VM watchdog: killed after $timeout_s s"
	status=124
elif [[ $qemu_rc != 0 ]]; then
	echo "VM: qemu failed with status $qemu_rc"
	status=1
fi

if [[ $status == 0 ]]; then
	marker=$(grep -ao 'XTSW-VM-EXIT: [0-9]\+' "$log" | tail -n 1 || true)
	if [[ -z $marker ]]; then
		echo "VM: no exit status from the VM (crash or early failure?)"
		status=1
	else
		status=${marker#XTSW-VM-EXIT: }
	fi
fi

# Kernel lines carry a "[   12.345678] " timestamp, command output does not.
problems=$(grep -aE '\[ *[0-9]+\.[0-9]+\] .*(BUG:|WARNING:|Oops|Call Trace:|KASAN:|UBSAN:|general protection fault|Kernel panic|kernel BUG at|INFO: task|rcu: INFO:|watchdog: BUG:)' "$log" || true)
if [[ -n $problems ]]; then
	echo "VM: kernel reported a problem:"
	echo "$problems"
	[[ $status != 0 ]] || status=1
fi

echo "VM: exit status $status after ${elapsed} s"
exit "$status"
