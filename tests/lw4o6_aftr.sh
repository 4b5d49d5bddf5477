#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The AFTR side: our lwB4 to our lwAFTR (binding table bt0), and the seed
# script's Linux B4 (an ipip6 tunnel device plus SNAT) to the same AFTR:
#
#   [client] 10.0.0.2 --lan-- [b4: SNAT 192.0.2.1:4096-8191 + LW4O6] 2001:db8:b4::2
#       --eth0-- [aftr: LW4O6 --binding-table bt0] 2001:db8:b4::1 --eth1-- [server] 198.51.100.1
#   [lxb4: ipip6 tunnel, SNAT 192.0.2.2:4096-8191] 2001:db8:b5::2 --eth2-- [aftr]
#
# Softwires: 192.0.2.1 and 192.0.2.2, each PSID 1 of 4 bits at offset 0
# (ports 4096-8191). Checked on the wire and in the counters: traffic both
# ways for both B4s, hairpinning between them without an IPv4 packet on the
# AFTR's IPv4 side, anti-spoofing (ICMPv6 1/5), unbound destinations (ICMP
# 3/1), those ICMP errors rate limited by the kernel and absent without
# --icmp, a softwire with its own br-address (the Linux B4's), ICMP errors
# matched by the packet they quote, malformed input, PMTU both ways, IPv6
# fragments, an atomic reload under traffic that loses nothing, a malformed
# table file that changes nothing.

. "$(dirname "$0")/lib.sh"

CTL="$REPO/tools/softwirectl/softwirectl"
LXB4=2001:db8:b5::2
AFTR2=2001:db8:b5::1

softwire_topology
ns_add lxb4
link lxb4 eth0 aftr eth2
ip -n aftr addr add 2001:db8:b5::1/64 dev eth2
n aftr sysctl -qw net.ipv6.conf.all.forwarding=1
# The seed script's B4, with Linux's own tunnel: 10.0.0.1 on the tunnel,
# SNAT into its port set.
ip -n lxb4 addr add $LXB4/64 dev eth0
ip -n lxb4 -6 route add default via 2001:db8:b5::1
# Its AFTR end is the AFTR's second address, named by its softwire.
ip -n lxb4 -6 tunnel add b4tun mode ipip6 local $LXB4 remote $AFTR2 dev eth0
ip -n lxb4 addr add 10.0.0.1 dev b4tun
ip -n lxb4 link set b4tun up
ip -n lxb4 route add default dev b4tun
for p in tcp udp icmp; do
	n lxb4 iptables-legacy -t nat -A POSTROUTING -p $p -o b4tun -j SNAT --to 192.0.2.2:4096-8191
done
no_offload aftr eth2; no_offload lxb4 eth0

cat >"$TMP/bt0" <<EOF
# the AFTR's own address
br-address $AFTR
softwire ipv4 192.0.2.1 psid 1 psid-length 4 psid-offset 0 b4-ipv6 $B4
softwire ipv4 192.0.2.2 psid 1/4 psid-offset 0 b4-ipv6 $LXB4 br-address $AFTR2
EOF
check "load the binding table from a file" n aftr "$CTL" load bt0 "$TMP/bt0"
expect_eq "list prints it back, canonically" \
	"br-address $AFTR|br-address $AFTR2|softwire ipv4 192.0.2.1 psid 1 psid-length 4 psid-offset 0 b4-ipv6 $B4|softwire ipv4 192.0.2.2 psid 1 psid-length 4 psid-offset 0 b4-ipv6 $LXB4 br-address $AFTR2" \
	"$(n aftr "$CTL" list bt0 | grep -v '^#' | sort | paste -sd'|')"

bt_stat() { n aftr "$CTL" show bt0 | awk -v k="$1" '$1 == k { print $2 }'; }

# The B4, as in tests/lw4o6_b4.sh; a port forward of UDP 5000 to the client.
lw4o6_b4_rules legacy
n b4 iptables-legacy -t nat -A PREROUTING -i wan -p udp --dport 5000 -j DNAT --to 10.0.0.2

