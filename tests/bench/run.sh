#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's VM side (scripts/bench.sh boots the VM and runs it): every
# case in its own namespaces, so that no case's tables or hooks tax another,
# measured in interleaved rounds (round 1: every case, round 2: every case,
# ...). Prints raw numbers as "BENCH ..." lines, which scripts/bench.sh and
# tests/bench/report.py turn into the results table:
#
#   BENCH rate CASE ROUND PPS       packets/s leaving the router (d0 tx)
#   BENCH tcp CASE ROUND MBITS      TCP bulk goodput, Mbit/s
#   BENCH gso CASE ROUND LAN_RX WAN_TX WAN_BYTES SEGS
#                                   the same run's skbs through the router
#                                   and segments the client sent (tcp_gso)
#   BENCH ctl KEY VALUE             control plane
#
# Packet cases: a generator namespace feeds a router namespace over a veth;
# the router sends what it forwards into a dummy d0, behind one next hop
# (no neighbour entry per destination):
#
#   [gen_C] g0 --veth-- i0 [r_C] d0 (dummy) -> 2001:db8::/32 via 2001:db8:fffe::2,
#                                             IPv4 default via 10.255.0.2
#
# pktgen sends 100-byte UDP frames (pkt_size 100); the decapsulation cases
# need 4in6 packets, which pktgen cannot make: tests/bench/sendraw sends the
# frames of tests/bench/frames.py (the same 100-byte IPv4 packet inside),
# and their plain case is the same frames forwarded as IPv6.
#
# Environment: XTSW_BENCH_ROUNDS (default 3), XTSW_BENCH_PACKETS per run
# (default 100000), XTSW_BENCH_TCP_SECS (default 5), XTSW_BENCH_CASES (a
# space-separated list of groups: v6 v4 b4 aftr decap nat tcp ctl xlat;
# default all).
#
#   BENCH rate nat_CASE ROUND CONNS  new connections NATed per second

. "$(dirname "$0")/../lib.sh"

# The tool is being renamed: whichever exists.
CTL=$REPO/tools/softwirectl/softwirectl
ROUNDS=${XTSW_BENCH_ROUNDS:-3}
PKTS=${XTSW_BENCH_PACKETS:-100000}
TCP_SECS=${XTSW_BENCH_TCP_SECS:-5}
GROUPS_ON=" ${XTSW_BENCH_CASES:-v6 v4 b4 aftr decap nat tcp ctl xlat} "
on() { case $GROUPS_ON in *" $1 "*) return 0 ;; esac; return 1; }
IPT=iptables-legacy
IP6T=ip6tables-legacy
SENDRAW=$REPO/build/bench/sendraw
FRAMES="/usr/bin/python3 $REPO/tests/bench/frames.py"

# Modules: the kernel's, then ours from this tree (as tests/suite.sh does).
for m in veth dummy x_tables ip_tables iptable_mangle iptable_nat iptable_raw \
	 ip6_tables ip6table_mangle ip6table_raw nf_conntrack nf_defrag_ipv4 nf_defrag_ipv6 ip6t_NPT tunnel6 ip6_tunnel pktgen \
	 nf_tables nft_compat nft_chain_nat; do
	modprobe "$m" 2>/dev/null
done
for m in xt_MAP66 xt_LW4O6; do
	grep -q "^$m " /proc/modules && rmmod $m
	insmod "$REPO/kernel/$m.ko" || { echo "not ok - load $m"; exit 1; }
done
# Jool's SIIT (Debian's jool-dkms) for the xlat group's comparison.
JOOL=0
if on xlat; then
	if out=$(modprobe jool_siit 2>&1); then
		JOOL=1
	else
		echo "not ok - modprobe jool_siit (jool-dkms, scripts/install-deps.sh): $out"
	fi
fi
echo "BENCH info kernel $(uname -r)"
echo "BENCH info cpus $(nproc)"
echo "BENCH info slub_debug $(grep -o 'slub_debug=[^ ]*' /proc/cmdline || echo none)"
echo "BENCH info rounds $ROUNDS packets $PKTS tcp_secs $TCP_SECS"

CASES=()		# packet cases, in the order they run in each round
declare -A GEN=()	# CASE -> pktgen | FRAMEFILE (sendraw)
declare -A PGCONF=()	# CASE -> pktgen commands for g0, one per line

# router_base CASE: gen_CASE and r_CASE joined by g0 -- i0, d0 in r_CASE.
router_base() {
	local g=gen_$1 r=r_$1
	ns_add $g; ns_add $r
	link $g g0 $r i0
	ip -n $g addr add 198.18.0.2/24 dev g0
	ip -n $g route add default via 198.18.0.1
	ip -n $g addr add fd01:203:405:1::2/64 dev g0
	ip -n $r addr add 198.18.0.1/24 dev i0
	ip -n $r addr add fd01:203:405:1::1/64 dev i0
	ip -n $r link add d0 type dummy
	ip -n $r link set d0 up
	ip -n $r addr add 2001:db8:fffe::1/64 dev d0
	ip -n $r addr add 10.255.0.1/24 dev d0
	ip -n $r -6 route add 2001:db8::/32 via 2001:db8:fffe::2 dev d0
	ip -n $r route add default via 10.255.0.2 dev d0
	n $r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.i0.rp_filter=0
	CASES+=("$1")
}
mac_of() { ip -n "$1" link show "$2" | awk '/ether/ { print $2 }'; }

