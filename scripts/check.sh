#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: install what is missing, build with -Werror, run sparse, the
# unit tests (ASan/UBSan), a short fuzz run, then boot Debian's kernel under
# qemu and run the netns suite (tests/suite.sh) there. Ends with the line
# "N passed, N failed".
#
# Two kernels, by name (scripts/kernels.sh), whatever else is installed:
# the whole suite runs on the primary one (Debian 12's default, 6.1); the
# second one (Debian 12's 6.12) gets the module build, sparse, a DKMS build
# and, in a second short VM boot, every target's end-to-end test
# ($SECOND_TESTS), so an API change of a newer kernel is caught.
#
#   scripts/check.sh [--vm-only] [--kver KVER]
#
# --vm-only skips everything before the VM; --kver KVER (make check
# KVER=...) runs everything, the whole suite too, on that kernel alone.

set -u
cd "$(dirname "$0")/.." || exit 1
vm_only=false kver=
while [ $# -gt 0 ]; do
	case $1 in
	--vm-only) vm_only=true; shift ;;
	--kver) kver=${2:-}; shift 2 ;;
	*) echo "usage: $0 [--vm-only] [--kver KVER]" >&2; exit 2 ;;
	esac
done

# The end-to-end tests on the second kernel, with the nft backend: MAP66
# (map66_e2e); the LW4O6 B4 and AFTR, MAP-E and DS-Lite next to an nftables
# flowtable (flow_offload: 6.12's nft_flow_offload is not 6.1's); the MAP-T
# CE and BR with SNATPSID and tables loaded over generic netlink
# (mapt_e2e): about 4 minutes under TCG. The primary kernel's boots run
# the same tests with legacy only ($ONE_BACKEND), every other test with
# both: CI's 30 minutes.
SECOND_TESTS=${XTSW_SECOND_TESTS-tests/map66_e2e.sh tests/flow_offload.sh tests/mapt_e2e.sh}
ONE_BACKEND="tests/flow_offload.sh tests/mapt_e2e.sh"

# The time each step ended, for keeping the whole under CI's 30 minutes.
stamp() { echo "# ${SECONDS}s: $*"; }
sh scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }
stamp "dependencies"

kernels() { sh scripts/kernels.sh "$@"; }
if [ -n "$kver" ]; then
	VM_KVER=$(kernels release "$kver") || { echo "0 passed, 1 failed"; exit 1; }
	SECOND_KVER=
else
	VM_KVER=$(kernels primary) && SECOND_KVER=$(kernels second) ||
		{ echo "0 passed, 1 failed"; exit 1; }
fi
if ! KDIR=$(kernels kdir "$VM_KVER"); then
	echo "no headers for $VM_KVER (as root: scripts/kernels.sh fetch $VM_KVER)"
	echo "0 passed, 1 failed"; exit 1