aftr_round() {
	local T="$BACKEND:"
	n aftr "iptables-$BACKEND" -t raw -F; n aftr "ip6tables-$BACKEND" -t raw -F
	n aftr "iptables-$BACKEND" -t raw -A PREROUTING -i eth1 -d 192.0.2.0/24 -j LW4O6 --binding-table bt0 --icmp
	# (no -d: the table knows its own addresses, $AFTR and $AFTR2)
	n aftr "ip6tables-$BACKEND" -t raw -A PREROUTING -j LW4O6 --binding-table bt0 --icmp
	settle

	capture_start aftr eth0 "$TMP/b4side.pcap" "ip6 and not icmp6"
	check "$T lwB4 -> lwAFTR: ping from behind our B4" n client ping -c 3 -i 0.3 -W 3 $SERVER4
	check "$T lwB4 -> lwAFTR: 1 MB of TCP from behind our B4 arrives intact" \
		tcp_send client server $SERVER4 1000000 90
	udp_echo server 5002 1
	check "$T lwB4 -> lwAFTR: UDP exchange" n client $PKT udp-ask $SERVER4 5002 "hello aftr" 1
	capture_stop
	$PKT dump4 "$TMP/b4side.pcap" >"$TMP/b4side"
	# Both ways: the B4's wan sends without TSO (no_offload), so 1 MB is
	# at least 685 segments; the ACKs coming back may be few (delayed
	# ACKs, GRO at the server): counting only those flaked (nft: 821
	# packets in all, under 100 of them ACKs).
	check "$T hundreds of TCP packets crossed ($(grep -c 'TCP' "$TMP/b4side"))" \
		test "$(grep -cE "^($B4 > $AFTR 4in6: 192.0.2.1 > $SERVER4|$AFTR > $B4 4in6: $SERVER4 > 192.0.2.1) TCP" "$TMP/b4side")" -gt 100
	expect_eq "$T every packet between B4 and AFTR is 4in6 of the softwire, inner checksums valid" "" \
		"$(grep -vE "^($B4 > $AFTR 4in6: 192.0.2.1 > $SERVER4|$AFTR > $B4 4in6: $SERVER4 > 192.0.2.1) .*cksum valid$" "$TMP/b4side" | head -n 3)"

	# The seed's Linux B4 to our AFTR.
	check "$T Linux ipip6 B4 -> lwAFTR: ping" n lxb4 ping -c 2 -i 0.3 -W 3 $SERVER4
	udp_echo server 5002 1
	check "$T Linux ipip6 B4 -> lwAFTR: UDP exchange" n lxb4 $PKT udp-ask $SERVER4 5002 "hello from linux" 1

	# Hairpinning: the Linux B4 to 192.0.2.1:5000, our B4's client; nothing
	# of it may appear on the AFTR's IPv4 side.
	capture_start aftr eth1 "$TMP/v4side.pcap" "ip"
	hp=$(bt_stat hairpinned)
	udp_echo client 5000 2
	check "$T hairpinning: Linux B4 to our B4's client (192.0.2.2 -> 192.0.2.1:5000) and back" \
		n lxb4 $PKT udp-ask 192.0.2.1 5000 "hairpin" 2
	capture_stop
	expect_eq "$T hairpinning: 4 packets turned around in the AFTR (counter)" $((hp + 4)) "$(bt_stat hairpinned)"
	expect_eq "$T hairpinning: no packet to or from 192.0.2.0/24 on the AFTR's IPv4 side" "" \
		"$($PKT dump4 "$TMP/v4side.pcap" | grep '192\.0\.2\.' | head -n 3)"

	# Anti-spoofing: the inner source must be the sender's own softwire.
	capture_start aftr eth0 "$TMP/spoof.pcap" "icmp6"
	sp=$(bt_stat dropped_spoofed)
	n b4 $PKT send-4in6 --src6 $B4 --dst6 $AFTR --src4 192.0.2.1 --sport 9000 --dst4 $SERVER4 --dport 5002
	n b4 $PKT send-4in6 --src6 $B4 --dst6 $AFTR --src4 192.0.2.2 --sport 5000 --dst4 $SERVER4 --dport 5002
	n b4 $PKT send-4in6 --src6 $B4 --dst6 $AFTR --src4 192.0.2.3 --sport 5000 --dst4 $SERVER4 --dport 5002
	capture_stop
	expect_eq "$T anti-spoofing: another PSID, another B4's softwire, an unbound address: 3 drops" \
		$((sp + 3)) "$(bt_stat dropped_spoofed)"
	expect_eq "$T anti-spoofing: each answered with ICMPv6 type 1 code 5 to the B4" 3 \
		"$($PKT dump "$TMP/spoof.pcap" | grep -c "^$AFTR > $B4 ICMPv6 .* type 1 code 5$")"
	n lxb4 $PKT send-4in6 --src6 $LXB4 --dst6 $AFTR --src4 192.0.2.2 --sport 5000 --dst4 $SERVER4 --dport 5002
	expect_eq "$T anti-spoofing: the Linux B4's own softwire sent to the table's address, not its br-address, is dropped" \
		$((sp + 4)) "$(bt_stat dropped_spoofed)"
	malformed=$(lw4o6_stat aftr decap_dropped_malformed)
	n b4 $PKT send-4in6 --src6 $B4 --dst6 $AFTR --src4 192.0.2.1 --sport 5000 --dst4 $SERVER4 --dport 5002 --malformed ihl
	expect_eq "$T a malformed inner packet is dropped and counted at the AFTR" $((malformed + 1)) \
		"$(lw4o6_stat aftr decap_dropped_malformed)"

	# ICMP errors find their softwire by the packet they quote: a port
	# unreachable from the server reaches the client's socket (quoted source
	# port, towards the B4), and one from behind the B4 reaches the server
	# (quoted destination port, from the B4).
	check "$T ICMP error to a B4: the client's UDP socket gets ECONNREFUSED from the server" \
		n client $PKT udp-refused $SERVER4 9999
	check "$T ICMP error from a B4: the server's UDP socket gets ECONNREFUSED from the client (port forward 5000)" \
		n server $PKT udp-refused 192.0.2.1 5000

	# Unbound IPv4 destinations.
	ub=$(bt_stat dropped_unbound)
	check "$T unbound: a port of no softwire (192.0.2.1:20000) gets ICMP host unreachable" \
		n server $PKT udp-unreachable 192.0.2.1 20000
	check "$T unbound: so does an address of no softwire (192.0.2.9)" \
		n server $PKT udp-unreachable 192.0.2.9 5000
	check "$T unbound: and a well-known port, in no port set (192.0.2.1:53)" \
		n server $PKT udp-unreachable 192.0.2.1 53
	expect_eq "$T unbound: 3 drops counted" $((ub + 3)) "$(bt_stat dropped_unbound)"

	# ICMP errors are rate limited by the kernel (icmp_send, icmpv6_send:
	# a token bucket per destination, 1/s with a burst of 6 by default).
	capture_start aftr eth1 "$TMP/rl4.pcap" "icmp"
	ub=$(bt_stat dropped_unbound) sent=$(bt_stat icmp_errors_requested)
	n server $PKT send-udp4 192.0.2.1 20000 --count 50
	capture_stop
	expect_eq "$T rate limit: 50 datagrams to an unbound port, 50 drops" $((ub + 50)) "$(bt_stat dropped_unbound)"
	expect_eq "$T rate limit: 50 ICMP errors handed to the kernel" $((sent + 50)) "$(bt_stat icmp_errors_requested)"
	got=$($PKT dump4 "$TMP/rl4.pcap" | grep -c "^198.51.100.254 > $SERVER4 ICMP type 3 code 1 ")
	check "$T rate limit: 1 to 10 host unreachables of them on the wire ($got)" test "$got" -ge 1 -a "$got" -le 10
	capture_start aftr eth0 "$TMP/rl6.pcap" "icmp6"
	sp=$(bt_stat dropped_spoofed)
	n b4 $PKT send-4in6 --src6 $B4 --dst6 $AFTR --src4 192.0.2.1 --sport 9000 --dst4 $SERVER4 --dport 5002 --count 50
	capture_stop
	expect_eq "$T rate limit: 50 spoofed packets, 50 drops" $((sp + 50)) "$(bt_stat dropped_spoofed)"
	got=$($PKT dump "$TMP/rl6.pcap" | grep -c "^$AFTR > $B4 ICMPv6 .* type 1 code 5$")
	check "$T rate limit: 1 to 10 ICMPv6 1/5 of them on the wire ($got)" test "$got" -ge 1 -a "$got" -le 10

	# With the kernel's limit turned off, every drop is answered; without
	# --icmp, none is. (5 unbound datagrams, 5 spoofed packets each time.)
	n aftr sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
	silent_or_not() {	# EXPECTED-ICMPv4 EXPECTED-ICMPv6 WHAT
		ub=$(bt_stat dropped_unbound) sp=$(bt_stat dropped_spoofed)
		capture_start aftr eth1 "$TMP/q4.pcap" "icmp"
		n server $PKT send-udp4 192.0.2.1 20000 --count 5
		capture_stop
		capture_start aftr eth0 "$TMP/q6.pcap" "icmp6 and ip6[40] == 1"
		n b4 $PKT send-4in6 --src6 $B4 --dst6 $AFTR --src4 192.0.2.1 --sport 9000 --dst4 $SERVER4 --dport 5002 --count 5
		capture_stop
		expect_eq "$T $3: 5 unbound and 5 spoofed dropped" "$((ub + 5)) $((sp + 5))" \
			"$(bt_stat dropped_unbound) $(bt_stat dropped_spoofed)"
		expect_eq "$T $3: $1 host unreachables, $2 ICMPv6 1/5 on the wire" "$1 $2" \
			"$($PKT dump4 "$TMP/q4.pcap" | grep -c " ICMP type 3 code 1 ") $($PKT dump "$TMP/q6.pcap" | grep -c " type 1 code 5$")"
	}
	silent_or_not 5 5 "--icmp, no rate limit"
	n aftr "iptables-$BACKEND" -t raw -R PREROUTING 1 -i eth1 -d 192.0.2.0/24 -j LW4O6 --binding-table bt0
	n aftr "ip6tables-$BACKEND" -t raw -R PREROUTING 1 -j LW4O6 --binding-table bt0
	silent_or_not 0 0 "without --icmp"
	n aftr "iptables-$BACKEND" -t raw -R PREROUTING 1 -i eth1 -d 192.0.2.0/24 -j LW4O6 --binding-table bt0 --icmp
	n aftr "ip6tables-$BACKEND" -t raw -R PREROUTING 1 -j LW4O6 --binding-table bt0 --icmp
	n aftr sysctl -qw net.ipv4.icmp_ratelimit=1000 net.ipv6.icmp.ratelimit=1000

	# PMTU towards the B4: the server's full-size TCP segments (DF) do not
	# fit the softwire; the AFTR answers with the MTU less 40.
	head -c 300000 /dev/urandom >"$TMP/down.tx"
	n server ip route flush cache; n client ip route flush cache	# forget what the upload taught
	n server timeout 60 nc -4 -l 5003 <"$TMP/down.tx" &
	BG_PIDS+=($!)
	listening server 5003 tcp
	fn=$(lw4o6_stat aftr icmp_frag_needed_sent)
	n client timeout 60 nc -4 -w 5 $SERVER4 5003 </dev/null >"$TMP/down.rx"
	check "$T PMTU to the B4: 300 kB from the server arrive intact" cmp -s "$TMP/down.tx" "$TMP/down.rx"
	check "$T PMTU to the B4: the AFTR sent ICMP fragmentation needed" \
		test "$(lw4o6_stat aftr icmp_frag_needed_sent)" -gt "$fn"
	check "$T PMTU to the B4: the server learnt mtu 1460 for 192.0.2.1" \
		sh -c "ip -n server route get 192.0.2.1 | grep -q 'mtu 1460'"
	# Without DF, both ends fragment the IPv6 packet and the other reassembles.
	# The server now knows MTU 1460 and fragments its 1500-byte replies:
	# the AFTR reassembles them before it looks for the port.
	check "$T DF clear: 1500-byte pings cross as IPv6 fragments both ways, replies fragmented by the server" \
		n client ping -c 2 -i 0.5 -W 3 -M dont -s 1472 $SERVER4

	# A reload under traffic loses nothing: a stream of UDP exchanges while
	# the table is replaced (with 20000 more softwires) again and again.
	udp_echo server 5004 150
	n client $PKT udp-stream $SERVER4 5004 150 0.04 >"$TMP/stream" &
	stream=$!
	reloads=0
	while kill -0 $stream 2>/dev/null; do
		n aftr "$CTL" -q load bt0 "$TMP/bt0.big" && reloads=$((reloads + 1))
	done
	wait $stream
	check "$T reload under traffic: $reloads reloads of $(grep -c softwire "$TMP/bt0.big") softwires during the stream" \
		test "$reloads" -ge 3
	expect_eq "$T reload under traffic: all 150 exchanges answered" 150 "$(cat "$TMP/stream")"
	n aftr "$CTL" -q load bt0 "$TMP/bt0"
}

