#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The translator's part of the softwire tables (MAPT: docs/mapt-design.md,
# "The table"), through softwirectl and through raw generic netlink:
#  - a file with every line kind loads, and `list` prints exactly its lines;
#    what `list` prints loads again to the same table (round trip); `load`
#    replaces the translator's lines with the rest of the table;
#  - every bad line is refused by softwirectl with its reason, and the same
#    request sent raw (no softwirectl checks) by the kernel, with its reason
#    in the extended ACK; neither changes the table;
#  - a translator's table needs no br-address: create, add, del, show;
#    a softwire in it needs one;
#  - LW4O6 rules on a table without br-address are refused at checkentry
#    with the reason in dmesg (AFTR both families, MAP-E CE), both
#    iptables backends; once the table has one, the same rule is accepted.

. "$(dirname "$0")/lib.sh"

CTL="$REPO/tools/softwirectl/softwirectl"
ns_add x
ctl() { n x "$CTL" "$@"; }
kernel_says() { dmesg | grep -qE -- "$1"; }
# The table as list prints it, without its comment line.
lines() { ctl list "$1" | grep -v '^#'; }

# same_lines DESCRIPTION EXPECTED-FILE SEEN-FILE: the same lines, in order.
same_lines() {
	if diff "$2" "$3" >"$TMP/diff"; then
		ok "$1"
	else
		not_ok "$1"
		sed 's/^/    /' "$TMP/diff" | head -n 20
	fi
}

# --- 1. every line kind, listed back, round trip ---------------------------

# In the order and words list prints (rules, then the translator's lines).
cat >"$TMP/full" <<'EOF'
rule ipv6-prefix 2001:db8:ce::/51 ipv4-prefix 192.0.2.0/24 ea-bits-length 13 psid-offset 0
dmr 64:ff9b::/96
eam 192.0.0.1/32 2001:db8:1:ff::c1a7/128
eam 198.51.100.0/24 2001:db8:2::/120
lowest-ipv6-mtu 1400
udp-zero-checksum compute
icmp-source-ipv4 192.0.0.8
icmp-source-ipv6 2001:db8::8
EOF
check "check: a translator's file without br-address has no error" ctl check "$TMP/full"
check "load a file with every translator line kind, no br-address" ctl load m "$TMP/full"
lines m >"$TMP/m.list"
same_lines "list prints exactly the lines of the file" "$TMP/full" "$TMP/m.list"
ctl list m >"$TMP/m.file"
check "what list prints loads into another table" ctl load m2 "$TMP/m.file"
lines m2 >"$TMP/m2.list"
same_lines "... and lists the same" "$TMP/m.list" "$TMP/m2.list"
check "show m prints the translator's lines" sh -c \
	"ip netns exec x $CTL show m | grep -qx '  eam 198.51.100.0/24 2001:db8:2::/120'"
check "show (every table) says how many EAMs" sh -c \
	"ip netns exec x $CTL show | grep -qx '  eams 2 (softwirectl show m lists them)'"

# Defaults: a dmr alone gets the default policy lines.
printf 'dmr 2001:db8:64::/64\n' >"$TMP/dmr64"
check "load a file of one dmr over m2" ctl load m2 "$TMP/dmr64"
printf 'dmr 2001:db8:64::/64\nlowest-ipv6-mtu 1280\nudp-zero-checksum drop\n' >"$TMP/dmr64.list"
lines m2 >"$TMP/m2.list"
same_lines "load replaced the whole translator block (defaults: mtu 1280, drop)" \
	"$TMP/dmr64.list" "$TMP/m2.list"
printf 'br-address 2001:db8:ffff::1\nsoftwire ipv4 192.0.2.1 b4-ipv6 2001:db8::1\n' >"$TMP/lw"
check "load a file without translator lines over m2" ctl load m2 "$TMP/lw"
expect_eq "... and m2 has none left" "" "$(lines m2 | grep -vE '^(br-address|softwire) ')"
ctl delete m2

# --- 2. softwirectl refuses bad lines, the table stays as it was -----------

