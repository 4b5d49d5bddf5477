#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# MAPT on the command line, iptables and ip6tables, with both backends:
# --help, clear errors for bad input (extension), what iptables -L shows;
# then, with the module loaded: the rules of a CE, a BR and a CLAT added,
# saved and restored (iptables-save | iptables-restore), and the kernel's
# refusals (no such table, a CE whose End-user prefix the BMR does not
# cover, a table with nothing to translate by, a wrong table or chain),
# each with its reason in the kernel log.
#
# The first part needs no kernel module: the extension refuses bad input
# (and prints the rule for -v) before anything reaches the kernel. Without
# the MAPT target (module xt_LW4O6) the second part fails, unless
# XTSW_MAPT_PARSE_ONLY=1 (extension work on a kernel without the target)
# skips it, saying so.

. "$(dirname "$0")/lib.sh"

NS=maptcli
ns_add $NS
CTL="$REPO/tools/softwirectl/softwirectl"
# Seed 002 (the Jool MAP-T tutorial): BMR, DMR, CE 11b's End-user prefix.
RULE="ipv6-prefix 2001:db8:ce::/51 ipv4-prefix 192.0.2.0/24 ea-bits-length 13 psid-offset 0"
DMR=64:ff9b::/96
EU=2001:db8:ce:11b::/64
# Seed 003 (464XLAT): the CLAT's NATed address and its IPv6 address.
EAM="192.0.0.1/32 2001:db8:1:ff::c1a7/128"
kernel_says() { dmesg | grep -qE -- "$1"; }

