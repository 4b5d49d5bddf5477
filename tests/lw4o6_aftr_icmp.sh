#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ICMP at the lwAFTR and the B4 (RFC 7596 sections 5.1, 6.2, 8.1; RFC 2473
# section 8), and the AFTR's policy switches:
#
#   [client] 10.0.0.2 --lan-- [b4: SNAT 192.0.2.1:4096-8191 + LW4O6] 2001:db8:b4::2
#       --eth0-- [aftr: LW4O6 --binding-table bt0] 2001:db8:b4::1 --eth1-- [server] 198.51.100.1
#
# Checked on the wire and in the counters: an unbound ICMP echo is dropped
# without an error (TCP/UDP still get one); --drop-icmp; the AFTR's own ICMP
# errors towards a softwire (TTL exceeded) reach the B4 encapsulated with
# the raw OUTPUT rule README gives; ICMPv6 errors from the IPv6 path about
# packets the AFTR encapsulated are relayed to the IPv4 source as ICMPv4
# (Packet Too Big as Fragmentation Needed with the MTU less 40), the MTU is
# learnt and applies to the next packet, errors about packets that are not
# the AFTR's are ignored; the same at the B4; --no-hairpin.

. "$(dirname "$0")/lib.sh"

CTL="$REPO/tools/softwirectl/softwirectl"
B4B=2001:db8:b4::3	# a second softwire's B4, in the same namespace
ROUTER=2001:db8:b4::99	# "a router on the IPv6 path", sending ICMPv6 errors
IPT=iptables-legacy IP6T=ip6tables-legacy

softwire_topology
ip -n b4 addr add $B4B/64 dev wan nodad
ip -n b4 addr add $ROUTER/64 dev wan nodad
n aftr sysctl -qw net.ipv6.conf.all.forwarding=1
# The AFTR's way to the IPv4 Internet; it also routes the AFTR's own
# packets to the softwires' addresses, which the raw OUTPUT rule takes.
ip -n aftr route add default via $SERVER4
# No rate limit on the ICMP errors this test counts.
n aftr sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
n b4 sysctl -qw net.ipv4.icmp_ratelimit=0
cat >"$TMP/bt0" <<EOF
br-address $AFTR
softwire ipv4 192.0.2.1 psid 1/4 psid-offset 0 b4-ipv6 $B4
softwire ipv4 192.0.2.2 psid 1/4 psid-offset 0 b4-ipv6 $B4B
EOF
check "load the binding table" n aftr "$CTL" load bt0 "$TMP/bt0"
bt_stat() { n aftr "$CTL" show bt0 | awk -v k="$1" '$1 == k { print $2 }'; }
lw4o6_b4_rules legacy

aftr_rules() {	# options of the IPv4 rule, then of the IPv6 rule
	n aftr $IPT -t raw -F; n aftr $IP6T -t raw -F
	n aftr $IPT -t raw -A PREROUTING -i eth1 -d 192.0.2.0/24 -j LW4O6 --binding-table bt0 $1
	n aftr $IP6T -t raw -A PREROUTING -j LW4O6 --binding-table bt0 $2
	# The AFTR's own ICMP errors to a softwire address (README).
	n aftr $IPT -t raw -A OUTPUT -d 192.0.2.0/24 -j LW4O6 --binding-table bt0
}
aftr_rules --icmp --icmp
settle
check "ping from behind the B4 through the AFTR" n client ping -c 2 -i 0.3 -W 3 $SERVER4

# RFC 7596 section 8.1: an unbound inbound ICMP message is discarded.
capture_start server eth0 "$TMP/unbound.pcap" "icmp"
ub=$(bt_stat dropped_unbound)
n server ping -c 2 -i 0.3 -W 1 192.0.2.9 >/dev/null 2>&1
check "an unbound UDP destination still gets ICMP host unreachable" \
	n server $PKT udp-unreachable 192.0.2.9 5000
capture_stop
expect_eq "unbound echo requests: dropped (counted), no ICMP error; UDP: one error" \
	"$((ub + 3)) 1" \
	"$(bt_stat dropped_unbound) $($PKT dump4 "$TMP/unbound.pcap" | grep -c "^198.51.100.254 > $SERVER4 ICMP type 3 code 1 ")"

# The AFTR's own ICMP errors towards a softwire: TTL exceeded at the AFTR
# for a packet from behind the B4 (TTL 2: 1 after the B4) is encapsulated
# by the raw OUTPUT rule and reaches the client through the B4's NAT.
out=$(n client ping -c 1 -t 2 -W 3 $SERVER4 2>&1)
check "TTL exceeded at the AFTR reaches the client behind the B4" \
	sh -c "printf '%s\n' '$out' | grep -q 'Time to live exceeded'"

