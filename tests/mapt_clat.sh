#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Seed 003's 464XLAT (RFC 6877): a LAN IPv4 client behind our CLAT
# (-j MAPT, RFC 6877 section 6.3), an IPv6-only access network, and Jool's
# stateful NAT64 (RFC 6146) as the PLAT, pool6 64:ff9b::/96 and pool4
# 192.0.2.0/28 as in the seed, in front of an IPv4 server:
#
#   [client] 192.168.1.2 --lan-- [clat] 2001:db8:1::2 --wan (IPv6 only)--
#       2001:db8:1::1 [plat: Jool NAT64] 198.51.100.254 --eth1-- [server] 198.51.100.1
#
# Two CLATs, each with both iptables backends: the LAN keeps its addresses
# (EAM 192.168.1.0/24 <-> 2001:db8:1:ff::/120, the client is
# 2001:db8:1:ff::2), and the LAN NATed to 192.0.0.1 first (SNAT + MAPT in
# one namespace, EAM 192.0.0.1/32 <-> 2001:db8:1:ff::c1a7/128). Ping, a TCP
# transfer and UDP end to end; the wan capture must hold IPv6 only, between
# the client's EAM address and 64:ff9b::198.51.100.1, checksums valid.
# Jool's SIIT as the CLAT, same EAM and pool6, is the control that shows
# the network and the PLAT work (XTSW_MAPT_CONTROL=0 leaves it out).

. "$(dirname "$0")/lib.sh"

need_jool jool jool_siit
CTL="$REPO/tools/softwirectl/softwirectl"
CLIENT=192.168.1.2
SERVER=198.51.100.1
SERVER6=64:ff9b::c633:6401	# RFC 6052 section 2.2, /96
CLAT6=2001:db8:1:ff::2		# the client by the LAN's EAM
CLAT6_NAT=2001:db8:1:ff::c1a7	# 192.0.0.1 by the NATed CLAT's EAM

ns_add client; ns_add clat; ns_add plat; ns_add server
link client eth0 clat lan
link clat wan plat eth0
link plat eth1 server eth0
ip -n client addr add $CLIENT/24 dev eth0
ip -n client route add default via 192.168.1.1
ip -n clat addr add 192.168.1.1/24 dev lan
ip -n clat addr add 2001:db8:1::2/64 dev wan nodad
ip -n clat -6 route add default via 2001:db8:1::1
ip -n clat route add default dev wan	# the CLAT's IPv4 leaves through the IPv6-only wan
n clat sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip -n plat addr add 2001:db8:1::1/64 dev eth0 nodad
ip -n plat -6 route add 2001:db8:1:ff::/64 via 2001:db8:1::2	# the CLAT's addresses (the EAM /120 and ::c1a7)
ip -n plat addr add 198.51.100.254/24 dev eth1
n plat sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip -n server addr add $SERVER/24 dev eth0
ip -n server route add default via 198.51.100.254
for l in "client eth0" "clat wan" "plat eth0" "plat eth1" "server eth0"; do no_offload $l; done

# The PLAT: the seed's "modprobe jool pool6=64:ff9b::/96 pool4=192.0.2.0/28"
# in Jool 4.1's words.
plat_ok=true
n plat jool instance add plat --netfilter --pool6 64:ff9b::/96 || plat_ok=false
for p in tcp udp icmp; do
	n plat jool -i plat pool4 add 192.0.2.0/28 "$([ $p = icmp ] && echo 0 || echo 1)-65535" --$p ||
		plat_ok=false
done
$plat_ok && ok "PLAT: Jool NAT64, pool6 64:ff9b::/96, pool4 192.0.2.0/28" ||
	not_ok "PLAT: Jool NAT64, pool6 64:ff9b::/96, pool4 192.0.2.0/28"

# set_up DESCRIPTION COMMAND...: check, and tell the caller whether it worked.
set_up() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$desc"; return 0; fi
	not_ok "$desc"
	printf '%s\n' "$out" | sed 's/^/    /' | head -n 10
	return 1
}

# traffic NAME CLAT6: ping, TCP and UDP from the client to the server;
# the wan carries IPv6 only, between CLAT6 and SERVER6.
traffic() {
	local name=$1 c6=$2 f="$TMP/$1.pcap"
	capture_start plat eth0 "$f" "ip or ip6 or arp"
	if set_up "$name: ping $SERVER from the LAN" n client ping -c 2 -i 0.3 -W 3 $SERVER; then
		check "$name: TCP transfer to the IPv4 server arrives intact" \
			tcp_send client server $SERVER 2000000 30
		udp_echo server 5002 2
		check "$name: UDP to the IPv4 server and back" n client $PKT udp-ask $SERVER 5002 "$name" 2
	else	# say why, and spare the transfers' timeouts
		not_ok "$name: TCP and UDP not tried (no ping)"
		n clat awk '$2 != 0 { print "    clat xt_MAPT: " $0 }' /proc/net/xt_MAPT 2>/dev/null
		n plat jool -i plat stats display 2>&1 | sed 's/^/    plat jool: /' | head -n 20
		$PKT dump "$f" 2>/dev/null | head -n 6 | sed 's/^/    wan: /'
	fi
	capture_stop
	expect_eq "$name: the IPv6-only wan carried no IPv4 and no ARP" "" \
		"$(tcpdump -r "$f" -n 'not ip6' 2>/dev/null | head -n 3)"
	# Neighbour discovery and MLD aside, every packet is the client's
	# translated traffic with valid checksums.
	$PKT dump "$f" | grep -vE ' type 1(3[0-9]|4[0-3]) code ' >"$TMP/$name.txt"
	expect_eq "$name: wan packets are $c6 <-> $SERVER6, checksums valid" "" \
		"$(grep -vE "^($c6 > $SERVER6|$SERVER6 > $c6) .* cksum valid" "$TMP/$name.txt" | head -n 3)"
	expect_eq "$name: TCP, UDP and ICMPv6 echo crossed the wan both ways" "TCP 2 UDP 2 ICMPv6 2" \
		"$(for p in TCP UDP ICMPv6; do printf '%s %s ' $p "$(awk -v p=$p '$4 == p { print $1 }' \
			"$TMP/$name.txt" | sort -u | wc -l)"; done | sed 's/ $//')"
}