fi

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
# Build the modules for the headers in $1 from scratch (the tree holds one
# kernel's objects at a time).
build_modules() {
	make -s -C "$1" M="$PWD" clean >/dev/null 2>&1
	make -s KDIR="$1" modules
}
# Boot kernel $1 from tree $3 and run the suite with tests $4... in it; $2
# names the log. In the background: the boots share the machine's two
# cores, one vCPU each (two guests of two TCG vCPUs on two cores were two
# to three times slower per test), and their logs are printed whole, one
# after the other, when they end.
start_vm() {
	local k=$1 name=$2 tree=$3
	shift 3
	(
		cd "$tree" &&
		VM_LOG="$LOG/console.$name" VM_WORKDIR="$LOG/vm.$name" VM_SMP=1 \
		VM_TIMEOUT=${VM_TIMEOUT:-2400} tests/vm/run-vm.sh --kver "$k" -- \
			tests/suite.sh --vm "$@" >"$LOG/$name" 2>&1
		echo $? >"$LOG/$name.rc"
	) &
}
# A test's time in the VM with both backends, as suite.sh printed it in
# make check under TCG, two boots side by side (for
# sharing the tests out between the boots; the order within a boot does
# not matter).
vm_seconds() {
	case ${1#tests/} in
	lw4o6_aftr.sh) echo 270 ;;	dkms_install.sh) echo 205 ;;
	mapt_table.sh) echo 145 ;;	flow_offload.sh) echo 266 ;;
	softwire_rederive.sh) echo 120 ;; snatpsid_e2e.sh) echo 117 ;;
	lw4o6_ecn.sh) echo 91 ;;	mapt_cli.sh) echo 90 ;;
	map66_lengths.sh) echo 82 ;;	mapt_clat.sh) echo 81 ;;
	lw4o6_aftr_icmp.sh) echo 77 ;;	map66_conntrack.sh) echo 76 ;;
	lw4o6_b4.sh) echo 73 ;;		mapt_e2e.sh) echo 144 ;;
	map66_e2e.sh) echo 68 ;;	lw4o6_after_snat.sh) echo 65 ;;
	lw4o6_table.sh) echo 64 ;;	lw4o6_b4_hostile.sh) echo 60 ;;
	lw4o6_ctl_limits.sh) echo 57 ;;	mapt_frag.sh) echo 53 ;;
	lw4o6_cli.sh) echo 49 ;;	mapt_malformed.sh) echo 48 ;;
	lw4o6_mape.sh) echo 46 ;;	lw4o6_gso.sh) echo 42 ;;
	lw4o6_scale.sh) echo 34 ;;	snatpsid_cli.sh) echo 32 ;;
	map66_unload.sh) echo 30 ;;	lw4o6_unload.sh) echo 30 ;;
	map66_cli.sh) echo 27 ;;	map66_icmp.sh) echo 27 ;;
	mapt_vs_jool.sh) echo 21 ;;	map66_vs_npt.sh) echo 17 ;;
	lw4o6_dslite.sh) echo 13 ;;
	*) echo 60 ;;
	esac
}
# The log and the counts of a boot that has ended.
end_vm() {
	local name=$1 rc
	echo "# VM $name:"
	cat "$LOG/$name"
	rc=$(cat "$LOG/$name.rc" 2>/dev/null || echo 1)
	add_summary "$LOG/$name" "VM suite $name"
	[ "$rc" -eq 0 ] || grep -qE '^0 passed|[1-9][0-9]* failed' "$LOG/$name" || fail "VM run $name exited $rc"
}

LOG=$(mktemp -d)
trap 'rm -rf "$LOG"' EXIT

if [ -n "$SECOND_KVER" ]; then
	SECOND_KDIR=$(kernels kdir "$SECOND_KVER")
	if build_modules "$SECOND_KDIR" >"$LOG/build2" 2>&1; then
		pass "build modules ($SECOND_KVER), -Werror"
	else
		fail "build modules ($SECOND_KVER)"; cat "$LOG/build2"
		SECOND_KVER=
	fi
	stamp "build ($SECOND_KVER)"
fi
if [ -n "$SECOND_KVER" ] && ! $vm_only; then
	make -s KDIR="$SECOND_KDIR" sparse >"$LOG/sparse2" 2>&1
	if grep -E 'warning|error' "$LOG/sparse2" >/dev/null; then
		fail "sparse (make C=2) is clean on $SECOND_KVER"; grep -E 'warning|error' "$LOG/sparse2"
	else
		pass "sparse (make C=2) is clean on $SECOND_KVER"
	fi
	stamp "sparse ($SECOND_KVER)"
fi

if build_modules "$KDIR" >"$LOG/build" 2>&1 && make -s KDIR="$KDIR" all >>"$LOG/build" 2>&1; then
	pass "build modules ($VM_KVER) and extensions, -Werror"
else
	fail "build modules ($VM_KVER) and extensions"; cat "$LOG/build"
	echo "$P passed, $F failed"; exit 1
fi

