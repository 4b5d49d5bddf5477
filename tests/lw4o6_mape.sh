#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# MAP-E (RFC 7597) with the numbers of its Appendix A, Example 1: BMR
# 2001:db8::/40, 192.0.2.0/24, 16 EA bits, PSID offset 6; the CE with the
# End-user prefix 2001:db8:12:3400::/56 is 192.0.2.18 with PSID 0x34 (8
# bits) and the CE address 2001:db8:12:3400:0:c000:212:34.
#
#   [client] 10.0.0.2 --lan-- [ce: SNAT + LW4O6 --b4/--aftr, values from
#   softwirectl derive] --wan-- [br: LW4O6 --binding-table with the rule]
#   --eth1-- [server] 198.51.100.1
#
# The BR has no softwire, only the rule: it finds the CE address from the
# IPv4 address and port (section 5.3) in both directions. Then a second CE
# (2001:db8:13:3400::/56: 192.0.2.19, PSID 0x34) behind the BR's eth2, and
# both CEs take the rule as FMR: CE-to-CE traffic goes straight from one
# CE to the other (mesh), the BR only routes the IPv6 packets.

. "$(dirname "$0")/lib.sh"

CTL="$REPO/tools/softwirectl/softwirectl"
BR=$MAPE_BR
RULE=$MAPE_RULE

derived=$("$CTL" derive $RULE end-user-prefix 2001:db8:12:3400::/56)
expect_eq "derive: RFC 7597 Appendix A Example 1 (IPv4, PSID, ports, CE address)" \
	"ipv4 192.0.2.18|psid 52 psid-length 8 psid-offset 6|ports 1232-1235,2256-2259,3280-3283,4304-4307,5328-5331,6352-6355,7376-7379,8400-8403,...|ce-ipv6 2001:db8:12:3400:0:c000:212:34" \
	"$(printf '%s\n' "$derived" | paste -sd'|')"
CE=$(printf '%s\n' "$derived" | awk '$1 == "ce-ipv6" { print $2 }')

mape_topology $CE

# The CE: the derived values, its first port range for SNAT.
for p in tcp udp icmp; do
	n ce iptables-legacy -t nat -A POSTROUTING -o wan -p $p -j SNAT --to 192.0.2.18:1232-1235
done
n ce iptables-legacy -t mangle -A POSTROUTING -o wan -j LW4O6 --b4 $CE --aftr $BR --psid 52/8

# The BR: one rule, no softwire.
printf 'br-address %s\nrule %s\n' $BR "$RULE" >"$TMP/mape0"
check "BR: load a table holding only the BMR" n br "$CTL" load mape0 "$TMP/mape0"
n br iptables-legacy -t raw -A PREROUTING -i eth1 -d 192.0.2.0/24 -j LW4O6 --binding-table mape0
n br ip6tables-legacy -t raw -A PREROUTING -d $BR -j LW4O6 --binding-table mape0 --icmp
settle

capture_start br eth0 "$TMP/wan.pcap" "ip6 and not icmp6"
check "MAP-E: ping from behind the CE" n client ping -c 2 -i 0.3 -W 3 $SERVER4
udp_echo server 5002 1
check "MAP-E: UDP exchange" n client $PKT udp-ask $SERVER4 5002 "hello BR" 1
check "MAP-E: 200 kB of TCP arrive intact" tcp_send client server $SERVER4 200000 60
# A packet for another CE of the rule: 192.0.2.18 port 5000 has PSID
# (5000 >> 2) & 0xff = 0xe2, so EA bits 0x12e2: 2001:db8:12:e200::/56.
n server $PKT send-udp4 192.0.2.18 5000
capture_stop
$PKT dump4 "$TMP/wan.pcap" >"$TMP/wan"
check "MAP-E: the BR sent the replies to the CE address it computed from the rule" \
	grep -q "^$BR > $CE 4in6: $SERVER4 > 192.0.2.18 TCP" "$TMP/wan"
expect_eq "MAP-E: every packet to or from our CE is 4in6 between CE and BR, checksums valid" "" \
	"$(grep -vE "^($CE > $BR 4in6: 192.0.2.18 > $SERVER4|$BR > $CE 4in6: $SERVER4 > 192.0.2.18) .*cksum valid$" "$TMP/wan" | grep -v 'UDP 4242 > 5000' | head -n 3)"
check "MAP-E: port 5000 of 192.0.2.18 goes to the CE of PSID 0xe2 (2001:db8:12:e200:0:c000:212:e2)" \
	grep -q "^$BR > 2001:db8:12:e200:0:c000:212:e2 4in6: $SERVER4 > 192.0.2.18 UDP 4242 > 5000" "$TMP/wan"
sp=$(n br "$CTL" show mape0 | awk '$1 == "dropped_spoofed" { print $2 }')
n ce $PKT send-4in6 --src6 $CE --dst6 $BR --src4 192.0.2.18 --sport 5000 --dst4 $SERVER4 --dport 5002
n ce $PKT send-4in6 --src6 $CE --dst6 $BR --src4 192.0.2.19 --sport 1232 --dst4 $SERVER4 --dport 5002
expect_eq "MAP-E: the BR drops a port of another CE's set and another CE's address (anti-spoofing by rule)" \
	$((sp + 2)) "$(n br "$CTL" show mape0 | awk '$1 == "dropped_spoofed" { print $2 }')"

