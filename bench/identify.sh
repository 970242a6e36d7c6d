#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# identify vs scan (a benchmark, not a test: prints numbers, exits 0).
# With the four Debian bases (6.1.0-54, -55, 6.12.115, 6.12.117) in a temporary store:
#  * identify of the whole 6.1.0-54 tree (1121 modules, evidence against 4 candidates,
#    each module opened once) vs one scan of the same tree against one vmlinuz;
#  * the same with every module stamped (the lookup path);
#  * identify of the 6.12.115 .ko.xz tree vs its scan.
# Wall time, best of 3.
#   bench/identify.sh [BTFCOMPAT]    (default build/btfcompat)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
eval "$("$ROOT/scripts/corpus.sh" --env 2>/dev/null)" # the corpus roles' kernels (BTFC_K61A ...)
BIN=$(realpath "${1:-$ROOT/build/btfcompat}")
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
wall_ms() { local t0 t1; t0=$(date +%s%N); "$@" > /dev/null 2>&1; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
best_ms() { local best=999999999 m; for _ in 1 2 3; do m=$(wall_ms "$@"); [ "$m" -lt "$best" ] && best=$m; done; echo "$best"; }
# cpu_ms CMD...: user+sys of the best of 3 (less disturbed than wall time on a shared machine)
cpu_ms() {
	local best=999999999 m
	for _ in 1 2 3; do
		/usr/bin/time -o "$TMP/time" -f '%U %S' "$@" > /dev/null 2>&1
		m=$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$TMP/time")
		[ "$m" -lt "$best" ] && best=$m
	done
	echo "$best"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
declare -A K
for v in ${BTFC_K61A} ${BTFC_K61B} ${BTFC_K612A} ${BTFC_K612B}; do
	K[$v]=$("$ROOT/scripts/corpus.sh" --path "$v" 2>/dev/null) || { echo "bench: corpus $v unavailable" >&2; exit 1; }
	"$BIN" store add --store "$TMP/store" "${K[$v]}/boot/vmlinuz-$v" > /dev/null || exit 1
done
export BTFCOMPAT_STORE=$TMP/store
v=${BTFC_K61A} T=${K[${BTFC_K61A}]}/lib/modules/${BTFC_K61A}
i_ms=$(best_ms "$BIN" identify --no-installed "$T")
s_ms=$(best_ms "$BIN" scan -B "${K[$v]}/boot/vmlinuz-$v" "$T")
echo "identify, $v tree ($(find "$T" -name '*.ko' | wc -l) .ko) against 4 stored bases: $i_ms ms; one scan against its vmlinuz: $s_ms ms; ratio $(ratio "$i_ms" "$s_ms")"
ic=$(cpu_ms "$BIN" identify --no-installed "$T") sc=$(cpu_ms "$BIN" scan -B "${K[$v]}/boot/vmlinuz-$v" "$T")
b1=$(cpu_ms "$BIN" identify --no-installed "$T/kernel/net/key/af_key.ko")
echo "  CPU (user+sys): identify $ic ms (of which loading and hashing the 4 bases: ~$b1 ms), scan $sc ms; ratio $(ratio "$ic" "$sc")"
cp -r "$T" "$TMP/stamped" && chmod -R u+w "$TMP/stamped"
find "$TMP/stamped" -name "*.ko" -print0 | xargs -0 "$BIN" stamp -f -B "${K[$v]}/boot/vmlinuz-$v" > /dev/null 2>&1
st_ms=$(best_ms "$BIN" identify --no-installed "$TMP/stamped")
echo "identify, the same tree stamped (lookup): $st_ms ms; ratio to the scan $(ratio "$st_ms" "$s_ms")"
v=${BTFC_K612A} T=${K[$v]}/lib/modules/$v
x_ms=$(best_ms "$BIN" identify --no-installed "$T")
xs_ms=$(best_ms "$BIN" scan -B "${K[$v]}/boot/vmlinuz-$v" "$T")
echo "identify, $v tree ($(find "$T" -name '*.ko.xz' | wc -l) .ko.xz) against 4 stored bases: $x_ms ms; one scan: $xs_ms ms; ratio $(ratio "$x_ms" "$xs_ms")"
exit 0
