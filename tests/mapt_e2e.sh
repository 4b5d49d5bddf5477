#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# MAP-T (RFC 7599) end to end, bytes on the wire, both iptables backends.
#
# 1. Seed 002 (the Jool MAP-T tutorial), its addresses (tests/lib.sh,
#    mapt_topology): clients c1 and c2, both 192.168.0.4, behind CE 11b
#    (End-user prefix 2001:db8:ce:11b::/64) and CE 774
#    (2001:db8:ce:774::/64); BMR 2001:db8:ce::/51 192.0.2.0/24, 13 EA bits,
#    PSID offset 0; DMR 64:ff9b::/96; the BR with the same rule as FMR;
#    the server 203.0.113.56. Each CE is ONE namespace: SNATPSID into its
#    port set, MAPT after it, MAPT on what arrives (Jool needs two
#    namespaces per CE, the seed says). From RFC 7597 section 5.1:
#      CE 11b: EA bits 0x011b: 192.0.2.8, PSID 27 (0x1b) of 5 bits, ports
#              55296-57343; CE address 2001:db8:ce:11b:0:c000:208:1b
#              (section 6's interface identifier)
#      CE 774: EA bits 0x0774: 192.0.2.59, PSID 20 (0x14), ports
#              40960-43007; 2001:db8:ce:774:0:c000:23b:14
#    The tutorial gives CE 774 28672-30719 (PSID 14): that does not follow
#    from its own BMR (0x774 & 0x1f = 20, 20 << 11 = 40960); we follow the
#    RFC, and the kernel derives the set.
#    Checked: ping, UDP and a 2 MB TCP transfer from each client (bytes
#    compared, one NAT binding in conntrack, one port on the wire), every
#    packet on the CE-BR link between the CE address and 64:ff9b::cb00:7138
#    from a port (echo identifier) of the CE's set with valid checksums,
#    the server sees 192.0.2.8 and 192.0.2.59 from the same ports; CE to
#    CE through the FMR (c1 to a port forward 192.0.2.59:40961 -> c2)
#    straight from CE to CE on the link, never through the BR; the BR
#    drops a packet from CE 11b's address with a port outside its set and
#    counts it. The nft round leaves the clients' offloads on (TSO bursts
#    and CHECKSUM_PARTIAL through the CE), the legacy round turns them off.
# 2. RFC 7597 Appendix A's CE (BMR 2001:db8::/40 192.0.2.0/24, 16 EA bits,
#    offset 6; End-user prefix 2001:db8:12:3400::/56: 192.0.2.18, PSID 0x34
#    of 8 bits, a non-contiguous set of 63 blocks of 4 ports) on the same
#    link, through the BR with that rule: ping, UDP, TCP, every port and
#    identifier in the set.

. "$(dirname "$0")/lib.sh"

CTL="$REPO/tools/softwirectl/softwirectl"
CE11B=2001:db8:ce:11b:0:c000:208:1b
CE774=2001:db8:ce:774:0:c000:23b:14
CEA=2001:db8:12:3400:0:c000:212:34
S4=$MAPT_SERVER
S6=$MAPT_SERVER6
RULE_A="ipv6-prefix 2001:db8::/40 ipv4-prefix 192.0.2.0/24 ea-bits-length 16 psid-offset 6"
# /proc/net/xt_MAPT: a BR's drop of an IPv6 source that is not the one its
# IPv4 source and port derive (RFC 7599 section 8.1).
SPOOF_COUNTER=${SPOOF_COUNTER:-dropped_spoofed}

T0=$(date +%s)
phase() { echo "# $(( $(date +%s) - T0 ))s: $*"; }
mapt_topology
mapt_ce c3 cea 2001:db8:6::a 2001:db8:12:3400::/56

printf 'rule %s\ndmr %s\n' "$MAPT_RULE" $MAPT_DMR >"$TMP/seed"
printf 'rule %s\ndmr %s\n' "$RULE_A" $MAPT_DMR >"$TMP/appa"
check "load the tables: CEs (BMR, DMR), BR (FMR, DMR), Appendix A" sh -c "
	ip netns exec ce11b $CTL load ce $TMP/seed && ip netns exec ce774 $CTL load ce $TMP/seed &&
	ip netns exec br $CTL load br $TMP/seed && ip netns exec br $CTL load bra $TMP/appa &&
	ip netns exec cea $CTL load ce $TMP/appa"
