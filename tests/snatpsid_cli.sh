#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SNATPSID on the command line, with both backends: --help, clear errors for
# bad input (extension), what iptables -L shows, then, with the module
# loaded: save/restore round trips of the explicit and derived forms and the
# kernel's refusals.
#
# The first part needs no kernel module: the extension refuses bad input
# (and prints the rule for -v) before anything reaches the kernel. Without
# the SNATPSID target (module xt_LW4O6) the second part fails, unless
# XTSW_SNATPSID_PARSE_ONLY=1 (extension work on a host without the module)
# skips it, saying so.

. "$(dirname "$0")/lib.sh"

NS=snatcli
ns_add $NS
CTL="$REPO/tools/softwirectl/softwirectl"
BR=2001:db8:ffff::1
RULE="ipv6-prefix 2001:db8::/40 ipv4-prefix 192.0.2.0/24 ea-bits-length 16 psid-offset 6"
EU=2001:db8:12:3400::/56	# RFC 7597 Appendix A, Example 1: 192.0.2.18, PSID 52

# --- Without the module: the extension alone. ---
for BACKEND in $BACKENDS; do
	T="$BACKEND:"
	A="n $NS iptables-$BACKEND -t nat -A POSTROUTING -j SNATPSID"
	out=$(n $NS "iptables-$BACKEND" -j SNATPSID --help 2>&1)
	check "$T -j SNATPSID --help shows the options and the examples" sh -c '
		for w in "--to ADDRESS" "--psid PSID/LEN" "--psid-offset A" "default 6" \
			"--end-user-prefix P/L" "--binding-table NAME" "--drop-portless" \
			"-j SNATPSID" "--to 192.0.2.18 --psid 52/8 --psid-offset 6" \
			"1232-1235, 2256-2259" "63 blocks of 4" \
			"--to 192.0.2.1 --psid 1/4 --psid-offset 0" "4096-8191" \
			"--end-user-prefix 2001:db8:12:3400::/56 --binding-table fmr"; do
			printf "%s\n" "$1" | grep -qF -- "$w" || { echo "missing: $w"; exit 1; }
		done' _ "$out"

	expect_fail "$T --to takes no port" '"192.0.2.18:1232": an address without port' \
		$A --to 192.0.2.18:1232 --psid 52/8
	expect_fail "$T --to takes no range" '"192.0.2.1-192.0.2.3": one address, not a range' \
		$A --to 192.0.2.1-192.0.2.3 --psid 1/4
	expect_fail "$T --to takes an IPv4 address" '"192.0.2.x" is not an IPv4 address' \
		$A --to 192.0.2.x --psid 1/4
	expect_fail "$T --to takes a unicast address" '--to 224.0.0.1: a unicast address is needed' \
		$A --to 224.0.0.1 --psid 1/4
	expect_fail "$T --psid without a length is refused" '--psid "1": write PSID/LENGTH' \
		$A --to 192.0.2.1 --psid 1
	expect_fail "$T a PSID wider than the port space is refused" \
		'--psid 1/17: a PSID of 17 bits is wider than the 16-bit port space' \
		$A --to 192.0.2.1 --psid 1/17
	expect_fail "$T a PSID of 2^LEN or more is refused" '--psid 16/4: PSID 16 does not fit in 4 bits' \
		$A --to 192.0.2.1 --psid 16/4
	expect_fail "$T ... a PSID of length 0 is 0" '--psid 1/0: PSID 1 does not fit in 0 bits' \
		$A --to 192.0.2.1 --psid 1/0
	expect_fail "$T offset + length over 16 is refused (default offset 6)" \
		'--psid-offset 6 \(the default\) \+ PSID length 12 exceeds the 16 bits' \
		$A --to 192.0.2.1 --psid 1/12
	expect_fail "$T offset + length over 16 is refused" '--psid-offset 1 \+ PSID length 16 exceeds' \
		$A --to 192.0.2.1 --psid 1/16 --psid-offset 1
	expect_fail "$T --psid-offset 17 is refused" 'psid-offset.*out of range \(0-16\)' \
		$A --to 192.0.2.1 --psid 1/4 --psid-offset 17
	expect_fail "$T a port set of port 0 alone is refused" 'holds no usable port' \
		$A --to 192.0.2.1 --psid 0/16 --psid-offset 0
	expect_fail "$T --to needs --psid" 'say --to ADDRESS and --psid PSID/LEN' $A --to 192.0.2.1
	expect_fail "$T --psid needs --to" 'say --to ADDRESS and --psid PSID/LEN' $A --psid 1/4
	expect_fail "$T a rule says what to translate to" 'say --to ADDRESS and --psid PSID/LEN' $A
	expect_fail "$T --end-user-prefix needs --binding-table" '--end-user-prefix needs --binding-table' \
		$A --end-user-prefix $EU
	expect_fail "$T --binding-table needs --end-user-prefix" '--binding-table needs --end-user-prefix' \
		$A --binding-table fmr
	for x in "--to 192.0.2.18" "--psid 52/8" "--psid-offset 6"; do
		expect_fail "$T --end-user-prefix excludes ${x% *}" \
			'derive the address and port set: leave out --to, --psid and --psid-offset' \
			$A --end-user-prefix $EU --binding-table fmr $x
	done
	expect_fail "$T --end-user-prefix takes PREFIX/LENGTH" '"2001:db8:12:3400::": write PREFIX/LENGTH' \
		$A --end-user-prefix 2001:db8:12:3400:: --binding-table fmr
	expect_fail "$T an End-user prefix is 64 bits at most" 'an IPv6 prefix of length 1 to 64' \
		$A --end-user-prefix 2001:db8:12:3400::/72 --binding-table fmr
	expect_fail "$T an empty table name is refused" '--binding-table "": a table name has 1 to 15 characters' \
		$A --end-user-prefix $EU --binding-table ''
	expect_fail "$T a table name has at most 15 characters" 'a table name has 1 to 15 characters' \
		$A --end-user-prefix $EU --binding-table abcdefghijklmnop
	expect_fail "$T an option is given once" 'option "--psid" can only be used once' \
		$A --to 192.0.2.1 --psid 1/4 --psid 2/4

	# iptables -v -A prints the rule as -L does (print) before the kernel
	# sees it, so this holds with or without the module.
	for r in "--to 192.0.2.18 --psid 52/8|to 192.0.2.18 psid 52/8 psid-offset 6" \
		 "--to 192.0.2.1 --psid 1/4 --psid-offset 0 --drop-portless|to 192.0.2.1 psid 1/4 psid-offset 0 drop-portless" \
		 "--end-user-prefix $EU --binding-table fmr|end-user-prefix $EU binding-table fmr"; do
		out=$(n $NS "iptables-$BACKEND" -v -t nat -A POSTROUTING -o wan -j SNATPSID ${r%|*} 2>&1)
		check "$T iptables -L words: ${r#*|}" sh -c 'printf "%s\n" "$1" | grep -qE -- "$2\$"' _ \
			"$out" "-> 0\.0\.0\.0/0 +${r#*|}"
	done
	n $NS "iptables-$BACKEND" -t nat -F 2>/dev/null
