#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# MAPT and fragments (issue 18): every fragment translated on its own, both
# ways (RFC 7915 sections 4.1, 5.1.1), through a MAP-T BR and a MAP-T CE,
# and the fragment cache that gives a non-first fragment the ports of its
# first one where a MAP rule shares IPv4 addresses (RFC 7597 section
# 8.3.3): the BR's choice of CE for an IPv4 fragment, its anti-spoofing of a
# CE's IPv6 fragment, the CE's port check. Roles (tests/mapt_frag.py sends
# and captures raw frames on their sides, s0 of R4 and R6, the MACs of
# tests/xlat_diff.py):
#
#   br    the seed 002 BR: rule 2001:db8:ce::/51 192.0.2.0/24 13 EA bits,
#         DMR 64:ff9b::/96; CE 11b (192.0.2.8 PSID 27) and CE 101
#         (192.0.2.8 PSID 1) routed to br6; IPv6 link MTU 1400; the IPv4
#         route to 203.0.113.200 has MTU 1000
#   brs   the same, its namespace's cache made with mapt_frag_cache_entries
#         4 (one set of 4): eviction
#   ce    CE 11b in one namespace (SNATPSID + MAPT after it + MAPT on the
#         wan); ce4 its LAN client 192.168.0.4
#
# Phases: br (fragments one by one, out of order, overlapping, alone;
# split to lowest-ipv6-mtu; fragmentation needed, packet too big, 3/13 for
# a UDP zero checksum), expiry (mapt_frag_timeout), ce, small (eviction),
# silent (the table line udp-zero-checksum drop-silent), ct (a conntrack
# match in the BR turns on defragmentation: MAPT sees reassembled packets,
# what leaves must still be valid and correct). Each step checks the
# output field by field and the counters of /proc/net/xt_MAPT about
# fragments; then the kernel log.

. "$(dirname "$0")/lib.sh"

CTL="$REPO/tools/softwirectl/softwirectl"
BACKEND=${BACKENDS%% *}
PARAM=/sys/module/xt_LW4O6/parameters
dmesg_from=$(dmesg | wc -l)


# br_role R: a BR namespace as above; its table file $TMP/R.txt.
br_role() {
	xlat_role "$1" 203.0.113.1/24 2001:db8:6::1/64 $MAPT_SERVER 2001:db8:6::2
	ip -n "$1" link set v6 mtu 1400
	ip -n "${1}6" link set s0 mtu 1400
	ip -n "$1" -6 route add 2001:db8:ce::/51 via 2001:db8:6::2
	ip -n "$1" route add 203.0.113.200/32 via $MAPT_SERVER mtu 1000
	printf 'rule %s\ndmr %s\n' "$MAPT_RULE" $MAPT_DMR >"$TMP/$1.txt"
}
br_rules() {
	n "$1" "ip6tables-$BACKEND" -t raw -A PREROUTING -i v6 -j MAPT --binding-table "$1" &&
	n "$1" "iptables-$BACKEND" -t raw -A PREROUTING -i v4 -d 192.0.2.0/24 -j MAPT --binding-table "$1"
}

entries0=$(cat $PARAM/mapt_frag_cache_entries 2>/dev/null)
timeout0=$(cat $PARAM/mapt_frag_timeout 2>/dev/null)
expect_eq "module parameters mapt_frag_cache_entries and mapt_frag_timeout (defaults 1024, 2)" \
	"1024 2" "$entries0 $timeout0"
[ -n "$entries0" ] || entries0=1024

br_role br
check "br: its table (seed 002 rule, DMR)" n br "$CTL" load br "$TMP/br.txt"
check "$BACKEND: br: its rules" br_rules br

xlat_role ce 192.168.0.1/24 2001:db8:6::11b/64 192.168.0.4 2001:db8:6::1
ip -n ce route add default dev v6
ip -n ce -6 route add $MAPT_DMR via 2001:db8:6::1
printf 'rule %s\ndmr %s\n' "$MAPT_RULE" $MAPT_DMR >"$TMP/ce.txt"
check "$BACKEND: the CE (SNATPSID, MAPT after it, MAPT on the wan)" sh -c "
	ip netns exec ce $CTL load ce $TMP/ce.txt &&
	ip netns exec ce iptables-$BACKEND -t nat -A POSTROUTING -o v6 -j SNATPSID --end-user-prefix 2001:db8:ce:11b::/64 --binding-table ce &&
	ip netns exec ce iptables-$BACKEND -t mangle -A POSTROUTING -o v6 -j MAPT --end-user-prefix 2001:db8:ce:11b::/64 --binding-table ce &&
	ip netns exec ce ip6tables-$BACKEND -t raw -A PREROUTING -i v6 -j MAPT --end-user-prefix 2001:db8:ce:11b::/64 --binding-table ce"

# brs: its namespace's first MAPT rule reads mapt_frag_cache_entries 4
br_role brs
n brs "$CTL" load brs "$TMP/brs.txt"
if echo 4 >$PARAM/mapt_frag_cache_entries 2>/dev/null; then
	check "brs: its rules with mapt_frag_cache_entries 4 (written at $PARAM)" br_rules brs
	echo "$entries0" >$PARAM/mapt_frag_cache_entries
	small=small
else
	not_ok "mapt_frag_cache_entries is writable at $PARAM"
	small=
fi

start=$(date +%s)
/usr/bin/python3 "$REPO/tests/mapt_frag.py" br expiry ce $small
echo "# the phases: $(( $(date +%s) - start ))s"

# udp-zero-checksum drop-silent: the same BR, silent.
printf 'rule %s\ndmr %s\nudp-zero-checksum drop-silent\n' "$MAPT_RULE" $MAPT_DMR >"$TMP/silent.txt"
if out=$(n br "$CTL" load br "$TMP/silent.txt" 2>&1); then
	/usr/bin/python3 "$REPO/tests/mapt_frag.py" silent
	n br "$CTL" load br "$TMP/br.txt"
else
	not_ok "br: the table line udp-zero-checksum drop-silent (softwirectl: $out)"
fi

# Conntrack's defragmentation in the BR (a conntrack match in each family).
if n br "iptables-$BACKEND" -A FORWARD -m conntrack --ctstate INVALID -j DROP &&
   n br "ip6tables-$BACKEND" -A FORWARD -m conntrack --ctstate INVALID -j DROP; then
	/usr/bin/python3 "$REPO/tests/mapt_frag.py" ct
else
	not_ok "br: conntrack match rules (defragmentation on)"
fi

log=$(dmesg | tail -n +"$((dmesg_from + 1))" |
	grep -E 'BUG|WARNING|KASAN|Oops|general protection|slab|[Cc]orrupt|Poison|refcount_t|UBSAN' | head -n 20)
expect_eq "the kernel log has no BUG, WARNING, KASAN or slab corruption line" "" "$log"

finish
