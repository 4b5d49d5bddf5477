#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A B4 sends towards its AFTR only what it owns (RFC 7596 section 5.1):
# the seed's lw4o6 B4 (SNAT to 192.0.2.1:4096-8191 and LW4O6 --b4-ipv4
# 192.0.2.1 --psid 1/4 --psid-offset 0) against Linux's ip4ip6 AFTR:
#
#   [client] 10.0.0.2 --lan-- [b4] --wan (IPv6 only)-- [aftr: ip4ip6] -- [server]
#
# The client sends packets that the B4's NAT leaves alone (conntrack
# INVALID: bad TCP flags, truncated headers; a protocol no SNAT rule maps;
# tests/lw4o6_b4_hostile.py): each is dropped and counted by its reason,
# and the wan carries no 4in6 packet whose inner source is not 192.0.2.1
# or whose port or echo identifier is outside 4096-8191, while ping and UDP
# from the client still cross. Before, a quarter of fuzzed LAN packets
# left with the LAN's private source. A DS-Lite B4 (no --b4-ipv4, no --psid)
# sends the same packets on as they are, its AFTR NATs (RFC 6333).

. "$(dirname "$0")/lib.sh"

b4_topology
ip -n aftr route add 192.0.2.1/32 dev sw

# hostile MODE LABEL: the cases of lw4o6_b4_hostile.py, counted here too.
hostile() {
	/usr/bin/python3 "$REPO/tests/lw4o6_b4_hostile.py" "$1" "$2" >"$TMP/cases" 2>&1
	cat "$TMP/cases"
	PASSED=$((PASSED + $(grep -c '^ok ' "$TMP/cases")))
	FAILED=$((FAILED + $(grep -c '^not ok ' "$TMP/cases")))
	[ "$(grep -cE '^(not )?ok ' "$TMP/cases")" -ge 6 ] || not_ok "$2: lw4o6_b4_hostile.py ran every case"
}

flush() {	# both backends' rules: the other round's would act too
	local b
	for b in $BACKENDS; do
		n b4 "iptables-$b" -t nat -F; n b4 "iptables-$b" -t mangle -F
	done
	n b4 conntrack -F >/dev/null 2>&1
}

for BACKEND in $BACKENDS; do
	T="$BACKEND, lw4o6 B4:"
	flush
	lw4o6_b4_rules $BACKEND		# SNAT + LW4O6 --b4-ipv4 192.0.2.1 --psid 1/4
	settle
	capture_start aftr eth0 "$TMP/wan.pcap" "ip6 and not icmp6"
	hostile owner "$T"
	check "$T ping from behind the B4 still crosses" n client ping -c 2 -i 0.3 -W 3 $SERVER4
	udp_echo server 5002 1
	check "$T ... and UDP" n client $PKT udp-ask $SERVER4 5002 "owned" 1
	capture_stop
	$PKT dump4 "$TMP/wan.pcap" | grep "^$B4 > $AFTR 4in6: " >"$TMP/out"
	expect_eq "$T every 4in6 packet from the B4 has the inner source 192.0.2.1" "" \
		"$(grep -v "4in6: 192.0.2.1 > " "$TMP/out" | head -n 3)"
	expect_eq "$T ... and a port or echo identifier in 4096-8191" "" \
		"$(awk '$9 ~ /^[0-9]+$/ && !($9 >= 4096 && $9 <= 8191)' "$TMP/out" | head -n 3)"
	expect_eq "$T ... among them the ping and the UDP exchange" "ICMP UDP" \
		"$(awk '$8 != "TCP" { print $8 }' "$TMP/out" | sort -u | paste -sd ' ')"
done

# DS-Lite (RFC 6333): the B4 owns no IPv4 address, the AFTR NATs.
BACKEND=${BACKENDS%% *}
T="$BACKEND, DS-Lite B4:"
flush
check "$T the rule: --b4 and --aftr only, no SNAT" \
	n b4 "iptables-$BACKEND" -t mangle -A POSTROUTING -o wan -j LW4O6 --b4 $B4 --aftr $AFTR
settle
capture_start aftr eth0 "$TMP/dslite.pcap" "ip6 and not icmp6"
hostile dslite "$T"
capture_stop
$PKT dump4 "$TMP/dslite.pcap" >"$TMP/dslite" 2>&1
expect_eq "$T the wan carried each of them with the LAN's source 10.0.0.2" 6 \
	"$(grep -c "^$B4 > $AFTR 4in6: 10.0.0.2 > $SERVER4 " "$TMP/dslite")" ||
	sed 's/^/    wan: /' "$TMP/dslite"
flush
finish
