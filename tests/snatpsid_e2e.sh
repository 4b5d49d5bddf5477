#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SNATPSID: NAT into a whole port set, with one rule.
#
# 1. RFC 7597 Appendix A's CE (PSID 0x34 of 8 bits at offset 6: 63 blocks
#    of 4 ports, 252 in all), both SNATPSID and LW4O6 derived from the
#    End-user prefix and the table's BMR, behind our BR:
#
#    [client] 10.0.0.2 --lan-- [ce: SNATPSID + LW4O6] --wan-- [br: LW4O6
#    --binding-table] --eth1-- [server] 198.51.100.1
#
#    A flow whose source port is in the set and free keeps it; 252
#    concurrent UDP flows to one server port all get through, each from a
#    distinct port of the set (checked against RFC 7597 section 5.1's
#    arithmetic); the 253rd is dropped and counted; TCP and ping still work,
#    ping with an identifier in the set. Both iptables backends.
# 2. The seed 000 B4 (lw4o6, PSID 1 of 4 bits at offset 0: 4096-8191) with
#    SNATPSID instead of three SNAT rules, Linux's ip4ip6 as the AFTR: ping,
#    UDP and TCP as tests/lw4o6_b4.sh; 1000 new flows take ports spread over
#    the whole set, not a sequence.

. "$(dirname "$0")/lib.sh"

CTL="$REPO/tools/softwirectl/softwirectl"
BR=$MAPE_BR
RULE=$MAPE_RULE
CE=2001:db8:12:3400:0:c000:212:34
EUP=2001:db8:12:3400::/56

mape_topology $CE

printf 'br-address %s\nrule %s\n' $BR "$RULE" >"$TMP/rule"
check "CE and BR: load the table with the BMR" \
	sh -c "ip netns exec ce $CTL load fmr $TMP/rule && ip netns exec br $CTL load mape0 $TMP/rule"