# pktgen_case CASE KIND [EXTRA...]: the pktgen flow of CASE. KIND v6: UDP
# fd01:203:405:1::2 -> 2001:db8:100::1; v4: 198.18.0.2 -> 203.0.113.1;
# EXTRA: more pktgen commands (ranges, flags).
pktgen_case() {
	local c=$1 kind=$2
	shift 2
	GEN[$c]=pktgen
	PGCONF[$c]="count $PKTS
clone_skb 0
pkt_size 100
delay 0
dst_mac $(mac_of r_$c i0)
udp_src_min 4242
udp_src_max 4242
udp_dst_min 4242
udp_dst_max 4242"
	if [ "$kind" = v6 ]; then
		PGCONF[$c]+="
src6 fd01:203:405:1::2
dst6 2001:db8:100::1"
	else
		PGCONF[$c]+="
src_min 198.18.0.2
src_max 198.18.0.2
dst_min 203.0.113.1
dst_max 203.0.113.1"
	fi
	local e
	for e in "$@"; do PGCONF[$c]+="
$e"; done
}
# The AFTR encapsulation flows draw random sources (and destinations): the
# same generator work for every table size and for their plain case.
RANDOM_SRC=("src_min 198.18.0.2" "src_max 198.18.0.250" "udp_src_min 1024"
	    "udp_src_max 65535" "flag IPSRC_RND" "flag UDPSRC_RND"
	    "flag IPDST_RND" "flag UDPDST_RND")

# sendraw_case CASE MODE: frames.py's MODE frames, to r_CASE's i0.
sendraw_case() {
	$FRAMES "$TMP/frames.$1" "$(mac_of r_$1 i0)" "$2"
	GEN[$1]=$TMP/frames.$1
}

# bench_b4_setup NS WAN DECAP: the README's lw4o6 B4 in NS, its IPv6-only
# uplink WAN (IPv4 leaves through it): SNAT into PSID 1 of 4 bits at offset
# 0, encapsulation after SNAT to the AFTR and, with DECAP=1, decapsulation
# of the replies. The B4 design changes: this is the one place that knows
# its rules. Up to issue 9 the decapsulation was an ip6tables mangle
# PREROUTING rule (DECAP=0 leaves it out, to measure what it costs the
# encapsulation); since then (kernel/lw4o6_b4.c) the one iptables rule
# decapsulates too, through a tunnel6 handler, and b4_split_rules is false.
B4_ADDR=2001:db8:b4::2
AFTR_ADDR=2001:db8:ffff::1
b4_split_rules() { [ ! -f "$REPO/kernel/lw4o6_b4.c" ]; }
bench_b4_setup() {
	local ns=$1 wan=$2 p
	local ipt=${B4_IPT:-$IPT}
	for p in tcp udp icmp; do
		n $ns $ipt -t nat -A POSTROUTING -o $wan -p $p -j SNAT --to 192.0.2.1:4096-8191
	done
	if ! b4_split_rules; then
		# shellcheck disable=SC2086 # B4_EXTRA: options, split
		n $ns $ipt -t mangle -A POSTROUTING -o $wan -j LW4O6 --b4 $B4_ADDR --aftr $AFTR_ADDR \
			--psid 1/4 --psid-offset 0 ${B4_EXTRA:-}
		return
	fi
	n $ns $IPT -t mangle -A POSTROUTING -o $wan -j LW4O6 --b4 $B4_ADDR --aftr $AFTR_ADDR
	[ "$3" = 1 ] && n $ns $IP6T -t mangle -A PREROUTING -i $wan -j LW4O6 \
		--b4 $B4_ADDR --aftr $AFTR_ADDR --psid 1/4 --psid-offset 0
	return 0
}
# b4_case CASE DECAP [PKTGEN...]: the B4 of bench_b4_setup in r_CASE.
b4_case() {
	local c=$1 d=$2
	shift 2
	router_base $c
	ip -n r_$c addr add $B4_ADDR/128 dev d0
	ip -n r_$c route add 203.0.113.0/24 dev d0
	pktgen_case $c v4 "$@"
	bench_b4_setup r_$c d0 $d
}
# ip4ip6_b4 NS: Linux's ip4ip6 device sw to the AFTR, IPv4 through it.
ip4ip6_b4() {
	ip -n $1 addr add $B4_ADDR/128 dev lo
	ip -n $1 -6 tunnel add sw mode ip4ip6 local $B4_ADDR remote $AFTR_ADDR
	ip -n $1 link set sw up
}

# Binding tables: one softwire; 10 000 (625 addresses x 16 PSIDs, length
# 4); 1 048 576 (16384 addresses x 64 PSIDs, length 6); offset 6. Address
# number I is 100.64.I/256.I%256, its PSID P's B4 2001:db8:I:P::1 (what
# frames.py sends from).
table_file() {	# NADDR PSIDLEN
	awk -v aftr=$AFTR_ADDR -v na="$1" -v pl="$2" 'BEGIN {
		print "br-address " aftr
		for (i = 0; i < na; i++)
			for (p = 0; p < 2 ^ pl; p++)
				printf "softwire ipv4 100.64.%d.%d psid %d/%d b4-ipv6 2001:db8:%x:%x::1\n",
					int(i / 256), i % 256, p, pl, i, p
	}'
}
printf 'br-address %s\nsoftwire ipv4 100.64.0.1 psid 5/6 b4-ipv6 2001:db8:0:5::1\n' \
	$AFTR_ADDR >"$TMP/t1"
