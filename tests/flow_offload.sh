#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# nftables flow offload next to our targets: a connection that MAP66 maps
# or LW4O6 encapsulates must never be forwarded past them by a flowtable,
# which would send inside addresses or bare IPv4 out of the router. The
# routers run the software flowtable that OpenWrt offers as a checkbox:
#
#   table inet ft {
#     flowtable f { hook ingress priority 0; devices = { A, B }; }
#     chain forward_ft { type filter hook forward priority 0; meta l4proto { tcp, udp } flow add @f }
#   }
#
# For each case, with both iptables backends: a 3 MB TCP transfer and a
# 50-datagram UDP exchange complete intact; a capture on the outside link
# holds only mapped (MAP66) or encapsulated (LW4O6) packets from the first
# to the last; conntrack lists the connections, none [OFFLOAD]; the target
# counts them as kept off. Controls: the same flowtable offloads a
# connection that no target handles, and an AFTR whose packets conntrack
# does not track (NOTRACK) has nothing kept off and works.

. "$(dirname "$0")/lib.sh"

CTL="$REPO/tools/softwirectl/softwirectl"
MB3=3000000

# flowtable NS DEV1 DEV2: the software flowtable above, in namespace NS.
flowtable() {
	n "$1" nft -f - <<EOF
table inet ft {
	flowtable f { hook ingress priority 0; devices = { $2, $3 }; }
	chain forward_ft { type filter hook forward priority 0; meta l4proto { tcp, udp } flow add @f; }
}
EOF
}
# offloaded NS: how many conntrack entries of NS are [OFFLOAD]
offloaded() { n "$1" conntrack -L 2>/dev/null | grep -c OFFLOAD; }
# tracked NS PATTERN: how many conntrack entries of NS match PATTERN
tracked() { n "$1" conntrack -L 2>/dev/null | grep -c -- "$2"; }
# frames PCAP FILTER: how many frames of the capture match the filter
frames() { tcpdump -r "$1" -n "$2" 2>/dev/null | wc -l; }

# ---- MAP66 --------------------------------------------------------------

# map66_rules RECIPE: README's stateful recipe (the reverse map in raw, the
# forward map in mangle POSTROUTING) or its plain one (both in mangle).
map66_rules() {
	local ipt="ip6tables-$BACKEND" table=mangle
	[ "$1" = stateful ] && table=raw
	n gw $ipt -t raw -F; n gw $ipt -t mangle -F
	n gw $ipt -t $table -A PREROUTING -i eth0 -d 2001:db8:1::/48 -j MAP66 --to fd01:203:405::/48
	n gw $ipt -t mangle -A POSTROUTING -o eth0 -s fd01:203:405::/48 -j MAP66 --to 2001:db8:1::/48
}


MAPPED=2001:db8:1:d550::10
map66_topology
for l in "in eth0" "gw eth0" "gw eth1" "out eth0"; do no_offload $l; done
settle

# Before any flowtable: no rule asks for conntrack in this namespace, so
# nothing is tracked, and MAP66 has nothing to keep off.
BACKEND=${BACKENDS%% *}
map66_rules plain
udp_echo out 5002 20
check "no conntrack in the namespace: MAP66 maps a UDP exchange" \
	n in $PKT udp-ask $SERVER 5002 untracked 20
expect_eq "no conntrack in the namespace: no entry, nothing kept off" "0 0" \
	"$(tracked gw dport=5002) $(map66_stat gw conntrack_kept_off_flowtable)"
n gw "ip6tables-$BACKEND" -t mangle -F

n gw modprobe -q nf_flow_table_inet 2>/dev/null
check "MAP66 gateway: the nft flowtable is set up (eth0, eth1)" flowtable gw eth0 eth1
settle

