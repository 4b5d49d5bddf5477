#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# MAP66 beyond the seed's /48: real traffic through the gateway at prefix
# lengths where a host word carries the adjustment (/56, /64, /96, /112)
# and where none can, so the transport checksum is updated instead (/120,
# /128); and the interface-address check that --nocheck turns off.
#
#   [in] fd01:203:405:1::10 --eth1-- [gw] --eth0-- [out] 2001:db8:0:1::2

. "$(dirname "$0")/lib.sh"


map66_topology
ip -n out route add fd09::/16 via 2001:db8:0:1::1
for l in "in eth0" "gw eth0" "out eth0"; do no_offload $l; done
settle

# mapping FROM TO: inside prefix FROM (holding $INSIDE) <-> outside TO
mapping() {
	local from=$1 to=$2 cap="$TMP/len.pcap"
	n gw ip6tables-legacy -t mangle -F
	n gw ip6tables-legacy -t mangle -A POSTROUTING -o eth0 -s "$from" -j MAP66 --to "$to"
	n gw ip6tables-legacy -t mangle -A PREROUTING -i eth0 -d "$to" -j MAP66 --to "$from"
	capture_start out eth0 "$cap" "udp or icmp6" || return
	udp_echo out 5002 1
	check "/${to#*/}: UDP question and answer through the mapping" \
		n in $PKT udp-ask $SERVER 5002 "via /${to#*/}" 1
	check "/${to#*/}: ping through the mapping" n in ping -6 -c 1 -W 3 $SERVER
	capture_stop
	check "/${to#*/}: outside sees only $to, checksums valid" \
		$PKT check "$cap" --forbid fd01:203:405::/48 --min 4
	expect_eq "/${to#*/}: every UDP/ICMPv6 packet to or from the inside is in $to" "" \
		"$($PKT dump "$cap" | python3 -c "
import ipaddress, sys
net = ipaddress.IPv6Network('$to')
gw = ipaddress.IPv6Address('2001:db8:0:1::1')
for line in sys.stdin:
    s, _, d = line.split()[:3]
    s, d = ipaddress.IPv6Address(s), ipaddress.IPv6Address(d)
    if any(a.is_link_local or a.is_multicast or a == gw for a in (s, d)):
        continue   # neighbour discovery and the gateway's own packets
    if s not in net and d not in net:
        print(line.strip())")"
}

mapping fd01:203:405::/56 2001:db8:1:100::/56
mapping fd01:203:405:1::/64 2001:db8:1:42::/64
mapping fd01:203:405:1::/96 2001:db8:1:2:3:4::/96
mapping fd01:203:405:1::/112 2001:db8:1:2:3:4:5:0/112
mapping fd01:203:405:1::/120 2001:db8:1::4200/120
mapping fd01:203:405:1::10/128 2001:db8:1::99/128
check "counters: /120 and /128 updated transport checksums" \
	test "$(map66_stat gw mapped_checksum_updated)" -ge 8

# The interface check: the gateway's own address on eth0 is not mapped,
# unless --nocheck.
ifcheck() {
	local what=$1
	shift
	n gw ip6tables-legacy -t mangle -F
	n gw ip6tables-legacy -t mangle -A POSTROUTING -o eth0 -j MAP66 --src-to 2001:db8:7::/48 "$@"
	n gw ip6tables-legacy -t mangle -A PREROUTING -i eth0 -d 2001:db8:0:1::/64 -j MAP66 --dst-to fd09::/64 "$@"
	capture_start out eth0 "$TMP/if.pcap" icmp6
	n gw ping -6 -c 1 -W 2 $SERVER >/dev/null 2>&1; echo "gw-ping $?" >"$TMP/r"
	n out ping -6 -c 1 -W 2 2001:db8:0:1::1 >/dev/null 2>&1; echo "out-ping $?" >>"$TMP/r"
	capture_stop
	$PKT dump "$TMP/if.pcap" | grep -E 'ICMPv6 len 64' >"$TMP/if"
}
ifcheck default
check "interface check: the gateway's own ping leaves from its own address" \
	grep -q "^2001:db8:0:1::1 > $SERVER ICMPv6" "$TMP/if"
check "interface check: ... and is answered" grep -q "gw-ping 0" "$TMP/r"
check "interface check: a ping to the gateway's own address is not mapped away" grep -q "out-ping 0" "$TMP/r"
check "interface check: counted" test "$(map66_stat gw skipped_interface_address)" -ge 4
ifcheck nocheck --nocheck
check "--nocheck: the gateway's own address is mapped too" \
	grep -qE "^2001:db8:7:[0-9a-f:]+ > $SERVER ICMPv6" "$TMP/if"
check "--nocheck: so the ping to the gateway's address is mapped to fd09::/64 and unanswered" \
	grep -q "out-ping 1" "$TMP/r"
n gw ip6tables-legacy -t mangle -F

finish