check "plain IPv6 on the link: CE 11b reaches the BR and CE 774" \
	sh -c "ip netns exec ce11b ping -6 -c 1 -W 3 2001:db8:6::1 && ip netns exec ce11b ping -6 -c 1 -W 3 2001:db8:6::774"
check "plain IPv4: the BR reaches the server" n br ping -c 1 -W 3 $S4

# Several captures at once (capture_start keeps one).
CAPS=()
cap() { capture_start "$@" && CAPS+=("$CAPTURE_PID $CAPTURE_FILE"); }
caps_stop() {
	local c
	for c in "${CAPS[@]}"; do
		read -r CAPTURE_PID CAPTURE_FILE <<<"$c"
		capture_stop
	done
	CAPS=()
}

# wire FILE ADDR PEER LO HI: the packets of pkt.py dump-l4 FILE from or to
# ADDR, as "out KIND" / "back KIND" (sorted, once each) when they are
# between ADDR and PEER, from (to) a port or echo identifier in LO-HI, with
# a valid checksum; the first others as "unexpected: LINE (WHY)".
wire() {
	awk -v a="$2" -v p="$3" -v lo="$4" -v hi="$5" '
	$1 != a && $3 != a { next }
	{
		out = $1 == a; port = out ? $5 : $7
		why = ""
		if ((out ? $3 : $1) != p) why = "peer"
		else if (port !~ /^[0-9]+$/ || port + 0 < lo || port + 0 > hi) why = "port"
		else if ($9 != "valid") why = "checksum"
		if (why == "") print (out ? "out " : "back ") $4
		else if (nbad++ < 3) print "unexpected: " $0 " (" why ")"
	}
	END { if (nbad > 3) print "unexpected: " nbad - 3 " more" }' "$1" | sort -u | paste -sd' '
}

# binding CE DPORT: the CE's conntrack entries of TCP to the server's
# DPORT, as "REPLY_DST:REPLY_DPORT" (the NAT binding) each.
binding() {
	n "$1" conntrack -L -p tcp --orig-dst $S4 --dport "$2" 2>/dev/null |
		sed -nE "s/.* src=$S4 dst=([0-9.]+) sport=$2 dport=([0-9]+) .*/\1:\2/p" | paste -sd' '
}

# exchange T CLIENT BYTES: ping, a UDP exchange and BYTES over TCP from
# CLIENT to the server. Without a UDP answer, TCP is not tried (it would
# wait for its timeout).
exchange() {
	check "$1 $2: ping the server" n $2 ping -c 2 -i 0.3 -W 3 $S4
	udp_echo s 5002 1	# (it waits 30 s at most: started right before)
	local failed=$FAILED
	check "$1 $2: UDP exchange with the server" n $2 $PKT udp-ask $S4 5002 "hello from $2" 1
	if [ "$FAILED" = "$failed" ]; then
		check "$1 $2: $3 bytes over TCP arrive intact" tcp_send $2 s $S4 $3 90
	else
		not_ok "$1 $2: $3 bytes over TCP (not tried: UDP got no answer)"
	fi
}

# diag FAILED_BEFORE DUMP...: when checks failed since FAILED_BEFORE, the
# non-zero MAPT counters of the CEs and the BR and the first packets of
# each capture (pkt.py dump-l4 output files).
diag() {
	local ns f
	[ "$FAILED" -gt "$1" ] || return 0
	shift
	for ns in ce11b ce774 cea br; do
		echo "    $ns /proc/net/xt_MAPT: $(n $ns awk '$2 != 0 { printf "%s %s ", $1, $2 }' /proc/net/xt_MAPT)"
	done
	for f in "$@"; do
		echo "    $(basename "$f"): $(wc -l <"$f") packets, the first:"
		grep -vE ' ICMPv6-(13[3-7]|143) ' "$f" | head -n 6 | sed 's/^/      /'
	done
}

# both_links T LINK ADDR6 SERVER ADDR4 LO HI: what wire says of ADDR6 in
# the dump-l4 of the CE-BR link, LINK, and of ADDR4 in that of the server
# link, SERVER: ping, UDP and TCP both ways, all from (to) LO-HI.
both_links() {
	expect_eq "$1 on the CE-BR link: $3 <-> $S6, ports and echo identifiers in $6-$7, checksums valid" \
		"back ICMPv6-129 back TCP back UDP out ICMPv6-128 out TCP out UDP" \
		"$(wire "$2" $3 $S6 $6 $7)"
	expect_eq "$1 at the server: $5 <-> $S4, the same ports, checksums valid" \
		"back ICMP-0 back TCP back UDP out ICMP-8 out TCP out UDP" \
		"$(wire "$4" $5 $S4 $6 $7)"
}

