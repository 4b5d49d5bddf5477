#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A DS-Lite B4 (RFC 6333): no NAT on the B4, every IPv4 packet encapsulated
# to the AFTR, which does the NAT. The AFTR is the seed's "hacked together"
# one: Linux's ip4ip6 tunnel plus MASQUERADE toward the internet.
#
#   [client] 10.0.0.2 -- [b4: LW4O6, no SNAT, no port set] -- [aftr: ip4ip6
#   + MASQUERADE] -- [server] 198.51.100.1
#
# On the wan the inner packets carry the client's own private address; the
# AFTR's NAT translates them.

. "$(dirname "$0")/lib.sh"

b4_topology
ip -n aftr route add 10.0.0.0/24 dev sw
n aftr iptables-legacy -t nat -A POSTROUTING -o eth1 -j MASQUERADE
n b4 iptables-legacy -t mangle -A POSTROUTING -o wan -j LW4O6 --b4 $B4 --aftr $AFTR
settle

capture_start aftr eth0 "$TMP/wan.pcap" "ip6 and not icmp6"
check "ping through the DS-Lite softwire" n client ping -c 3 -i 0.3 -W 3 $SERVER4
check "TCP transfer through the DS-Lite softwire arrives intact" \
	tcp_send client server $SERVER4 300000 60
capture_stop

$PKT dump4 "$TMP/wan.pcap" >"$TMP/wan"
check "the B4 does not NAT: inner packets carry 10.0.0.2" \
	grep -q "^$B4 > $AFTR 4in6: 10.0.0.2 > $SERVER4 TCP" "$TMP/wan"
expect_eq "every inner packet is the client's, checksums valid" "" \
	"$(grep ' 4in6: ' "$TMP/wan" | grep -vE "4in6: (10.0.0.2 > $SERVER4|$SERVER4 > 10.0.0.2) .* cksum valid$" | head -n 3)"
check "the AFTR's MASQUERADE translated the connections (the AFTR NATs)" sh -c \
	"ip netns exec aftr iptables-legacy -t nat -L POSTROUTING -v -n | awk '/MASQUERADE/ { exit !(\$1 > 0) }'"
n b4 iptables-legacy -t mangle -F
finish