# Control: without MAP66 (the outside routes the inside prefix back), the
# flowtable takes the connection: the test would see a bypass.
ip -n out route add fd01:203:405::/48 via 2001:db8:0:1::1
udp_echo out 5002 50
check "control: a UDP exchange no target handles works" n in $PKT udp-ask $SERVER 5002 control 50
ctl=$(offloaded gw)
check "control: ... and the flowtable offloaded it ($ctl [OFFLOAD] in conntrack)" test "$ctl" -ge 1
ip -n out route del fd01:203:405::/48 via 2001:db8:0:1::1
n gw conntrack -F 2>/dev/null

map66_round() {
	local T="$BACKEND, $1 recipe:" kept
	n gw conntrack -F 2>/dev/null
	map66_rules "$1"
	kept=$(map66_stat gw conntrack_kept_off_flowtable)
	capture_start gw eth0 "$TMP/m.pcap" "ip6 and not net fe80::/10" || return
	check "$T a 3 MB TCP upload from inside arrives intact" tcp_send in out $SERVER $MB3 60
	udp_echo out 5002 50
	check "$T a 50-datagram UDP exchange from inside works" \
		n in $PKT udp-ask $SERVER 5002 hello 50
	capture_stop
	check "$T the outside link saw only mapped packets, first to last" \
		$PKT check "$TMP/m.pcap" --forbid fd01:203:405::/48 --require 2001:db8:1::/48 --min 1000
	expect_eq "$T conntrack: no connection [OFFLOAD]" 0 "$(offloaded gw)"
	check "$T conntrack: ... and it tracks them (TCP, UDP)" \
		sh -c "[ $(tracked gw 'dport=5001') -ge 1 ] && [ $(tracked gw 'dport=5002') -ge 1 ]"
	check "$T MAP66 counted the connections it kept off" \
		test "$(map66_stat gw conntrack_kept_off_flowtable)" -ge $((kept + 2))
}

for BACKEND in $BACKENDS; do
	map66_round stateful
	map66_round plain
	n gw "ip6tables-$BACKEND" -t raw -F; n gw "ip6tables-$BACKEND" -t mangle -F
done
cleanup
TMP=$(mktemp -d /tmp/xtsw-test.XXXXXX)

# ---- LW4O6: B4 with SNAT and an AFTR, both with flowtables ----------------

softwire_topology
n aftr sysctl -qw net.ipv6.conf.all.forwarding=1
cat >"$TMP/bt0" <<EOF
br-address $AFTR
softwire ipv4 192.0.2.1 psid 1 psid-length 4 psid-offset 0 b4-ipv6 $B4
EOF
check "load the AFTR's binding table" n aftr "$CTL" load bt0 "$TMP/bt0"
check "B4: the nft flowtable is set up (lan, wan)" flowtable b4 lan wan
check "AFTR: the nft flowtable is set up (eth0, eth1)" flowtable aftr eth0 eth1
no_offload b4 lan

# softwire_rules BACKEND: README's B4 (SNAT into the port set, LW4O6), a
# port forward of TCP 5001 to the client, README's AFTR.
softwire_rules() {
	n b4 "iptables-$1" -t nat -F; n b4 "iptables-$1" -t mangle -F
	lw4o6_b4_rules "$1"
	n b4 "iptables-$1" -t nat -A PREROUTING -i wan -p tcp --dport 5001 -j DNAT --to 10.0.0.2
	n aftr "iptables-$1" -t raw -F; n aftr "ip6tables-$1" -t raw -F
	n aftr "iptables-$1" -t raw -A PREROUTING -i eth1 -d 192.0.2.0/24 -j LW4O6 --binding-table bt0
	n aftr "ip6tables-$1" -t raw -A PREROUTING -d $AFTR -j LW4O6 --binding-table bt0
	n aftr "iptables-$1" -t raw -A OUTPUT -d 192.0.2.0/24 -j LW4O6 --binding-table bt0
}