table_file 625 4 >"$TMP/t10k"
on aftr || on decap || on ctl && table_file 16384 6 >"$TMP/t1M"
declare -A TABLE_OF=([1]=t1 [10k]=t10k [1M]=t1M)

# --- control plane: the 1M load, in the namespace of the 1M encap case ----
ctl_bench() {
	local ns=$1 s e before after
	mem_avail() { awk '/^MemAvailable/ { print $2 * 1024 }' /proc/meminfo; }
	s=$EPOCHREALTIME
	"$CTL" check "$TMP/t1M" >/dev/null || echo "not ok - $CTL check of the 1M file"
	echo "BENCH ctl parse_s $(echo "$EPOCHREALTIME - $s" | bc)"
	sync; echo 3 >/proc/sys/vm/drop_caches
	before=$(mem_avail)
	# Meanwhile: nlctrl requests (genl_mutex, as nl80211, devlink and
	# ethtool's netlink take it) and ethtool -i (an ioctl under RTNL), each
	# timed; their slowest answers say what the load holds up.
	rm -f "$TMP/load.end"
	n $ns $PKT genl-probe "$TMP/probe" "$TMP/load.end" 600 --interval 0.01 &
	BG_PIDS+=($!)
	local probe=$!
	(while [ ! -e "$TMP/load.end" ]; do
		s=$EPOCHREALTIME; ethtool -i lo >/dev/null 2>&1; e=$EPOCHREALTIME
		echo "$s $e"; sleep 0.01
	done >"$TMP/ethtool") &
	local eth=$!
	sleep 1
	s=$EPOCHREALTIME
	n $ns "$CTL" load big "$TMP/t1M" >/dev/null || echo "not ok - load of 1M softwires"
	e=$EPOCHREALTIME
	touch "$TMP/load.end"
	wait $probe $eth
	echo "BENCH ctl load_s $(echo "$e - $s" | bc)"
	after=$(mem_avail)
	echo "BENCH ctl softwires $(n $ns "$CTL" show big | awk '$1 == "softwires" { print $2 }')"
	echo "BENCH ctl bytes_per_softwire_table $(n $ns "$CTL" show big | awk '$1 == "memory" { printf "%.1f", $2 / 1048576 }')"
	echo "BENCH ctl bytes_per_softwire_memavail $(( (before - after) / 1048576 ))"
	echo "BENCH ctl nlctrl_requests $(wc -l <"$TMP/probe")"
	echo "BENCH ctl nlctrl_max_wait_s $(awk '$2 - $1 > m { m = $2 - $1 } END { printf "%.3f", m }' "$TMP/probe")"
	echo "BENCH ctl ethtool_requests $(wc -l <"$TMP/ethtool")"
	echo "BENCH ctl ethtool_max_wait_s $(awk '$2 - $1 > m { m = $2 - $1 } END { printf "%.3f", m }' "$TMP/ethtool")"
}

# --- the packet cases -----------------------------------------------------
if on v6; then
	for c in v6_plain v6_snpt v6_map66 v6_map66_120; do
		router_base $c
		pktgen_case $c v6
	done
	n r_v6_snpt $IP6T -t mangle -A POSTROUTING -o d0 -s fd01:203:405::/48 -j SNPT \
		--src-pfx fd01:203:405::/48 --dst-pfx 2001:db8:1::/48
	n r_v6_map66 $IP6T -t mangle -A POSTROUTING -o d0 -s fd01:203:405::/48 -j MAP66 \
		--to 2001:db8:1::/48
	n r_v6_map66_120 $IP6T -t mangle -A POSTROUTING -o d0 -s fd01:203:405:1::/120 -j MAP66 \
		--to 2001:db8:1:1::/120
fi
if on v4 || on b4; then
	router_base v4_plain
	pktgen_case v4_plain v4
fi
if on v4; then
	router_base v4_ip6tnl_encap
	ip4ip6_b4 r_v4_ip6tnl_encap
	ip -n r_v4_ip6tnl_encap route add 203.0.113.0/24 dev sw
	pktgen_case v4_ip6tnl_encap v4
fi
if on b4; then
	router_base b4_ip6tnl_snat
	ip4ip6_b4 r_b4_ip6tnl_snat
	ip -n r_b4_ip6tnl_snat route add 203.0.113.0/24 dev sw
	for p in tcp udp icmp; do
		n r_b4_ip6tnl_snat $IPT -t nat -A POSTROUTING -o sw -p $p -j SNAT --to 192.0.2.1:4096-8191
	done
	pktgen_case b4_ip6tnl_snat v4
	# Besides the README's rules: with a fixed --flowlabel (no hash of
	# the inner flow per packet), and with iptables-nft (only the chains
	# used are hooked) instead of iptables-legacy (every chain of mangle).
	b4s="b4_lw4o6 b4_lw4o6_label b4_lw4o6_nft"
	b4_split_rules && b4s="b4_lw4o6 b4_lw4o6_nodecap"
	for c in $b4s; do
		case $c in
		b4_lw4o6_label) B4_EXTRA="--flowlabel 1" ;;
		b4_lw4o6_nft) B4_IPT=iptables-nft ;;
		esac
		b4_case $c $([ $c = b4_lw4o6 ] && echo 1 || echo 0)
		B4_EXTRA= B4_IPT=
	done
