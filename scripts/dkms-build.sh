#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS builds the modules for each kernel named (a release, "primary" or
# "second", as scripts/kernels.sh resolves them), from the tracked files
# only, as a release tarball has them: "dkms add" and "dkms build" with
# dkms.conf, in private DKMS trees (--dkmstree, --sourcetree), so the
# system's DKMS state and /lib/modules are untouched and a kernel that is
# only in the private cache can be built for. Natively on the host: a DKMS
# build inside the emulated VM takes minutes (4 under TCG).
# tests/dkms_install.sh checks the rest (dkms install, modprobe, a rule) in
# the VM.
#
# Each build is also kept as a binaries-only DKMS tarball,
# build/dkms/NAME-VER-KVER.tar.gz, with the digest of the tracked files it
# was built from: tests/dkms_install.sh loads it in the VM (dkms
# ldtarball) instead of building again there when the digest matches.
#
# Usage: scripts/dkms-build.sh KERNEL...
# Prints one "ok"/"not ok" line per check and "N passed, N failed" last.

set -u
cd "$(dirname "$0")/.." || exit 1
NAME=xt-softwire
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

P=0 F=0
ok() { P=$((P + 1)); echo "ok - $*"; }
not_ok() { F=$((F + 1)); echo "not ok - $*"; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
OUT=build/dkms
mkdir -p "$OUT"
digest=$(sh scripts/tree-digest.sh)
mkdir -p "$T/src/$NAME-$VER" "$T/dkms"
git ls-files -z | xargs -0 tar -c | tar -x -C "$T/src/$NAME-$VER"
trees=(--dkmstree "$T/dkms" --sourcetree "$T/src")
# DKMS creates its module signing key in /var/lib/dkms whatever the trees:
# as root, give it a throwaway one there, in a mount namespace of its own.
dkms() {
	if [ "$(id -u)" = 0 ] && [ -d /var/lib/dkms ]; then
		unshare -m sh -c 'mount -t tmpfs tmpfs /var/lib/dkms && exec dkms "$@"' dkms "$@"
	else
		command dkms "$@"
	fi
}

if dkms add -m "$NAME" -v "$VER" "${trees[@]}" >"$T/add.log" 2>&1; then
	ok "dkms add $NAME/$VER (private DKMS tree)"
else
	not_ok "dkms add $NAME/$VER"; sed 's/^/    /' "$T/add.log"
fi

for k in "$@"; do
	kver=$(sh scripts/kernels.sh release "$k") && kdir=$(sh scripts/kernels.sh kdir "$kver") || {
		not_ok "dkms build for $k: no such kernel"; continue; }
	if dkms build -m "$NAME" -v "$VER" -k "$kver" --kernelsourcedir "$kdir" "${trees[@]}" \
			>"$T/build.log" 2>&1; then
		ok "dkms build -k $kver"
	else
		not_ok "dkms build -k $kver"
		sed 's/^/    /' "$T/build.log" | tail -n 30
		tail -n 30 "$T/dkms/$NAME/$VER/build/make.log" 2>/dev/null
		continue
	fi
	for m in xt_MAP66 xt_LW4O6; do
		ko=$(find "$T/dkms/$NAME/$VER/$kver" -name "$m.ko*" | head -n 1)
		magic=$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)
		if [ "$magic" = "$kver" ]; then
			ok "dkms built $m for $kver"
		else
			not_ok "dkms built $m for $kver (found '${ko#"$T/"}', vermagic '$magic')"
		fi
	done
	tarball=$OUT/$NAME-$VER-$kver.tar.gz
	rm -f "$tarball" "$tarball.digest"
	if dkms mktarball -m "$NAME" -v "$VER" -k "$kver" --binaries-only "${trees[@]}" \
			--archive "$PWD/$tarball" >"$T/tar.log" 2>&1; then
		echo "$digest" >"$tarball.digest"
		ok "dkms mktarball --binaries-only for $kver ($tarball)"
	else
		not_ok "dkms mktarball for $kver"; sed 's/^/    /' "$T/tar.log" | tail -n 10
	fi
done

echo "$P passed, $F failed"
[ "$F" -eq 0 ]