# rules_off: every rule of $BACKEND in every namespace, and conntrack.
rules_off() {
	local ns t
	for ns in ce11b ce774 cea br; do
		for t in nat mangle raw; do n $ns "iptables-$BACKEND" -t $t -F 2>/dev/null; done
		n $ns "ip6tables-$BACKEND" -t raw -F 2>/dev/null
		n $ns conntrack -F 2>/dev/null
	done
}

seed_round() {
	local T="$BACKEND, seed 002:" c ce addr ip4 lo hi rnd=$1 v4 v6 bind failed=$FAILED
	check "$T CE 11b: SNATPSID, MAPT after it and MAPT on the wan (one namespace)" \
		mapt_ce_rules $BACKEND ce11b 2001:db8:ce:11b::/64 ce
	check "$T CE 774: the same with its End-user prefix" \
		mapt_ce_rules $BACKEND ce774 2001:db8:ce:774::/64 ce
	check "$T BR: MAPT for the link and for 192.0.2.0/24" mapt_br_rules $BACKEND br
	# CE 774 forwards 192.0.2.59:40961 (in its set) to c2.
	n ce774 "iptables-$BACKEND" -t nat -A PREROUTING -i wan -p udp -d 192.0.2.59 --dport 40961 \
		-j DNAT --to-destination 192.168.0.4:5002

	cap link6 p-br "$TMP/br$rnd.pcap" ip6
	cap s eth0 "$TMP/s$rnd.pcap" ip
	for c in "c1 ce11b" "c2 ce774"; do
		read -r c ce <<<"$c"
		exchange "$T" $c 2000000
		# its NAT binding, read at once: a connection that ended with a
		# reset leaves conntrack 10 s later
		binding $ce 5001 >"$TMP/bind.$ce"
	done
	phase "$BACKEND: seed 002 exchanges"
	cap link6 p-ce774 "$TMP/ce774-$rnd.pcap" ip6
	udp_echo c2 5002 1
	check "$T CE to CE: c1 to CE 774's port forward 192.0.2.59:40961 (c2) and back" \
		n c1 $PKT udp-ask 192.0.2.59 40961 "mesh" 1
	caps_stop
	$PKT dump-l4 "$TMP/br$rnd.pcap" >"$TMP/br$rnd"
	$PKT dump-l4 "$TMP/ce774-$rnd.pcap" >"$TMP/ce774-$rnd"
	$PKT dump-l4 "$TMP/s$rnd.pcap" >"$TMP/s$rnd"
	diag $failed "$TMP/br$rnd" "$TMP/ce774-$rnd" "$TMP/s$rnd"
	phase "$BACKEND: seed 002 captures stopped and read"

	for c in "ce11b $CE11B 192.0.2.8 55296 57343" "ce774 $CE774 192.0.2.59 40960 43007"; do
		read -r ce addr ip4 lo hi <<<"$c"
		both_links "$T $ce" "$TMP/br$rnd" $addr "$TMP/s$rnd" $ip4 $lo $hi
		v6=$(awk -v a=$addr '$1 == a && $4 == "TCP" { print $5 }' "$TMP/br$rnd" | sort -u | paste -sd' ')
		v4=$(awk -v a=$ip4 '$1 == a && $4 == "TCP" { print $5 }' "$TMP/s$rnd" | sort -u | paste -sd' ')
		bind=$(cat "$TMP/bind.$ce")
		expect_eq "$T $ce: the TCP transfer is one NAT binding (conntrack), its port on both links" \
			"$ip4:$v6 $v6" "$bind $v4"
	done
	expect_eq "$T nothing else on the CE-BR link (neighbour discovery aside), nothing CE to CE" "" \
		"$(grep -vE "^($CE11B|$CE774) > $S6 |^$S6 > ($CE11B|$CE774) | ICMPv6-(13[3-7]|143) " "$TMP/br$rnd" | head -n 3)"
	expect_eq "$T the server sees only 192.0.2.8 and 192.0.2.59" "" \
		"$(grep -vE "^192\.0\.2\.(8|59) > $S4 |^$S4 > 192\.0\.2\.(8|59) " "$TMP/s$rnd" | head -n 3)"
	expect_eq "$T CE to CE on the link: straight from CE 11b (a port of its set) to CE 774 port 40961 and back, checksums valid" \
		"1 1" "$(awk -v a=$CE11B -v b=$CE774 '
			$1 == a && $3 == b && $4 == "UDP" && $5 >= 55296 && $5 <= 57343 && $7 == 40961 && $9 == "valid" { o++ }
			$1 == b && $3 == a && $4 == "UDP" && $5 == 40961 && $7 >= 55296 && $7 <= 57343 && $9 == "valid" { r++ }
			END { print o + 0, r + 0 }' "$TMP/ce774-$rnd")"

	# Anti-spoofing at the BR (RFC 7599 section 8.1): CE 11b's address
	# with port 1000 (PSID 0, not 27).
	local sp
	sp=$(mapt_stat br $SPOOF_COUNTER)
	cap s eth0 "$TMP/spoof$rnd.pcap" "udp port 5002"
	n ce11b python3 -c "import sys; sys.path.insert(0, '$REPO/tests'); import pkt
pkt.send_raw([pkt.udp6('$CE11B', '$S6', 1000, 5002, b'spoofed')])"
	caps_stop
	expect_eq "$T the BR drops CE 11b's address with port 1000 (not in its set) and counts it ($SPOOF_COUNTER)" \
		"$((sp + 1)) 0" "$(mapt_stat br $SPOOF_COUNTER) $($PKT dump-l4 "$TMP/spoof$rnd.pcap" | wc -l)"
}

