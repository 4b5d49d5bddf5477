#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: every target against the kernel's own paths, in one VM boot
# (no slub_debug), plus instruction counts of the plain-C cores. Writes
# bench/results/DATE-HOST/{results.md,results.png,raw.txt,vm.log,chart.dat}
# and prints the table, each target met or missed, and a README snippet.
#
# Environment:
#   BENCH_ROUNDS   interleaved rounds (default 3; 1 for a quick look)
#   BENCH_CASES    groups to run: v6 v4 b4 aftr decap nat tcp ctl xlat (default all)
#   BENCH_PACKETS  packets per pktgen/sendraw run (default 100000)
#   BENCH_TCP_SECS seconds per iperf3 run (default 5)
#   BENCH_PROFILE  cases to profile once more under perf (the top symbols in
#                  vm.log as "# perf CASE: ..."), e.g. "mapt_ce xlat_b4_lw4o6";
#                  for a VM with KVM or a real host: under TCG perf's
#                  cpu-clock took about 40 samples per case (2026-12-08),
#                  too few to say anything
#   BENCH_OUT      results folder (default bench/results/DATE-HOST)
set -eu -o pipefail
cd "$(dirname "$0")/.."
top=$PWD

sh scripts/install-deps.sh
# Build for the kernel the VM boots (run-vm.sh's default: the newest).
kver=$(printf '%s\n' /boot/vmlinuz-*-amd64 | sort -V | tail -n 1)
kver=${kver#/boot/vmlinuz-}
make -s KDIR=/usr/src/linux-headers-$kver all
mkdir -p build/bench
CFLAGS_B="-std=gnu11 -O2 -g -Wall -Wextra -Werror -Ikernel"
gcc $CFLAGS_B -o build/bench/sendraw tests/bench/sendraw.c
micro_srcs="kernel/map66_core.c kernel/psid_core.c kernel/softwire_table_core.c"
gcc $CFLAGS_B -o build/bench/micro tests/bench/micro.c $micro_srcs

stamp=$(date +%Y-%m-%d-%H%M)
host=$(hostname -s)
out=${BENCH_OUT:-bench/results/$stamp-$host}
mkdir -p "$out"
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
machine="$host, $cpu, $(nproc) host CPUs, $(date +%Y-%m-%d)"
raw=$out/raw.txt
: >"$raw"

# Userspace: instructions per call under callgrind (toggle-collect counts
# only the case's function), and a rough time per call.
N=200000
while IFS=$'\t' read -r name what; do
	fn=$(case $name in map66_*) echo case_map66 ;; psid_*) echo case_psid ;; table_*) echo case_table ;; *) echo "case_$name" ;; esac)
	valgrind --tool=callgrind --toggle-collect="$fn" \
		--callgrind-out-file=build/bench/cg.out build/bench/micro "$name" $N >/dev/null 2>&1
	ir=$(awk '/^totals:/ { print $2 }' build/bench/cg.out)
	ns=$(build/bench/micro "$name" 10000000 | awk '{ print $(NF - 1) }')
	echo "BENCH micro $name $(echo "scale=1; $ir / $N" | bc) $ns $what" >>"$raw"
done < <(build/bench/micro list)

# The VM: one boot, no slub_debug, under the shared lock (two cores: never
# two VMs at once).
export XTSW_BENCH_ROUNDS=${BENCH_ROUNDS:-3}
export XTSW_BENCH_PACKETS=${BENCH_PACKETS:-100000}
export XTSW_BENCH_TCP_SECS=${BENCH_TCP_SECS:-5}
[ -n "${BENCH_CASES:-}" ] && export XTSW_BENCH_CASES=$BENCH_CASES
[ -n "${BENCH_PROFILE:-}" ] && export XTSW_BENCH_PROFILE=$BENCH_PROFILE
echo "bench: booting the VM ($XTSW_BENCH_ROUNDS rounds), log in $out/vm.log"
start=$(date +%s)
rc=0
VM_SLUB_DEBUG= VM_TIMEOUT=${VM_TIMEOUT:-2400} flock /tmp/xtsw-vm.lock \
	tests/vm/run-vm.sh -- tests/bench/run.sh >"$out/vm.log" 2>&1 || rc=$?
echo "bench: the VM ran $(( $(date +%s) - start )) s (exit $rc)"
grep -a '^BENCH ' "$out/vm.log" >>"$raw" || true
grep -a '^not ok' "$out/vm.log" || true

/usr/bin/python3 tests/bench/report.py "$raw" "$out" "$machine"
[ -s "$out/chart.dat" ] && sh tests/bench/chart.sh "$out" "$machine"
echo
echo "bench: results in $out (results.md, results.png, raw.txt, vm.log)"
echo "README snippet:"
echo "Latest \`make bench\` ($(date +%Y-%m-%d), $machine; [results]($out/results.md)):"
echo
cat "$out/results.md"
exit $rc