fi
if on aftr; then
	router_base aftr_plain
	pktgen_case aftr_plain v4 "${RANDOM_SRC[@]}"
	for t in 1 10k 1M; do
		c=aftr_encap_$t
		router_base $c
		ip -n r_$c addr add $AFTR_ADDR/128 dev lo
		if [ $t = 1M ] && on ctl; then
			ctl_bench r_$c
		else
			n r_$c "$CTL" load big "$TMP/${TABLE_OF[$t]}" >/dev/null
		fi
		n r_$c $IPT -t raw -A PREROUTING -i i0 -j LW4O6 --binding-table big
	done
	pktgen_case aftr_encap_1 v4 "${RANDOM_SRC[@]}" "dst_min 100.64.0.1" "dst_max 100.64.0.1" \
		"udp_dst_min 1104" "udp_dst_max 1104"
	pktgen_case aftr_encap_10k v4 "${RANDOM_SRC[@]}" "dst_min 100.64.0.0" "dst_max 100.64.2.112" \
		"udp_dst_min 1024" "udp_dst_max 65535"
	pktgen_case aftr_encap_1M v4 "${RANDOM_SRC[@]}" "dst_min 100.64.0.0" "dst_max 100.64.63.255" \
		"udp_dst_min 1024" "udp_dst_max 65535"
elif on ctl; then
	ns_add ctl
	ctl_bench ctl
fi
if on decap; then
	router_base decap_plain		# the 4in6 frames forwarded as IPv6
	sendraw_case decap_plain one
	router_base decap_ip6tnl
	ip -n r_decap_ip6tnl addr add $AFTR_ADDR/128 dev lo
	ip -n r_decap_ip6tnl -6 tunnel add sw mode ip4ip6 local $AFTR_ADDR remote $B4_ADDR
	ip -n r_decap_ip6tnl link set sw up
	sendraw_case decap_ip6tnl tnl
	for t in 1 10k 1M; do
		c=aftr_decap_$t
		router_base $c
		ip -n r_$c addr add $AFTR_ADDR/128 dev lo
		n r_$c "$CTL" load big "$TMP/${TABLE_OF[$t]}" >/dev/null
		n r_$c $IP6T -t raw -A PREROUTING -d $AFTR_ADDR -j LW4O6 --binding-table big
		case $t in 1) sendraw_case $c one ;; *) sendraw_case $c $t ;; esac
	done
