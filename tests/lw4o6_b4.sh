#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The seed's lwB4, in ONE namespace with LW4O6 instead of an ipip6 tunnel
# device, against Linux's own ip4ip6 tunnel (ip6_tunnel) as the AFTR end:
#
#   [client] 10.0.0.2 --lan-- [b4: SNAT 192.0.2.1:4096-8191 + LW4O6]
#        --wan (IPv6 only)-- [aftr: ip4ip6 tunnel] -- [server] 198.51.100.1
#
# The softwire: 192.0.2.1, ports 4096-8191, i.e. PSID 1 of 4 bits at offset
# 0 (RFC 7597 section 5.1; the seed's "psid-length 12" cannot give that
# range). B4 2001:db8:b4::2, AFTR 2001:db8:b4::1. Checked on the wire:
# every packet of a long TCP transfer leaves NATed to one source port in
# the set and encapsulated; inner checksums valid; the AFTR's Tunnel
# Encapsulation Limit option is accepted; decapsulation refuses a wrong
# AFTR and ports outside the set; PMTU both ways (DF set: ICMP
# fragmentation needed with the MTU less 40; DF clear: IPv6 fragments).

. "$(dirname "$0")/lib.sh"


b4_topology
ip -n aftr route add 192.0.2.1/32 dev sw	# the softwire's shared address

# One round with the iptables backend $BACKEND; every check is labelled.
b4_round() {
	local T="$BACKEND:"
	n b4 "iptables-$BACKEND" -t nat -F; n b4 "iptables-$BACKEND" -t mangle -F
	n b4 "iptables-$BACKEND" -t raw -F; n b4 "ip6tables-$BACKEND" -t mangle -F
	# The B4, as the seed script has it but in one namespace, no tunnel device.
	lw4o6_b4_rules $BACKEND
	settle

	capture_start aftr eth0 "$TMP/wan.pcap" "ip6 and not icmp6"
	check "$T ping from behind the B4" n client ping -c 3 -i 0.3 -W 3 $SERVER4

	check "$T TCP transfer of 2 MB from behind the B4 arrives intact" \
		tcp_send client server $SERVER4 2000000 90

	udp_echo server 5002 1
	check "$T UDP exchange from behind the B4" n client $PKT udp-ask $SERVER4 5002 "hello softwire" 1
	capture_stop

	$PKT dump4 "$TMP/wan.pcap" >"$TMP/wan"
	out_tcp=$(grep -c "^$B4 > $AFTR 4in6: 192.0.2.1 > $SERVER4 TCP" "$TMP/wan")
	check "$T thousands of TCP packets crossed the softwire ($out_tcp)" test "$out_tcp" -gt 1000
	sports=$(grep "^$B4 > $AFTR 4in6: 192.0.2.1 > $SERVER4 TCP" "$TMP/wan" | awk '{print $9}' | sort -u)
	expect_eq "$T all of them NATed to one source port (one conntrack entry)" 1 "$(echo "$sports" | wc -l)"
	check "$T that port ($sports) is in the port set 4096-8191" test "$sports" -ge 4096 -a "$sports" -le 8191
	expect_eq "$T every packet on the wan is 4in6 between B4 and AFTR" "" \
		"$(grep -vE "^($B4 > $AFTR|$AFTR > $B4) 4in6: " "$TMP/wan" | grep -v ' > ff02::' | head -n 3)"
	expect_eq "$T every inner packet has the shared address and valid checksums" "" \
		"$(grep -E ' 4in6: ' "$TMP/wan" | grep -vE "4in6: (192.0.2.1 > $SERVER4|$SERVER4 > 192.0.2.1) .* cksum valid$" | head -n 3)"
	check "$T echo requests leave with an identifier in the port set" \
		sh -c "grep '4in6: 192.0.2.1 > $SERVER4 ICMP' '$TMP/wan' | awk '{ if (\$9 < 4096 || \$9 > 8191) exit 1 } END { exit NR == 0 }'"

	# Decapsulation refuses what is not for this softwire: counted by a rule
	# that sees the IPv4 packets decapsulation hands to the stack.
	# (and drops them: nothing owns 192.0.2.1:5000, they would loop to the AFTR)
	n b4 iptables-$BACKEND -t raw -A PREROUTING -i wan -d 192.0.2.1 -p udp --sport 53 -j DROP
	seen() { n b4 iptables-$BACKEND -t raw -L PREROUTING -v -n -x | awk '/spt:53/ { print $1 }'; }
	# (counters are per namespace and cumulative over the rounds)
	in_wire=$(grep -c "^$AFTR > $B4 4in6: " "$TMP/wan")
	check "$T counters: at least what the wire showed was encapsulated ($out_tcp TCP)" \
		test "$(lw4o6_stat b4 encapsulated)" -ge "$out_tcp"
	check "$T counters: ... and decapsulated ($in_wire packets from the AFTR)" \
		test "$(lw4o6_stat b4 decapsulated)" -ge "$in_wire" -a "$in_wire" -gt 100
	before=$(seen)
	port_drops=$(lw4o6_stat b4 decap_dropped_port_not_in_set)
	aftr_drops=$(lw4o6_stat b4 decap_dropped_not_from_aftr)
	n aftr $PKT send-4in6 --src6 $AFTR --dst6 $B4 --src4 $SERVER4 --dst4 192.0.2.1 --dport 5000
	expect_eq "$T decap: a packet for a port in the set is handed to IPv4" $((before + 1)) "$(seen)"
	n aftr $PKT send-4in6 --src6 $AFTR --dst6 $B4 --src4 $SERVER4 --dst4 192.0.2.1 --dport 9000
	expect_eq "$T decap: a port outside 4096-8191 is dropped" $((before + 1)) "$(seen)"
	ip -n aftr addr add 2001:db8:b4::99/64 dev eth0
	sleep 0.3
	n aftr $PKT send-4in6 --src6 2001:db8:b4::99 --dst6 $B4 --src4 $SERVER4 --dst4 192.0.2.1 --dport 5000
	expect_eq "$T decap: a packet from another AFTR address is dropped" $((before + 1)) "$(seen)"
	expect_eq "$T counters: one drop for the port, one for the AFTR" \
		"$((port_drops + 1)) $((aftr_drops + 1))" \
		"$(lw4o6_stat b4 decap_dropped_port_not_in_set) $(lw4o6_stat b4 decap_dropped_not_from_aftr)"
	# Malformed inner packets are dropped and counted, never handed on. Half
	# an IPv4 header never reaches the B4's handler: the kernel's tunnel6
	# drops it first (it pulls a whole header before any handler runs).
	malformed=$(lw4o6_stat b4 decap_dropped_malformed)
	for kind in truncated ihl version checksum length; do
		n aftr $PKT send-4in6 --src6 $AFTR --dst6 $B4 --src4 $SERVER4 --dst4 192.0.2.1 \
			--dport 5000 --malformed $kind
	done
	expect_eq "$T decap: 5 malformed inner packets dropped, the 4 with a whole header counted" \
		"$((malformed + 4)) $((before + 1))" \
		"$(lw4o6_stat b4 decap_dropped_malformed) $(seen)"

	# Path MTU: the wan has MTU 1500, so 1472 bytes of ping no longer fit. The
	# client may know it already: full-size TCP segments (DF) got the same
	# ICMP during the transfer; ping then says "local error ... mtu=1460".
	n client ip route flush cache 2>/dev/null
	out=$(n client ping -c 2 -i 0.5 -W 3 -M do -s 1472 $SERVER4 2>&1)
	if printf '%s\n' "$out" | grep -qiE "mtu ?= ?1460"; then
		ok "$T DF set: the client learns the MTU less 40 (1460)"
	else
		not_ok "$T DF set: the client learns the MTU less 40 (1460)"
		printf '%s\n' "$out" | sed 's/^/    seen: /'
	fi
	check "$T counters: ICMP fragmentation needed was sent" test "$(lw4o6_stat b4 icmp_frag_needed_sent)" -ge 1
	check "$T DF clear: the packet crosses in IPv6 fragments and is answered" \
		n client ping -c 1 -W 3 -M dont -s 1472 $SERVER4
	n b4 "iptables-$BACKEND" -t nat -F; n b4 "iptables-$BACKEND" -t mangle -F
	n b4 "iptables-$BACKEND" -t raw -F; n b4 "ip6tables-$BACKEND" -t mangle -F
	ip -n aftr addr del 2001:db8:b4::99/64 dev eth0
}