# The reload file: the same softwires and 20000 others (10.x.y.z, PSID 0-3/2).
{
	cat "$TMP/bt0"
	awk 'BEGIN { for (i = 0; i < 5000; i++) for (p = 0; p < 4; p++)
		printf "softwire ipv4 10.%d.%d.1 psid %d/2 b4-ipv6 2001:db8:ff:%x::%x\n",
			int(i / 256), i % 256, p, i, p + 1 }'
} >"$TMP/bt0.big"

for BACKEND in $BACKENDS; do
	aftr_round
done

# The outer IPv6 header: by default the traffic class is the inner TOS
# (RFC 2473 section 6.4), the flow label a hash of the inner flow, the hop
# limit 64; --tclass, --flowlabel and --hop-limit set them.
outer() {	# the header fields of 3 packets from the server to 192.0.2.1:5000
	capture_start aftr eth0 "$TMP/outer.pcap" "ip6 and dst $B4"
	n server $PKT send-udp4 192.0.2.1 5000 --tos 40 --count 3
	capture_stop
	$PKT outer6 "$TMP/outer.pcap" | awk '{ print $5, $7, $9 }' | sort | uniq -c | awk '{ print $1, $2, $3, $4 }'
}
n aftr "iptables-$BACKEND" -t raw -R PREROUTING 1 -i eth1 -d 192.0.2.0/24 -j LW4O6 --binding-table bt0
seen=$(outer)
fl=$(echo "$seen" | awk '{ print $3 }')
expect_eq "outer header by default: tclass = inner TOS 0x28, one flow label for the flow, hop limit 64" \
	"3 40 $fl 64" "$seen"