# TTL exceeded in the rule's own forwarding step (IPv4 in, TTL 1): ICMP
# time exceeded to the sender; with --no-icmp-errors dropped silently.
capture_start server eth0 "$TMP/ttl.pcap" "icmp"
ttl=$(lw4o6_stat aftr ttl_exceeded)
n server $PKT send-udp4 192.0.2.1 5000 --ttl 1
aftr_rules --no-icmp-errors --no-icmp-errors
n server $PKT send-udp4 192.0.2.1 5000 --ttl 1
capture_stop
expect_eq "TTL 1 to a softwire: 2 dropped (counter), 1 time exceeded, none with --no-icmp-errors" \
	"$((ttl + 2)) 1" "$(lw4o6_stat aftr ttl_exceeded) $($PKT dump4 "$TMP/ttl.pcap" | grep -c "^198.51.100.254 > $SERVER4 ICMP type 11 code 0 ")"
expect_fail "--no-icmp-errors and --icmp exclude each other" 'cannot be used together' \
	n aftr $IPT -t raw -A PREROUTING -j LW4O6 --binding-table bt0 --no-icmp-errors --icmp
aftr_rules --icmp --icmp

# An ICMP message with a bad checksum is dropped before it is encapsulated.
enc=$(bt_stat encapsulated)
bad=$(lw4o6_stat aftr encap_dropped_icmp_checksum)
n server $PKT send-echo4 192.0.2.1 5000 --bad-checksum
n server $PKT send-echo4 192.0.2.1 5000
sleep 0.3
expect_eq "ICMP with a bad checksum dropped and counted, a good one encapsulated" \
	"$((bad + 1)) $((enc + 1))" "$(lw4o6_stat aftr encap_dropped_icmp_checksum) $(bt_stat encapsulated)"

# --drop-icmp: no ICMPv4 in for the softwires; UDP unaffected.
aftr_rules "--icmp --drop-icmp" --icmp
dp=$(bt_stat dropped_icmp_policy)
check "--drop-icmp: echo replies to the B4 are dropped, ping fails" \
	sh -c "! ip netns exec client ping -c 2 -i 0.3 -W 1 $SERVER4 >/dev/null"
check "--drop-icmp: counted ($dp -> $(bt_stat dropped_icmp_policy))" test "$(bt_stat dropped_icmp_policy)" -ge $((dp + 2))
udp_echo server 5002 1
check "--drop-icmp: UDP still crosses" n client $PKT udp-ask $SERVER4 5002 "udp" 1
check "iptables-save shows --drop-icmp" sh -c "ip netns exec aftr $IPT-save -t raw | grep -q -- '--binding-table bt0 --icmp --drop-icmp'"
aftr_rules --icmp --icmp

# ICMPv6 errors about the AFTR's packets, from a router on the IPv6 path.
learnt=$(lw4o6_stat aftr icmp6_packet_too_big_learned)
relayed=$(lw4o6_stat aftr icmp6_errors_relayed)
fn=$(lw4o6_stat aftr icmp_frag_needed_sent)
capture_start server eth0 "$TMP/relay.pcap" "icmp"
n b4 $PKT icmp6-4in6 --src $ROUTER --dst $AFTR --qsrc6 $AFTR --qdst6 $B4 \
	--qsrc4 $SERVER4 --qdst4 192.0.2.1 --qsport 4242 --qdport 5000 --mtu 1400 --df
sleep 0.5
# Learnt: the next 1400-byte DF packet to that softwire no longer fits.
n server $PKT send-udp4-size 192.0.2.1 5000 1372
sleep 0.5
# Not the AFTR's packets: quoting another B4 for the softwire, or another
# AFTR address: ignored.
n b4 $PKT icmp6-4in6 --src $ROUTER --dst $AFTR --qsrc6 $AFTR --qdst6 2001:db8:b4::77 \
	--qsrc4 $SERVER4 --qdst4 192.0.2.1 --qsport 4242 --qdport 5000 --mtu 1300 --df
n b4 $PKT icmp6-4in6 --src $ROUTER --dst $AFTR --qsrc6 2001:db8:b4::1:1 --qdst6 $B4 \
	--qsrc4 $SERVER4 --qdst4 192.0.2.1 --qsport 4242 --qdport 5000 --mtu 1300 --df
# Destination unreachable, from the IPv6 path: host unreachable.
n b4 $PKT icmp6-4in6 --src $ROUTER --dst $AFTR --qsrc6 $AFTR --qdst6 $B4 --type 1 --code 3 \
	--qsrc4 $SERVER4 --qdst4 192.0.2.1 --qsport 4243 --qdport 5000
capture_stop
tcpdump -r "$TMP/relay.pcap" -n -v 2>/dev/null >"$TMP/relay.txt"
check "Packet Too Big 1400 relayed to the IPv4 source as Fragmentation Needed, MTU 1360" \
	sh -c "grep -A1 '198.51.100.254 > $SERVER4' '$TMP/relay.txt' | grep -m1 'unreachable' | grep -q 'need to frag (mtu 1360)'"
check "the AFTR learnt the softwire's MTU (route to the B4: mtu 1400)" \
	sh -c "ip -n aftr -6 route get $B4 | grep -q 'mtu 1400'"
expect_eq "the next 1400-byte DF packet: Fragmentation Needed from the encapsulation (counter)" \
	$((fn + 1)) "$(lw4o6_stat aftr icmp_frag_needed_sent)"
expect_eq "two Fragmentation Needed in all at the server, both MTU 1360" 2 \
	"$(grep -c "need to frag (mtu 1360)" "$TMP/relay.txt")"
