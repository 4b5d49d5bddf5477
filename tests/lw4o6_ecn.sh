#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the softwire does to the ECN field (RFC 6040, normal mode; RFC 7596
# section 5.1 and RFC 6333 point to it) and what the decapsulated packet
# looks like to the B4's IPv4 stack, on the B4 of tests/lw4o6_b4.sh:
#
#   [client] 10.0.0.2 --lan-- [b4: SNAT + LW4O6] --wan-- [aftr: ip4ip6]
#       -- [server] 198.51.100.1
#
# Decapsulation (RFC 6040 section 4.2): crafted 4in6 packets from the AFTR
# with each outer/inner ECN pair; a raw PREROUTING rule per ECN codepoint
# counts what the B4's IPv4 stack receives; a CE outer on a Not-ECT inner
# is dropped and counted. Encapsulation (section 4.1): the outer traffic
# class carries the inner ECN field, CE included, also with --tclass.
# The decapsulated packet, re-received on the wan, carries an Ethernet
# header of its own (a capture on the wan shows it as IPv4, -m mac sees
# the AFTR's address). rp_filter on the wan, strict and loose.

. "$(dirname "$0")/lib.sh"

b4_topology
ip -n aftr route add 192.0.2.1/32 dev sw
lw4o6_b4_rules legacy
for e in 0 1 2 3; do
	n b4 iptables-legacy -t raw -A PREROUTING -i wan -d 192.0.2.1 -p udp --sport 53 \
		-m ecn --ecn-ip-ect $e -m comment --comment ect$e -j DROP
done
settle

# The packets the B4's IPv4 stack received per inner ECN codepoint 0..3.
ect_seen() {
	n b4 iptables-legacy -t raw -L PREROUTING -v -n -x |
		awk '{ for (e = 0; e < 4; e++) if ($0 ~ "/\\* ect" e " \\*/") c[e] = $1 }
		     END { print c[0] + 0, c[1] + 0, c[2] + 0, c[3] + 0 }'
}
# decap OUTER-TCLASS INNER-TOS EXPECTED-ECN|drop DESCRIPTION
decap() {
	local before after want drops=$(lw4o6_stat b4 decap_dropped_ecn) dec=$(lw4o6_stat b4 decapsulated)
	before=$(ect_seen)
	n aftr $PKT send-4in6 --src6 $AFTR --dst6 $B4 --src4 $SERVER4 --dst4 192.0.2.1 \
		--dport 5000 --tclass "$1" --tos "$2"
	sleep 0.2
	after=$(ect_seen)
	if [ "$3" = drop ]; then
		expect_eq "decap: $4: dropped and counted, nothing delivered" \
			"$before $((drops + 1)) $dec" "$after $(lw4o6_stat b4 decap_dropped_ecn) $(lw4o6_stat b4 decapsulated)"
	else
		want=$(echo "$before" | awk -v e="$3" '{ $(e + 1)++; print }')
		expect_eq "decap: $4: the inner packet arrives with ECN $3" "$want" "$after"
	fi
}
decap 3 2 3 "outer CE, inner ECT(0)"
decap 3 1 3 "outer CE, inner ECT(1)"
decap 3 186 3 "outer CE, inner DSCP 46 ECT(0)"
decap 2 2 2 "outer ECT(0), inner ECT(0): unchanged"
decap 1 2 1 "outer ECT(1), inner ECT(0)"
decap 0 3 3 "outer Not-ECT, inner CE"
decap 0 0 0 "outer Not-ECT, inner Not-ECT"
decap 2 0 0 "outer ECT(0), inner Not-ECT: delivered as Not-ECT"
decap 3 0 drop "outer CE, inner Not-ECT"

# Encapsulation: the client's UDP datagrams with each TOS, on the wire.
# encap TCLASS-OPTION...: prints "tos tclass" per packet from the B4.
encap() {
	n b4 iptables-legacy -t mangle -F
	n b4 iptables-legacy -t mangle -A POSTROUTING -o wan -j LW4O6 --b4 $B4 --aftr $AFTR "$@"
	capture_start aftr eth0 "$TMP/enc.pcap" "ip6 and src $B4"
	for tos in 0 1 2 3 185 187; do
		n client $PKT send-udp4 $SERVER4 5002 --tos $tos
	done
	capture_stop
	$PKT tos "$TMP/enc.pcap" | awk '/ 4in6: .* tos / { print $NF, $(NF - 2) }' | paste -sd' '
}
expect_eq "encap: by default the traffic class is the inner TOS, ECN included (tos tclass ...)" \
	"0 0 1 1 2 2 3 3 185 185 187 187" "$(encap)"