# --- Without the module: the extension alone. ---
for BACKEND in $BACKENDS; do
	T="$BACKEND:"
	for ipt in iptables ip6tables; do
		out=$(n $NS "$ipt-$BACKEND" -j MAPT --help 2>&1)
		check "$T $ipt -j MAPT --help shows the options, the roles and the seed's CE and BR" sh -c '
			for w in "--binding-table NAME" "--end-user-prefix P/L" "--reject-spoofed" \
				"RFC 7915" "RFC 7599" "RFC 6877" "RFC 7757" "length 1" "to 64" \
				"iptables raw PREROUTING" "mangle" "POSTROUTING" "ip6tables raw" \
				"192.0.2.8, ports 55296-57343" \
				"-j SNATPSID" "--end-user-prefix 2001:db8:ce:11b::/64 --binding-table ce" \
				"-j MAPT" "--binding-table ce --end-user-prefix 2001:db8:ce:11b::/64" \
				"-d 192.0.2.0/24 -j MAPT --binding-table br" \
				"--binding-table br --reject-spoofed"; do
				printf "%s\n" "$1" | grep -qF -- "$w" || { echo "missing: $w"; exit 1; }
			done' _ "$out"

		A="n $NS $ipt-$BACKEND -t raw -A PREROUTING -j MAPT"
		t="$T $ipt:"
		expect_fail "$t a rule names its table" 'MAPT: say --binding-table NAME' $A
		expect_fail "$t ... a CE too" 'MAPT: say --binding-table NAME' $A --end-user-prefix $EU
		expect_fail "$t ... --reject-spoofed alone" 'MAPT: say --binding-table NAME' $A --reject-spoofed
		expect_fail "$t an empty table name is refused" \
			'MAPT: --binding-table "": a table name has 1 to 15 characters' $A --binding-table ''
		expect_fail "$t a table name has at most 15 characters" \
			'MAPT: --binding-table "abcdefghijklmnop": a table name has 1 to 15 characters' \
			$A --binding-table abcdefghijklmnop
		expect_fail "$t --end-user-prefix takes PREFIX/LENGTH" \
			'MAPT: --end-user-prefix "2001:db8:ce:11b::": write PREFIX/LENGTH' \
			$A --binding-table ce --end-user-prefix 2001:db8:ce:11b::
		expect_fail "$t an End-user prefix is an IPv6 address" \
			'MAPT: --end-user-prefix "192.0.2.0/24": "192.0.2.0" is not an IPv6 address' \
			$A --binding-table ce --end-user-prefix 192.0.2.0/24
		expect_fail "$t ... a valid one" \
			'MAPT: --end-user-prefix "2001:db8:ce:zz::/64": "2001:db8:ce:zz::" is not an IPv6 address' \
			$A --binding-table ce --end-user-prefix 2001:db8:ce:zz::/64
		for l in 0 65 128 x 064x ""; do
			expect_fail "$t an End-user prefix of length \"$l\" is refused (1 to 64)" \
				"MAPT: --end-user-prefix \"2001:db8:ce::/$l\": an IPv6 prefix of length 1 to 64 is needed" \
				$A --binding-table ce --end-user-prefix "2001:db8:ce::/$l"
		done
		for o in "--binding-table ce" "--end-user-prefix $EU" "--reject-spoofed"; do
			expect_fail "$t ${o% *} is given once" "MAPT: option \"${o%% *}\" can only be used once" \
				$A --binding-table ce $o $o
		done
		expect_fail "$t LW4O6's options are not MAPT's" 'unknown option "--psid"' \
			$A --binding-table ce --psid 1/4

		# $ipt -v -A prints the rule as -L does (print) before the kernel
		# sees it, so this holds with or without the module (the table
		# "none" does not exist: the module refuses the rule).
		for r in "--binding-table none|binding-table none" \
			 "--binding-table none --reject-spoofed|binding-table none reject-spoofed" \
			 "--reject-spoofed --end-user-prefix $EU --binding-table none|binding-table none end-user-prefix $EU reject-spoofed" \
			 "--end-user-prefix 2001:db8:ce:11b::1/64 --binding-table none|binding-table none end-user-prefix 2001:db8:ce:11b::1/64" \
			 "--binding-table none --end-user-prefix 2001:db8:0:0::/1|binding-table none end-user-prefix 2001:db8::/1"; do
			out=$(n $NS "$ipt-$BACKEND" -v -t raw -A PREROUTING -j MAPT ${r%|*} 2>&1)
			check "$t $ipt -L words: ${r#*|}" sh -c 'printf "%s\n" "$1" | grep -qE -- "$2\$"' _ \
				"$out" "-> (0\.0\.0\.0|::)/0 +${r#*|}"
		done
		n $NS "$ipt-$BACKEND" -t raw -F 2>/dev/null
	done
done

# --- With the module: what the kernel keeps, and what it refuses. ---
if [ "${XTSW_MAPT_PARSE_ONLY:-0}" = 1 ]; then
	echo "# mapt_cli.sh: XTSW_MAPT_PARSE_ONLY=1: round trips and kernel refusals skipped"
	finish
	exit
fi
check "the MAPT target is there in both families (xt_LW4O6 loaded; the rest needs it)" \
	sh -c "grep -q '^xt_LW4O6 ' /proc/modules && grep -qx MAPT /proc/net/ip_tables_targets &&
	       grep -qx MAPT /proc/net/ip6_tables_targets"

# The CE's and the BR's table (seed 002), the CLAT's (seed 003), and a table
# with nothing a translator maps by (a MAP-E AFTR's, empty).
printf 'rule %s\ndmr %s\n' "$RULE" $DMR >"$TMP/ce"
printf 'eam %s\ndmr %s\n' "$EAM" $DMR >"$TMP/clat"
for t in ce br; do n $NS "$CTL" load $t "$TMP/ce" >/dev/null; done
n $NS "$CTL" load clat "$TMP/clat" >/dev/null
n $NS "$CTL" create empty br-address 2001:db8:ffff::1
check "the tables are there (softwirectl load: rule, dmr and eam lines)" sh -c \
	"for t in ce br clat empty; do ip netns exec $NS $CTL show \$t >/dev/null || exit 1; done"

