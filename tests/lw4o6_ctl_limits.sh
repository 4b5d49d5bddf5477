#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The binding-table control plane (kernel/softwire_genl.c) against what an
# unprivileged user namespace may do with it:
#  - a refused softwire does not use up one of the table's 16 br-addresses;
#  - the module parameters max_tables (per network namespace) and
#    max_softwires (per table) bound what one namespace can create, and a
#    refused request says which limit it hit;
#  - every allocation of a table is charged to the caller's memory cgroup:
#    memory.current rises by the table's size and falls when it goes, a
#    table bigger than memory.max is refused (ENOMEM, no OOM kill);
#  - a user namespace of an unprivileged user can create tables, within
#    the same limits, and its size hint is not honoured (the table starts
#    small and grows as it is filled);
#  - the generic netlink family validates strictly: unknown attributes and
#    a non-zero reserved header field are refused;
#  - the family runs in parallel with the others (parallel_ops): another
#    family's request (nlctrl, `genl ctrl list`) completes while a big
#    table is being allocated. Its latency is printed, not checked
#    against a threshold.

. "$(dirname "$0")/lib.sh"

CTL="$REPO/tools/softwirectl/softwirectl"
P=/sys/module/xt_LW4O6/parameters
A=2001:db8:ffff::1

ns_add aftr

param() { cat "$P/$1" 2>/dev/null || echo none; }
set_param() { echo "$2" >"$P/$1"; }
OLD_TABLES=$(param max_tables)
OLD_SOFTWIRES=$(param max_softwires)
echo "# module parameters: max_tables $OLD_TABLES, max_softwires $OLD_SOFTWIRES"
restore_params() {
	[ "$OLD_TABLES" = none ] || set_param max_tables "$OLD_TABLES"
	[ "$OLD_SOFTWIRES" = none ] || set_param max_softwires "$OLD_SOFTWIRES"
}
brs() { n aftr "$CTL" list "$1" | grep '^br-address' | paste -sd' '; }

# --- 1. a refused softwire leaves the br-addresses alone ------------------

check "create t" n aftr "$CTL" create t br-address $A
check "add a softwire" n aftr "$CTL" add t softwire ipv4 192.0.2.1 psid 1/4 b4-ipv6 2001:db8::1
refused=0
for i in $(seq 17); do
	if ! n aftr "$CTL" add t softwire ipv4 192.0.2.1 psid 1/4 b4-ipv6 2001:db8::2 \
		br-address 2001:db8:aaaa::$i 2>/dev/null; then
		refused=$((refused + 1))
	fi
done
expect_eq "17 adds of a bound softwire, each with a new br-address, refused" 17 "$refused"
expect_fail "an add with other PSID length and a new br-address refused" "share PSID length" \
	n aftr "$CTL" add t softwire ipv4 192.0.2.1 psid 2/5 b4-ipv6 2001:db8::2 br-address 2001:db8:aaaa::99
expect_eq "the refused adds left the table's br-addresses as they were" "br-address $A" "$(brs t)"
check "then a good add with a new br-address succeeds" \
	n aftr "$CTL" add t softwire ipv4 192.0.2.2 psid 1/4 b4-ipv6 2001:db8::3 br-address 2001:db8:bbbb::1
expect_eq "and its br-address is listed" "br-address $A br-address 2001:db8:bbbb::1" "$(brs t)"

# --- 2. limits: tables per namespace, softwires per table -----------------

check "the module parameter max_tables is writable" set_param max_tables 3
check "create a second table" n aftr "$CTL" create t2 br-address $A
check "create a third table" n aftr "$CTL" create t3 br-address $A
expect_fail "a fourth table is refused, the message names max_tables" "max_tables" \
	n aftr "$CTL" create t4 br-address $A
check "delete one" n aftr "$CTL" delete t3
check "then the fourth name fits" n aftr "$CTL" create t4 br-address $A
set_param max_tables "$OLD_TABLES" 2>/dev/null