# softwire_traffic T: out, in through the port forward, UDP; every frame
# the B4 and the AFTR send on their link must be IPv6 between the two.
# (Each also shows what it decapsulated as received IPv4 on that device:
# captures keep what was sent.)
softwire_traffic() {
	local T=$1 f pid
	capture_start aftr eth0 "$TMP/a.pcap" "ip or ip6 or arp" out || return
	pid=$CAPTURE_PID
	capture_start b4 wan "$TMP/w.pcap" "ip or ip6 or arp" out || return
	check "$T a 3 MB TCP upload from the LAN arrives intact" \
		tcp_send client server $SERVER4 $MB3 60
	check "$T a 3 MB TCP upload to the LAN through the B4's port forward arrives intact" \
		tcp_send server client 192.0.2.1 $MB3 60
	udp_echo server 5002 50
	check "$T a 50-datagram UDP exchange from the LAN works" \
		n client $PKT udp-ask $SERVER4 5002 hello 50
	capture_stop
	kill -INT "$pid"; wait "$pid" 2>/dev/null
	for f in "B4:w" "AFTR:a"; do
		expect_eq "$T the ${f%:*} sent no frame on the B4-AFTR link that is not IPv6" 0 \
			"$(frames "$TMP/${f#*:}.pcap" 'not ip6')"
		check "$T ... only 4in6 between the B4 and the AFTR, first to last" \
			sh -c "[ $(frames "$TMP/${f#*:}.pcap" "ip6 and ip6[6] = 4 and host $B4 and host $AFTR") -ge 2000 ] &&
			       [ $(frames "$TMP/${f#*:}.pcap" "ip6 and not (ip6[6] = 4 and host $B4 and host $AFTR) and not icmp6") = 0 ]"
	done
}

for BACKEND in $BACKENDS; do
	T="$BACKEND:"
	softwire_rules "$BACKEND"
	n b4 conntrack -F 2>/dev/null; n aftr conntrack -F 2>/dev/null
	b4_kept=$(lw4o6_stat b4 conntrack_kept_off_flowtable)
	aftr_kept=$(lw4o6_stat aftr conntrack_kept_off_flowtable)
	settle
	softwire_traffic "$T"
	expect_eq "$T B4 conntrack: no connection [OFFLOAD]" 0 "$(offloaded b4)"
	check "$T B4 conntrack: ... it tracks the three (out, in, UDP)" \
		sh -c "[ $(tracked b4 'dport=5001') -ge 2 ] && [ $(tracked b4 'dport=5002') -ge 1 ]"
	check "$T B4: LW4O6 counted them as kept off (out by the after-SNAT hook, in by the hook after conntrack)" \
		test "$(lw4o6_stat b4 conntrack_kept_off_flowtable)" -ge $((b4_kept + 3))
	expect_eq "$T AFTR conntrack: no connection [OFFLOAD]" 0 "$(offloaded aftr)"
	check "$T AFTR conntrack: ... it tracks the decapsulated ones" \
		test "$(tracked aftr "src=192.0.2.1 ")" -ge 2
	check "$T AFTR: LW4O6 counted them as kept off" \
		test "$(lw4o6_stat aftr conntrack_kept_off_flowtable)" -ge $((aftr_kept + 2))

	# The AFTR without connection tracking: nothing to keep off.
	n aftr "iptables-$BACKEND" -t raw -I PREROUTING -j CT --notrack
	n aftr "ip6tables-$BACKEND" -t raw -I PREROUTING -j CT --notrack
	n aftr conntrack -F 2>/dev/null
	aftr_kept=$(lw4o6_stat aftr conntrack_kept_off_flowtable)
	softwire_traffic "$T AFTR with NOTRACK:"
	expect_eq "$T AFTR with NOTRACK: conntrack tracks none of it" 0 "$(tracked aftr 192.0.2.1)"
	expect_eq "$T AFTR with NOTRACK: LW4O6 kept nothing off" "$aftr_kept" \
		"$(lw4o6_stat aftr conntrack_kept_off_flowtable)"
	n aftr "iptables-$BACKEND" -t raw -F; n aftr "ip6tables-$BACKEND" -t raw -F
done

finish
