#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Fetch and cache the real Debian kernel corpus outside git.
#
#   scripts/corpus.sh [PKGVER...]     fetch (idempotent; offline once cached), print the cache root
#   scripts/corpus.sh --path VER      print the extracted root of one kernel (fetching it if needed)
#
# Cache: ${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}/<ver>/ holding the dpkg-deb -x tree
# (boot/vmlinuz-<ver>, lib/modules/<ver>/...). The .deb itself is kept in debs/.
set -euo pipefail

CACHE=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}
DEFAULT_VERS=(6.1.0-54-cloud-amd64 6.1.0-55-cloud-amd64 6.12.115+deb12-cloud-amd64 6.12.117+deb12-cloud-amd64)

fetch_one() {
	local ver=$1 pkg="linux-image-$1-unsigned" dir="$CACHE/$1"
	[ -f "$dir/.complete" ] && return 0
	mkdir -p "$CACHE/debs"
	local deb
	deb=$(ls "$CACHE/debs/${pkg}"_*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		if ! apt-cache show "$pkg" >/dev/null 2>&1; then
			[ "$(id -u)" = 0 ] && apt-get update -qq >&2 || true
		fi
		(cd "$CACHE/debs" && apt-get download -qq "$pkg" >&2) || {
			echo "corpus: cannot download $pkg (no package registry?)" >&2; return 1; }
		deb=$(ls "$CACHE/debs/${pkg}"_*.deb | head -n1)
	fi
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	dpkg-deb -x "$deb" "$dir.tmp"
	touch "$dir.tmp/.complete"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
}

if [ "${1:-}" = "--path" ]; then
	fetch_one "$2"
	echo "$CACHE/$2"
	exit 0
fi

vers=("$@")
[ ${#vers[@]} -gt 0 ] || vers=("${DEFAULT_VERS[@]}")
for v in "${vers[@]}"; do
	fetch_one "$v"
done
echo "$CACHE"