python3 - "$TMP/sw101" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write("br-address 2001:db8:ffff::1\n")
    for k in range(101):
        f.write("softwire ipv4 100.64.%d.%d b4-ipv6 2001:db8:%x::1\n" % (k // 256, k % 256, k))
EOF
head -n 101 "$TMP/sw101" >"$TMP/sw100"
check "the module parameter max_softwires is writable" set_param max_softwires 100
check "100 softwires fit in a table" n aftr "$CTL" add t2 -f "$TMP/sw100"
expect_fail "the 101st is refused, the message names max_softwires" "max_softwires" \
	n aftr "$CTL" add t2 softwire ipv4 100.64.0.100 b4-ipv6 2001:db8:100::1
expect_eq "the table holds 100" 100 \
	"$(n aftr "$CTL" show t2 | awk '$1 == "softwires" { print $2 }')"
expect_fail "a load of 101 softwires is refused" "max_softwires" \
	n aftr "$CTL" load t3 "$TMP/sw101"
check "a table created with a size hint of 2^32 - 1 is sized by max_softwires" \
	n aftr "$CTL" create hint br-address $A size 4294967295
mem=$(n aftr "$CTL" show hint | awk '$1 == "memory" { print $2 }')
echo "# memory of a table created with size 4294967295 under max_softwires 100: $mem bytes"
check "it takes less than 64 KiB ($mem bytes)" test "${mem:-0}" -gt 0 -a "${mem:-999999}" -lt 65536
n aftr "$CTL" delete hint
restore_params

# --- 3. memory cgroup accounting ------------------------------------------

CGROOT=/sys/fs/cgroup
if ! grep -q "^cgroup2 $CGROOT " /proc/mounts; then
	mount -t cgroup2 none $CGROOT
fi
echo +memory >$CGROOT/cgroup.subtree_control 2>/dev/null
CG=$CGROOT/xtsw-ctl-$$
mkdir $CG
cleanup_cg() { rmdir $CG 2>/dev/null; }
trap 'restore_params; cleanup; cleanup_cg' EXIT
# incg COMMAND...: COMMAND in the test's memory cgroup.
incg() { (echo $BASHPID >$CG/cgroup.procs && "$@"); }
cg() { cat $CG/memory.current; }
check "a memory cgroup to run softwirectl in" test -f $CG/memory.current
# Exited processes leave some memory charged for a moment (RCU, work
# queues): let it go before reading memory.current.
incg n aftr "$CTL" show >/dev/null	# its pages charged before counting
sleep 2
before=$(cg)
check "create a table with a size hint of 65535 in the cgroup" \
	incg n aftr "$CTL" create m br-address $A size 65535
sleep 2
after=$(cg)
mem=$(n aftr "$CTL" show m | awk '$1 == "memory" { print $2 }')
echo "# memory.current: $before before, $after with the table; the table says $mem bytes"
check "memory.current rose by at least 90% of the table's memory ($((after - before)) of $mem)" \
	test $((after - before)) -ge $((${mem:-0} * 9 / 10))
for i in 1 2 3 4 5 6 7; do incg n aftr "$CTL" create m$i br-address $A; done
sleep 3	# memory.stat is flushed every 2 s
pcpu=$(awk '$1 == "percpu" { print $2 }' $CG/memory.stat)
echo "# memory.stat percpu with 8 tables: $pcpu bytes"
check "the per-CPU counters of the tables are charged (percpu $pcpu bytes)" test "${pcpu:-0}" -gt 0
for i in 1 2 3 4 5 6 7; do n aftr "$CTL" delete m$i; done
check "delete the table" n aftr "$CTL" delete m
sleep 2
gone=$(cg)
echo "# memory.current after the deletion: $gone"
check "memory.current fell by at least 90% of the table's memory ($((after - gone)))" \
	test $((after - gone)) -ge $((${mem:-0} * 9 / 10))

echo 16M >$CG/memory.max
expect_fail "with memory.max 16M, a table for 4M softwires (144 MB) is refused" \
	"[Cc]annot allocate memory" incg n aftr "$CTL" create big br-address $A size 4000000
maxhits=$(awk '$1 == "max" { print $2 }' $CG/memory.events)
echo "# memory.events: max $maxhits, oom_kill $(awk '$1 == "oom_kill" { print $2 }' $CG/memory.events)"
check "memory.events counts the cgroup hitting memory.max ($maxhits)" test "${maxhits:-0}" -gt 0
expect_eq "and nothing was OOM-killed for it" 0 "$(awk '$1 == "oom_kill" { print $2 }' $CG/memory.events)"

# --- 4. an unprivileged user's own user and network namespace -------------

if [ -w /proc/sys/kernel/unprivileged_userns_clone ]; then
	echo 1 >/proc/sys/kernel/unprivileged_userns_clone
fi
set_param max_tables 2
# unchrooted COMMAND...: COMMAND with a root that is its mount namespace's
# root. The VM's init runs the tests in a chroot, where the kernel refuses
# to create user namespaces: from init's mount namespace, a new one gets
# the test root moved onto its / (as switch_root does).
unchrooted() {
	if [ "$(stat -Lc %d:%i /proc/1/root/.)" = "$(stat -c %d:%i /)" ]; then
		"$@"
		return
	fi
	# shellcheck disable=SC2016 # expanded by the inner shell
	nsenter -t 1 -m -r /bin/busybox unshare -m /bin/busybox sh -c \
		'cd /newroot && /bin/busybox mount --move . / && exec /bin/busybox chroot . "$@"' \
		sh "$@"
}
# uns SCRIPT: SCRIPT run by nobody as root of a new user and network
# namespace, in the memory cgroup. nobody runs its own copy of the tool:
# the tree may sit in a directory only root can enter (a CI's mktemp -d).
UCTL=$(mktemp -d /tmp/xtsw-nobody.XXXXXX)
chmod 755 "$UCTL"
cp "$CTL" "$UCTL/softwirectl"
CTL=$UCTL/softwirectl
uns() {
	incg unchrooted /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups \
		/usr/bin/unshare -U -r -n /bin/sh -c "$1"
}
out=$(uns "$CTL create u1 br-address $A && $CTL create u2 br-address $A && $CTL show | grep -c '^table'" 2>&1)
expect_eq "nobody's own user namespace creates two tables" 2 "$out"
out=$(uns "$CTL create u1 br-address $A; $CTL create u2 br-address $A; $CTL create u3 br-address $A" 2>&1)
case $out in
*max_tables*) ok "a third table in it is refused: max_tables applies there too" ;;
*) not_ok "a third table in it is refused: max_tables applies there too"; echo "    seen: $out" ;;
esac
restore_params
# A size hint from a user namespace's root is not honoured (only
# CAP_NET_ADMIN in the initial one's is): the table starts small and
# grows as it is filled, however big the hint.
out=$(uns "$CTL create big br-address $A size 16000000 && $CTL show big | grep -o 'memory [0-9]*'" 2>&1)
case $out in
"memory "*) [ "${out#memory }" -lt 262144 ] &&
	ok "a size hint of 16M from a user namespace allocates nothing for it (${out#memory } bytes)" ||
	not_ok "a size hint of 16M from a user namespace allocates nothing for it (${out#memory } bytes)" ;;
