#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A CE rule follows its table (derived bindings, kernel/softwire_tables.h):
# what SNATPSID, LW4O6 and MAPT derive from --end-user-prefix and the
# table's BMR is derived again when the table changes, while the rules
# stay.
#
# 1. MAP-E (tests/snatpsid_e2e.sh's network): the CE's SNATPSID and LW4O6
#    rules derive 192.0.2.18, PSID 52/8 at offset 6, CE address
#    2001:db8:12:3400:0:c000:212:34 from RFC 7597 Appendix A's BMR. Both
#    tables are reloaded (softwirectl load) with another BMR, under which
#    the End-user prefix derives 192.0.2.35, PSID 4/4 at offset 6, CE
#    address 2001:db8:12:3400:0:c000:223:4: new flows leave from that
#    address and port set, encapsulated from the new CE address, and are
#    answered (the decapsulation finds the rule by its new address).
#    Then a table whose BMR does not cover the prefix: the load is not
#    refused, SNATPSID's and LW4O6's packets are dropped, nothing leaves,
#    the table's dropped_no_ce counts them; the first BMR again: back to
#    192.0.2.18.
# 2. MAP-T (tests/mapt_e2e.sh's network): the CE ce11b (SNATPSID and MAPT
#    after SNAT, MAPT in raw PREROUTING) reloaded with another BMR, as the
#    BR: the translated packets leave from the new MAP address, their
#    IPv4 source (at the server) the new address and port set; a table
#    without a CE for the prefix drops and counts.

. "$(dirname "$0")/lib.sh"

CTL="$REPO/tools/softwirectl/softwirectl"
BR=$MAPE_BR
EUP=2001:db8:12:3400::/56
RULE1=$MAPE_RULE
RULE2="ipv6-prefix 2001:db8:10::/44 ipv4-prefix 192.0.2.0/24 ea-bits-length 12 psid-offset 6"
RULE3="ipv6-prefix 2001:db9::/40 ipv4-prefix 192.0.2.0/24 ea-bits-length 16 psid-offset 6"
CE1=2001:db8:12:3400:0:c000:212:34
CE2=2001:db8:12:3400:0:c000:223:4

expect_eq "derive: the second BMR gives the prefix another address, PSID and CE address" \
	"ipv4 192.0.2.35|psid 4 psid-length 4 psid-offset 6|ce-ipv6 $CE2" \
	"$("$CTL" derive $RULE2 end-user-prefix $EUP | grep -v '^ports' | paste -sd'|')"

mape_topology $CE1
# The CE answers on both addresses (a CE's address must be the box's).
ip -n ce addr add $CE2/64 dev wan nodad

# table RULE NS TABLE: load TABLE of NS with the BR address and RULE.
table() { printf 'br-address %s\nrule %s\n' $BR "$1" >"$TMP/t"; n "$2" "$CTL" load "$3" "$TMP/t"; }
both() { table "$1" ce fmr && table "$1" br mape0; }
check "CE and BR: load the tables with the first BMR" both "$RULE1"
n br iptables-legacy -t raw -A PREROUTING -i eth1 -d 192.0.2.0/24 -j LW4O6 --binding-table mape0
n br ip6tables-legacy -t raw -A PREROUTING -d $BR -j LW4O6 --binding-table mape0
n ce iptables-legacy -t nat -A POSTROUTING -o wan -j SNATPSID --end-user-prefix $EUP --binding-table fmr
n ce iptables-legacy -t mangle -A POSTROUTING -o wan -j LW4O6 --end-user-prefix $EUP --binding-table fmr
bt_stat() { n "$1" "$CTL" show "$2" | awk -v k="$3" '$1 == k { print $2 }'; }
settle