# Mesh: the second CE, and the rule as FMR on both CEs.
derived2=$("$CTL" derive $RULE end-user-prefix 2001:db8:13:3400::/56)
CE2=$(printf '%s\n' "$derived2" | awk '$1 == "ce-ipv6" { print $2 }')
expect_eq "derive: the second CE is 192.0.2.19, PSID 52, $CE2" "ipv4 192.0.2.19|psid 52 psid-length 8 psid-offset 6" \
	"$(printf '%s\n' "$derived2" | head -n 2 | paste -sd'|')"
ce_behind_br client2 ce2 eth2 $CE2
printf 'br-address %s\nrule %s\n' $BR "$RULE" >"$TMP/fmr"
for c in ce ce2; do
	n $c "$CTL" load fmr "$TMP/fmr" >/dev/null
	n $c iptables-legacy -t mangle -F
done
n ce iptables-legacy -t mangle -A POSTROUTING -o wan -j LW4O6 --b4 $CE --aftr $BR --psid 52/8 --binding-table fmr
for p in tcp udp icmp; do
	n ce2 iptables-legacy -t nat -A POSTROUTING -o wan -p $p -j SNAT --to 192.0.2.19:1232-1235
done
n ce2 iptables-legacy -t nat -A PREROUTING -i wan -p udp --dport 1233 -j DNAT --to 10.0.0.2
# CE 2 names only its End-user prefix: the kernel derives the rest from
# the table's first rule (BMR) and takes its br-address as the BR.
n ce2 iptables-legacy -t mangle -A POSTROUTING -o wan -j LW4O6 --end-user-prefix 2001:db8:13:3400::/56 --binding-table fmr
expect_eq "CE from its End-user prefix: iptables-save shows it so" \
	"-A POSTROUTING -o wan -j LW4O6 --end-user-prefix 2001:db8:13:3400::/56 --binding-table fmr" \
	"$(n ce2 iptables-legacy-save -t mangle | grep -- '-j LW4O6')"
expect_fail "a CE has no ip6tables rule: the extension says where it belongs" \
	'in iptables .mangle POSTROUTING.: it decapsulates too' \
	n ce2 ip6tables-legacy -t mangle -A PREROUTING -i wan -j LW4O6 --end-user-prefix 2001:db8:13:3400::/56 --binding-table fmr
dmesg -C
expect_fail "CE from its End-user prefix: a prefix outside the BMR is refused" '.' \
	n ce2 iptables-legacy -t mangle -A POSTROUTING -j LW4O6 --end-user-prefix 2001:db9:13:3400::/56 --binding-table fmr
check "... and the kernel says why" sh -c "dmesg | grep -q 'the End-user prefix is not under the BMR'"
expect_eq "mesh: iptables-save shows the CE rule with its FMR table" \
	"-A POSTROUTING -o wan -j LW4O6 --b4 $CE --aftr $BR --binding-table fmr --psid 52/8" \
	"$(n ce iptables-legacy-save -t mangle | grep -- '-j LW4O6')"
settle

capture_start br eth0 "$TMP/mesh.pcap" "ip6 and not icmp6"
bt_before=$(n br "$CTL" show mape0 | awk '$1 ~ /capsulated|hairpinned/ { s = s $2 " " } END { print s }')
udp_echo client2 1233 2
check "mesh: UDP from behind CE 1 to a port forward of CE 2 (192.0.2.19:1233) and back" \
	n client $PKT udp-ask 192.0.2.19 1233 "mesh" 2
check "mesh: traffic not under the FMR still goes to the BR (ping the server)" \
	n client ping -c 1 -W 3 $SERVER4
capture_stop
$PKT dump4 "$TMP/mesh.pcap" >"$TMP/mesh"
expect_eq "mesh: on the wire, 2 packets straight from CE 1 to CE 2 and 2 back, checksums valid" "2 2" \
	"$(grep -c "^$CE > $CE2 4in6: 192.0.2.18 > 192.0.2.19 UDP .* > 1233 .*cksum valid$" "$TMP/mesh") $(grep -c "^$CE2 > $CE 4in6: 192.0.2.19 > 192.0.2.18 UDP 1233 > .*cksum valid$" "$TMP/mesh")"
bt_after=$(n br "$CTL" show mape0 | awk '$1 ~ /capsulated|hairpinned/ { s = s $2 " " } END { print s }')
bt_ping=$(echo "$bt_before" | awk '{ print $1 + 1, $2 + 1, $3 }')
expect_eq "mesh: the BR decapsulated and encapsulated only the ping (encap decap hairpin)" "$bt_ping " "$bt_after"
drops=$(lw4o6_stat ce decap_dropped_not_from_aftr)
n br $PKT send-4in6 --src6 2001:db8:13:3400::1 --dst6 $CE --src4 192.0.2.19 --sport 1233 --dst4 192.0.2.18 --dport 1233
expect_eq "mesh: CE 1 drops 192.0.2.19:1233 from an address that is not CE 2's" $((drops + 1)) \
	"$(lw4o6_stat ce decap_dropped_not_from_aftr)"
drops=$(lw4o6_stat ce2 decap_dropped_port_not_in_set)
n br $PKT send-4in6 --src6 $BR --dst6 $CE2 --src4 $SERVER4 --dst4 192.0.2.19 --dport 5000
n br $PKT send-4in6 --src6 $BR --dst6 $CE2 --src4 $SERVER4 --dst4 192.0.2.19 --dport 1233
expect_eq "CE from its End-user prefix: the derived port set holds 1233, not 5000" $((drops + 1)) \
	"$(lw4o6_stat ce2 decap_dropped_port_not_in_set)"

finish