expect_eq "one host unreachable relayed for the Destination Unreachable" 1 \
	"$($PKT dump4 "$TMP/relay.pcap" | grep -c "^198.51.100.254 > $SERVER4 ICMP type 3 code 1 ")"
expect_eq "errors about packets that are not the AFTR's: ignored (counters: 1 learnt, 2 relayed)" \
	"$((learnt + 1)) $((relayed + 2))" \
	"$(lw4o6_stat aftr icmp6_packet_too_big_learned) $(lw4o6_stat aftr icmp6_errors_relayed)"

# The same at the B4: Packet Too Big about its packets to the AFTR.
b4learnt=$(lw4o6_stat b4 icmp6_packet_too_big_learned)
n aftr ip -6 addr add 2001:db8:b4::98/64 dev eth0 nodad
# The quoted packet: a UDP flow of the client's, as NAT made it.
udp_echo server 4242 1
n client $PKT udp-ask $SERVER4 4242 "flow" 1
sport=$(n b4 conntrack -L -p udp --dport 4242 2>/dev/null | sed -n 's/.*sport=4242 dport=\([0-9]*\).*/\1/p' | head -n 1)
capture_start client eth0 "$TMP/b4relay.pcap" "icmp"
n aftr $PKT icmp6-4in6 --src 2001:db8:b4::98 --dst $B4 --qsrc6 $B4 --qdst6 $AFTR \
	--qsrc4 192.0.2.1 --qdst4 $SERVER4 --qsport "${sport:-5000}" --qdport 4242 --mtu 1420 --df
sleep 0.5
capture_stop
check "the B4 relays Packet Too Big to the client behind its NAT (MTU 1380, quoted port ${sport:-?})" \
	sh -c "tcpdump -r '$TMP/b4relay.pcap' -n -v 2>/dev/null | grep -q 'need to frag (mtu 1380)'"
# An error about a packet of no connection (forged, or its entry gone)
# would only go back into the softwire: not relayed.
b4relayed=$(lw4o6_stat b4 icmp6_errors_relayed)
capture_start b4 wan "$TMP/norelay.pcap" "ip6 proto 4"
n aftr $PKT icmp6-4in6 --src 2001:db8:b4::98 --dst $B4 --qsrc6 $B4 --qdst6 $AFTR --type 1 --code 3 \
	--qsrc4 192.0.2.1 --qdst4 $SERVER4 --qsport 4099 --qdport 4242
sleep 0.5
capture_stop
expect_eq "the B4 relays no error about a packet of no connection, sends nothing to the AFTR" \
	"$b4relayed 0" "$(lw4o6_stat b4 icmp6_errors_relayed) $($PKT dump4 "$TMP/norelay.pcap" | grep -c ' 4in6: ')"
expect_eq "the B4 learnt the MTU to its AFTR from Packet Too Big" "$((b4learnt + 1))" \
	"$(lw4o6_stat b4 icmp6_packet_too_big_learned)"
check "... the route to the AFTR says mtu 1420" sh -c "ip -n b4 -6 route get $AFTR | grep -q 'mtu 1420'"
out=$(n client ping -c 2 -i 0.5 -W 2 -M do -s 1400 $SERVER4 2>&1)
check "... and the client's next 1428-byte DF packet is answered with MTU 1380" \
	sh -c "printf '%s\n' '$out' | grep -qiE 'mtu ?= ?1380'"

# --no-hairpin (RFC 7596 section 6.2: the policy is configurable): from one
# softwire to another, the packet goes to IPv4 routing.
hp=$(bt_stat hairpinned)
dc=$(bt_stat decapsulated)
n b4 $PKT send-4in6 --src6 $B4 --dst6 $AFTR --src4 192.0.2.1 --sport 5000 --dst4 192.0.2.2 --dport 5000
expect_eq "hairpinning on: B4 to the other softwire turns around (counter)" $((hp + 1)) "$(bt_stat hairpinned)"
aftr_rules --icmp "--icmp --no-hairpin"
check "ip6tables-save shows --no-hairpin" sh -c "ip netns exec aftr $IP6T-save -t raw | grep -q -- '--binding-table bt0 --icmp --no-hairpin'"
capture_start aftr eth1 "$TMP/nohp.pcap" "udp"
n b4 $PKT send-4in6 --src6 $B4 --dst6 $AFTR --src4 192.0.2.1 --sport 5000 --dst4 192.0.2.2 --dport 5000
capture_stop
expect_eq "--no-hairpin: decapsulated, not turned around" "$((hp + 1)) $((dc + 1))" \
	"$(bt_stat hairpinned) $(bt_stat decapsulated)"
expect_eq "--no-hairpin: it leaves on the IPv4 side, as routed" 1 \
	"$($PKT dump4 "$TMP/nohp.pcap" | grep -c '^192.0.2.1 > 192.0.2.2 UDP 5000 > 5000 ')"
expect_fail "--no-hairpin is refused in iptables" "unknown option|no-hairpin" \
	n aftr $IPT -t raw -A PREROUTING -j LW4O6 --binding-table bt0 --no-hairpin

finish