refuse() {	# DESCRIPTION PATTERN LINE...: add m LINE, and load of a file with it
	local desc=$1 pat=$2
	shift 2
	expect_fail "add: $desc" "$pat" ctl add m "$@"
	{ cat "$TMP/full"; echo "$*"; } >"$TMP/bad"
	expect_fail "load: $desc" "bad:9: .*$pat" ctl load m "$TMP/bad"
}
refuse "a dmr of 80 bits (RFC 6052 lengths only)" "32, 40, 48, 56, 64 or 96 \(RFC 6052" dmr 64:ff9b::/80
refuse "a dmr with bits past its length" "bits are set past the prefix length" dmr 64:ff9b::1/96
refuse "a /96 dmr with a u-octet" "bits 64 to 71 of a /96 must be zero" dmr 64:ff9b:0:0:ff00::/96
refuse "an eam whose IPv6 prefix leaves too few suffix bits" "32 - 24 > 128 - 124 \(RFC 7757" eam 192.0.2.0/24 2001:db8::/124
refuse "an eam with one prefix" 'write "eam IPV4-PREFIX/LENGTH' eam 192.0.2.0/24
refuse "an eam mapping an IPv4 prefix mapped already" "192.0.0.1/32 is mapped already" \
	eam 192.0.0.1/32 2001:db8:9::1/128
refuse "an eam mapping an IPv6 prefix mapped already" "2001:db8:2::/120 is mapped already" \
	eam 203.0.113.0/24 2001:db8:2::/120
refuse "lowest-ipv6-mtu 1000" 'lowest-ipv6-mtu "1000": a number from 1280 to 65535' lowest-ipv6-mtu 1000
refuse "udp-zero-checksum maybe" 'udp-zero-checksum "maybe": drop, drop-silent or compute' udp-zero-checksum maybe
refuse "a multicast icmp-source-ipv4" "icmp-source-ipv4 224.0.0.1: a unicast IPv4 address" \
	icmp-source-ipv4 224.0.0.1
refuse "an unknown word" 'frobnicate' frobnicate 1
{ cat "$TMP/full"; echo "dmr 2001:db8:64::/96"; } >"$TMP/bad"
expect_fail "load: a second dmr line" "bad:9: a second dmr line \(one per table; the first is at line 2\)" \
	ctl load m "$TMP/bad"
expect_fail "add: a dmr where the table has one" "the table has dmr 64:ff9b::/96 already" \
	ctl add m dmr 2001:db8:64::/96
expect_fail "del: an eam the table does not have" "no such eam: 203.0.113.0/24" \
	ctl del m eam 203.0.113.0/24 2001:db8:3::/120
lines m >"$TMP/m.now"
same_lines "the refusals changed nothing" "$TMP/m.list" "$TMP/m.now"

# --- 3. the kernel refuses the same, raw ------------------------------------

