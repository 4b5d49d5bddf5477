#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# MAPT's malformed-packet suite (issue 12: "malformed, truncated and hostile
# packets are dropped with a counter and never read past the skb"): three
# roles, each in namespace R between a sender namespace R4 (IPv4 side,
# device s0) and R6 (IPv6 side, device s0) that send and receive raw frames
# (tests/mapt_malformed.py, the MACs and addresses of tests/xlat_diff.py):
#
#   br    MAP-T BR, seed 002: rule 2001:db8:ce::/51 192.0.2.0/24 13 EA bits,
#         DMR 64:ff9b::/96, --reject-spoofed; the IPv6 link's MTU 1400;
#         CE 11b's prefix routed to br6, CE 774's unreachable
#   ce    MAP-T CE 11b in ONE namespace (SNATPSID + MAPT after SNAT + MAPT
#         on the wan), the same table; its LAN client 192.168.0.4 is ce4
#   clat  CLAT/SIIT: EAM 192.168.1.0/24 <-> 2001:db8:1:ff::/120, DMR
#         64:ff9b::/96, icmp-source-ipv4 192.0.0.8; its LAN is clat4
#
# Per case: the counters of /proc/net/xt_MAPT moved by exactly what it says,
# and nothing came out but the expected packets (mapt_malformed.py). Then:
# a real ping through every role, and a kernel log without BUG, WARNING,
# KASAN or slab corruption lines.

. "$(dirname "$0")/lib.sh"

CTL="$REPO/tools/softwirectl/softwirectl"
BACKEND=${BACKENDS%% *}
SEED="rule $MAPT_RULE"
dmesg_from=$(dmesg | wc -l)


# The BR: the server 203.0.113.56 on its IPv4 side, CE 11b behind br6.
xlat_role br 203.0.113.1/24 2001:db8:6::1/64 $MAPT_SERVER 2001:db8:6::2
ip -n br link set v6 mtu 1400
ip -n br6 link set s0 mtu 1400
ip -n br -6 route add 2001:db8:ce::/51 via 2001:db8:6::2
ip -n br -6 route add unreachable 2001:db8:ce:774::/64
printf '%s\ndmr %s\n' "$SEED" $MAPT_DMR >"$TMP/br.txt"

# The CE: its LAN client on ce4, the BR (and the Internet by the DMR) on ce6.
xlat_role ce 192.168.0.1/24 2001:db8:6::11b/64 192.168.0.4 2001:db8:6::1
ip -n ce route add default dev v6
ip -n ce -6 route add $MAPT_DMR via 2001:db8:6::1
cp "$TMP/br.txt" "$TMP/ce.txt"

# The CLAT: its LAN on clat4, the IPv6-only access network on clat6.
xlat_role clat 192.168.1.1/24 2001:db8:1::2/64 192.168.1.2 2001:db8:1::1
ip -n clat route add default dev v6
ip -n clat -6 route add default via 2001:db8:1::1
printf 'dmr 64:ff9b::/96\neam 192.168.1.0/24 2001:db8:1:ff::/120\nicmp-source-ipv4 192.0.0.8\n' \
	>"$TMP/clat.txt"

ipt() { n "$1" "iptables-$BACKEND" "${@:2}"; }
ip6() { n "$1" "ip6tables-$BACKEND" "${@:2}"; }
check "$BACKEND: tables and rules of the BR, the CE and the CLAT" sh -c "
	for r in br ce clat; do ip netns exec \$r $CTL load \$r $TMP/\$r.txt || exit 1; done
	ip netns exec br ip6tables-$BACKEND -t raw -A PREROUTING -i v6 -j MAPT --binding-table br --reject-spoofed &&
	ip netns exec br iptables-$BACKEND -t raw -A PREROUTING -i v4 -d 192.0.2.0/24 -j MAPT --binding-table br &&
	ip netns exec ce iptables-$BACKEND -t nat -A POSTROUTING -o v6 -j SNATPSID --end-user-prefix 2001:db8:ce:11b::/64 --binding-table ce &&
	ip netns exec ce iptables-$BACKEND -t mangle -A POSTROUTING -o v6 -j MAPT --end-user-prefix 2001:db8:ce:11b::/64 --binding-table ce &&
	ip netns exec ce ip6tables-$BACKEND -t raw -A PREROUTING -i v6 -j MAPT --end-user-prefix 2001:db8:ce:11b::/64 --binding-table ce &&
	ip netns exec clat iptables-$BACKEND -t raw -A PREROUTING -i v4 -j MAPT --binding-table clat &&
	ip netns exec clat ip6tables-$BACKEND -t raw -A PREROUTING -i v6 -d 2001:db8:1:ff::/120 -j MAPT --binding-table clat"