expect_eq "encap: with --tclass 32 the DSCP is 32's, the ECN field the inner packet's" \
	"0 32 1 33 2 34 3 35 185 33 187 35" "$(encap --tclass 32)"
expect_eq "encap: with --tclass 35 (ECN bits in it) still the inner packet's ECN field" \
	"0 32 1 33 2 34 3 35 185 33 187 35" "$(encap --tclass 35)"
n b4 iptables-legacy -t mangle -F
n b4 iptables-legacy -t mangle -A POSTROUTING -o wan -j LW4O6 --b4 $B4 --aftr $AFTR

# The decapsulated packet as the wan sees it: one 4in6 frame arrived, and
# one IPv4 frame is received again, with an Ethernet header in front of it
# (not the 4in6 frame a second time).
mac=$(ip -n aftr link show eth0 | awk '/link\/ether/ { print $2 }')
n b4 iptables-legacy -t raw -I PREROUTING -i wan -m mac --mac-source "$mac" -m comment --comment mac
capture_start b4 wan "$TMP/rx.pcap" "ip or ip6"
n aftr $PKT send-4in6 --src6 $AFTR --dst6 $B4 --src4 $SERVER4 --dst4 192.0.2.1 --dport 5000
capture_stop
$PKT dump4 "$TMP/rx.pcap" >"$TMP/rx"
expect_eq "wan capture: the 4in6 packet once, the decapsulated IPv4 packet once" "1 1" \
	"$(grep -c "^$AFTR > $B4 4in6: $SERVER4 > 192.0.2.1 UDP 53 > 5000 " "$TMP/rx") $(grep -c "^$SERVER4 > 192.0.2.1 UDP 53 > 5000 " "$TMP/rx")"
expect_eq "the decapsulated packet's MAC source is the AFTR's (-m mac --mac-source $mac)" 1 \
	"$(n b4 iptables-legacy -t raw -L PREROUTING -v -n -x | awk '/\/\* mac \*\// { print $1 }')"
n b4 iptables-legacy -t raw -D PREROUTING 1

# rp_filter on the B4 (see docs/lw4o6-b4-design.md): the decapsulated
# packet arrives on the wan, and the source check looks for a route back
# to its source through the wan.
rpf_drops() { n b4 nstat -az TcpExtIPReversePathFilter | awk '/IPReversePathFilter/ { print $2 }'; }
n b4 sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.wan.rp_filter=1
check "rp_filter=1 with 'default dev wan': the route back is the wan, replies pass" \
	n client ping -c 2 -i 0.3 -W 3 $SERVER4
# Policy routing by firewall mark (as for a second uplink): the softwire
# in its own routing table for what the lan sends, another default route
# in the main table. The check looks up the route back without the mark
# (src_valid_mark=0): through the lan, not the wan.
n b4 iptables-legacy -t mangle -A PREROUTING -i lan -j MARK --set-mark 1
ip -n b4 rule add fwmark 1 lookup 100
ip -n b4 route add default dev wan table 100
ip -n b4 route replace default via 10.0.0.2 dev lan
r=$(rpf_drops)
expect_fail "rp_filter=1, routes by mark, the route back not through the wan: replies dropped" \
	"" n client ping -c 2 -i 0.3 -W 2 $SERVER4
check "... counted by the kernel as IPReversePathFilter" test "$(rpf_drops)" -gt "$r"
n b4 sysctl -qw net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.wan.rp_filter=2
expect_fail "rp_filter=2 (loose) does not help there: the wan has no IPv4 address" \
	"" n client ping -c 2 -i 0.3 -W 2 $SERVER4
n b4 sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.wan.rp_filter=0
check "rp_filter=0 on the wan (and all): replies pass" \
	n client ping -c 2 -i 0.3 -W 3 $SERVER4
ip -n b4 route replace default dev wan
ip -n b4 rule del fwmark 1 lookup 100
n b4 iptables-legacy -t mangle -D PREROUTING -i lan -j MARK --set-mark 1

n b4 iptables-legacy -t raw -F; n b4 iptables-legacy -t nat -F
n b4 iptables-legacy -t mangle -F; n b4 ip6tables-legacy -t mangle -F
finish