done

# --- With the module: what the kernel keeps, and what it refuses. ---
if [ "${XTSW_SNATPSID_PARSE_ONLY:-0}" = 1 ]; then
	echo "# snatpsid_cli.sh: XTSW_SNATPSID_PARSE_ONLY=1: round trips and kernel refusals skipped"
	finish
	exit
fi
check "the SNATPSID target is there (xt_LW4O6 loaded; the rest needs it)" \
	sh -c "grep -q '^xt_LW4O6 ' /proc/modules && grep -qx SNATPSID /proc/net/ip_tables_targets"


printf 'br-address %s\nrule %s\n' $BR "$RULE" >"$TMP/fmr"
n $NS "$CTL" load fmr "$TMP/fmr" >/dev/null
save() { n $NS "iptables-$BACKEND-save" -t nat | grep -v '^#' | sed 's/\[[0-9:]*\]//'; }
for BACKEND in $BACKENDS; do
	T="$BACKEND (module):"
	I="n $NS iptables-$BACKEND"
	$I -t nat -A POSTROUTING -o wan -j SNATPSID --to 192.0.2.18 --psid 52/8 --psid-offset 6
	$I -t nat -A POSTROUTING -o wan1 -j SNATPSID --to 192.0.2.18 --psid 52/8
	$I -t nat -A POSTROUTING -o wan2 -p udp -j SNATPSID --to 192.0.2.1 --psid 1/4 --psid-offset 0 --drop-portless
	$I -t nat -A POSTROUTING -o wan3 -j SNATPSID --to 192.0.2.2 --psid 0/0 --psid-offset 16
	$I -t nat -A POSTROUTING -o wan4 -j SNATPSID --end-user-prefix $EU --binding-table fmr
	$I -t nat -A POSTROUTING -o wan5 -j SNATPSID --end-user-prefix $EU --binding-table fmr --drop-portless

	saved=$(save)
	expect_eq "$T iptables-save shows the explicit and derived forms" \
		"-A POSTROUTING -o wan -j SNATPSID --to 192.0.2.18 --psid 52/8 --psid-offset 6