for BACKEND in $BACKENDS; do
	b4_round
done

# The B4 decapsulates as the IPv6 stack's IPv4-in-IPv6 handler, before
# Linux's ip4ip6 devices: a 4in6 packet to another address of the box is
# theirs. Its IPv6 firewall sees the softwire's packets in INPUT.
lw4o6_b4_rules legacy
ip -n b4 addr add 2001:db8:b4::3/64 dev wan nodad
ip -n b4 -6 tunnel add other mode ip4ip6 local 2001:db8:b4::3 remote $AFTR
ip -n b4 link set other up
settle
rx() { n b4 cat /sys/class/net/other/statistics/rx_packets; }
before=$(rx) decap=$(lw4o6_stat b4 decapsulated)
n aftr $PKT send-4in6 --src6 $AFTR --dst6 2001:db8:b4::3 --src4 $SERVER4 --dst4 10.0.0.2 --dport 5000
expect_eq "a 4in6 packet to another address goes on to an ip4ip6 device of the box" \
	"$((before + 1)) $decap" "$(rx) $(lw4o6_stat b4 decapsulated)"
n b4 ip6tables-legacy -A INPUT -p 4 -j DROP
check "with the IPv6 INPUT chain dropping protocol 4, nothing comes back" \
	sh -c "! ip netns exec client ping -c 1 -W 2 $SERVER4 >/dev/null"
n b4 ip6tables-legacy -F INPUT
check "... and, accepted, the softwire works again" n client ping -c 1 -W 3 $SERVER4
n b4 iptables-legacy -t nat -F; n b4 iptables-legacy -t mangle -F
ip -n b4 link del other

finish
