#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ICMPv6 errors from beyond a MAP66 gateway reach the inside host with the
# packet they quote mapped back too, checksums valid:
#
#   [in] fd01:203:405:1::10 --- [gw] --- [out] router --(mtu 1280)-- [far]
#
# - port unreachable from far: the inside UDP socket gets ECONNREFUSED
#   (the kernel matches the quoted packet against the socket);
# - hop limit exceeded at the router: ping reports it;
# - Packet Too Big from the router: the inside host learns the path MTU;
# - an error larger than a page sent from an AF_PACKET socket, so that
#   the quoted packet sits in the skb's page fragments (non-linear), once
#   checksum-neutral and once with --keep-host (checksums updated there).
# The capture on the inside must never show the mapped prefix, not even in
# a quoted packet, and every checksum (outer and quoted) must be valid.

. "$(dirname "$0")/lib.sh"

MAPPED=2001:db8:1:d550::10
FAR=2001:db8:0:2::2

map66_topology		# "out" is a router here, to "far"
ns_add far
link out eth1 far eth0
ip -n gw route add default via 2001:db8:0:1::2
ip -n out addr add 2001:db8:0:2::1/64 dev eth1
ip -n far addr add $FAR/64 dev eth0
ip -n far route add default via 2001:db8:0:2::1
n out sysctl -qw net.ipv6.conf.all.forwarding=1
# Big frames on the first two links for the non-linear error; the last
# link is small for Packet Too Big.
for l in "in eth0" "gw eth1" "gw eth0" "out eth0"; do ip -n ${l% *} link set ${l#* } mtu 9000; done
ip -n out link set eth1 mtu 1280
ip -n far link set eth0 mtu 1280
for l in "in eth0" "gw eth0" "gw eth1" "out eth0" "out eth1" "far eth0"; do no_offload $l; done
# No rate limit on the errors the tests ask for.
for ns in out far; do n $ns sysctl -qw net.ipv6.icmp.ratelimit=0; done

rules() {
	n gw ip6tables-legacy -t mangle -F
	n gw ip6tables-legacy -t mangle -A POSTROUTING -o eth0 -s fd01:203:405::/48 -j MAP66 --to 2001:db8:1::/48 "$@"
	n gw ip6tables-legacy -t mangle -A PREROUTING -i eth0 -d 2001:db8:1::/48 -j MAP66 --to fd01:203:405::/48 "$@"
}
rules
settle
n in ping -6 -c 1 -W 3 $FAR >/dev/null

capture_start in eth0 "$TMP/in.pcap" icmp6 || not_ok "capture"

check "port unreachable from beyond: the inside socket gets ECONNREFUSED" \
	n in $PKT udp-refused $FAR 9999

out=$(n in ping -6 -c 1 -t 2 -W 3 $FAR 2>&1)
check "hop limit exceeded at the router: ping reports it" \
	sh -c 'printf "%s\n" "$1" | grep -q "From 2001:db8:0:1::2 .*Time exceeded"' _ "$out"

n in ip -6 route flush cache 2>/dev/null
n in ping -6 -c 1 -s 1400 -W 3 $FAR >/dev/null 2>&1
check "Packet Too Big from the router: the inside host learns mtu 1280" \
	sh -c "ip netns exec in ip -6 route get $FAR | grep -q 'mtu 1280'"

# Non-linear: 4.5 KiB of quoted packet in an error sent as a raw frame.
GW_MAC=$(n gw cat /sys/class/net/eth0/address)
big_error() {
	n out $PKT icmp-error --dev eth0 --mac "$GW_MAC" --src 2001:db8:0:1::2 \
		--dst $MAPPED --qsrc $MAPPED --qdst $FAR --qsport "$1" --qlen 4500 --type 1 --code 4
}
big_error 40001
capture_stop

check "inside capture: no mapped address even in quoted packets, checksums valid" \
	$PKT check "$TMP/in.pcap" --forbid 2001:db8:1::/48 --min 4
$PKT dump "$TMP/in.pcap" >"$TMP/dump"
check "the port unreachable quotes the inside host's own packet" \
	grep -qE "^2001:db8:0:2::2 > $INSIDE ICMPv6 .*quoting $INSIDE > $FAR" "$TMP/dump"
check "the time exceeded quotes the inside host's own packet" \
	grep -qE "^2001:db8:0:1::2 > $INSIDE ICMPv6 .*quoting $INSIDE > $FAR" "$TMP/dump"
check "the non-linear 4.5 KiB error arrives mapped, checksums valid" \
	grep -qE "^2001:db8:0:1::2 > $INSIDE ICMPv6 len 45[0-9][0-9] cksum valid .*quoting $INSIDE > $FAR" "$TMP/dump"

check "counters: the gateway counted the quoted packets it mapped back" \
	test "$(map66_stat gw icmp_error_quoted_mapped)" -ge 4

# The same with --keep-host: the checksums of the quoted packet and of the
# error itself are updated, in the page fragments.
rules --keep-host
MAPPED=2001:db8:1:1::10
capture_start in eth0 "$TMP/in2.pcap" icmp6
big_error 40002
check "--keep-host: port unreachable still reaches the socket" \
	n in $PKT udp-refused $FAR 9998
capture_stop
check "--keep-host: inside capture: quoted packets mapped back, checksums valid" \
	$PKT check "$TMP/in2.pcap" --forbid 2001:db8:1::/48 --min 2
$PKT dump "$TMP/in2.pcap" >"$TMP/dump2"
check "--keep-host: the non-linear error's checksums were updated correctly" \
	grep -qE "^2001:db8:0:1::2 > $INSIDE ICMPv6 len 45[0-9][0-9] cksum valid .*quoting $INSIDE > $FAR" "$TMP/dump2"

n gw ip6tables-legacy -t mangle -F
finish