if ! $vm_only; then
	make -s KDIR="$KDIR" sparse >"$LOG/sparse" 2>&1
	if grep -E 'warning|error' "$LOG/sparse" >/dev/null; then
		fail "sparse (make C=2) is clean on $VM_KVER"; grep -E 'warning|error' "$LOG/sparse"
	else
		pass "sparse (make C=2) is clean on $VM_KVER"
	fi
	# sparse rebuilt the objects; rebuild plainly for the VM
	make -s KDIR="$KDIR" modules >/dev/null 2>&1
	stamp "build and sparse ($VM_KVER)"

	# DKMS, from the tracked files, for both kernels (dkms install, modprobe
	# and a rule: tests/dkms_install.sh in the VM)
	# shellcheck disable=SC2086 # empty when there is no second kernel
	bash scripts/dkms-build.sh "$VM_KVER" $SECOND_KVER >"$LOG/dkms" 2>&1
	grep -E '^(not )?ok' "$LOG/dkms"
	add_summary "$LOG/dkms" "dkms builds"
	stamp "dkms builds"

	sh tests/unit/run.sh 2>&1 | tee "$LOG/unit"
	add_summary "$LOG/unit" "unit tests"
	stamp "unit tests"

	if sh tests/fuzz/run.sh "${FUZZ_SECONDS:-10}" >"$LOG/fuzz" 2>&1; then
		pass "$(grep '^ok' "$LOG/fuzz" | sed 's/^ok - //' | paste -sd';')"
	else
		fail "fuzzing"; cat "$LOG/fuzz"
	fi
	stamp "fuzzing"
fi

# The second kernel's modules, built in a copy of the tree (the tree
# keeps the primary kernel's, which the first boots load at the same time).
TREE2=
if [ -n "$SECOND_KVER" ] && [ -n "$SECOND_TESTS" ]; then
	TREE2=$LOG/tree2
	mkdir -p "$TREE2" && chmod 755 "$LOG" &&
		tar --exclude=./build -cf - . | tar -C "$TREE2" -xf - &&
		(cd "$TREE2" && build_modules "$SECOND_KDIR") >"$LOG/build2" 2>&1 ||
		{ fail "rebuild modules ($SECOND_KVER) in a copy"; cat "$LOG/build2"; TREE2=; }
fi

# The primary kernel's suite in two boots side by side (the LW4O6 tests,
# and the others), then the second kernel's boot in whichever slot frees
# first: about 20 minutes of TCG instead of 35 one after the other.
mkdir -p "$LOG/vm.a" "$LOG/vm.b" "$LOG/vm.2"
if [ -n "${XTSW_TESTS:-}" ]; then
	# shellcheck disable=SC2086 # lists of test scripts
	start_vm "$VM_KVER" a "$PWD" $XTSW_TESTS
	lanes="a"
else
	# Longest first, each to the boot with less to do (seconds measured
	# under TCG, suite.sh prints them; a new test counts 60). The second
	# kernel's boot (about 300 s) follows in the slot that frees first:
	# lane b starts with that much.
	lane_a= lane_b= load_a=0 load_b=0
	[ -n "$TREE2" ] && load_b=300
	for t in $(for t in tests/*_*.sh; do
			s=$(vm_seconds "$t")
			# shellcheck disable=SC2254 # a list of names
			case " $ONE_BACKEND " in
			*" $t "*) [ -n "$TREE2" ] && t=$t:legacy s=$((s / 2)) ;;
			esac
			echo "$s $t"
		   done | sort -rn | tr ' ' '='); do
		s=${t%%=*} t=${t#*=}
		if [ $load_a -le $load_b ]; then
			lane_a="$lane_a $t" load_a=$((load_a + s))
		else
			lane_b="$lane_b $t" load_b=$((load_b + s))
		fi
	done
	echo "# VM boots: a $load_a s, b $load_b s (the second kernel's included), estimated"
	# shellcheck disable=SC2086
	start_vm "$VM_KVER" a "$PWD" $lane_a
	# shellcheck disable=SC2086
	start_vm "$VM_KVER" b "$PWD" $lane_b
	lanes="a b"
fi
stamp "VM boots started"
if [ -n "$TREE2" ]; then
	wait -n
	stamp "a first boot ended"
	# The iptables backends are both tested on the primary kernel; here
	# Debian's default one (nft).
	export XTSW_BACKENDS=${XTSW_SECOND_BACKENDS-nft}
	# shellcheck disable=SC2086
	start_vm "$SECOND_KVER" 2 "$TREE2" $SECOND_TESTS
	unset XTSW_BACKENDS
	lanes="$lanes 2"
fi
wait
stamp "every boot ended"
for l in $lanes; do
	end_vm "$l"
done

echo "$P passed, $F failed"
[ "$F" -eq 0 ]