save() { n $NS "$1-$BACKEND-save" -t $2 | grep -v '^#' | sed 's/\[[0-9:]*\]//'; }
for BACKEND in $BACKENDS; do
	T="$BACKEND (module):"
	I4="n $NS iptables-$BACKEND"
	I6="n $NS ip6tables-$BACKEND"
	# The BR, the CE and the CLAT (both forms) of libxt_MAPT(8).
	$I4 -t raw -A PREROUTING -i inet -d 192.0.2.0/24 -j MAPT --binding-table br
	$I6 -t raw -A PREROUTING -i map -j MAPT --binding-table br --reject-spoofed
	$I4 -t mangle -A POSTROUTING -o wan -j MAPT --binding-table ce --end-user-prefix $EU
	$I6 -t raw -A PREROUTING -i wan -j MAPT --reject-spoofed --end-user-prefix $EU --binding-table ce
	$I4 -t mangle -A POSTROUTING -o wan2 -j MAPT --binding-table clat
	$I6 -t raw -A PREROUTING -i wan2 -d 2001:db8:1:ff::c1a7/128 -j MAPT --binding-table clat
	$I4 -t raw -A PREROUTING -i lan -j MAPT --binding-table clat

	expect_eq "$T iptables-save -t raw: the BR's and the CLAT's rules" \
		"-A PREROUTING -d 192.0.2.0/24 -i inet -j MAPT --binding-table br
-A PREROUTING -i lan -j MAPT --binding-table clat" \
		"$(save iptables raw | grep -- '-j MAPT')"
	expect_eq "$T iptables-save -t mangle: the CE's and the NATed CLAT's rules" \
		"-A POSTROUTING -o wan -j MAPT --binding-table ce --end-user-prefix $EU
-A POSTROUTING -o wan2 -j MAPT --binding-table clat" \
		"$(save iptables mangle | grep -- '-j MAPT')"
	expect_eq "$T ip6tables-save -t raw: the options in one order, whatever the order typed" \
		"-A PREROUTING -i map -j MAPT --binding-table br --reject-spoofed