if [ "${XTSW_MAPT_CONTROL:-1}" = 1 ]; then
	n clat jool_siit instance add clat --netfilter --pool6 64:ff9b::/96 &&
		n clat jool_siit -i clat eamt add 192.168.1.0/24 2001:db8:1:ff::/120
	traffic "control (Jool SIIT as the CLAT)" $CLAT6
	n clat jool_siit instance remove clat
fi

# Our CLAT; the tables as docs/mapt-design.md writes them.
printf 'dmr 64:ff9b::/96\neam 192.168.1.0/24 2001:db8:1:ff::/120\n' >"$TMP/clat.txt"
printf 'dmr 64:ff9b::/96\neam 192.0.0.1/32 %s/128\n' $CLAT6_NAT >"$TMP/clat2.txt"
set_up "load the CLAT tables (softwirectl load: dmr, eam lines)" sh -c \
	"ip netns exec clat $CTL load clat $TMP/clat.txt && ip netns exec clat $CTL load clat2 $TMP/clat2.txt"
for BACKEND in $BACKENDS; do
	ipt() { n clat "iptables-$BACKEND" "$@"; }
	ip6() { n clat "ip6tables-$BACKEND" "$@"; }

	# The LAN keeps its addresses: translated as it arrives (raw PREROUTING).
	if set_up "$BACKEND: CLAT rules, the LAN's EAM" sh -c \
		"ip netns exec clat iptables-$BACKEND -t raw -A PREROUTING -i lan -j MAPT --binding-table clat &&
		 ip netns exec clat ip6tables-$BACKEND -t raw -A PREROUTING -i wan -d 2001:db8:1:ff::/120 -j MAPT --binding-table clat"; then
		traffic "$BACKEND CLAT, LAN by EAM" $CLAT6
	fi
	ipt -t raw -F; ip6 -t raw -F

	# The LAN NATed to 192.0.0.1, then translated after SNAT.
	if set_up "$BACKEND: CLAT rules, SNAT to 192.0.0.1 then MAPT" sh -c \
		"ip netns exec clat iptables-$BACKEND -t nat -A POSTROUTING -o wan -j SNAT --to 192.0.0.1 &&
		 ip netns exec clat iptables-$BACKEND -t mangle -A POSTROUTING -o wan -j MAPT --binding-table clat2 &&
		 ip netns exec clat ip6tables-$BACKEND -t raw -A PREROUTING -i wan -d $CLAT6_NAT/128 -j MAPT --binding-table clat2"; then
		traffic "$BACKEND CLAT, LAN NATed" $CLAT6_NAT
		check "$BACKEND: the CLAT's SNAT translated the connections" sh -c \
			"ip netns exec clat iptables-$BACKEND -t nat -L POSTROUTING -v -n | awk '/SNAT/ { exit !(\$1 > 0) }'"
	fi
	ipt -t nat -F; ipt -t mangle -F; ip6 -t raw -F
	n clat conntrack -F >/dev/null 2>&1
done

# The LAN's EAM as the last of 5000 (more than one netlink message holds:
# softwirectl loads them in parts, the kernel finds it through its index).
python3 -c '
print("dmr 64:ff9b::/96")
for i in range(4999):
    print("eam 10.%d.%d.0/24 2001:db8:e:%x::/120" % (i // 256, i % 256, i))
print("eam 192.168.1.0/24 2001:db8:1:ff::/120")
' >"$TMP/clat3.txt"
BACKEND=${BACKENDS%% *}
if set_up "$BACKEND: a CLAT table of 5000 EAMs, the LAN's the last, and its rules" sh -c \
	"ip netns exec clat $CTL load clat3 $TMP/clat3.txt &&
	 ip netns exec clat iptables-$BACKEND -t raw -A PREROUTING -i lan -j MAPT --binding-table clat3 &&
	 ip netns exec clat ip6tables-$BACKEND -t raw -A PREROUTING -i wan -d 2001:db8:1:ff::/120 -j MAPT --binding-table clat3"; then
	traffic "$BACKEND CLAT, LAN by the 5000th EAM" $CLAT6
fi
n clat "iptables-$BACKEND" -t raw -F; n clat "ip6tables-$BACKEND" -t raw -F
finish