# flows N ADDR PSID/LEN OFFSET CE_ADDRESS DESCRIPTION: N new UDP flows
# from the client, all answered, each from ADDR and a port of the set at
# the server, each 4in6 from CE_ADDRESS to the BR on the CE's wan.
flows() {
	local T="MAP-E, $6:" server
	n ce conntrack -F 2>/dev/null
	rm -f "$TMP/ports"
	n server $PKT udp-ports 5002 "$1" 40 "$TMP/ports" &
	server=$!
	BG_PIDS+=($server)
	listening server 5002 udp
	capture_start br eth0 "$TMP/wan.pcap" "ip6 and not icmp6"
	expect_eq "$T $1 new UDP flows are answered" "$1" \
		"$(n client $PKT udp-flows $SERVER4 5002 "$1" 20)"
	capture_stop
	wait $server 2>/dev/null
	check "$T ... each from $2 and a distinct port of PSID $3 at offset $4" \
		sh -c "[ \$(wc -l <'$TMP/ports') = $1 ] && $PKT in-set '$TMP/ports' $2 $3 $4"
	$PKT dump4 "$TMP/wan.pcap" >"$TMP/wan"
	expect_eq "$T ... every packet on the wan is 4in6 between $5 and the BR, for $2" "" \
		"$(grep -vE "^($5 > $BR 4in6: $2 > $SERVER4|$BR > $5 4in6: $SERVER4 > $2) UDP" "$TMP/wan" | head -n 3)"
	check "$T ... both ways" sh -c "grep -q '^$5 > $BR 4in6' '$TMP/wan' && grep -q '^$BR > $5 4in6' '$TMP/wan'"
}

# nothing_leaves DESCRIPTION: a new UDP flow from the client is not
# answered, nothing leaves on the wan, dropped_no_ce of the CE's table
# counts it.
nothing_leaves() {
	local T="MAP-E, $1:" dropped
	n ce conntrack -F 2>/dev/null
	dropped=$(bt_stat ce fmr dropped_no_ce)
	capture_start br eth0 "$TMP/none.pcap" "ip6 and not icmp6"
	expect_eq "$T a new UDP flow is not answered" 0 \
		"$(n client $PKT udp-flows $SERVER4 5002 1 3)"
	capture_stop
	expect_eq "$T ... nothing left the CE" 0 "$(tcpdump -r "$TMP/none.pcap" -n 2>/dev/null | wc -l)"
	check "$T ... dropped and counted in the table's dropped_no_ce ($dropped -> $(bt_stat ce fmr dropped_no_ce))" \
		test "$(bt_stat ce fmr dropped_no_ce)" -gt "$dropped"
}

flows 20 192.0.2.18 52/8 6 $CE1 "first BMR"

dmesg -C
check "reload both tables with the second BMR, the rules stay" both "$RULE2"
check "... the kernel says what the CE's rules derive now" \
	sh -c "dmesg | grep -q 'table fmr: End-user prefix 2001:db8:12:3400::/56 now derives 192.0.2.35 PSID 4/4 at offset 6, CE $CE2'"
flows 20 192.0.2.35 4/4 6 $CE2 "second BMR, reloaded"

check "reload the CE's table with a BMR that does not cover the End-user prefix: not refused" \
	table "$RULE3" ce fmr
check "... the kernel says the prefix has no CE any more" \
	sh -c "dmesg | grep -q 'table fmr: End-user prefix 2001:db8:12:3400::/56 derives no CE any more'"
nothing_leaves "SNATPSID without a CE"
# A packet that SNATPSID does not see (no nat rule) reaches LW4O6.
n ce iptables-legacy -t nat -F
nothing_leaves "LW4O6 without a CE"
expect_fail "a new SNATPSID rule is refused while the table yields no CE" '.' \
	n ce iptables-legacy -t nat -A POSTROUTING -o wan -j SNATPSID --end-user-prefix $EUP --binding-table fmr

check "reload both tables with the first BMR again" both "$RULE1"
check "... a new SNATPSID rule is taken again" \
	n ce iptables-legacy -t nat -A POSTROUTING -o wan -j SNATPSID --end-user-prefix $EUP --binding-table fmr
flows 10 192.0.2.18 52/8 6 $CE1 "first BMR again"

# A rule deleted from the table (softwirectl del): the BMR is gone.
check "delete the table's rule (softwirectl del), the rules stay" n ce "$CTL" del fmr rule $RULE1
nothing_leaves "its BMR deleted"
check "add it again (softwirectl add)" n ce "$CTL" add fmr rule $RULE1
flows 5 192.0.2.18 52/8 6 $CE1 "its BMR added again"

cleanup
TMP=$(mktemp -d /tmp/xtsw-test.XXXXXX)

