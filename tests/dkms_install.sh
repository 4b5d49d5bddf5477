#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS packaging, as a router admin uses it: from a copy of the source tree,
# "dkms add .", "dkms build", "dkms install" for the running kernel, then
# "modprobe xt_MAP66" loads the installed module and a MAP66 rule works;
# softwirectl loads the installed xt_LW4O6 by its generic netlink family.
# Changes the system (/usr/src, /var/lib/dkms, /lib/modules): runs in the
# test VM, or on a host only with XTSW_DKMS=1.

. "$(dirname "$0")/lib.sh"

if [ -z "${XTSW_VM:-}" ] && [ -z "${XTSW_DKMS:-}" ]; then
	echo "# dkms_install.sh: skipped on a host (set XTSW_DKMS=1 to run)"
	ok "dkms test skipped outside the VM (XTSW_DKMS=1 runs it)"
	finish; exit
fi

NAME=xt-softwire
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$REPO/dkms.conf")
KVER=$(uname -r)
SRC="$TMP/$NAME-$VER"
mkdir -p "$SRC"
# The tracked files only, as a release tarball or a fresh clone has them.
(cd "$REPO" && git ls-files -z | xargs -0 tar -c) | tar -x -C "$SRC"

reloaded=false reloaded_lw4o6=false
if grep -q '^xt_MAP66 ' /proc/modules; then
	rmmod xt_MAP66 && reloaded=true
fi
if grep -q '^xt_LW4O6 ' /proc/modules; then
	rmmod xt_LW4O6 && reloaded_lw4o6=true
fi

# scripts/dkms-build.sh (make check runs it first) built this tree for
# this kernel natively and left a binaries-only tarball: load that, as a
# vendor's binary DKMS package is loaded, rather than compile for minutes
# under TCG. Another tree (the digest differs), or no tarball: build here.
TARBALL=$REPO/build/dkms/$NAME-$VER-$KVER.tar.gz
if [ -f "$TARBALL" ] && [ "$(cat "$TARBALL.digest" 2>/dev/null)" = "$(sh "$REPO/scripts/tree-digest.sh")" ]; then
	# The source beside the binaries, where DKMS keeps sources (ldtarball
	# of a binaries-only tarball fails without it).
	cp -r "$SRC" /usr/src/
	check "dkms ldtarball (this tree, built for $KVER by scripts/dkms-build.sh)" \
		dkms ldtarball "$TARBALL"
	check "dkms status lists it built" sh -c "dkms status | grep -q '^$NAME/$VER, $KVER, .*: built'"
else
	check "dkms add ." sh -c "cd '$SRC' && dkms add ."
	check "dkms build -m $NAME -v $VER -k $KVER" dkms build -m $NAME -v "$VER" -k "$KVER"
fi
check "dkms install -m $NAME -v $VER -k $KVER" dkms install -m $NAME -v "$VER" -k "$KVER"
check "dkms status lists it installed" sh -c "dkms status | grep -q '^$NAME/$VER, $KVER, .*: installed'"
check "modprobe xt_MAP66 loads the installed module" modprobe xt_MAP66
# DKMS compresses what it installs as the kernel's own modules are (.ko.xz
# on Debian's 6.12, plain .ko on 6.1).
ZEXT=$(sed -n 's/^kernel\/.*\.ko\(\.[a-z]*\)\{0,1\}:.*/\1/p' "/lib/modules/$KVER/modules.dep" | head -n 1)
expect_eq "the loaded module is DKMS's" "/lib/modules/$KVER/updates/dkms/xt_MAP66.ko$ZEXT" \
	"$(modinfo -n xt_MAP66)"
ns_add dkms
check "a MAP66 rule works with the installed module" \
	n dkms ip6tables-legacy -t mangle -A POSTROUTING -s fd01:203:405::/48 -j MAP66 --to 2001:db8:1::/48
check "ip6tables autoloads the module by its alias (ip6t_MAP66)" sh -c \
	"n() { ip netns exec \"\$@\"; }; ip netns exec dkms ip6tables-legacy -t mangle -F && rmmod xt_MAP66 &&
	 ip netns exec dkms ip6tables-legacy -t mangle -A POSTROUTING -j MAP66 --to 2001:db8:1::/48 &&
	 grep -q '^xt_MAP66 ' /proc/modules"
n dkms ip6tables-legacy -t mangle -F
ip netns del dkms
check "rmmod" rmmod xt_MAP66
check "softwirectl loads xt_LW4O6 by its generic netlink family (as the README's AFTR does)" sh -c \
	"! grep -q '^xt_LW4O6 ' /proc/modules && '$REPO/tools/softwirectl/softwirectl' show && grep -q '^xt_LW4O6 ' /proc/modules"
expect_eq "... the installed one" "/lib/modules/$KVER/updates/dkms/xt_LW4O6.ko$ZEXT" "$(modinfo -n xt_LW4O6)"
rmmod xt_LW4O6
check "dkms remove" dkms remove -m $NAME -v "$VER" --all
rm -rf "/usr/src/$NAME-$VER"

if $reloaded; then
	insmod "$REPO/kernel/xt_MAP66.ko" || not_ok "reload the tree's xt_MAP66"
fi
if $reloaded_lw4o6; then
	insmod "$REPO/kernel/xt_LW4O6.ko" || not_ok "reload the tree's xt_LW4O6"
fi
finish