*) not_ok "a size hint of 16M from a user namespace allocates nothing for it"; echo "    seen: $out" ;;
esac
out=$(uns "$CTL create g br-address $A size 16000000 &&
	for i in \$(seq 1 300); do echo \"softwire ipv4 192.0.2.\$((i % 250 + 1)) psid \$i psid-length 9 b4-ipv6 2001:db8::\$i\"; done |
	$CTL add g -f - >/dev/null && $CTL show g | grep -o 'softwires [0-9]*'" 2>&1)
expect_eq "... and that table grows as it is filled (300 softwires added)" "softwires 300" "$out"
echo max >$CG/memory.max

# A dump of every table (softwirectl show) tells every table, however big:
# one of 64 rules and 16 br-addresses outgrows the NLMSG_GOODSIZE part a
# socket that has received nothing gets first, and used to end the dump
# there silently (itself and every table after it untold).
ns_add dumps
python3 -c '
for i in range(1, 17):
    print("br-address 2001:db8:ffff::%x" % i)
for i in range(64):
    print("rule ipv6-prefix 2001:db8:%x::/48 ipv4-prefix 10.%d.0.0/16 ea-bits-length 16 psid-offset 6" % (i, i))
' >"$TMP/r64"
check "three tables, the middle one with 64 rules and 16 br-addresses" sh -c \
	"ip netns exec dumps $CTL create a br-address $A && ip netns exec dumps $CTL load r64 $TMP/r64 &&
	 ip netns exec dumps $CTL create z br-address $A"
expect_eq "a raw dump of every table on a fresh socket: one message per table" "ok, 3 messages" \
	"$(n dumps $PKT genl SOFTWIRE 3 --dump --fresh)"
expect_eq "softwirectl show tells all three" "a r64 z" \
	"$(n dumps "$CTL" show | awk '/^table / { print $2 }' | paste -sd ' ')"

# --- 5. strict netlink validation -----------------------------------------

# SOFTWIRE_CMD_TABLE_GET = 3, SOFTWIRE_CMD_SW_GET = 7, SOFTWIRE_A_NAME = 1; the
# attribute types end at SOFTWIRE_A_XLAT_CONT = 18.
check "a well-formed raw TABLE_GET is answered" n aftr $PKT genl SOFTWIRE 3 1:str:t
expect_fail "TABLE_GET with an unknown attribute type (30) is refused (EINVAL)" "error 22" \
	n aftr $PKT genl SOFTWIRE 3 1:str:t 30:u32:1
expect_fail "TABLE_GET with a non-zero reserved header field is refused (EINVAL)" "error 22" \
	n aftr $PKT genl SOFTWIRE 3 1:str:t --reserved 1
expect_fail "an SW_GET dump with an unknown attribute type is refused (EINVAL)" "error 22" \
	n aftr $PKT genl SOFTWIRE 7 1:str:t 30:u32:1 --dump
expect_fail "TABLE_NEW with a u32 size of 2 bytes is refused (EINVAL)" "error 22" \
	n aftr $PKT genl SOFTWIRE 1 1:str:v 3:hex:20010db8000000000000000000000001 4:hex:0100
check "softwirectl list still works (a strictly validated dump)" n aftr "$CTL" list t

# --- 6. parallel_ops: other families go on during a long request ----------

# A table for 16M softwires (576 MB, zeroed) takes a while to allocate.
# An nlctrl client (non-parallel, like nl80211, devlink, ethtool) sends one
# request after the other meanwhile: with genl_mutex held by the create,
# none would be answered until it ends (at most the one waiting then).
mem_avail() { awk '/^MemAvailable/ { print $2 * 1024 }' /proc/meminfo; }
rm -f "$TMP/create.end"
$PKT genl-probe "$TMP/probe" "$TMP/create.end" 120 &
PROBE=$!
BG_PIDS+=("$PROBE")
sleep 1
base=$(mem_avail)
t_start=$(date +%s.%N)
(n aftr "$CTL" create huge br-address $A size 16000000; date +%s.%N >"$TMP/create.end") &
CPID=$!
BG_PIDS+=("$CPID")
# Once 32 MB are allocated, the create is in the kernel.
for _ in $(seq 1000); do
	[ $((base - $(mem_avail))) -gt 33554432 ] && break
	kill -0 $CPID 2>/dev/null || break
	sleep 0.01
done
t_in=$(date +%s.%N)
genl ctrl list >/dev/null
rc=$?
t1=$(date +%s.%N)
running=no
kill -0 $CPID 2>/dev/null && running=yes
wait $CPID
wait $PROBE
t_end=$(cat "$TMP/create.end")
during=$(awk -v a="$t_in" -v b="$t_end" '$1 >= a && $2 < b' "$TMP/probe" | wc -l)
# t_end comes after softwirectl exits and date starts (some 100 ms under
# TCG), when a request held up by the create has been answered, and more:
# count the first half only, which ends long before the create does.
mid=$(echo "scale=6; $t_in + ($t_end - $t_in) / 2" | bc)
first=$(awk -v a="$t_in" -v b="$mid" '$1 >= a && $2 < b' "$TMP/probe" | wc -l)
maxlat=$(awk -v a="$t_in" -v b="$t_end" '$2 >= a && $1 < b && $2 - $1 > m { m = $2 - $1 } END { printf "%.3f", m }' "$TMP/probe")
echo "# a TABLE_NEW of 576 MB took $(echo "$t_end - $t_start" | bc) s ($(echo "$t_end - $t_in" | bc) s after it was seen allocating); meanwhile $during nlctrl requests were sent and answered ($first in the first half), the slowest in $maxlat s; genl ctrl list took $(echo "$t1 - $t_in" | bc) s (done while the create ran: $running)"
expect_eq "genl ctrl list succeeded during the create" 0 "$rc"
check "nlctrl requests were answered in the first half of the create ($first of them; slowest $maxlat s)" \
	test "$first" -ge 10
check "the big table exists" n aftr "$CTL" show huge
check "delete it" n aftr "$CTL" delete huge

check "delete t, t2, t4" sh -c "ip netns exec aftr $CTL delete t && ip netns exec aftr $CTL delete t2 && ip netns exec aftr $CTL delete t4"
rm -rf "$UCTL"
finish
