#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the netns test scripts: result lines, namespaces, captures.
# A test script sources this file, builds its topology in network
# namespaces and prints one "ok - ..." or "not ok - ..." line per check,
# with what was expected and what was seen when a check fails.

set -u

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PKT="python3 $REPO/tests/pkt.py"
TMP=$(mktemp -d /tmp/xtsw-test.XXXXXX)
PASSED=0
FAILED=0
NAMESPACES=()
BG_PIDS=()

# The fresh extensions first, then the system's.
export XTABLES_LIBDIR="$REPO/xt_ext:$(pkg-config --variable=xtlibdir xtables 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/xtables)"

ok() { echo "ok - $*"; PASSED=$((PASSED + 1)); }
not_ok() { echo "not ok - $*"; FAILED=$((FAILED + 1)); }

# check DESCRIPTION COMMAND...: ok when the command succeeds; its output
# is shown only on failure.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc"
		printf '%s\n' "$out" | sed 's/^/    /' | head -n 30
	fi
}

# expect_eq DESCRIPTION EXPECTED SEEN
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		printf '    expected: %s\n    seen:     %s\n' "$2" "$3"
		return 1
	fi
}

# expect_fail DESCRIPTION PATTERN COMMAND...: the command must fail and say
# something matching PATTERN (grep -E).
expect_fail() {
	local desc=$1 pat=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		not_ok "$desc"
		printf '    expected failure, the command succeeded: %s\n' "$*"
	elif printf '%s\n' "$out" | grep -qE -- "$pat"; then
		ok "$desc"
	else
		not_ok "$desc"
		printf '    expected an error matching: %s\n    seen: %s\n' "$pat" "$out"
	fi
}

# skip_all REASON: this test cannot run on this kernel: one "skip - "
# line (tests/suite.sh counts it neither passed nor failed) and exit.
skip_all() {
	echo "skip - $(basename "$0"): $*"
	cleanup
	exit 0
}

# need_jool MODULE...: load Jool's modules (jool: stateful NAT64, jool_siit:
# SIIT; Debian's jool-dkms, which scripts/install-deps.sh installs). On a
# kernel Jool has no module for (jool-dkms 4.1.9 does not build for
# Debian's 6.12) the test is skipped; on the primary kernel a missing Jool
# fails it.
need_jool() {
	local m
	for m in "$@"; do
		modprobe "$m" 2>/dev/null && continue
		if [ "$(uname -r)" != "$(sh "$REPO/scripts/kernels.sh" primary 2>/dev/null)" ] &&
		   ! modinfo "$m" >/dev/null 2>&1; then
			skip_all "Jool ($m) has no module for kernel $(uname -r)"
		fi
		not_ok "modprobe $m (jool-dkms; scripts/install-deps.sh installs it): $(modprobe "$m" 2>&1)"
		finish
		exit 1
	done
}