# hexattrs TYPE:KIND:VALUE...: netlink attributes as hex; KIND u8, u16, u32,
# ip4, ip6, hex, or nest (VALUE: the hex of its contents; NLA_F_NESTED).
hexattrs() {
	python3 - "$@" <<'EOF'
import ipaddress, struct, sys
out = b""
for spec in sys.argv[1:]:
    t, kind, v = spec.split(":", 2)
    t = int(t)
    if kind == "nest":
        t |= 0x8000
    p = {"u8": lambda v: struct.pack("=B", int(v)),
         "u16": lambda v: struct.pack("=H", int(v)),
         "u32": lambda v: struct.pack("=I", int(v)),
         "ip4": lambda v: ipaddress.IPv4Address(v).packed,
         "ip6": lambda v: ipaddress.IPv6Address(v).packed,
         "hex": bytes.fromhex, "nest": bytes.fromhex}[kind](v)
    out += struct.pack("=HH", 4 + len(p), t) + p + b"\0" * ((4 - len(p) % 4) % 4)
print(out.hex())
EOF
}
# SOFTWIRE_CMD_XLAT_SET = 11, SOFTWIRE_A_NAME = 1, SOFTWIRE_A_XLAT = 15,
# SOFTWIRE_A_XLAT_GEN = 16; in XLAT: DMR_PREFIX 1, DMR_LEN 2, EAMS 3,
# (EAM 4), LOWEST_IPV6_MTU 5, FLAGS 6, ICMP_SRC4 7, ICMP_SRC6 8, N_EAMS 9;
# in an EAM: IPV4 1, IPV4_LEN 2, IPV6 3, IPV6_LEN 4.
# (pkt.py genl takes the nest as hex: type 15 | NLA_F_NESTED = 32783.)
xlat_set() { n x $PKT genl SOFTWIRE 11 1:str:m "32783:hex:$(hexattrs "$@")"; }
eam() { hexattrs 4:nest:"$(hexattrs 1:ip4:"$1" 2:u8:"$2" 3:ip6:"$3" 4:u8:"$4")"; }
kernel_refuses() {	# DESCRIPTION PATTERN ATTR...
	local desc=$1 pat=$2
	shift 2
	expect_fail "kernel: $desc" "$pat" xlat_set "$@"
}
kernel_refuses "a dmr of 80 bits" "error 22: a DMR is 32, 40, 48, 56, 64 or 96 bits long \(RFC 6052" \
	1:ip6:64:ff9b:: 2:u8:80
kernel_refuses "a dmr with bits past its length" "error 22: the DMR has bits set past its length" \
	1:ip6:64:ff9b::1 2:u8:96
kernel_refuses "a /96 dmr with a u-octet" "error 22: bits 64 to 71 of a /96 DMR must be zero" \
	1:ip6:64:ff9b:0:0:ff00:: 2:u8:96
kernel_refuses "a dmr without its length" "error 22: a DMR needs its prefix and its length" \
	1:ip6:64:ff9b::
kernel_refuses "an eam whose IPv6 prefix leaves too few suffix bits" "error 22: .*32 - IPv4 length <= 128 - IPv6 length \(RFC 7757" \
	3:nest:"$(eam 192.0.2.0 24 2001:db8:: 124)"
kernel_refuses "an eam with host bits" "error 22: an EAM prefix has bits set past its length" \
	3:nest:"$(eam 192.0.2.1 24 2001:db8::100 120)"
kernel_refuses "an eam of 33 bits (the policy: ERANGE)" "error 34: integer out of range" \
	3:nest:"$(eam 192.0.2.0 33 2001:db8:: 129)"
kernel_refuses "two eams of one IPv4 prefix" "error 17: two EAMs with the same IPv4 or the same IPv6 prefix" \
	3:nest:"$(eam 192.0.2.0 24 2001:db8::100 120)$(eam 192.0.2.0 24 2001:db8::200 120)"
kernel_refuses "two eams of one IPv6 prefix" "error 17: two EAMs with the same IPv4" \
	3:nest:"$(eam 192.0.2.0 24 2001:db8::100 120)$(eam 192.0.3.0 24 2001:db8::100 120)"
