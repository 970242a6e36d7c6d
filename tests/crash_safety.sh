#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Crash safety of module rewrites: `stamp` (.ko and .ko.xz) and `relocate`
# (.ko.xz, onto the newer 6.1 build, BTFC_K61B) killed with SIGKILL at random points, KILLS (100) times each, the
# points spread over the whole run (one in each of KILLS equal slices of twice its duration);
# the module must always be either the old or the new file, byte for byte, and
# no temporary file may be taken for the module.
#   tests/crash_safety.sh BTFCOMPAT
set -u
BIN=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
corpus_env
need_kernels crash-safety BTFC_K61A BTFC_K61B || exit 0
K=$(kroot "$BTFC_K61A") || { fail crash-safety "corpus: cannot fetch $BTFC_K61A"; exit 0; }
V=$K/boot/vmlinuz-${BTFC_K61A}
KILLS=${BTFC_CRASH_KILLS:-100}
K55=$(kroot "$BTFC_K61B") || { fail crash-safety "corpus: cannot fetch $BTFC_K61B"; exit 0; }
V55=$K55/boot/vmlinuz-${BTFC_K61B}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
"$BIN" dump "$V" > /dev/null # warm the page cache
for job in "stamp ko" "stamp ko.xz" "relocate ko.xz"; do
	verb=${job% *} kind=${job#* }
	if [ $verb = stamp ]; then args=(stamp --unsign -B "$V"); else args=(relocate --unsign --match kernel --from "$V" --to "$V55"); fi
	src=$(find "$K/lib/modules" -name nf_conntrack.ko | head -n1)
	if [ $kind = ko.xz ]; then xz -c --check=crc32 "$src" > "$TMP/orig.$kind"; else cp "$src" "$TMP/orig.$kind"; fi
	cp "$TMP/orig.$kind" "$TMP/new.$kind"
	t0=$(date +%s%N); "$BIN" "${args[@]}" "$TMP/new.$kind" > "$TMP/ref.out" 2>&1; rc=$?; t1=$(date +%s%N)
	span=$(( (t1 - t0) / 1000 * 2 )) # kill anywhere in twice one run's duration (microseconds)
	old=$(sha256sum < "$TMP/orig.$kind") new=$(sha256sum < "$TMP/new.$kind")
	# without a real rewrite "old or new" would hold whatever happened
	if [ $rc != 0 ] || [ "$old" = "$new" ]; then
		fail "crash-safety/$verb-$kind" "the reference rewrite did not change the module (rc=$rc): $(head -c 300 "$TMP/ref.out")"
		continue
	fi
	bad=0 olds=0 news=0
	for i in $(seq $KILLS); do
		mkdir -p "$TMP/run"; cp "$TMP/orig.$kind" "$TMP/run/m.$kind"
		"$BIN" "${args[@]}" "$TMP/run/m.$kind" > /dev/null 2>&1 &
		pid=$!
		# stratified: run i dies at a random point of the i-th of KILLS equal slices of the window
		us=$(( span * (i - 1) / KILLS + (RANDOM * 32768 + RANDOM) % (span / KILLS + 1) ))
		sleep "$((us / 1000000)).$(printf '%06d' $((us % 1000000)))"
		kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
		h=$(sha256sum < "$TMP/run/m.$kind")
		if [ "$h" = "$old" ]; then olds=$((olds + 1)); elif [ "$h" = "$new" ]; then news=$((news + 1)); else bad=$((bad + 1)); fi
		rm -rf "$TMP/run"
	done
	if [ $bad = 0 ]; then pass "crash-safety/$verb-$kind ($KILLS kills: $olds old, $news new, 0 torn)"; else
		fail "crash-safety/$verb-$kind" "$bad of $KILLS runs left a file that is neither old nor new"; fi
done