-A PREROUTING -i wan -j MAPT --binding-table ce --end-user-prefix $EU --reject-spoofed
-A PREROUTING -d 2001:db8:1:ff::c1a7/128 -i wan2 -j MAPT --binding-table clat" \
		"$(save ip6tables raw | grep -- '-j MAPT')"
	for it in "iptables raw" "iptables mangle" "ip6tables raw"; do
		ipt=${it% *} tbl=${it#* }
		saved=$(save $ipt $tbl)
		n $NS "$ipt-$BACKEND" -t $tbl -F
		check "$T $ipt -t $tbl -F removed the rules" sh -c \
			"! ip netns exec $NS $ipt-$BACKEND-save -t $tbl | grep -q MAPT"
		printf '%s\n' "$saved" | n $NS "$ipt-$BACKEND-restore"
		expect_eq "$T $ipt-save -t $tbl | $ipt-restore round trip" "$saved" "$(save $ipt $tbl)"
	done
	check "$T iptables -L and ip6tables -L show the words of save" sh -c "
		ip netns exec $NS iptables-$BACKEND -t mangle -L POSTROUTING -n |
			grep -qE -- 'MAPT .* binding-table ce end-user-prefix 2001:db8:ce:11b::/64\$' &&
		ip netns exec $NS ip6tables-$BACKEND -t raw -L PREROUTING -n |
			grep -qE -- 'MAPT .* binding-table ce end-user-prefix 2001:db8:ce:11b::/64 reject-spoofed\$' &&
		ip netns exec $NS ip6tables-$BACKEND -t raw -L PREROUTING -n |
			grep -qE -- 'MAPT .* binding-table br reject-spoofed\$'"
	check "$T softwirectl show counts the rules using a table (ce: 2)" sh -c \
		"ip netns exec $NS $CTL show ce | grep -q 'used by 2 iptables rules'"
	expect_fail "$T softwirectl delete refuses a table in use" '.' n $NS "$CTL" delete br
	for it in "iptables raw" "iptables mangle" "ip6tables raw"; do
		n $NS "${it% *}-$BACKEND" -t "${it#* }" -F
	done

	# The kernel's refusals: iptables says the errno, the kernel log why.
	dmesg -C
	expect_fail "$T a table that does not exist is refused (ENOENT)" \
		'No chain/target/match by that name|No such file or directory' \
		$I6 -t raw -A PREROUTING -j MAPT --binding-table nosuch
	check "$T ... and the kernel says why" kernel_says 'no binding table nosuch in this network namespace'
	dmesg -C
	expect_fail "$T ... in iptables too" \
		'No chain/target/match by that name|No such file or directory' \
		$I4 -t mangle -A POSTROUTING -j MAPT --binding-table nosuch --end-user-prefix $EU
	check "$T ... and the kernel says why" kernel_says 'no binding table nosuch in this network namespace'
	dmesg -C
	expect_fail "$T a CE whose End-user prefix is not under the BMR is refused (EINVAL)" \
		'Invalid argument' \
		$I4 -t mangle -A POSTROUTING -j MAPT --binding-table ce --end-user-prefix 2001:db9:ce:11b::/64
	check "$T ... and the kernel says why" kernel_says 'table ce: .*End-user prefix'
	dmesg -C
	expect_fail "$T ... an End-user prefix too short for the EA bits too (EINVAL)" \
		'Invalid argument' \
		$I6 -t raw -A PREROUTING -j MAPT --binding-table ce --end-user-prefix 2001:db8:ce::/48
	check "$T ... and the kernel says why" kernel_says 'table ce: .*End-user prefix'
	dmesg -C
	expect_fail "$T a CE needs a table with a rule, the BMR" '.' \
		$I4 -t mangle -A POSTROUTING -j MAPT --binding-table clat --end-user-prefix $EU
	check "$T ... and the kernel says why" kernel_says 'table clat: .*BMR'
	for ipt in "$I4" "$I6"; do
		dmesg -C
		expect_fail "$T ${ipt#* * } a table with no MAP rule, EAM nor DMR is refused (EINVAL)" \
			'Invalid argument' $ipt -t raw -A PREROUTING -j MAPT --binding-table empty
		check "$T ... and the kernel says why, naming the table" kernel_says 'empty'
	done
	for where in "$I4 raw OUTPUT" "$I4 mangle PREROUTING" "$I4 mangle FORWARD" "$I4 mangle OUTPUT" \
		     "$I4 mangle INPUT" "$I4 filter FORWARD" "$I4 nat POSTROUTING" \
		     "$I6 raw OUTPUT" "$I6 mangle PREROUTING" "$I6 mangle POSTROUTING" "$I6 filter FORWARD"; do
		read -r _ _ ipt tbl chain <<<"$where"
		dmesg -C
		expect_fail "$T ${ipt%-*} -t $tbl $chain is refused (EINVAL)" 'Invalid argument' \
			n $NS $ipt -t $tbl -A $chain -j MAPT --binding-table br
		check "$T ... and the kernel says where MAPT belongs" kernel_says 'MAPT'
	done
	check "$T ... and none of the refused rules is there" sh -c "
		! ip netns exec $NS iptables-$BACKEND-save | grep -q MAPT &&
		! ip netns exec $NS ip6tables-$BACKEND-save | grep -q MAPT"
	for t in raw mangle filter nat; do n $NS "iptables-$BACKEND" -t $t -F 2>/dev/null; done
	for t in raw mangle filter; do n $NS "ip6tables-$BACKEND" -t $t -F 2>/dev/null; done
done
for t in ce br clat empty; do n $NS "$CTL" delete $t; done

finish
