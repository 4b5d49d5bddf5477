#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build and run the userspace unit tests of the shared C code under
# AddressSanitizer and UBSan. Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
CC=${CC:-gcc}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
passed=0 failed=0
for t in tests/unit/test_*.c; do
	bin=${t%.c}.bin
	case $t in
	*map66*) srcs="kernel/map66_core.c" ;;
	*xlat_addr*) srcs="kernel/xlat_addr.c kernel/psid_core.c" ;;
	*psid*) srcs="kernel/psid_core.c" ;;
	*softwire_table*) srcs="kernel/softwire_table_core.c" ;;
	*prefix_parse*) srcs="lib/prefix_parse.c" ;;
	*) srcs="" ;;
	esac
	if ! $CC -std=gnu11 -O1 -g -Wall -Wextra -Werror $SAN -Ikernel -Ilib -Itests/unit \
		-o "$bin" "$t" $srcs; then
		echo "not ok - build $t"
		failed=$((failed + 1))
		continue
	fi
	out=$("./$bin" 2>&1); rc=$?
	printf '%s\n' "$out" | grep -v '^[0-9]* passed, [0-9]* failed$'
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $bin exited $rc"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