check "... and the flow label is not zero ($fl)" test "$fl" -gt 0
n aftr "iptables-$BACKEND" -t raw -R PREROUTING 1 -i eth1 -d 192.0.2.0/24 -j LW4O6 --binding-table bt0 \
	--tclass 32 --flowlabel 12345 --hop-limit 33
expect_eq "outer header with --tclass 32 --flowlabel 12345 --hop-limit 33" "3 32 12345 33" "$(outer)"

# The control tool: errors keep the live table as it was.
before=$(n aftr "$CTL" list bt0)
printf 'br-address %s\nsoftwire ipv4 192.0.2.7 b4-ipv6 2001:db8::7\nsoftwire ipv4 192.0.2.8 psid 3 b4-ipv6 2001:db8::8\n' "$AFTR" >"$TMP/bad"
expect_fail "load: a malformed line is reported with its line number" \
	"bad:3: softwire: psid 3 needs its length" n aftr "$CTL" load bt0 "$TMP/bad"
printf 'br-address %s\nsoftwire ipv4 192.0.2.7 psid 1/4 b4-ipv6 2001:db8::7\n\nsoftwire ipv4 192.0.2.7 psid 1/4 b4-ipv6 2001:db8::8\n' "$AFTR" >"$TMP/dup"
expect_fail "load: a softwire bound twice is reported at its second line" \
	"dup:4: ipv4 192.0.2.7 psid 1 is bound already, at line 2" n aftr "$CTL" load bt0 "$TMP/dup"