finish() {
	cleanup
	echo "# $(basename "$0"): $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

cleanup() {
	local p ns
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	BG_PIDS=()
	for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
	NAMESPACES=()
	rm -rf "$TMP"
}
trap cleanup EXIT

ns_add() {
	ip netns add "$1"
	NAMESPACES+=("$1")
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_ra=0 \
		net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

n() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# link NS1 DEV1 NS2 DEV2: a veth pair between two namespaces.
link() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# Wait until ADDR on NS is usable (no tentative state, neighbours answer).
settle() { sleep 0.5; }

# capture_start NS DEV FILE [FILTER [DIRECTION]]: tcpdump in the
# background, returns once it listens. DIRECTION (in, out) keeps only what
# the device received or sent.
capture_start() {
	local ns=$1 dev=$2 file=$3 filter=${4:-ip6} dir=${5:-inout}
	ip netns exec "$ns" tcpdump -Z root -U -n -s 0 -Q "$dir" -i "$dev" -w "$file" "$filter" \
		2>"$file.log" &
	CAPTURE_PID=$!
	CAPTURE_FILE=$file
	BG_PIDS+=("$CAPTURE_PID")
	for _ in $(seq 100); do
		grep -q "listening on" "$file.log" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "tcpdump did not start: $(cat "$file.log")" >&2
	return 1
}

# capture_stop: once the capture has stopped growing (packets may still be
# in flight through a slow emulated gateway), stop tcpdump.
capture_stop() {
	local size last=-1
	for _ in $(seq 40); do
		sleep 0.5
		size=$(stat -c %s "$CAPTURE_FILE" 2>/dev/null || echo 0)
		[ "$size" = "$last" ] && break
		last=$size
	done
	kill -INT "$CAPTURE_PID" 2>/dev/null
	wait "$CAPTURE_PID" 2>/dev/null
}

# Turn transmit checksum offload off, so that captured checksums are final.
no_offload() { ip netns exec "$1" ethtool -K "$2" tx off >/dev/null; }

# The iptables backends to test: legacy x_tables and nft (nft_compat).
BACKENDS="${XTSW_BACKENDS:-legacy nft}"
ip6t() { "ip6tables-$BACKEND" "$@"; }
ip6t_save() { "ip6tables-$BACKEND-save" "$@"; }
ip6t_restore() { "ip6tables-$BACKEND-restore" "$@"; }

# map66_stat NS NAME, lw4o6_stat NS NAME: a counter of namespace NS
# (/proc/net/xt_MAP66, /proc/net/xt_LW4O6).
map66_stat() { ip netns exec "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/xt_MAP66; }
lw4o6_stat() { ip netns exec "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/xt_LW4O6; }

# The MAP66 test network, the seed README's:
#
#   [in] fd01:203:405:1::10 --eth1-- [gw] --eth0-- [out] 2001:db8:0:1::2
#
# The outside routes 2001:db8:1::/48 (the mapped prefix) to the gateway.
INSIDE=fd01:203:405:1::10
SERVER=2001:db8:0:1::2
map66_topology() {
	ns_add in; ns_add gw; ns_add out
	link in eth0 gw eth1
	link gw eth0 out eth0
	ip -n in addr add $INSIDE/64 dev eth0
	ip -n in route add default via fd01:203:405:1::1
	ip -n gw addr add fd01:203:405:1::1/64 dev eth1
	ip -n gw addr add 2001:db8:0:1::1/64 dev eth0
	n gw sysctl -qw net.ipv6.conf.all.forwarding=1
	ip -n out addr add $SERVER/64 dev eth0
	ip -n out route add 2001:db8:1::/48 via 2001:db8:0:1::1
}

# The softwire test network: a B4 with an IPv6-only wan, an AFTR, a server:
#
#   [client] 10.0.0.2 --lan-- [b4] 2001:db8:b4::2 --wan--
#       2001:db8:b4::1 [aftr] --eth1-- [server] 198.51.100.1
#
# softwire_topology builds it with no AFTR function; b4_topology adds
# Linux's own ip4ip6 tunnel (ip6_tunnel, default encaplimit 4) as the AFTR
# end, "sw" (the caller routes what the AFTR sends into it).
B4=2001:db8:b4::2
AFTR=2001:db8:b4::1
SERVER4=198.51.100.1
softwire_topology() {
	ns_add client; ns_add b4; ns_add aftr; ns_add server
	link client eth0 b4 lan
	link b4 wan aftr eth0
	link aftr eth1 server eth0
	ip -n client addr add 10.0.0.2/24 dev eth0
	ip -n client route add default via 10.0.0.1
	ip -n b4 addr add 10.0.0.1/24 dev lan
	ip -n b4 addr add $B4/64 dev wan nodad
	ip -n b4 route add default dev wan	# IPv4 leaves through the IPv6-only wan
	n b4 sysctl -qw net.ipv4.ip_forward=1
	ip -n aftr addr add $AFTR/64 dev eth0
	ip -n aftr addr add 198.51.100.254/24 dev eth1
	n aftr sysctl -qw net.ipv4.ip_forward=1
	ip -n server addr add $SERVER4/24 dev eth0
	ip -n server route add default via 198.51.100.254
	for l in "client eth0" "b4 wan" "aftr eth0" "aftr eth1" "server eth0"; do no_offload $l; done
}
b4_topology() {
	softwire_topology
	ip -n aftr -6 tunnel add sw mode ip4ip6 local $AFTR remote $B4
	ip -n aftr link set sw up
}

# aftr_sink_topology: an AFTR fed IPv4 from a generator, its softwires'
# B4s a sink behind one next hop (as behind a real AFTR's router: an on-link
# route would make one neighbour entry per B4 address, and a benchmark would
# measure the neighbour cache instead of the table):
#
#   [gen] 198.18.0.2 g0 --veth-- i0 [aftr] $SINK_AFTR on lo
#       -> d0 (dummy; 2001:db8::/32 via 2001:db8:fffe::2)
SINK_AFTR=2001:db8:ffff::1
aftr_sink_topology() {
	ns_add gen; ns_add aftr
	link gen g0 aftr i0
	ip -n gen addr add 198.18.0.2/24 dev g0
	ip -n gen route add default via 198.18.0.1
	ip -n aftr addr add 198.18.0.1/24 dev i0
	ip -n aftr addr add $SINK_AFTR/128 dev lo
	ip -n aftr link add d0 type dummy
	ip -n aftr link set d0 up
	ip -n aftr addr add 2001:db8:fffe::1/64 dev d0
	ip -n aftr -6 route add 2001:db8::/32 via 2001:db8:fffe::2 dev d0
	n aftr sysctl -qw net.ipv4.ip_forward=1
}

# The MAP-E network of RFC 7597 Appendix A, Example 1 (tests/lw4o6_mape.sh,
# tests/snatpsid_e2e.sh), with no rule set up:
#
#   [client] 10.0.0.2 --lan-- [ce] CE_ADDRESS --wan-- [br] $MAPE_BR (on lo)
#       --eth1-- [server] 198.51.100.1
#
# The BR routes the rule's IPv6 prefix to the CE. ce_behind_br adds more CEs.
MAPE_BR=2001:db8:ffff::1
MAPE_RULE="ipv6-prefix 2001:db8::/40 ipv4-prefix 192.0.2.0/24 ea-bits-length 16 psid-offset 6"

# ce_behind_br CLIENT CE BR_DEV CE_ADDRESS: a client 10.0.0.2 behind a CE
# whose wan links to the BR's BR_DEV, the /64 of CE_ADDRESS between them.
ce_behind_br() {
	local gw=$(echo "$4" | cut -d: -f1-4)::1	# the first 4 groups written out
	ns_add "$1"; ns_add "$2"
	link "$1" eth0 "$2" lan
	link "$2" wan br "$3"
	ip -n "$1" addr add 10.0.0.2/24 dev eth0
	ip -n "$1" route add default via 10.0.0.1
	ip -n "$2" addr add 10.0.0.1/24 dev lan
	ip -n "$2" addr add "$4/64" dev wan nodad
	ip -n "$2" -6 route add default via "$gw"
	ip -n "$2" route add default dev wan
	n "$2" sysctl -qw net.ipv4.ip_forward=1
	ip -n br addr add "$gw/64" dev "$3"
	for l in "$1 eth0" "$2 wan" "br $3"; do no_offload $l; done
}

# mape_topology CE_ADDRESS: the network above, its CE at CE_ADDRESS.
mape_topology() {
	ns_add br; ns_add server
	ce_behind_br client ce eth0 "$1"
	link br eth1 server eth0
	ip -n br addr add $MAPE_BR/128 dev lo
	ip -n br -6 route add 2001:db8::/40 via "$1"	# the CEs of the rule
	ip -n br addr add 198.51.100.254/24 dev eth1
	n br sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	ip -n server addr add $SERVER4/24 dev eth0
	ip -n server route add default via 198.51.100.254
	for l in "br eth1" "server eth0"; do no_offload $l; done
}

# lw4o6_b4_rules BACKEND: the seed's B4 in namespace b4 with LW4O6, iptables
# backend BACKEND: SNAT into 192.0.2.1:4096-8191 (PSID 1 of 4 bits at
# offset 0), encapsulation to the AFTR and, by the same rule, decapsulation
# of its replies.
lw4o6_b4_rules() {
	local p
	for p in tcp udp icmp; do
		n b4 "iptables-$1" -t nat -A POSTROUTING -o wan -p $p -j SNAT --to 192.0.2.1:4096-8191
	done
	n b4 "iptables-$1" -t mangle -A POSTROUTING -o wan -j LW4O6 --b4 $B4 --aftr $AFTR \
		--b4-ipv4 192.0.2.1 --psid 1/4 --psid-offset 0
}

# listening NS PORT tcp|udp: wait until a socket listens on PORT in NS (a
# fixed sleep is not enough on a loaded emulated CPU).
listening() {
	local flag=-Hltn
	[ "$3" = udp ] && flag=-Hlun
	for _ in $(seq 100); do
		ip netns exec "$1" ss $flag "sport = :$2" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	echo "nothing listens on $3 port $2 in $1" >&2
	return 1
}

# udp_echo NS PORT COUNT: start pkt.py's UDP echo server in NS, return
# once it listens.
udp_echo() {
	ip netns exec "$1" $PKT udp-echo "$2" "$3" >/dev/null &
	BG_PIDS+=($!)
	listening "$1" "$2" udp
}

# tcp_send FROM TO DST BYTES SECONDS: send BYTES of random data over TCP
# from namespace FROM to DST port 5001, served by nc in namespace TO; true
# when everything arrived intact within SECONDS.
tcp_send() {
	local from=$1 to=$2 dst=$3 bytes=$4 secs=$5 fam=-4 server
	case $dst in *:*) fam=-6 ;; esac
	head -c "$bytes" /dev/urandom >"$TMP/tcp.tx"
	ip netns exec "$to" timeout "$secs" nc $fam -l 5001 >"$TMP/tcp.rx" &
	server=$!
	BG_PIDS+=($server)
	listening "$to" 5001 tcp || return 1
	ip netns exec "$from" timeout "$secs" nc $fam -N -w 10 "$dst" 5001 <"$TMP/tcp.tx" >/dev/null
	wait $server
	if ! cmp -s "$TMP/tcp.tx" "$TMP/tcp.rx"; then
		echo "sent $bytes bytes, received $(stat -c %s "$TMP/tcp.rx") (or other bytes)"
		return 1
	fi
}

# The MAP-T network of seed 002 (the Jool MAP-T tutorial), its addresses,
# with no translator set up (tests/mapt_e2e.sh, scripts/demo-mapt.sh):
#
#   [c1] 192.168.0.4 --lan-- [ce11b] 2001:db8:6::11b --wan--+
#   [c2] 192.168.0.4 --lan-- [ce774] 2001:db8:6::774 --wan--+ one IPv6 link
#            (a bridge in namespace link6, its ports p-NS)   |
#   [br] 2001:db8:6::1 --map--------------------------------+
#   [br] 203.0.113.1 --inet-- eth0 [s] 203.0.113.56
#
# Each CE is ONE namespace (NAPT and translation); its IPv4 default route
# is the wan (IPv4 leaves through the translator), the DMR's prefix is
# routed to the BR, and the other CEs' End-user prefixes straight to them
# on the link. The BR routes every End-user prefix to its CE.
MAPT_RULE="ipv6-prefix 2001:db8:ce::/51 ipv4-prefix 192.0.2.0/24 ea-bits-length 13 psid-offset 0"
MAPT_DMR=64:ff9b::/96
MAPT_SERVER=203.0.113.56
MAPT_SERVER6=64:ff9b::cb00:7138	# RFC 6052 section 2.2, /96
MAPT_CES=()			# "NS WAN_ADDRESS END_USER_PREFIX" of each CE

# mapt_link_port NS DEV ADDRESS: DEV of NS on the shared IPv6 link.
mapt_link_port() {
	ip link add "$2" netns "$1" type veth peer name "p-$1" netns link6
	ip -n link6 link set "p-$1" master sw0 up
	ip -n "$1" link set "$2" up
	ip -n "$1" addr add "$3/64" dev "$2" nodad
	no_offload "$1" "$2"
	no_offload link6 "p-$1"
}

# mapt_ce CLIENT CE WAN_ADDRESS END_USER_PREFIX: a client 192.168.0.4
# behind a CE on the shared link (needs mapt_topology's link and BR).
mapt_ce() {
	local c ns wan eup
	ns_add "$1"; ns_add "$2"
	link "$1" eth0 "$2" lan
	mapt_link_port "$2" wan "$3"
	ip -n "$1" addr add 192.168.0.4/24 dev eth0
	ip -n "$1" route add default via 192.168.0.1
	ip -n "$2" addr add 192.168.0.1/24 dev lan
	ip -n "$2" route add default dev wan
	ip -n "$2" -6 route add $MAPT_DMR via 2001:db8:6::1
	n "$2" sysctl -qw net.ipv4.ip_forward=1
	ip -n br -6 route add "$4" via "$3"
	for c in "${MAPT_CES[@]}"; do
		read -r ns wan eup <<<"$c"
		ip -n "$2" -6 route add "$eup" via "$wan"
		ip -n "$ns" -6 route add "$4" via "$3"
	done
	MAPT_CES+=("$2 $3 $4")
	for c in "$1 eth0" "$2 lan"; do no_offload $c; done
}

mapt_topology() {
	MAPT_CES=()
	ns_add link6; ns_add br; ns_add s
	ip -n link6 link add sw0 type bridge
	ip -n link6 link set sw0 up
	mapt_link_port br map 2001:db8:6::1
	link br inet s eth0
	ip -n br addr add 203.0.113.1/24 dev inet
	n br sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	ip -n s addr add $MAPT_SERVER/24 dev eth0
	ip -n s route add 192.0.2.0/24 via 203.0.113.1
	for c in "br inet" "s eth0"; do no_offload $c; done
	mapt_ce c1 ce11b 2001:db8:6::11b 2001:db8:ce:11b::/64
	mapt_ce c2 ce774 2001:db8:6::774 2001:db8:ce:774::/64
}

# mapt_ce_rules BACKEND CE END_USER_PREFIX TABLE: the CE's three rules
# (NAPT into the port set, translation after it, translation of what
# arrives); the table holds the BMR (first rule), the FMRs and the DMR.
mapt_ce_rules() {
	local ipt=iptables-$1 ip6t=ip6tables-$1
	n "$2" $ipt -t nat -A POSTROUTING -o wan -j SNATPSID --end-user-prefix "$3" --binding-table "$4" &&
	n "$2" $ipt -t mangle -A POSTROUTING -o wan -j MAPT --end-user-prefix "$3" --binding-table "$4" &&
	n "$2" $ip6t -t raw -A PREROUTING -i wan -j MAPT --end-user-prefix "$3" --binding-table "$4"
}

# mapt_br_rules BACKEND TABLE: the BR's two rules.
mapt_br_rules() {
	n br "ip6tables-$1" -t raw -A PREROUTING -i map -j MAPT --binding-table "$2" &&
	n br "iptables-$1" -t raw -A PREROUTING -i inet -d 192.0.2.0/24 -j MAPT --binding-table "$2"
}

# mapt_stat NS NAME: a counter of /proc/net/xt_MAPT in namespace NS.
mapt_stat() { ip netns exec "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/xt_MAPT; }

# xlat_role R V4_ADDR/LEN V6_ADDR/LEN PEER4 PEER6: a translator R between
# an IPv4-only namespace R4 and an IPv6-only R6 (mapt_malformed, mapt_frag):
# R's v4 and v6 devices with the addresses, its peers' neighbour entries
# fixed, the MACs known to the packet scripts, no offloads.
xlat_role() {
	local r=$1
	ns_add "${r}4"; ns_add "$r"; ns_add "${r}6"
	n "$r" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
	link "${r}4" s0 "$r" v4
	link "$r" v6 "${r}6" s0
	ip -n "${r}4" link set s0 address 02:00:00:00:04:02
	ip -n "$r" link set v4 address 02:00:00:00:04:01
	ip -n "$r" link set v6 address 02:00:00:00:06:01
	ip -n "${r}6" link set s0 address 02:00:00:00:06:02
	n "${r}4" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	n "${r}6" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$r" addr add "$2" dev v4
	ip -n "$r" addr add "$3" dev v6 nodad
	ip -n "$r" neigh add "$4" lladdr 02:00:00:00:04:02 dev v4 nud permanent
	ip -n "$r" neigh add "$5" lladdr 02:00:00:00:06:02 dev v6 nud permanent
	for d in "${r}4 s0" "$r v4" "$r v6" "${r}6 s0"; do no_offload $d; done
}