start=$(date +%s)
# The hairpin case last (below): while the kernel loops it, nothing else runs.
/usr/bin/python3 "$REPO/tests/mapt_malformed.py" --skip hairpin ${XTSW_MAPT_CASES:+--only "$XTSW_MAPT_CASES"} 2>&1 |
	tee "$TMP/cases.out"
grep -q '^# counters moved' "$TMP/cases.out" || not_ok "mapt_malformed.py ran to its end"
echo "# the cases: $(( $(date +%s) - start ))s"

# end_loop R: a packet looping through R's translator (known bug: a
# hairpinned packet is received again where the ip6tables rule translates
# it again, the hop limit untouched) ends when that rule goes; a loop left
# running starves everything after it.
end_loop() {
	local a b
	a=$(mapt_stat "$1" hairpinned); sleep 1; b=$(mapt_stat "$1" hairpinned)
	[ "$a" = "$b" ] && return 0
	n "$1" "ip6tables-$BACKEND" -t raw -F
	not_ok "$1: no packet loops in the translator (hairpinned rose by $((b - a)) in 1 s; its IPv6 rule removed)"
}
end_loop br; end_loop ce; end_loop clat

# A real ping through each role after all that: addresses on the senders.
for r in br ce clat; do
	n "${r}6" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.s0.disable_ipv6=0
done
ip -n br4 addr add $MAPT_SERVER/24 dev s0
ip -n br4 route add 192.0.2.0/24 via 203.0.113.1
ip -n br6 addr add 2001:db8:6::2/64 dev s0 nodad
ip -n br6 addr add 2001:db8:ce:11b:0:c000:208:1b/128 dev s0 nodad
ip -n br6 -6 route add $MAPT_DMR via 2001:db8:6::1
ip -n ce4 addr add 192.168.0.4/24 dev s0
ip -n ce4 route add default via 192.168.0.1
ip -n ce6 addr add 2001:db8:6::1/64 dev s0 nodad
ip -n ce6 addr add $MAPT_SERVER6/128 dev s0 nodad
ip -n ce6 -6 route add 2001:db8:ce:11b::/64 via 2001:db8:6::11b
ip -n clat4 addr add 192.168.1.2/24 dev s0
ip -n clat4 route add default via 192.168.1.1
ip -n clat6 addr add 2001:db8:1::1/64 dev s0 nodad
ip -n clat6 addr add 64:ff9b::c633:6401/128 dev s0 nodad
ip -n clat6 -6 route add 2001:db8:1:ff::/120 via 2001:db8:1::2
check "br: the server pings CE 11b (192.0.2.8, identifier 55300 of its set) through it" \
	n br4 ping -c 1 -W 5 -e 55300 192.0.2.8
check "ce: the LAN client pings the server through it (SNATPSID, MAPT)" \
	n ce4 ping -c 1 -W 5 $MAPT_SERVER
check "clat: the LAN client pings 198.51.100.1 (64:ff9b::c633:6401) through it" \
	n clat4 ping -c 1 -W 5 198.51.100.1

# Hairpinning at the BR: a packet turned around must leave once. If it
# loops, taking the BR's IPv6 rule away ends the loop (the packet is
# forwarded and its hop limit runs out). The server side has an address
# now (the pings): its port unreachable for the case's sentinel, which the
# BR would translate too, is kept in.
n br4 iptables-legacy -A OUTPUT -p icmp --icmp-type port-unreachable -j DROP 2>/dev/null ||
	n br4 iptables-nft -A OUTPUT -p icmp --icmp-type port-unreachable -j DROP
/usr/bin/python3 "$REPO/tests/mapt_malformed.py" --only 'br: hairpin' 2>&1 | grep -v '^# counters'
n br "ip6tables-$BACKEND" -t raw -F
sleep 1
expect_eq "br: after its IPv6 rule is gone, the BR translates nothing more (no loop left)" 0 \
	"$(a=$(mapt_stat br hairpinned); sleep 1; echo $(( $(mapt_stat br hairpinned) - a )))"

log=$(dmesg | tail -n +"$((dmesg_from + 1))" |
	grep -E 'BUG|WARNING|KASAN|Oops|general protection|slab|[Cc]orrupt|Poison|refcount_t|UBSAN' | head -n 20)
expect_eq "the kernel log has no BUG, WARNING, KASAN or slab corruption line" "" "$log"

finish