fi
# The translator (issue 12): the MAP-T BR both ways (seed 002's rule), the
# MAP-T CE after NAT (one UDP flow, one conntrack entry; next to the LW4O6
# B4), the CLAT/SIIT (an EAM of the generator's /24 and the DMR) both ways,
# and Jool's SIIT (jool-dkms) with the same pool6 and EAM on the same
# traffic. An IPv4-in case is measured against xlat_v4_plain, an IPv6-in
# one against xlat_v6_plain: forwarding of the same pktgen flow (to other
# addresses for the BR), in the same run. Every flow of the group carries
# a UDP checksum (pktgen's flag UDPCSUM: CHECKSUM_PARTIAL on the veth), as
# a host's would: a translator drops IPv4 UDP without one (RFC 7915
# section 4.5) and IPv6 UDP must have one. The translated packets leave
# through d0: the DMR's 64:ff9b::/96 (and the MAP domain) via d0's IPv6
# neighbour.
MAPT_CE_EUP=2001:db8:ce:11b::/64	# seed 002's CE 11b: 192.0.2.8,
MAPT_CE_ADDR=2001:db8:ce:11b:0:c000:208:1b	# PSID 27, ports 55296-57343
XLAT_EAM4=198.18.0.0/24 XLAT_EAM6=2001:db8:1:ff::/120
printf 'rule %s\ndmr %s\n' "$MAPT_RULE" $MAPT_DMR >"$TMP/mapt"
printf 'eam %s %s\ndmr %s\n' $XLAT_EAM4 $XLAT_EAM6 $MAPT_DMR >"$TMP/siit"
CSUM="flag UDPCSUM"
xlat_router() {	# CASE
	router_base $1
	ip -n r_$1 -6 route add $MAPT_DMR via 2001:db8:fffe::2 dev d0
}
mapt_raw() {	# CASE IPTABLES TABLEFILE: MAPT in raw PREROUTING on i0
	local out

	out=$(n r_$1 "$CTL" load t "$3") &&
	echo "# $1: $out; $(n r_$1 "$CTL" show t | grep -o 'memory [0-9]* bytes')" &&
	n r_$1 $2 -t raw -A PREROUTING -i i0 -j MAPT --binding-table t ||
		echo "not ok - $1: MAPT set-up"
}
jool_siit_case() {	# CASE: Jool's SIIT, the same pool6 and EAM as $TMP/siit
	xlat_router $1
	n r_$1 jool_siit instance add --netfilter --pool6 $MAPT_DMR &&
	n r_$1 jool_siit eamt add $XLAT_EAM6 $XLAT_EAM4 ||
		echo "not ok - $1: Jool SIIT set-up"
}
# UDP 2001:db8:1:ff::2 (EAM: 198.18.0.2) -> 64:ff9b::cb00:7101 (DMR:
# 203.0.113.1): xlat_v4_plain's flow, in IPv6.
SIIT_6TO4=("src6 2001:db8:1:ff::2" "dst6 64:ff9b::cb00:7101" "$CSUM")
XLAT_MAPT=()			# the cases with MAPT rules
if on xlat; then
	router_base xlat_v4_plain
	pktgen_case xlat_v4_plain v4 "$CSUM"
	router_base xlat_v6_plain
	pktgen_case xlat_v6_plain v6 "$CSUM"
	b4_case xlat_b4_lw4o6 1 "$CSUM"
	xlat_router mapt_br_4to6	# to CE 11b (port 55296: PSID 27)
	ip -n r_mapt_br_4to6 -6 route add 2001:db8:ce::/51 via 2001:db8:fffe::2 dev d0
	mapt_raw mapt_br_4to6 $IPT "$TMP/mapt"
	pktgen_case mapt_br_4to6 v4 "dst_min 192.0.2.8" "dst_max 192.0.2.8" \
		"udp_dst_min 55296" "udp_dst_max 55296" "$CSUM"
	xlat_router mapt_br_6to4	# from CE 11b to the seed's server
	mapt_raw mapt_br_6to4 $IP6T "$TMP/mapt"
	pktgen_case mapt_br_6to4 v6 "src6 $MAPT_CE_ADDR" "dst6 $MAPT_SERVER6" \
		"udp_src_min 55296" "udp_src_max 55296" "$CSUM"
	xlat_router mapt_ce
	ip -n r_mapt_ce route replace default dev d0
	n r_mapt_ce "$CTL" load ce "$TMP/mapt" >/dev/null
	n r_mapt_ce $IPT -t nat -A POSTROUTING -o d0 -j SNATPSID --end-user-prefix $MAPT_CE_EUP \
		--binding-table ce
	n r_mapt_ce $IPT -t mangle -A POSTROUTING -o d0 -j MAPT --end-user-prefix $MAPT_CE_EUP \
		--binding-table ce
	n r_mapt_ce $IP6T -t raw -A PREROUTING -i d0 -j MAPT --end-user-prefix $MAPT_CE_EUP \
		--binding-table ce
	pktgen_case mapt_ce v4 "$CSUM"
	xlat_router mapt_clat
	mapt_raw mapt_clat $IPT "$TMP/siit"
	pktgen_case mapt_clat v4 "$CSUM"
	xlat_router mapt_siit_6to4
	mapt_raw mapt_siit_6to4 $IP6T "$TMP/siit"
	pktgen_case mapt_siit_6to4 v6 "${SIIT_6TO4[@]}"
	# The same with 100000 EAMs, the matching one last in the file
	# (99999 /32 <-> /128 before it, loaded in parts): the lookup is the
	# index's binary search, not a scan (issue 18: within 10% of 1 EAM).
	python3 -c '
for i in range(99999):
    print("eam 10.%d.%d.%d/32 2001:db8:100::%x:%x/128" % (i >> 16, (i >> 8) & 255, i & 255, i >> 16, i & 0xffff))' >"$TMP/siit100k"
	cat "$TMP/siit" >>"$TMP/siit100k"
	xlat_router mapt_siit_6to4_eam100k
	mapt_raw mapt_siit_6to4_eam100k $IP6T "$TMP/siit100k"
	pktgen_case mapt_siit_6to4_eam100k v6 "${SIIT_6TO4[@]}"
	XLAT_MAPT=(mapt_br_4to6 mapt_br_6to4 mapt_ce mapt_clat mapt_siit_6to4 mapt_siit_6to4_eam100k)
	if [ $JOOL = 1 ]; then
		jool_siit_case jool_siit_4to6
		pktgen_case jool_siit_4to6 v4 "$CSUM"
		jool_siit_case jool_siit_6to4
		pktgen_case jool_siit_6to4 v6 "${SIIT_6TO4[@]}"
	fi
fi
rm -f "$TMP/t1M"

# pg_run NS: run the pktgen commands of stdin on NS's g0; prints pktgen's
# own time of the run, in seconds.
pg_run() {
	n "$1" sh -c '
		cd /proc/net/pktgen
		echo rem_device_all >kpktgend_0
		echo "add_device g0" >kpktgend_0
		while read -r l; do echo "$l" >g0; done
		echo start >pgctrl
		sed -n "s/^Result: OK: \([0-9]*\)(.*/\1/p" g0' | awk '{ print $1 / 1e6 }'
}

