#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The LW4O6 demo (make demo runs it in the test VM after MAP66; as root on
# a host with the modules loaded it runs as it is): a LAN host behind our
# lwB4 (SNAT into its port set, then LW4O6, one namespace, no tunnel
# device), our lwAFTR with a binding table, and a server on the IPv4
# Internet. Shows what crossed the IPv6-only link between B4 and AFTR.

. "$(dirname "$0")/../tests/lib.sh"
modprobe tunnel6 2>/dev/null	# the B4 decapsulates as its IPv4-in-IPv6 handler
modprobe -a nf_conntrack nf_defrag_ipv4 nf_defrag_ipv6 nf_nat 2>/dev/null	# xt_LW4O6 needs them (insmod does not load them)
grep -q '^xt_LW4O6 ' /proc/modules || insmod "$REPO/kernel/xt_LW4O6.ko"
CTL="$REPO/tools/softwirectl/softwirectl"

say() { printf '\n== %s\n' "$*"; }

softwire_topology
settle

say "Topology"
cat <<'T'
   [LAN host] 10.0.0.2
         | lan
   [lwB4] 2001:db8:b4::2   softwire 192.0.2.1, ports 4096-8191 (PSID 1/4)
         | wan: IPv6 only
   [lwAFTR] 2001:db8:b4::1   binding table bt0
         | eth1
   [server] 198.51.100.1
T

say "The B4: SNAT into the port set, encapsulate after it, decapsulate the replies"
lw4o6_b4_rules legacy
n b4 iptables-legacy-save | grep -E 'SNAT|LW4O6'

say "The AFTR: a binding table, and three rules"
cat >"$TMP/bt0.txt" <<EOF
br-address $AFTR
softwire ipv4 192.0.2.1 psid 1 psid-length 4 psid-offset 0 b4-ipv6 $B4
EOF
cat "$TMP/bt0.txt"
n aftr "$CTL" load bt0 "$TMP/bt0.txt"
ip -n aftr route add default via $SERVER4
n aftr iptables-legacy -t raw -A PREROUTING -i eth1 -d 192.0.2.0/24 -j LW4O6 --binding-table bt0 --icmp
n aftr ip6tables-legacy -t raw -A PREROUTING -d $AFTR -j LW4O6 --binding-table bt0 --icmp
n aftr iptables-legacy -t raw -A OUTPUT -d 192.0.2.0/24 -j LW4O6 --binding-table bt0
n aftr iptables-legacy-save -t raw | grep LW4O6
n aftr ip6tables-legacy-save -t raw | grep LW4O6
settle

capture_start aftr eth0 "$TMP/wan.pcap" "ip6 and not icmp6"
say "ping from the LAN host"
n client ping -c 3 -i 0.3 $SERVER4 | grep -E 'bytes from|transmitted'
say "TCP: 256 KiB from the LAN host to the server"
tcp_send client server $SERVER4 262144 60 && echo "the server received all 262144 bytes intact"
say "UDP: a question and its answer"
udp_echo server 5002 1
n client $PKT udp-ask $SERVER4 5002 "hello from behind the B4" 1 && echo "answer received"
capture_stop

say "What the IPv6-only link saw (outer > inner, packets per flow)"
$PKT dump4 "$TMP/wan.pcap" | sed -E 's/ len [0-9]+//' |
	sort | uniq -c | sort -rn | head -n 8
echo
echo "Every packet is IPv4 in IPv6 between B4 and AFTR; inside, the LAN host is"
echo "192.0.2.1 with a port in 4096-8191."
say "The AFTR's binding table and its counters"
n aftr "$CTL" show bt0

say "SNATPSID: the whole port set, every protocol, one rule instead of three SNAT"
n b4 iptables-legacy -t nat -F
n b4 iptables-legacy -t nat -A POSTROUTING -o wan -j SNATPSID --to 192.0.2.1 --psid 1/4 --psid-offset 0
n b4 iptables-legacy-save -t nat | grep SNATPSID
n server $PKT udp-ports 5003 8 20 "$TMP/ports" &
listening server 5003 udp
echo "8 UDP flows from the LAN host: answered $(n client $PKT udp-flows $SERVER4 5003 8 10) of 8"
wait $!
echo "the server saw them from 192.0.2.1, ports drawn at random over 4096-8191:"
awk '{ printf "  %s:%s\n", $1, $2 }' "$TMP/ports"
n b4 cat /proc/net/xt_SNATPSID
cleanup
