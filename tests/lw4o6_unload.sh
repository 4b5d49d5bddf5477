#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# LW4O6 under traffic: a B4 and an AFTR with a binding table, pings
# streaming through both. The module stays while rules use it; a reload of
# the table does not disturb it; once the rules are flushed it unloads with
# the table still in place (the namespace's tables go with it) and loads
# again. Then a namespace holding rules and a table is deleted while
# packets flow through it. The suite checks the kernel log afterwards.

. "$(dirname "$0")/lib.sh"

CTL="$REPO/tools/softwirectl/softwirectl"

softwire_topology
printf 'br-address %s\nsoftwire ipv4 192.0.2.1 psid 1/4 psid-offset 0 b4-ipv6 %s\n' $AFTR $B4 >"$TMP/bt0"

rules() {	# add the B4's and the AFTR's rules with iptables backend $1
	lw4o6_b4_rules "$1"
	n aftr "iptables-$1" -t raw -A PREROUTING -i eth1 -d 192.0.2.0/24 -j LW4O6 --binding-table bt0
	n aftr "ip6tables-$1" -t raw -A PREROUTING -d $AFTR -j LW4O6 --binding-table bt0
}
flush() {
	local ns t
	for ns in b4 aftr; do
		for t in nat mangle raw; do
			n $ns "iptables-$1" -t $t -F 2>/dev/null
			n $ns "ip6tables-$1" -t $t -F 2>/dev/null
		done
	done
}

for BACKEND in $BACKENDS; do
	n aftr "$CTL" -q load bt0 "$TMP/bt0"
	rules $BACKEND
	settle
	n client ping -i 0.02 -w 10 -q $SERVER4 >"$TMP/ping" 2>&1 &
	pinger=$!
	sleep 2
	expect_fail "$BACKEND: the module stays while rules use it" 'in use' rmmod xt_LW4O6
	check "$BACKEND: the table is reloaded under traffic" n aftr "$CTL" -q load bt0 "$TMP/bt0"
	flush $BACKEND
	sleep 0.5
	check "$BACKEND: with the rules flushed, it unloads under traffic, a table still loaded" \
		sh -c 'for i in 1 2 3 4 5 6; do rmmod xt_LW4O6 2>/dev/null && exit 0; sleep 0.5; done; rmmod xt_LW4O6'
	sleep 0.5
	check "$BACKEND: and loads again" insmod "$REPO/kernel/xt_LW4O6.ko"
	expect_eq "$BACKEND: the new module starts with no table" "" "$(n aftr "$CTL" show)"
	wait $pinger
	check "$BACKEND: pings crossed the softwire before the flush" grep -qE ' [1-9][0-9]* received' "$TMP/ping"
done

# A namespace with rules and a table goes away while packets flow into it.
n aftr "$CTL" -q load bt0 "$TMP/bt0"
rules legacy
settle
n client ping -i 0.01 -w 6 -q $SERVER4 >"$TMP/ping" 2>&1 &
pinger=$!
sleep 2
check "the AFTR's namespace, with its rules and table, is deleted under traffic" ip netns del aftr
wait $pinger
check "pings crossed until then" grep -qE ' [1-9][0-9]* received' "$TMP/ping"
flush legacy

finish
