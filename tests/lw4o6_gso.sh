#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Offloads through the softwire: encapsulation keeps a TCP bulk transfer's
# GSO super-packets (SKB_GSO_IPXIP6, as Linux's own ip6tnl does) and its
# checksum offload, on a B4 (encapsulation after SNAT, sent with
# ip6_local_out) and on an AFTR (encapsulation in raw PREROUTING).
#
#   [client] 10.0.0.2 --lan-- [b4: SNAT + LW4O6] --wan--
#       [aftr: ip4ip6 tunnel, then our lwAFTR] --eth1-- [server] 198.51.100.1
#
# B4: TSO and checksum offload on the client's eth0 and the B4's lan and
# wan. The 4in6 packets leaving the B4 on the wan (MTU 1500) are longer
# than 1500 bytes: the B4 did not segment them; the AFTR's egress to the
# server has offloads off, so the server's capture shows final checksums,
# which must be valid, and the data arrives intact. The first full-size
# segments (DF) do not fit the softwire: the B4 answers the GSO packet
# with ICMP fragmentation needed for the segment length, MTU less 40.
# AFTR: the same for a download from the server through our lwAFTR, with
# offloads on the server's eth0 and the AFTR's eth0 towards the B4.

. "$(dirname "$0")/lib.sh"

# big_4in6 DUMP: how many 4in6 TCP packets of a pkt.py dump4 listing are
# longer than the 1500-byte MTU (inner length + 40): GSO super-packets.
big_4in6() {
	awk '/ 4in6: .* TCP / { for (i = 1; i < NF; i++) if ($i == "len" && $(i + 1) + 40 > 1500) n++ }
	     END { print n + 0 }' "$1"
}

CTL="$REPO/tools/softwirectl/softwirectl"
offload() { ip netns exec "$1" ethtool -K "$2" tx on tso on gso on >/dev/null; }

b4_topology
ip -n aftr route add 192.0.2.1/32 dev sw
lw4o6_b4_rules legacy
for l in "client eth0" "b4 lan" "b4 wan"; do offload $l; done
settle

# ---- B4 --------------------------------------------------------------------
fn=$(lw4o6_stat b4 icmp_frag_needed_sent)
capture_start b4 wan "$TMP/wan.pcap" "ip6 and src $B4"
tcpdump_wan=$CAPTURE_PID
capture_start server eth0 "$TMP/srv.pcap" "tcp and src host 192.0.2.1"
check "B4, offloads on: 4 MB of TCP from behind the B4 arrive intact" \
	tcp_send client server $SERVER4 4000000 120
capture_stop
CAPTURE_PID=$tcpdump_wan CAPTURE_FILE="$TMP/wan.pcap" capture_stop

$PKT dump4 "$TMP/wan.pcap" >"$TMP/wan"
big=$(big_4in6 "$TMP/wan")
check "B4: GSO super-packets leave on the wan, 4in6 longer than its MTU 1500 ($big of $(grep -c ' TCP ' "$TMP/wan"))" \
	test "$big" -gt 10
check "B4: the segment length, not the packet length, decided: ICMP fragmentation needed was sent" \
	test "$(lw4o6_stat b4 icmp_frag_needed_sent)" -gt "$fn"
check "B4: the client learnt mtu 1460 towards the server" \
	sh -c "ip -n client route get $SERVER4 | grep -q 'mtu 1460'"
$PKT dump4 "$TMP/srv.pcap" >"$TMP/srv"
segs=$(grep -c "^192.0.2.1 > $SERVER4 TCP " "$TMP/srv")
check "B4: thousands of TCP segments reached the server ($segs)" test "$segs" -gt 2000
expect_eq "B4: every segment the server received has valid checksums" "" \
	"$(grep -v ' cksum valid$' "$TMP/srv" | head -n 3)"
# (the server's MSS learnt from the B4 is 1420, the client's segments no longer)
expect_eq "B4: no segment at the server exceeds the softwire's MTU (1460)" "" \
	"$(awk '{ for (i = 1; i < NF; i++) if ($i == "len" && $(i + 1) > 1460) print }' "$TMP/srv" | head -n 3)"

# ---- AFTR --------------------------------------------------------------------
# The same AFTR namespace becomes our lwAFTR: the ip4ip6 tunnel goes, a
# binding table takes the softwire.
ip -n aftr route del 192.0.2.1/32 dev sw
ip -n aftr -6 tunnel del sw
n aftr sysctl -qw net.ipv6.conf.all.forwarding=1
printf 'br-address %s\nsoftwire ipv4 192.0.2.1 psid 1/4 psid-offset 0 b4-ipv6 %s\n' $AFTR $B4 >"$TMP/bt0"
check "AFTR: load the binding table" n aftr "$CTL" load bt0 "$TMP/bt0"
n aftr iptables-legacy -t raw -A PREROUTING -i eth1 -d 192.0.2.0/24 -j LW4O6 --binding-table bt0
n aftr ip6tables-legacy -t raw -A PREROUTING -j LW4O6 --binding-table bt0
for l in "server eth0" "aftr eth0" "aftr eth1"; do offload $l; done
for l in "b4 lan" "b4 wan" "client eth0"; do no_offload $l; done
n server ip route flush cache; n client ip route flush cache	# forget what the upload taught
settle

head -c 4000000 /dev/urandom >"$TMP/down.tx"
n server timeout 120 nc -4 -l 5003 <"$TMP/down.tx" &
BG_PIDS+=($!)
listening server 5003 tcp
fn=$(lw4o6_stat aftr icmp_frag_needed_sent)
capture_start aftr eth0 "$TMP/b4side.pcap" "ip6 and dst $B4"
tcpdump_b4side=$CAPTURE_PID
capture_start client eth0 "$TMP/cli.pcap" "tcp and src host $SERVER4"
n client timeout 120 nc -4 -w 5 $SERVER4 5003 </dev/null >"$TMP/down.rx"
capture_stop
CAPTURE_PID=$tcpdump_b4side CAPTURE_FILE="$TMP/b4side.pcap" capture_stop
check "AFTR, offloads on: 4 MB downloaded through our lwAFTR arrive intact" \
	cmp -s "$TMP/down.tx" "$TMP/down.rx"
$PKT dump4 "$TMP/b4side.pcap" >"$TMP/b4side"
big=$(big_4in6 "$TMP/b4side")
check "AFTR: GSO super-packets leave towards the B4, 4in6 longer than 1500 ($big of $(grep -c ' TCP ' "$TMP/b4side"))" \
	test "$big" -gt 10
check "AFTR: ICMP fragmentation needed for the GSO packets' segments" \
	test "$(lw4o6_stat aftr icmp_frag_needed_sent)" -gt "$fn"
$PKT dump4 "$TMP/cli.pcap" >"$TMP/cli"
check "AFTR: thousands of TCP segments reached the client ($(grep -c TCP "$TMP/cli"))" \
	test "$(grep -c "^$SERVER4 > 10.0.0.2 TCP " "$TMP/cli")" -gt 2000
expect_eq "AFTR: every segment the client received has valid checksums" "" \
	"$(grep -v ' cksum valid$' "$TMP/cli" | head -n 3)"

n aftr iptables-legacy -t raw -F; n aftr ip6tables-legacy -t raw -F
n b4 iptables-legacy -t nat -F; n b4 iptables-legacy -t mangle -F; n b4 ip6tables-legacy -t mangle -F
finish