# New connections (issue 11): SNAT into 4096-8191 against SNATPSID into the
# same set (PSID 1/4 at offset 0), every packet a new UDP connection to one
# destination (random source address and port). An nft chain after NAT
# (postrouting, priority 200) counts and drops them before conntrack
# confirms them: no entry stays, each packet meets the same set, and the
# rate is the NAT setup's. The _90 and _99 cases first fill 90% (99%) of
# the set for that destination (3686, 4055 confirmed connections from
# 198.18.0.2, not dropped): SNATPSID's search is bounded (32 random draws,
# then at most 256 ports in order), so at 99% some connections find no
# port and are dropped (counted in dropped_set_exhausted).
NAT_CASES=()
NAT_PKTS=${XTSW_BENCH_NAT_PACKETS:-20000}
nat_flow() {	# CASE COUNT SRC_MIN SRC_MAX SPORT_MIN SPORT_MAX [flags...]
	local c=$1
	printf '%s\n' "count $2" "clone_skb 0" "pkt_size 100" "delay 0" \
		"dst_mac $(mac_of r_$c i0)" "src_min $3" "src_max $4" \
		"dst_min 203.0.113.1" "dst_max 203.0.113.1" \
		"udp_src_min $5" "udp_src_max $6" "udp_dst_min 4242" "udp_dst_max 4242" "${@:7}"
}
nat_counted() { n r_$1 nft list chain ip natbench post | awk '/counter/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'; }
run_nat() {
	local c=$1 c0 c1 t
	n r_$c conntrack -F 2>/dev/null
	case $c in *_90|*_99)
		local fill=3686
		[ "${c##*_}" = 99 ] && fill=4055
		nat_flow $c $fill 198.18.0.2 198.18.0.2 10000 $((10000 + fill - 1)) | pg_run gen_$c >/dev/null
		n r_$c conntrack -C >"$TMP/prefill.$c" 2>/dev/null ;;
	esac
	c0=$(nat_counted $c)
	t=$(nat_flow $c "$NAT_PKTS" 198.18.0.3 198.18.0.250 1024 65535 "flag IPSRC_RND" "flag UDPSRC_RND" |
		pg_run gen_$c)
	c1=$(nat_counted $c)
	echo "($c1 - $c0) / $t" | bc
}
if on nat; then
	n_cases=${#CASES[@]}
	for c in nat_snat nat_snatpsid nat_snat_90 nat_snatpsid_90 nat_snat_99 nat_snatpsid_99; do
		router_base $c
		case $c in
		nat_snatpsid*) n r_$c $IPT -t nat -A POSTROUTING -o d0 -j SNATPSID --to 192.0.2.1 --psid 1/4 --psid-offset 0 ;;
		*) n r_$c $IPT -t nat -A POSTROUTING -o d0 -p udp -j SNAT --to 192.0.2.1:4096-8191 ;;
		esac
		n r_$c nft -f - <<'NFT'
table ip natbench {
	chain post {
		type filter hook postrouting priority 200;
		ct original ip saddr != 198.18.0.2 counter drop
	}
}
NFT
		n r_$c sysctl -qw net.netfilter.nf_conntrack_max=262144
		NAT_CASES+=("$c")
	done
	CASES=("${CASES[@]:0:$n_cases}")	# measured by run_nat, not run_case
fi

# run_case CASE: one run; prints packets/s leaving r_CASE's d0. The time
# of a pktgen run is pktgen's own (its Result line, in microseconds): the
# write to pgctrl returns up to 100 ms late (pktgen polls its threads with
# msleep(100)), which made rates of ~2 s runs come out in 4% steps.
egress() { n r_$1 cat /sys/class/net/d0/statistics/tx_packets; }
run_case() {
	local c=$1 c0 c1 times
	c0=$(egress $c)
	if [ "${GEN[$c]}" = pktgen ]; then
		times=$(printf '%s\n' "${PGCONF[$c]}" | pg_run gen_$c)
	else
		times=$(n gen_$c "$SENDRAW" g0 "${GEN[$c]}" $PKTS | awk '{ print $2 }')
	fi
	sleep 0.2
	c1=$(egress $c)
	echo "($c1 - $c0) / $times" | bc
}

# TCP bulk: client -- B4 -- AFTR (Linux's ip4ip6 device) -- server, veth
# offloads on (TSO/GSO), iperf3 for TCP_SECS seconds (the first one not
# counted). tcp_b4: the LW4O6 B4 (bench_b4_setup); tcp_ip6tnl: the seed's
# B4, Linux's ip4ip6 device and SNAT; tcp_mapt_ce (group xlat): our MAP-T
# CE (one namespace: SNATPSID + MAPT) -- our MAP-T BR.
TCP_CASES=()
# tcp_ends SUFFIX: tc_ (10.0.0.2) -- lan tb_ wan -- eth0 ta_ eth1 -- ts_
# (198.51.100.1, the iperf3 server); IPv4 forwarding in tb_ and ta_.
tcp_ends() {
	local c=tc_$1 b=tb_$1 a=ta_$1 v=ts_$1
	ns_add $c; ns_add $b; ns_add $a; ns_add $v
	link $c eth0 $b lan
	link $b wan $a eth0
	link $a eth1 $v eth0
	ip -n $c addr add 10.0.0.2/24 dev eth0
	ip -n $c route add default via 10.0.0.1
	ip -n $b addr add 10.0.0.1/24 dev lan
	n $b sysctl -qw net.ipv4.ip_forward=1
	ip -n $a addr add 198.51.100.254/24 dev eth1
	n $a sysctl -qw net.ipv4.ip_forward=1
	ip -n $v addr add 198.51.100.1/24 dev eth0
	ip -n $v route add default via 198.51.100.254
	n $v iperf3 -s -D -p 5201 >/dev/null
	TCP_CASES+=("$1")
}
tcp_topology() {	# SUFFIX: tcp_ends, the B4's and the AFTR's IPv6
	local b=tb_$1 a=ta_$1
	tcp_ends $1
	ip -n $b addr add $B4_ADDR/64 dev wan
	ip -n $a addr add $AFTR_ADDR/64 dev eth0
	ip -n $b -6 route add $AFTR_ADDR/128 dev wan	# the two /64s share the link
	ip -n $a -6 route add $B4_ADDR/128 dev eth0
	ip -n $a -6 tunnel add sw mode ip4ip6 local $AFTR_ADDR remote $B4_ADDR
	ip -n $a link set sw up
	ip -n $a route add 192.0.2.1/32 dev sw
}
if on tcp; then
	tcp_topology b4
	ip -n tb_b4 route add default dev wan
	bench_b4_setup tb_b4 wan 1
	tcp_topology ip6tnl
	ip -n tb_ip6tnl -6 tunnel add sw mode ip4ip6 local $B4_ADDR remote $AFTR_ADDR
	ip -n tb_ip6tnl link set sw up
	ip -n tb_ip6tnl route add default dev sw
	for p in tcp udp icmp; do
		n tb_ip6tnl $IPT -t nat -A POSTROUTING -o sw -p $p -j SNAT --to 192.0.2.1:4096-8191
	done