# eams_range FROM TO: EAMs 10.(i/256).(i%256).0/24 <-> 2001:db8:i::100/120
# for i in [FROM, TO), as hex (one python, not one per EAM: TCG is slow).
eams_range() {
	python3 - "$1" "$2" <<'EOF'
import ipaddress, struct, sys
def attr(t, p):
    return struct.pack("=HH", 4 + len(p), t) + p + b"\0" * ((4 - len(p) % 4) % 4)
out = b""
for i in range(int(sys.argv[1]), int(sys.argv[2])):
    e = (attr(1, ipaddress.IPv4Address("10.%d.%d.0" % (i // 256, i % 256)).packed) +
         attr(2, bytes([24])) +
         attr(3, ipaddress.IPv6Address("2001:db8:%x::100" % i).packed) + attr(4, bytes([120])))
    out += attr(4 | 0x8000, e)
print(out.hex())
EOF
}
kernel_refuses "1025 eams in one message" "error 28: more than 1024 EAMs in one message: send them in parts" \
	3:nest:"$(eams_range 0 1025)"
kernel_refuses "lowest-ipv6-mtu 1000" "error 22: lowest-ipv6-mtu is at least 1280 \(RFC 8200" 5:u16:1000
kernel_refuses "an unknown flag" "error 22" 6:u8:4
kernel_refuses "udp-zero-checksum compute and drop-silent at once" \
	"error 22: udp-zero-checksum is one of drop, drop-silent, compute" 6:u8:3
kernel_refuses "a multicast icmp-source-ipv4" "error 22: icmp-source-ipv4 must be a unicast address \(RFC 6791" \
	7:ip4:224.0.0.1
kernel_refuses "a loopback icmp-source-ipv6" "error 22: icmp-source-ipv6 must be a unicast address" 8:ip6:::1
kernel_refuses "N_EAMS, which only the kernel reports" "error 22" 9:u32:1
kernel_refuses "an eam outside EAMS" "error 22" 4:nest:"$(hexattrs 1:ip4:192.0.2.0 2:u8:24)"
expect_fail "kernel: an XLAT_SET made from older lines (XLAT_GEN)" "error 11: the translator's lines changed meanwhile" \
	n x $PKT genl SOFTWIRE 11 1:str:m 16:u32:4000000000
lines m >"$TMP/m.now"
same_lines "the kernel's refusals changed nothing" "$TMP/m.list" "$TMP/m.now"
check "a good raw XLAT_SET (1024 eams) is taken" xlat_set 3:nest:"$(eams_range 0 1024)"
expect_eq "... and list prints its 1024 eams" 1024 "$(lines m | grep -c '^eam ')"

# More EAMs than one message holds, in parts on one socket (the uapi's
# XLAT_SET): SOFTWIRE_A_XLAT_MORE = 17, SOFTWIRE_A_XLAT_CONT = 18, flags.
# xnest EAMS-HEX: XLAT { EAMS { ... } } as pkt.py genl's hex attribute.
xnest() { echo "32783:hex:$(hexattrs 3:nest:"$1")"; }
check "kernel: 2500 eams in three parts (XLAT_MORE, XLAT_CONT) on one socket are taken" \
	n x $PKT genl SOFTWIRE 11 1:str:m 17:flag: "$(xnest "$(eams_range 0 1024)")" \
	--part 1:str:m 17:flag: 18:flag: "$(xnest "$(eams_range 1024 2048)")" \
	--part 1:str:m 18:flag: "$(xnest "$(eams_range 2048 2500)")"
lines m >"$TMP/m.2500"
expect_eq "... list prints all 2500 (EAM_GET dumps them in messages of 1024)" 2500 \
	"$(grep -c '^eam ' "$TMP/m.2500")"
expect_eq "... in the order sent, the last part's last one last" \
	"eam 10.0.0.0/24 2001:db8::100/120|eam 10.9.195.0/24 2001:db8:9c3::100/120" \
	"$(grep '^eam ' "$TMP/m.2500" | sed -n '1p;$p' | paste -sd '|')"
check "kernel: a first part (XLAT_MORE) whose socket then closes is taken" \
	n x $PKT genl SOFTWIRE 11 1:str:m 17:flag: "$(xnest "$(eams_range 0 10)")"
lines m >"$TMP/m.now"
same_lines "... and changes nothing: packets see the old lines until a last part" "$TMP/m.2500" "$TMP/m.now"
expect_fail "kernel: a part that continues that set from another socket" \
	"error 11: no change of the translator's lines under way from this socket" \
	n x $PKT genl SOFTWIRE 11 1:str:m 18:flag: "$(xnest "$(eams_range 10 20)")"
expect_fail "kernel: a continuing part with a dmr" \
	"error 22: a part that continues the translator's lines .XLAT_CONT. holds EAMs only .part 1." \
	n x $PKT genl SOFTWIRE 11 1:str:m 17:flag: "$(xnest "$(eams_range 0 10)")" \
	--part 1:str:m 18:flag: "32783:hex:$(hexattrs 1:ip6:64:ff9b:: 2:u8:96 3:nest:"$(eams_range 10 20)")"
expect_fail "kernel: a continuing part with XLAT_GEN" "error 22: .*no XLAT_GEN" \
	n x $PKT genl SOFTWIRE 11 1:str:m 17:flag: "$(xnest "$(eams_range 0 10)")" \
	--part 1:str:m 16:u32:1 18:flag: "$(xnest "$(eams_range 10 20)")"
expect_fail "kernel: one prefix in two parts, found at the last one" \
	"error 17: two EAMs with the same IPv4 or the same IPv6 prefix .part 1." \
	n x $PKT genl SOFTWIRE 11 1:str:m 17:flag: "$(xnest "$(eams_range 0 10)")" \
	--part 1:str:m 18:flag: "$(xnest "$(eams_range 5 6)")"
expect_fail "kernel: a set in parts made from older lines (XLAT_GEN of the first part)" \
	"error 11: the translator's lines changed meanwhile.*part 1." \
	n x $PKT genl SOFTWIRE 11 1:str:m 16:u32:4000000000 17:flag: "$(xnest "$(eams_range 0 10)")" \
	--part 1:str:m 18:flag: "$(xnest "$(eams_range 10 20)")"
lines m >"$TMP/m.now"
same_lines "the refused sets in parts changed nothing" "$TMP/m.2500" "$TMP/m.now"

# The same through softwirectl: a file of 3000 eams loads (in parts, into
# the new table that is then swapped in), lists back, and add/del change
# the live lines in parts too.
python3 -c '
print("dmr 64:ff9b::/96")
for i in range(3000):
    print("eam 10.%d.%d.0/24 2001:db8:%x::100/120" % (i // 256, i % 256, i))
' >"$TMP/big"
check "load a file of 3000 eams" ctl load big "$TMP/big"
grep '^eam ' "$TMP/big" | sed 's/2001:db8:0::/2001:db8::/' >"$TMP/big.eams"
lines big | grep '^eam ' >"$TMP/big.list"
same_lines "... list prints them all, in the file's order" "$TMP/big.eams" "$TMP/big.list"
check "add big eam: the 3001st" ctl add big eam 192.0.2.0/24 2001:db8:ffff::/120
expect_eq "... list prints 3001 eams" 3001 "$(lines big | grep -c '^eam ')"
expect_fail "add big eam: one already mapped is refused" "mapped already" \
	ctl add big eam 10.11.183.0/24 2001:db8:eee::/120
check "del big eam: one from the middle" ctl del big eam 10.5.220.0/24 2001:db8:5dc::100/120
expect_eq "... list prints 3000 eams, without it" "3000 0" \
	"$(lines big | grep -c '^eam ') $(lines big | grep -c '^eam 10.5.220.0/24 ')"
check "delete the table big" ctl delete big
check "reload m" ctl load m "$TMP/full"

# --- 4. a translator's table without br-address ----------------------------

check "create a table without br-address" ctl create c
check "add c dmr" ctl add c dmr 64:ff9b::/96
check "add c eam" ctl add c eam 192.168.0.0/24 2001:db8:1:ff::/120
check "add c eam (a /32)" ctl add c eam 192.0.0.1/32 2001:db8:1:ff::c1a7/128
check "add c lowest-ipv6-mtu" ctl add c lowest-ipv6-mtu 1500
printf '%s\n' "dmr 64:ff9b::/96" "eam 192.168.0.0/24 2001:db8:1:ff::/120" \
	"eam 192.0.0.1/32 2001:db8:1:ff::c1a7/128" "lowest-ipv6-mtu 1500" "udp-zero-checksum drop" >"$TMP/c.exp"
lines c >"$TMP/c.list"
same_lines "list c: what was added" "$TMP/c.exp" "$TMP/c.list"
check "del c eam" ctl del c eam 192.168.0.0/24 2001:db8:1:ff::/120
check "del c lowest-ipv6-mtu (back to 1280)" ctl del c lowest-ipv6-mtu 1500
printf '%s\n' "dmr 64:ff9b::/96" "eam 192.0.0.1/32 2001:db8:1:ff::c1a7/128" "lowest-ipv6-mtu 1280" \
	"udp-zero-checksum drop" >"$TMP/c.exp"
lines c >"$TMP/c.list"
same_lines "list c: what is left" "$TMP/c.exp" "$TMP/c.list"
check "add c udp-zero-checksum drop-silent" ctl add c udp-zero-checksum drop-silent
expect_eq "list c: udp-zero-checksum drop-silent" "udp-zero-checksum drop-silent" \
	"$(lines c | grep '^udp-zero-checksum')"
check "add c udp-zero-checksum drop (the default: ICMP 3/13 back)" ctl add c udp-zero-checksum drop
expect_fail "a softwire in a table without br-address is refused (kernel)" \
	"the table has no br-address: a softwire needs its AFTR address" \
	ctl add c softwire ipv4 192.0.2.1 b4-ipv6 2001:db8::1
printf 'softwire ipv4 192.0.2.1 b4-ipv6 2001:db8::1\n' >"$TMP/sw"
expect_fail "... and a file of softwires without br-address (softwirectl)" \
	"no br-address line: the table needs this AFTR's IPv6 address for its softwires" ctl load c "$TMP/sw"
: >"$TMP/empty"
expect_fail "an empty file is no table" "a translator's table needs a dmr, eam or rule line instead" \
	ctl load c "$TMP/empty"
check "del c dmr, del c eam: no translator lines left" sh -c \
	"ip netns exec x $CTL del c dmr 64:ff9b::/96 && ip netns exec x $CTL del c eam 192.0.0.1/32 2001:db8:1:ff::c1a7/128"
expect_eq "list c is empty" "" "$(lines c)"

# --- 5. LW4O6 refuses a table without br-address ----------------------------

check "add c rule (a MAP-T BMR)" ctl add c rule ipv6-prefix 2001:db8:ce::/51 ipv4-prefix 192.0.2.0/24 \
	ea-bits-length 13 psid-offset 0
for BACKEND in $BACKENDS; do
	T="$BACKEND:"
	dmesg -C
	expect_fail "$T an iptables AFTR rule on a table without br-address is refused" '.' \
		n x "iptables-$BACKEND" -t raw -A PREROUTING -j LW4O6 --binding-table c
	check "$T ... and the kernel says why" kernel_says 'table c has no br-address: an AFTR/BR rule needs its IPv6 address'
	dmesg -C
	expect_fail "$T an ip6tables AFTR rule on it is refused" '.' \
		n x "ip6tables-$BACKEND" -t raw -A PREROUTING -j LW4O6 --binding-table c
	check "$T ... and the kernel says why" kernel_says 'table c has no br-address: an AFTR/BR rule needs'
	dmesg -C
	expect_fail "$T a MAP-E CE rule on it is refused" '.' \
		n x "iptables-$BACKEND" -t mangle -A POSTROUTING -j LW4O6 \
		--end-user-prefix 2001:db8:ce:11b::/64 --binding-table c
	check "$T ... and the kernel says why" kernel_says "table c has no br-address: a MAP-E CE needs the BR's IPv6 address"
done
check "add c br-address" ctl add c br-address 2001:db8:ffff::1
for BACKEND in $BACKENDS; do
	T="$BACKEND:"
	check "$T with a br-address, the AFTR rule is taken" \
		n x "iptables-$BACKEND" -t raw -A PREROUTING -j LW4O6 --binding-table c
	check "$T ... and the CE rule" n x "iptables-$BACKEND" -t mangle -A POSTROUTING -j LW4O6 \
		--end-user-prefix 2001:db8:ce:11b::/64 --binding-table c
	n x "iptables-$BACKEND" -t raw -F
	n x "iptables-$BACKEND" -t mangle -F
done
check "delete c once no rule uses it" ctl delete c

finish