-A POSTROUTING -o wan1 -j SNATPSID --to 192.0.2.18 --psid 52/8 --psid-offset 6
-A POSTROUTING -o wan2 -p udp -j SNATPSID --to 192.0.2.1 --psid 1/4 --psid-offset 0 --drop-portless
-A POSTROUTING -o wan3 -j SNATPSID --to 192.0.2.2 --psid 0/0 --psid-offset 16
-A POSTROUTING -o wan4 -j SNATPSID --end-user-prefix $EU --binding-table fmr
-A POSTROUTING -o wan5 -j SNATPSID --end-user-prefix $EU --binding-table fmr --drop-portless" \
		"$(printf '%s\n' "$saved" | grep -- '-j SNATPSID')"
	$I -t nat -F
	printf '%s\n' "$saved" | n $NS "iptables-$BACKEND-restore"
	expect_eq "$T iptables-save | iptables-restore round trip" "$saved" "$(save)"
	check "$T iptables -L shows the words of save" sh -c \
		"ip netns exec $NS iptables-$BACKEND -t nat -L POSTROUTING -n | grep -qE -- 'SNATPSID .* to 192\.0\.2\.18 psid 52/8 psid-offset 6\$' &&
		 ip netns exec $NS iptables-$BACKEND -t nat -L POSTROUTING -n | grep -qE -- 'SNATPSID .* end-user-prefix 2001:db8:12:3400::/56 binding-table fmr drop-portless\$'"
	$I -t nat -F

	expect_fail "$T the kernel refuses SNATPSID outside the nat table" '.' \
		$I -t mangle -A POSTROUTING -j SNATPSID --to 192.0.2.18 --psid 52/8
	expect_fail "$T the kernel refuses SNATPSID in nat PREROUTING" '.' \
		$I -t nat -A PREROUTING -j SNATPSID --to 192.0.2.18 --psid 52/8
	expect_fail "$T the kernel refuses a binding table that does not exist" '.' \
		$I -t nat -A POSTROUTING -j SNATPSID --end-user-prefix $EU --binding-table nosuch
	expect_fail "$T the kernel refuses an End-user prefix outside the BMR" '.' \
		$I -t nat -A POSTROUTING -j SNATPSID --end-user-prefix 2001:db9:12:3400::/56 --binding-table fmr
	check "$T ... and adds no rule" sh -c \
		"! ip netns exec $NS iptables-$BACKEND-save | grep -q SNATPSID"
done
n $NS "$CTL" delete fmr

finish
