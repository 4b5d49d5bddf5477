#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The softwire table of kernel/softwire_table_core.c (open addressing: deleted slots
# become tombstones, the table is rebuilt to grow, to shrink and to drop
# them) seen from outside, through softwirectl add/del -f. A table created
# empty grows to 4096 softwires, loses most of them, is churned by deletions
# and additions of the same softwires, and is listed while it changes. After
# each step, one packet to every softwire it held shows on the wire the B4
# the AFTR encapsulates to, and `list` prints exactly what the table holds.
#
#   [gen] g0 --veth-- i0 [aftr: LW4O6 --binding-table t] -> d0 (dummy)

. "$(dirname "$0")/lib.sh"

CTL="$REPO/tools/softwirectl/softwirectl"
AFTR_ADDR=$SINK_AFTR

aftr_sink_topology

# softwires NAME FROM TO: softwire number k in [FROM, TO) is address
# 100.64.0.0 + k/16, PSID k%16 of length 4 at offset 6, B4
# 2001:db8:(k/16):(k%16)::1. Writes NAME (lines as list prints them),
# NAME.dst ("address port": a port of the softwire's set) and NAME.wire
# (the encapsulated packet the AFTR sends for it).
softwires() {
	python3 - "$TMP/$1" "$2" "$3" "$AFTR_ADDR" <<'EOF'
import ipaddress, sys
path, lo, hi, aftr = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
with open(path, "w") as sw, open(path + ".dst", "w") as dst, open(path + ".wire", "w") as wire:
    for k in range(lo, hi):
        addr = ipaddress.IPv4Address("100.64.0.0") + k // 16
        psid = k % 16
        b4 = ipaddress.IPv6Address("2001:db8:%x:%x::1" % (k // 16, psid))
        port = (1 + k % 63) << 10 | psid << 6 | k % 64   # A, PSID, M (RFC 7597 5.1)
        sw.write("softwire ipv4 %s psid %d psid-length 4 psid-offset 6 b4-ipv6 %s\n" % (addr, psid, b4))
        dst.write("%s %d\n" % (addr, port))
        wire.write("%s > %s 4in6: 198.18.0.2 > %s UDP 4242 > %d\n" % (aftr, b4, addr, port))
EOF
}

# same_lines DESCRIPTION EXPECTED-FILE SEEN-FILE: the same lines, any order.
same_lines() {
	if diff <(sort "$2") <(sort "$3") >"$TMP/diff"; then
		ok "$1"
	else
		not_ok "$1"
		echo "    $(grep -c '^<' "$TMP/diff") lines missing, $(grep -c '^>' "$TMP/diff") lines more, e.g.:"
		grep '^[<>]' "$TMP/diff" | head -n 5 | sed 's/^/    /'
	fi
}

bt_stat() { n aftr "$CTL" show t | awk -v k="$1" '$1 == k { print $2 }'; }
listed() { n aftr "$CTL" list t | grep '^softwire' >"$TMP/listed"; }

# lookups DESCRIPTION SET: one packet to each softwire of SET; the wire
# must show exactly SET.wire.
lookups() {
	capture_start aftr d0 "$TMP/d0.pcap" "ip6"
	n gen $PKT send-udp4-list "$TMP/$2.dst"
	capture_stop
	$PKT dump4 "$TMP/d0.pcap" | sed 's/ len .*//' >"$TMP/wire"
	same_lines "$1" "$TMP/$2.wire" "$TMP/wire"
}

softwires all 0 4096
softwires head 0 96
softwires tail 96 4096
softwires base 96 1024
softwires churn 0 96
softwires rest 1024 4096
{ cat "$TMP/head"; cat "$TMP/base"; } >"$TMP/kept"
cat "$TMP/head.wire" "$TMP/base.wire" >"$TMP/kept.wire"
cat "$TMP/head.dst" "$TMP/base.dst" >"$TMP/kept.dst"

check "create an empty table (no size hint: the smallest table)" \
	n aftr "$CTL" create t br-address $AFTR_ADDR
check "a rule that uses it" \
	n aftr iptables-legacy -t raw -A PREROUTING -i i0 -j LW4O6 --binding-table t
mem_empty=$(bt_stat memory)
check "add a second br-address to the live table" n aftr "$CTL" add t br-address 2001:db8:ffff::2
expect_eq "list prints both br-addresses, the table's own first" \
	"br-address $AFTR_ADDR|br-address 2001:db8:ffff::2" \
	"$(n aftr "$CTL" list t | grep '^br-address' | paste -sd'|')"

# Growth: 4096 softwires added to the live table, in batches the kernel
# takes one by one, so that it rebuilds itself six times on the way.
check "add -f: 4096 softwires into the live table" n aftr "$CTL" add t -f "$TMP/all"
expect_eq "show: 4096 softwires on 256 addresses" "4096 256" \
	"$(n aftr "$CTL" show t | awk '$1 == "softwires" { print $2, $4 }')"
listed
same_lines "list prints the 4096 softwires added" "$TMP/all" "$TMP/listed"
lookups "each of the 4096 softwires is found: one packet each to its B4" all
expect_eq "no packet of those was dropped as unbound" 0 "$(bt_stat dropped_unbound)"
mem_full=$(bt_stat memory)
echo "# memory: empty $mem_empty bytes, 4096 softwires $mem_full bytes"

# Shrinking: most softwires deleted; the rest are still found, the deleted
# ones are unbound.
check "del -f: 4000 of them" n aftr "$CTL" del t -f "$TMP/tail"
expect_eq "show: 96 softwires left" 96 "$(bt_stat softwires)"
listed
same_lines "list prints the 96 left" "$TMP/head" "$TMP/listed"
lookups "each of the 96 left is still found" head
before=$(bt_stat dropped_unbound)
n gen $PKT send-udp4-list "$TMP/tail.dst"
sleep 1
expect_eq "a packet to each of the 4000 deleted softwires is dropped as unbound" 4000 \
	$(($(bt_stat dropped_unbound) - before))
mem_small=$(bt_stat memory)
echo "# memory with 96 softwires left: $mem_small bytes"
check "the table shrank with them ($mem_small bytes, was $mem_full)" \
	test "$mem_small" -lt $((mem_full / 8))

# Churn: the same 96 softwires deleted and added again, 30 times, next to
# 928 that stay. Each deletion leaves tombstones on the probe paths of the
# others; rebuilds clear them.
check "add -f: 928 more" n aftr "$CTL" add t -f "$TMP/base"
mem_before=$(bt_stat memory)
churned=0
for round in $(seq 30); do
	n aftr "$CTL" -q del t -f "$TMP/churn" && n aftr "$CTL" -q add t -f "$TMP/churn" &&
		churned=$((churned + 1))
done
expect_eq "30 rounds of deleting and adding 96 softwires" 30 "$churned"
expect_eq "show: 1024 softwires" 1024 "$(bt_stat softwires)"
listed
same_lines "list prints the 1024 softwires after the churn" "$TMP/kept" "$TMP/listed"
lookups "each of the 1024 is found after the churn" kept
mem_after=$(bt_stat memory)
echo "# memory with 1024 softwires: $mem_before bytes before the churn, $mem_after after"
check "tombstones do not make the table grow without bound ($mem_after bytes, was $mem_before)" \
	test "$mem_after" -le $((2 * mem_before))

# Listing while the table changes: a list that completes is one state of
# the table (1024 or 928 softwires, none twice); a list during which the
# table changed fails and says so (NLM_F_DUMP_INTR), never prints a mix.
check "add -f: the other 3072 again" n aftr "$CTL" add t -f "$TMP/rest"
(
	for _ in $(seq 200); do
		n aftr "$CTL" -q del t -f "$TMP/churn" || break
		n aftr "$CTL" -q add t -f "$TMP/churn" || break
	done
) &
CHURN=$!
BG_PIDS+=("$CHURN")
whole=0 told=0 torn=0
for _ in $(seq 20); do
	if n aftr "$CTL" list t >"$TMP/l" 2>"$TMP/l.err"; then
		lines=$(grep -c '^softwire' "$TMP/l")
		unique=$(grep '^softwire' "$TMP/l" | sort -u | wc -l)
		if [ "$lines" = "$unique" ] && { [ "$lines" = 4096 ] || [ "$lines" = 4000 ]; }; then
			whole=$((whole + 1))
		else
			torn=$((torn + 1))
			echo "    a list printed $lines softwires, $unique different"
		fi
	elif grep -q "changed while it was being listed" "$TMP/l.err"; then
		told=$((told + 1))
	else
		torn=$((torn + 1))
		echo "    list failed: $(cat "$TMP/l.err")"
	fi
done
kill "$CHURN" 2>/dev/null
wait "$CHURN" 2>/dev/null
echo "# 20 lists during changes: $whole whole, $told told of a change"
expect_eq "no list during changes printed a mix of states or failed otherwise" 0 "$torn"

n aftr iptables-legacy -t raw -F
check "delete the table" n aftr "$CTL" delete t

finish