n br iptables-legacy -t raw -A PREROUTING -i eth1 -d 192.0.2.0/24 -j LW4O6 --binding-table mape0
n br ip6tables-legacy -t raw -A PREROUTING -d $BR -j LW4O6 --binding-table mape0
snat_stat() { n "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/xt_SNATPSID; }

ce_round() {
	local T="$BACKEND, Appendix A CE:" ipt="iptables-$BACKEND" kept ex server
	n ce $ipt -t nat -F; n ce $ipt -t mangle -F
	n ce conntrack -F 2>/dev/null
	check "$T one SNATPSID rule, derived from the End-user prefix" \
		n ce $ipt -t nat -A POSTROUTING -o wan -j SNATPSID --end-user-prefix $EUP --binding-table fmr
	n ce $ipt -t mangle -A POSTROUTING -o wan -j LW4O6 --end-user-prefix $EUP --binding-table fmr
	# The 252 flows must hold their ports until the 253rd has been tried:
	# under the default 30 s an answered UDP flow may expire on a busy
	# machine, free its port and let the 253rd through (a CI flake).
	n ce sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600
	n ce sysctl -qw net.netfilter.nf_conntrack_udp_timeout_stream=600
	expect_eq "$T iptables-save shows the rule as written" \
		"-A POSTROUTING -o wan -j SNATPSID --end-user-prefix $EUP --binding-table fmr" \
		"$(n ce $ipt-save -t nat | grep -- '-j SNATPSID')"
	settle

	n server $PKT udp-ports 5002 300 60 "$TMP/ports" &
	server=$!
	BG_PIDS+=($server)
	listening server 5002 udp
	kept=$(snat_stat ce kept_original_port)
	expect_eq "$T a flow from port 1233, in the set and free, is answered" 1 \
		"$(n client $PKT udp-flows $SERVER4 5002 1 5 --sport 1233)"
	expect_eq "$T ... and keeps its port" "192.0.2.18 1233" "$(head -n 1 "$TMP/ports")"
	expect_eq "$T ... counted as kept" $((kept + 1)) "$(snat_stat ce kept_original_port)"
	expect_eq "$T 251 more concurrent flows to the same server port: all answered" 251 \
		"$(n client $PKT udp-flows $SERVER4 5002 251 40)"
	check "$T the server saw 252 flows, each from a distinct port of PSID 52/8 at offset 6" \
		sh -c "[ \$(wc -l <'$TMP/ports') = 252 ] && $PKT in-set '$TMP/ports' 192.0.2.18 52/8 6"
	ex=$(snat_stat ce dropped_set_exhausted)
	expect_eq "$T the 253rd flow: no port left for this destination, no answer" 0 \
		"$(n client $PKT udp-flows $SERVER4 5002 1 3)"
	expect_eq "$T ... dropped and counted" $((ex + 1)) "$(snat_stat ce dropped_set_exhausted)"
	expect_eq "$T ... and nothing left the set" 252 "$(wc -l <"$TMP/ports")"
	pkill -f 'pkt.py udp-ports 5002'; wait "$server" 2>/dev/null

	capture_start server eth0 "$TMP/icmp.pcap" icmp
	check "$T ping still works" n client ping -c 2 -i 0.3 -W 3 $SERVER4
	capture_stop
	tcpdump -r "$TMP/icmp.pcap" -n 'icmp[icmptype] = icmp-echo' 2>/dev/null |
		sed -nE 's/.*IP ([0-9.]+) > .* id ([0-9]+),.*/\1 \2/p' | sort -u >"$TMP/ids"
	check "$T ... with an echo identifier from the set" \
		sh -c "[ -s '$TMP/ids' ] && $PKT in-set '$TMP/ids' 192.0.2.18 52/8 6"
	check "$T TCP still works (200 kB intact)" tcp_send client server $SERVER4 200000 60
	n ce conntrack -L -p tcp --dport 5001 2>/dev/null |
		sed -nE 's/.* src=198\.51\.100\.1 dst=([0-9.]+) sport=5001 dport=([0-9]+) .*/\1 \2/p' >"$TMP/ct"
	check "$T conntrack shows the TCP connection as an ordinary SNAT binding into the set" \
		sh -c "[ -s '$TMP/ct' ] && $PKT in-set '$TMP/ct' 192.0.2.18 52/8 6"
}

for BACKEND in $BACKENDS; do
	ce_round
done
n ce conntrack -F 2>/dev/null

# Bad input, refused by the kernel too (the extension's own refusals are
# in tests/snatpsid_cli.sh).
dmesg -C
expect_fail "the kernel refuses a table that does not exist" '.' \
	n ce iptables-legacy -t nat -A POSTROUTING -j SNATPSID --end-user-prefix $EUP --binding-table nosuch
check "... and says why" sh -c "dmesg | grep -q 'no binding table nosuch'"
expect_fail "the kernel refuses an End-user prefix outside the BMR" '.' \
	n ce iptables-legacy -t nat -A POSTROUTING -j SNATPSID --end-user-prefix 2001:db9:12:3400::/56 --binding-table fmr
check "... and says why" sh -c "dmesg | grep -q 'the End-user prefix is not under the BMR'"
expect_fail "SNATPSID is for the nat table" '.' \
	n ce iptables-legacy -t mangle -A POSTROUTING -j SNATPSID --to 192.0.2.18 --psid 52/8

cleanup
TMP=$(mktemp -d /tmp/xtsw-test.XXXXXX)

# ---- 2. the seed 000 B4 -------------------------------------------------

b4_topology
ip -n aftr route add 192.0.2.1/32 dev sw
for BACKEND in $BACKENDS; do
	T="$BACKEND, seed B4:"
	n b4 "iptables-$BACKEND" -t nat -F; n b4 "iptables-$BACKEND" -t mangle -F
	n b4 conntrack -F 2>/dev/null
	n b4 "iptables-$BACKEND" -t nat -A POSTROUTING -o wan -j SNATPSID --to 192.0.2.1 --psid 1/4 --psid-offset 0
	n b4 "iptables-$BACKEND" -t mangle -A POSTROUTING -o wan -j LW4O6 --b4 $B4 --aftr $AFTR \
		--psid 1/4 --psid-offset 0
	settle
	capture_start aftr eth0 "$TMP/wan.pcap" "ip6 and not icmp6"
	check "$T ping from behind the B4" n client ping -c 3 -i 0.3 -W 3 $SERVER4
	check "$T TCP transfer of 2 MB arrives intact" tcp_send client server $SERVER4 2000000 90
	udp_echo server 5002 1
	check "$T UDP exchange" n client $PKT udp-ask $SERVER4 5002 "hello softwire" 1
	capture_stop
	$PKT dump4 "$TMP/wan.pcap" >"$TMP/wan"
	expect_eq "$T every packet on the wan is 4in6 between B4 and AFTR, from 192.0.2.1 in 4096-8191" "" \
		"$(grep -E ' 4in6: ' "$TMP/wan" | grep -vE "^($B4 > $AFTR 4in6: 192.0.2.1 > $SERVER4|$AFTR > $B4 4in6: $SERVER4 > 192.0.2.1) .* cksum valid$" | head -n 3)"
	check "$T TCP, UDP and echo leave from a port (identifier) in 4096-8191" \
		sh -c "grep '4in6: 192.0.2.1 > $SERVER4' '$TMP/wan' | awk '{ if (\$9 < 4096 || \$9 > 8191) exit 1 } END { exit NR == 0 }'"

	n server $PKT udp-ports 5003 1000 90 "$TMP/ports" &
	BG_PIDS+=($!)
	listening server 5003 udp
	expect_eq "$T 1000 new UDP flows are all answered" 1000 \
		"$(n client $PKT udp-flows $SERVER4 5003 1000 60)"
	check "$T ... each from a distinct port of PSID 1/4 at offset 0" \
		$PKT in-set "$TMP/ports" 192.0.2.1 1/4 0
	# A scan (from a fixed or a random place) gives neighbours in a row
	# and fills one stretch; a random choice spreads over all 16 sixteenths
	# of the set and is almost never followed by its neighbour.
	check "$T ... spread over the whole set, not a sequence" \
		python3 - "$TMP/ports" <<'PY'
import sys
ports = [int(l.split()[1]) for l in open(sys.argv[1])]
seq = sum(1 for a, b in zip(ports, ports[1:]) if b == a + 1)
parts = {(p - 4096) // 256 for p in ports}
print("  %d in a row after their neighbour, %d of 16 sixteenths hit" % (seq, len(parts)))
sys.exit(0 if seq < 50 and len(parts) == 16 else 1)
PY
done

# A protocol without ports (GRE): the address alone is translated, or the
# connection is dropped with --drop-portless.
gre() { n client python3 -c "import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, 47).sendto(b'\0\0\x08\0' + b'x' * 20, ('$SERVER4', 0))"; }
n b4 conntrack -F 2>/dev/null
capture_start server eth0 "$TMP/gre.pcap" "ip proto 47"
gre
capture_stop
expect_eq "GRE (no port): it arrives from the shared address" "192.0.2.1 > $SERVER4" \
	"$(tcpdump -r "$TMP/gre.pcap" -n 2>/dev/null | sed -nE 's/.* IP ([0-9.]+) > ([0-9.]+): GRE.*/\1 > \2/p' | head -n 1)"
check "... counted as portless_translated" test "$(snat_stat b4 portless_translated)" -ge 1
n b4 "iptables-$BACKEND" -t nat -F
n b4 "iptables-$BACKEND" -t nat -A POSTROUTING -o wan -j SNATPSID --to 192.0.2.1 --psid 1/4 --psid-offset 0 --drop-portless
n b4 conntrack -F 2>/dev/null
capture_start server eth0 "$TMP/gre2.pcap" "ip proto 47"
gre
capture_stop
expect_eq "--drop-portless: GRE does not leave" 0 "$(tcpdump -r "$TMP/gre2.pcap" -n 2>/dev/null | wc -l)"
expect_eq "... counted as dropped_portless" 1 "$(snat_stat b4 dropped_portless)"

finish
