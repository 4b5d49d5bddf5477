#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build the libFuzzer targets with clang (ASan+UBSan) and run each for
# $1 seconds (default 10) over its kept corpus tests/fuzz/corpus/NAME.
# Prints "ok"/"not ok" per target. With FUZZ_KEEP=1 (make fuzz), what a
# run found that adds coverage is merged into the kept corpus (libFuzzer
# -merge=1: minimized), to be committed; otherwise the corpus is only read.
set -u
cd "$(dirname "$0")/../.."
secs=${1:-10}
mkdir -p build
rc=0
for f in tests/fuzz/fuzz_*.c; do
	name=$(basename "$f" .c)
	bin=tests/fuzz/$name.bin
	case $name in
	*map66*) srcs="kernel/map66_core.c" ;;
	*xlat_addr*) srcs="kernel/xlat_addr.c kernel/psid_core.c" ;;
	*psid*) srcs="kernel/psid_core.c" ;;
	*softwire_table*) srcs="kernel/softwire_table_core.c" ;;
	*prefix_parse*) srcs="lib/prefix_parse.c" ;;
	fuzz_xlat) srcs="kernel/xlat_hdr.c kernel/xlat_icmp.c" ;;
	*table_file*) srcs="tools/softwirectl/file.c lib/prefix_parse.c kernel/psid_core.c" ;;
	*) srcs="" ;;
	esac
	if ! clang -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -Ikernel -Ilib -Iinclude/uapi -Itools/softwirectl \
		-o "$bin" "$f" $srcs; then
		echo "not ok - fuzz build $name"; rc=1; continue
	fi
	log=$(mktemp)
	# The kept corpus (tests/fuzz/corpus/NAME) is read, never written:
	# what the run finds goes to a scratch directory first in the list.
	work=$(mktemp -d)
	corpus=tests/fuzz/corpus/$name
	[ -d "$corpus" ] || corpus=
	if "./$bin" -max_total_time="$secs" -seed=1 -artifact_prefix=build/ \
		"$work" $corpus >"$log" 2>&1; then
		echo "ok - fuzz $name ($(grep -o 'Done [0-9]* runs' "$log" | tail -n 1) in ${secs}s)"
		if [ "${FUZZ_KEEP:-0}" = 1 ]; then
			mkdir -p "tests/fuzz/corpus/$name"
			"./$bin" -merge=1 "tests/fuzz/corpus/$name" "$work" >/dev/null 2>&1 &&
				echo "# $name: kept corpus $(ls "tests/fuzz/corpus/$name" | wc -l) inputs"
		fi
	else
		echo "not ok - fuzz $name"; tail -n 30 "$log"; rc=1
	fi
	rm -rf "$log" "$work"
done
exit $rc
