# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Sourced by tests/kernel_pkg.sh and tests/kernel_warn.sh: the unpatched and
# the patched source trees of a kernel version, without building a kernel.
# The unpatched tree is the one scripts/kernel-build.sh extracts
# (${BTFCOMPAT_CACHE:-~/.cache/btfcompat}/kernel-VERSION/linux-source-VERSION,
# never written); when it is missing, kernel-build.sh builds a small kernel
# once to get it. The patched tree is a hard-linked copy with the series
# (kernel/VERSION/*.patch) applied with no fuzz, cached by the patches' hash.
#
#   series_tree VERSION   sets PRISTINE and PATCHED; returns 0, 2 (a patch
#                         does not apply: message on stderr) or 3 (no source)
series_tree() {
	local v=$1 top cache key p rc sets
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	cache=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}/kernel-$v
	PRISTINE=$cache/linux-source-$v
	if [ ! -f "$PRISTINE/.btfc-extracted" ]; then
		sets=()
		# 7.2's CRC_ITU_T (in the fragment) has no prompt
		[ "$v" = 7.2 ] && sets=(--set "# CONFIG_CRC_ITU_T is not set")
		nice -n 10 "$top/scripts/kernel-build.sh" --version "$v" "${sets[@]}" tree-seed > /dev/null; rc=$?
		[ $rc = 0 ] || return $rc
	fi
	key=$(cat "$top"/kernel/"$v"/*.patch | sha256sum | cut -c1-12)
	PATCHED=$cache/series-$key
	[ -f "$PATCHED/.btfc-patched" ] && return 0
	rm -rf "$PATCHED" "$PATCHED.tmp"
	# hard links: patch(1) writes a new file and renames it, so the unpatched tree is never written
	cp -al "$PRISTINE" "$PATCHED.tmp"
	for p in "$top"/kernel/"$v"/*.patch; do
		patch -d "$PATCHED.tmp" -p1 -F0 -N -s --no-backup-if-mismatch < "$p" >&2 ||
			{ echo "series-tree: $p does not apply with no fuzz" >&2; rm -rf "$PATCHED.tmp"; return 2; }
	done
	printf '%s\n' "$top"/kernel/"$v"/*.patch > "$PATCHED.tmp/.btfc-patched"
	mv "$PATCHED.tmp" "$PATCHED"
}