printf 'br-address %s\nsoftwire ipv4 192.0.2.7 psid 1/4 b4-ipv6 2001:db8::7\nsoftwire ipv4 192.0.2.7 psid 2/6 b4-ipv6 2001:db8::8\n' "$AFTR" >"$TMP/mix"
expect_fail "load: softwires of one address with different PSID lengths are refused" \
	"mix:3: softwires of 192.0.2.7 must share psid-length and psid-offset" n aftr "$CTL" load bt0 "$TMP/mix"
expect_eq "load: after the refused loads the table is as it was" "$before" "$(n aftr "$CTL" list bt0)"
expect_eq "load: and no temporary table is left behind" "bt0" \
	"$(n aftr "$CTL" show | awk '$1 == "table" { print $2 }' | paste -sd' ')"
expect_fail "delete: refused while iptables rules use the table" "used by iptables rules" \
	n aftr "$CTL" delete bt0
expect_fail "iptables: a rule naming a missing table is refused" "No such file|Invalid|No chain" \
	n aftr iptables-legacy -t raw -A PREROUTING -j LW4O6 --binding-table nosuch
check "add and del one softwire on the live table" sh -c "
	ip netns exec aftr $CTL add bt0 softwire ipv4 192.0.2.3 psid 2/4 psid-offset 0 b4-ipv6 2001:db8::3 &&
	ip netns exec aftr $CTL list bt0 | grep -q 'ipv4 192.0.2.3 psid 2 ' &&
	ip netns exec aftr $CTL del bt0 softwire ipv4 192.0.2.3 psid 2 &&
	! ip netns exec aftr $CTL list bt0 | grep -q 'ipv4 192.0.2.3 '"
expect_fail "add: a duplicate softwire is refused by the kernel" "already" \
	n aftr "$CTL" add bt0 softwire ipv4 192.0.2.1 psid 1/4 psid-offset 0 b4-ipv6 2001:db8::3
for b in $BACKENDS; do n aftr "iptables-$b" -t raw -F; n aftr "ip6tables-$b" -t raw -F; done
check "delete: allowed once no rule uses the table" n aftr "$CTL" delete bt0
check "tables are per namespace: the B4's namespace has none" \
	sh -c "[ -z \"\$(ip netns exec b4 $CTL show)\" ]"

finish
