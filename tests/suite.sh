#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The netns suite: loads the freshly built modules and runs every
# tests/*_*.sh script (or those named), then checks that the kernel logged
# no warning and that the modules unload. Runs inside the test VM
# (scripts/check.sh boots it) or, as root, on a real Debian host:
#
#   sudo make check-host            # or: sudo tests/suite.sh --host [TEST...]
#
# Prints one "ok"/"not ok" line per check and "N passed, N failed" last.

set -u
cd "$(dirname "$0")/.."
REPO=$PWD
MODE=vm
if [ "${1:-}" = "--host" ] || [ "${1:-}" = "--vm" ]; then
	MODE=${1#--}
	shift
fi
[ "$(id -u)" = 0 ] || { echo "tests/suite.sh: run as root"; exit 1; }

passed=0 failed=0 skipped=0
result() {
	if [ "$1" = ok ]; then passed=$((passed + 1)); echo "ok - $2"
	else failed=$((failed + 1)); echo "not ok - $2"; fi
}

# Modules the tests use, then ours from this tree.
for m in veth x_tables ip_tables iptable_mangle iptable_nat iptable_raw iptable_filter \
	 ip6_tables ip6table_mangle ip6table_raw ip6table_filter \
	 nf_tables nft_compat nf_conntrack nf_defrag_ipv4 nf_defrag_ipv6 nf_flow_table_inet nft_flow_offload xt_conntrack ip6t_NPT tunnel6 ip6_tunnel pktgen; do
	modprobe "$m" 2>/dev/null
done
MODULES="xt_MAP66 xt_LW4O6"
for m in $MODULES; do
	if grep -q "^$m " /proc/modules; then
		rmmod "$m" 2>/dev/null ||
			{ echo "$m is loaded and in use; remove its rules first"; exit 1; }
	fi
	if insmod "$REPO/kernel/$m.ko"; then
		result ok "load $m from $REPO/kernel"
	else
		result fail "load $m from $REPO/kernel"
	fi
done
dmesg -C 2>/dev/null

# In the VM, memory corruption and warnings must stop the run, not scroll
# past: run-vm.sh boots with slub_debug=FZPU and panic_on_warn=1.
if [ "$MODE" = vm ]; then
	if [ "$(cat /proc/sys/kernel/panic_on_warn)" = 1 ] &&
	   [ "$(cat /sys/kernel/slab/kmalloc-64/sanity_checks 2>/dev/null)" = 1 ] &&
	   [ "$(cat /sys/kernel/slab/kmalloc-64/poison 2>/dev/null)" = 1 ]; then
		result ok "the VM kernel checks slabs (slub_debug=FZPU) and panics on WARN"
	else
		result fail "the VM kernel checks slabs (slub_debug=FZPU) and panics on WARN"
	fi
fi

tests=${*:-$(ls tests/*_*.sh | grep -v '/lib.sh$')}
# A test may be named tests/X.sh:BACKENDS (make check: the ones the second
# kernel's boot runs with nft run here with legacy only).
for spec in $tests; do
	t=${spec%%:*} be=
	[ "$t" = "$spec" ] || be=${spec#*:}
	echo "# ${t}${be:+ ($be)}"
	start=$(date +%s)
	out=$(XTSW_BACKENDS=${be:-${XTSW_BACKENDS:-}} bash "$t" 2>&1 | tee /dev/stderr)
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	s=$(printf '%s\n' "$out" | grep -c '^skip ')	# lib.sh skip_all: neither
	[ "$p" -gt 0 ] || [ "$f" -gt 0 ] || [ "$s" -gt 0 ] || { f=1; echo "not ok - $t ran no check"; }
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	echo "# ${t}: $(( $(date +%s) - start ))s"
done

# No warning, oops or leak report from the kernel during the tests.
if dmesg | grep -E 'WARNING:|BUG:|Oops|general protection|kmemleak|refcount_t' >/dev/null; then
	result fail "kernel log clean"
	dmesg | grep -E -A 20 'WARNING:|BUG:|Oops|general protection' | head -n 60
else
	result ok "kernel log clean"
fi
for m in $MODULES; do
	if rmmod "$m"; then result ok "unload $m"; else result fail "unload $m"; fi
done

[ "$skipped" -eq 0 ] || echo "# $skipped skipped (the \"skip - \" lines above)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
