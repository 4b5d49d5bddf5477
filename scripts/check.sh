#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: install what is missing, build with -Werror, run sparse, the
# unit tests (ASan/UBSan), a short fuzz run, then boot Debian's kernel under
# qemu and run the netns suite (tests/suite.sh) there. Ends with the line
# "N passed, N failed". --vm-only skips everything before the VM.

set -u
cd "$(dirname "$0")/.."
vm_only=false
[ "${1:-}" = "--vm-only" ] && vm_only=true

sh scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

# The kernel the VM boots, and its headers: what the modules are built for.
VM_KVER=${VM_KVER:-$(ls /boot/vmlinuz-*-amd64 | sed 's|^/boot/vmlinuz-||' | sort -V | tail -n 1)}
KDIR=/usr/src/linux-headers-$VM_KVER

P=0 F=0
pass() { P=$((P + 1)); echo "ok - $*"; }
fail() { F=$((F + 1)); echo "not ok - $*"; }
# Add the counts of a "N passed, N failed" line in $1 (a log file).
add_summary() {
	local line
	line=$(tr -d '\r' <"$1" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
	if [ -z "$line" ]; then
		fail "$2 printed no summary"
		return
	fi
	P=$((P + $(echo "$line" | cut -d' ' -f1)))
	F=$((F + $(echo "$line" | cut -d' ' -f3)))
}

LOG=$(mktemp -d)
trap 'rm -rf "$LOG"' EXIT

if make -s KDIR="$KDIR" all >"$LOG/build" 2>&1; then
	pass "build modules ($VM_KVER) and extensions, -Werror"
else
	fail "build modules ($VM_KVER) and extensions"; cat "$LOG/build"
	echo "$P passed, $F failed"; exit 1
fi

if ! $vm_only; then
	make -s KDIR="$KDIR" sparse >"$LOG/sparse" 2>&1
	if grep -E 'warning|error' "$LOG/sparse" >/dev/null; then
		fail "sparse (make C=2) is clean"; grep -E 'warning|error' "$LOG/sparse"
	else
		pass "sparse (make C=2) is clean"
	fi
	# sparse rebuilt the objects; rebuild plainly for the VM
	make -s KDIR="$KDIR" modules >/dev/null 2>&1

	sh tests/unit/run.sh 2>&1 | tee "$LOG/unit"
	add_summary "$LOG/unit" "unit tests"

	if sh tests/fuzz/run.sh "${FUZZ_SECONDS:-10}" >"$LOG/fuzz" 2>&1; then
		pass "$(grep '^ok' "$LOG/fuzz" | sed 's/^ok - //' | paste -sd';')"
	else
		fail "fuzzing"; cat "$LOG/fuzz"
	fi
fi

echo "# booting $VM_KVER under qemu for the netns suite"
# The whole suite takes about 21 minutes under TCG; the watchdog leaves room.
VM_TIMEOUT=${VM_TIMEOUT:-2400} tests/vm/run-vm.sh --kver "$VM_KVER" -- tests/suite.sh --vm ${XTSW_TESTS:-} 2>&1 | tee "$LOG/vm"
rc=${PIPESTATUS[0]}
add_summary "$LOG/vm" "VM suite"
[ "$rc" -eq 0 ] || grep -qE '^0 passed|[1-9][0-9]* failed' "$LOG/vm" || fail "VM run exited $rc"

echo "$P passed, $F failed"
[ "$F" -eq 0 ]