appendix_a_round() {
	local T="$BACKEND, RFC 7597 Appendix A CE:" rnd=$1 failed=$FAILED
	n br "iptables-$BACKEND" -t raw -F; n br "ip6tables-$BACKEND" -t raw -F
	check "$T its rules" mapt_ce_rules $BACKEND cea 2001:db8:12:3400::/56 ce
	check "$T the BR's, with the Appendix A rule" mapt_br_rules $BACKEND bra
	cap link6 p-br "$TMP/abr$rnd.pcap" "ip6 and host $CEA"
	cap s eth0 "$TMP/as$rnd.pcap" "ip and host 192.0.2.18"
	exchange "$T" c3 300000
	caps_stop
	$PKT dump-l4 "$TMP/abr$rnd.pcap" >"$TMP/abr$rnd"
	$PKT dump-l4 "$TMP/as$rnd.pcap" >"$TMP/as$rnd"
	diag $failed "$TMP/abr$rnd" "$TMP/as$rnd"
	both_links "$T" "$TMP/abr$rnd" $CEA "$TMP/as$rnd" 192.0.2.18 1 65535
	# "TCP 2345 UDP 3456 echo 1234": the ports (identifier) CEA used.
	local p6 p4
	p6=$(awk -v a=$CEA '$1 == a { sub(/ICMPv6-128/, "echo", $4); print $4, $5 }' "$TMP/abr$rnd" | LC_ALL=C sort -u | paste -sd' ')
	p4=$(awk '$1 == "192.0.2.18" { sub(/ICMP-8/, "echo", $4); print $4, $5 }' "$TMP/as$rnd" | LC_ALL=C sort -u | paste -sd' ')
	expect_eq "$T one port each for TCP, UDP and echo, the same on both links" \
		"TCP UDP echo|$p6" "$(echo $p4 | awk '{ print $1, $3, $5 }')|$p4"
	printf '192.0.2.18 %s\n' $(echo $p4 | awk '{ print $2, $4, $6 }') >"$TMP/aports$rnd"
	check "$T ... all three of PSID 0x34/8 at offset 6" $PKT in-set "$TMP/aports$rnd" 192.0.2.18 52/8 6
	phase "$BACKEND: Appendix A"
}

phase "topology, tables, plain pings"
rnd=0
for BACKEND in $BACKENDS; do
	rnd=$((rnd + 1))
	off=off
	[ "$BACKEND" = nft ] && off=on
	for c in c1 c2 c3; do n $c ethtool -K eth0 tx $off tso $off gso $off >/dev/null; done
	echo "# $BACKEND: the clients' transmit offloads (checksum, TSO) $off"
	seed_round $rnd
	appendix_a_round $rnd
	rules_off
done

finish