# ---- 2. MAP-T -----------------------------------------------------------

TRULE2="ipv6-prefix 2001:db8:ce::/52 ipv4-prefix 192.0.2.0/24 ea-bits-length 12 psid-offset 0"
TEUP=2001:db8:ce:11b::/64
mapt_topology
TCE1=$("$CTL" derive $MAPT_RULE end-user-prefix $TEUP | awk '$1 == "ce-ipv6" { print $2 }')
TCE2=$("$CTL" derive $TRULE2 end-user-prefix $TEUP | awk '$1 == "ce-ipv6" { print $2 }')
expect_eq "MAP-T: the second BMR gives ce11b 192.0.2.17, PSID 11/4 at offset 0" \
	"ipv4 192.0.2.17|psid 11 psid-length 4 psid-offset 0" \
	"$("$CTL" derive $TRULE2 end-user-prefix $TEUP | grep -E '^(ipv4|psid)' | paste -sd'|')"
ttable() { printf 'rule %s\ndmr %s\n' "$1" $MAPT_DMR >"$TMP/t"; n "$2" "$CTL" load "$3" "$TMP/t"; }
ttable "$MAPT_RULE" ce11b ce
ttable "$MAPT_RULE" br br
mapt_ce_rules legacy ce11b $TEUP ce
mapt_br_rules legacy br
settle

# tflows ADDR PSID/LEN MAP_ADDRESS DESCRIPTION
tflows() {
	local T="MAP-T, $4:" server
	n ce11b conntrack -F 2>/dev/null
	rm -f "$TMP/ports"
	n s $PKT udp-ports 5002 10 40 "$TMP/ports" &
	server=$!
	BG_PIDS+=($server)
	listening s 5002 udp
	capture_start ce11b wan "$TMP/wan.pcap" "ip6 and udp"
	expect_eq "$T 10 new UDP flows are answered" 10 \
		"$(n c1 $PKT udp-flows $MAPT_SERVER 5002 10 20)"
	capture_stop
	wait $server 2>/dev/null
	check "$T ... each from $1 and a distinct port of PSID $2 at offset 0" \
		sh -c "[ \$(wc -l <'$TMP/ports') = 10 ] && $PKT in-set '$TMP/ports' $1 $2 0"
	check "$T ... translated from and to $3" sh -c "
		tcpdump -r '$TMP/wan.pcap' -n 2>/dev/null | grep -q ' IP6 $3\.[0-9]* > $MAPT_SERVER6\.5002: UDP' &&
		tcpdump -r '$TMP/wan.pcap' -n 2>/dev/null | grep -q ' IP6 $MAPT_SERVER6\.5002 > $3\.[0-9]*: UDP' &&
		! tcpdump -r '$TMP/wan.pcap' -n 2>/dev/null | grep -v ' $3\.' | grep -q ."
}

tflows 192.0.2.8 27/5 $TCE1 "first BMR"
tboth() { ttable "$1" ce11b ce && ttable "$1" br br; }
check "MAP-T: reload the CE's and the BR's tables with the second BMR" tboth "$TRULE2"
tflows 192.0.2.17 11/4 $TCE2 "second BMR, reloaded"

check "MAP-T: the CE's table with a BMR that does not cover the prefix: not refused" \
	ttable "$RULE3" ce11b ce
n ce11b iptables-legacy -t nat -F	# MAPT after SNAT sees the packet
n ce11b conntrack -F 2>/dev/null
dropped=$(bt_stat ce11b ce dropped_no_ce)
capture_start ce11b wan "$TMP/none.pcap" "ip6 and udp"
expect_eq "MAP-T, no CE: a new UDP flow is not answered" 0 \
	"$(n c1 $PKT udp-flows $MAPT_SERVER 5002 1 3)"
capture_stop
expect_eq "MAP-T, no CE: ... nothing left the CE" 0 "$(tcpdump -r "$TMP/none.pcap" -n 2>/dev/null | wc -l)"
check "MAP-T, no CE: ... dropped and counted in dropped_no_ce ($dropped -> $(bt_stat ce11b ce dropped_no_ce))" \
	test "$(bt_stat ce11b ce dropped_no_ce)" -gt "$dropped"

finish