fi
if on xlat; then
	# Seed 002's CE 11b (192.0.2.8, ports 55296-57343) on the IPv6 link
	# 2001:db8:6::/64 to the BR; the server is 64:ff9b::c633:6401.
	tcp_ends mapt_ce
	ce=tb_mapt_ce br=ta_mapt_ce
	ip -n $ce addr add 2001:db8:6::11b/64 dev wan
	ip -n $br addr add 2001:db8:6::1/64 dev eth0
	n $br sysctl -qw net.ipv6.conf.all.forwarding=1
	ip -n $ce route add default dev wan
	ip -n $ce -6 route add $MAPT_DMR via 2001:db8:6::1
	ip -n $br -6 route add $MAPT_CE_EUP via 2001:db8:6::11b
	n $ce "$CTL" load ce "$TMP/mapt" >/dev/null
	n $ce $IPT -t nat -A POSTROUTING -o wan -j SNATPSID --end-user-prefix $MAPT_CE_EUP --binding-table ce
	n $ce $IPT -t mangle -A POSTROUTING -o wan -j MAPT --end-user-prefix $MAPT_CE_EUP --binding-table ce
	# -d: the rules see only what is to be translated. Without it, MAPT
	# drops the neighbour solicitations for the routers' own link
	# addresses (dropped_icmp_untranslatable) and nothing crosses.
	n $ce $IP6T -t raw -A PREROUTING -i wan -d $MAPT_CE_EUP -j MAPT --end-user-prefix $MAPT_CE_EUP \
		--binding-table ce
	n $br "$CTL" load br "$TMP/mapt" >/dev/null
	n $br $IP6T -t raw -A PREROUTING -i eth0 -d $MAPT_DMR -j MAPT --binding-table br
	n $br $IPT -t raw -A PREROUTING -i eth1 -d 192.0.2.0/24 -j MAPT --binding-table br
