#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The digest of the tracked files as they are in the working tree (what
# scripts/dkms-build.sh builds from): one line, sha256.
cd "$(dirname "$0")/.." || exit 1
git ls-files -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