fi
[ ${#TCP_CASES[@]} -gt 0 ] && settle
# GSO through the router tb_ (the B4, the CE): per run, the skbs its lan
# received and its wan sent (a GSO skb counts once on a veth), the bytes
# its wan sent, and the segments the client's TCP sent (Tcp OutSegs, per
# MSS): wan skbs about lan skbs, far fewer than segments, means the
# super-packets crossed the router whole (no software segmentation there).
tcp_gso() {	# SUFFIX: "LAN_RX_PKTS WAN_TX_PKTS WAN_TX_BYTES CLIENT_OUTSEGS"
	local s=/sys/class/net
	echo "$(n tb_$1 cat $s/lan/statistics/rx_packets) $(n tb_$1 cat $s/wan/statistics/tx_packets)" \
		"$(n tb_$1 cat $s/wan/statistics/tx_bytes)" \
		"$(n tc_$1 awk '$1 == "Tcp:" && !h { for (i = 1; i <= NF; i++) k[i] = $i; h = 1; next }
			$1 == "Tcp:" { for (i = 1; i <= NF; i++) if (k[i] == "OutSegs") print $i }' /proc/net/snmp)"
}
run_tcp() {
	n tc_$1 timeout $((TCP_SECS + 30)) iperf3 -c 198.51.100.1 -p 5201 -t "$TCP_SECS" -O 1 \
		--connect-timeout 5000 -J 2>/dev/null |
		/usr/bin/python3 -c 'import json, sys
try:
    print("%.1f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))
except Exception:
    print(0)'
}

echo "BENCH info cases ${CASES[*]} ${NAT_CASES[*]} ${TCP_CASES[*]/#/tcp_}"
declare -A BEST=()
for round in $(seq "$ROUNDS"); do
	for c in "${CASES[@]}"; do
		r=$(run_case $c)
		echo "BENCH rate $c $round $r"
		[ "${r%.*}" -gt "${BEST[$c]:-0}" ] && BEST[$c]=${r%.*}
	done
	for c in "${NAT_CASES[@]}"; do
		r=$(run_nat $c)
		echo "BENCH rate $c $round $r"
		[ "${r%.*}" -gt "${BEST[$c]:-0}" ] && BEST[$c]=${r%.*}
	done
	for c in "${TCP_CASES[@]}"; do
		g0=$(tcp_gso $c)
		r=$(run_tcp $c)
		echo "BENCH tcp tcp_$c $round $r"
		echo "BENCH gso tcp_$c $round $(echo "$(tcp_gso $c) $g0" |
			awk '{ print $1 - $5, $2 - $6, $3 - $7, $4 - $8 }')"
		[ "${r%.*}" -gt "${BEST[tcp_$c]:-0}" ] && BEST[tcp_$c]=${r%.*}
	done
done

# Profiles (XTSW_BENCH_PROFILE="CASE ..."): one more run of each case
# under perf record on all CPUs (cpu-clock: TCG has no hardware counters),
# and the top of perf report by symbol in the log, as "# perf CASE: ...".
for c in ${XTSW_BENCH_PROFILE:-}; do
	[ -n "${GEN[$c]:-}" ] || { echo "# perf $c: no such case"; continue; }
	perf record -a -e cpu-clock -o "$TMP/perf.$c" >/dev/null 2>&1 &
	pp=$!
	sleep 1
	echo "# perf $c: $(run_case $c) packets/s under perf"
	kill -INT $pp; wait $pp 2>/dev/null
	perf report -i "$TMP/perf.$c" --stdio --no-children --sort dso,sym --percent-limit 0.7 2>/dev/null |
		grep -v '^#' | grep . | head -n 45 | sed "s/^/# perf $c: /"
done

# What a user sees: traffic crossed every case, and the tables' counters
# say the packets were the expected ones (nothing unbound or spoofed).
for c in "${CASES[@]}"; do
	check "$c: traffic crossed (best ${BEST[$c]:-0} packets/s)" test "${BEST[$c]:-0}" -gt 0
done
for c in "${NAT_CASES[@]}"; do
	check "$c: new connections were NATed (best ${BEST[$c]:-0}/s)" test "${BEST[$c]:-0}" -gt 0
done
if on nat; then
	for c in nat_snatpsid nat_snatpsid_90 nat_snatpsid_99; do
		check "$c: SNATPSID set the connections up" \
			test "$(n r_$c awk '$1 == "translated" { print $2 }' /proc/net/xt_SNATPSID)" -gt 0
	done
	check "nat_snat: SNATPSID did not (the SNAT case is SNAT's)" \
		test "$(n r_nat_snat awk '$1 == "translated" { print $2 }' /proc/net/xt_SNATPSID)" = 0
	for c in nat_snat_90 nat_snatpsid_90; do
		check "$c: the set was 90% used ($(cat "$TMP/prefill.$c") connections of 4096 ports)" \
			test "$(cat "$TMP/prefill.$c")" -ge 3650
	done
	for c in nat_snat_99 nat_snatpsid_99; do
		check "$c: the set was about 99% used ($(cat "$TMP/prefill.$c") connections of 4096 ports; SNAT's own bounded search misses some)" \
			test "$(cat "$TMP/prefill.$c")" -ge 4000
	done
	echo "BENCH info snatpsid_99 $(n r_nat_snatpsid_99 awk '{ printf "%s %s ", $1, $2 }' /proc/net/xt_SNATPSID)"
fi
for c in "${TCP_CASES[@]}"; do
	check "tcp_$c: data crossed (best ${BEST[tcp_$c]:-0} Mbit/s)" test "${BEST[tcp_$c]:-0}" -gt 0
done
for c in "${CASES[@]}"; do
	case $c in aftr_encap_*|aftr_decap_*) ;; *) continue ;; esac
	show=$(n r_$c "$CTL" show big)
	bad=$(printf '%s\n' "$show" | awk '$1 == "dropped_unbound" || $1 == "dropped_spoofed" { s += $2 } END { print s + 0 }')
	expect_eq "$c: no packet dropped as unbound or spoofed" 0 "$bad"
done
# The translator's cases: the translation counter of each rule went up,
# and the counters that are not zero (drops would say why a case is slow
# or empty).
xlat_stats() {	# NS: the non-zero lines of /proc/net/xt_MAPT, one line
	n $1 awk '$2 != 0 { printf "%s %s ", $1, $2 }' /proc/net/xt_MAPT
}
for c in "${XLAT_MAPT[@]}"; do
	st=$(xlat_stats r_$c)
	echo "BENCH info xt_MAPT $c $st"
	case $c in *6to4*) k=translated_6to4 ;; *) k=translated_4to6 ;; esac
	check "$c: MAPT translated ($st)" test "$(n r_$c awk -v k=$k '$1 == k { print $2 }' /proc/net/xt_MAPT)" -gt 0
done
for c in jool_siit_4to6 jool_siit_6to4; do
	[ -n "${GEN[$c]:-}" ] || continue
	echo "BENCH info jool $c $(n r_$c jool_siit stats display 2>&1 | awk '{ printf "%s ", $0 }')"
done
if on xlat; then
	for ns in tb_mapt_ce ta_mapt_ce; do
		echo "BENCH info xt_MAPT tcp_mapt_ce $ns $(xlat_stats $ns)"
	done
fi
if on v6; then
	expect_eq "v6_map66 mapped the /48 checksum-neutrally" yes \
		"$(n r_v6_map66 awk '$1 == "mapped_checksum_neutral" && $2 > 0 { print "yes"; exit }' /proc/net/xt_MAP66)"
fi
finish
