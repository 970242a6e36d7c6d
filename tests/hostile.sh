#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# A hostile user and a careful sysadmin against the rewriting and reading verbs
# (issue 17): stale stamps, corrupt ELF, destinations that are not regular
# files, symbolic links, kept metadata, concurrent rewrites, interrupted
# rewrites, files changing while read, FIFOs and devices, deep trees,
# decompression bombs. Real modules from the corpus (Debian 6.1.0-54/-55).
#   tests/hostile.sh BTFCOMPAT [quick]     quick (the sanitizer build): 10 runs of each race, not 40
set -u
BIN=$(realpath "$1")
RUNS=40; [ "${2:-}" = quick ] && RUNS=10
# the bombs' bound on resident memory: ASan's shadow and quarantine add about 50 MB to each process
RSS_MAX_KB=204800; [ "${2:-}" = quick ] && RSS_MAX_KB=409600
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
corpus_env
K54=$("$TOP/scripts/corpus.sh" --path "$BTFC_K61A" 2>/dev/null) &&
K55=$("$TOP/scripts/corpus.sh" --path "$BTFC_K61B" 2>/dev/null) || { skip hostile "corpus unavailable"; exit 0; }
V54=$K54/boot/vmlinuz-${BTFC_K61A} V55=$K55/boot/vmlinuz-${BTFC_K61B}
M54=$(find "$K54/lib/modules" -maxdepth 1 -mindepth 1 -type d | head -n1)/kernel
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
AK=$M54/net/key/af_key.ko
# unsigned copies: no --unsign needed below (the corpus modules are signed)
unsign() { python3 - "$1" "$2" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
magic = b'~Module signature appended~\n'
if d.endswith(magic):
    info = d[-len(magic) - 12:-len(magic)]
    d = d[:-len(magic) - 12 - struct.unpack('>I', info[8:])[0] - info[3] - info[4]]
open(sys.argv[2], 'wb').write(d)
PY
}
unsign "$AK" "$TMP/ak.ko"
unsign "$M54/arch/x86/crypto/cast6-avx-x86_64.ko" "$TMP/cast6.ko"
# expect NAME RC PATTERN CMD...: exit code RC and PATTERN (grep -E) in stdout+stderr
expect() {
	local name=$1 want=$2 pat=$3 out rc; shift 3
	out=$(timeout -k 2 60 "$@" 2>&1); rc=$?
	if [ "$rc" = "$want" ] && printf '%s' "$out" | grep -qE -- "$pat"; then pass "$name"; else
		fail "$name" "rc=$rc (want $want), output: $(printf '%s' "$out" | head -n 3 | tr '\n' '|')"; fi
}

# ---- 1. stamp certifies only what check says fits; check sees through a wrong stamp ----
cp "$TMP/cast6.ko" "$TMP/c.ko"; sum=$(sha256sum < "$TMP/c.ko")
expect stamp/stale-refused 1 "/c.ko: its .BTF does not fit .*mismatch.*falls inside base string" \
	"$BIN" stamp --base "$V55" "$TMP/c.ko"
[ "$(sha256sum < "$TMP/c.ko")" = "$sum" ] && pass stamp/stale-untouched || fail stamp/stale-untouched "rewritten"
"$BIN" stamp --force --base "$V55" "$TMP/c.ko" > /dev/null 2>&1 # a wrong stamp, as the old stamp wrote it
expect check/wrong-stamp-contradicted 1 "mismatch \(evidence, strong\).*|stamp is wrong" "$BIN" check --base "$V55" "$TMP/c.ko"
cp "$TMP/cast6.ko" "$TMP/c2.ko"
expect stamp/own-base-ok 0 "stamp=stamped" "$BIN" stamp --base "$V54" "$TMP/c2.ko"
expect check/right-stamp-match 0 "match \(stamp, certain\)" "$BIN" check --base "$V54" "$TMP/c2.ko"

# ---- 2. truncated and header-corrupt modules are corrupt (exit 2), not no-btf ----
size=$(stat -c %s "$TMP/ak.ko")
for cut in 64 1000 50000 $((size - 100)); do
	head -c $cut "$TMP/ak.ko" > "$TMP/t$cut.ko"
	for verb in check strip; do
		args=(); [ $verb = check ] && args=(--base "$V54")
		expect "corrupt/$verb-cut-at-$cut" 2 "t$cut.ko: .*(exceed(s)? the file size $cut|corrupt ELF header)" "$BIN" $verb "${args[@]}" "$TMP/t$cut.ko"
	done
done
mkdir "$TMP/tdir"; cp "$TMP/t1000.ko" "$TMP/tdir/"
expect corrupt/scan-cut 2 "t1000.ko: section headers at [0-9]+ exceed the file size 1000" "$BIN" scan --base "$V54" "$TMP/tdir"
{ printf '\177ELF'; head -c 4000 /dev/urandom; } > "$TMP/magic.ko"
expect corrupt/elf-magic-garbage 2 "magic.ko: (corrupt ELF|section headers)" "$BIN" check --base "$V54" "$TMP/magic.ko"
cp "$TMP/ak.ko" "$TMP/shstrndx.ko"; printf '\xf0\xff' | dd of="$TMP/shstrndx.ko" bs=1 seek=62 conv=notrunc status=none
for verb in check strip; do
	args=(); [ $verb = check ] && args=(--base "$V54")
	expect "corrupt/$verb-shstrndx" 2 "shstrndx.ko: section name table index 65520 is out of range" "$BIN" $verb "${args[@]}" "$TMP/shstrndx.ko"
done
{ cat "$TMP/ak.ko"; printf 'trailing junk'; } > "$TMP/trail.ko"
expect corrupt/trailing-bytes 2 "trail.ko: 13 bytes after the ELF image" "$BIN" check --base "$V54" "$TMP/trail.ko"
expect corrupt/signed-trailer-ok 0 "match" "$BIN" check --base "$V54" "$AK"

# ---- 3. destinations: never replace a device, a FIFO or a link ----
cp "$TMP/ak.ko" "$TMP/d.ko"
mkfifo "$TMP/fifo"
expect dest/fifo-refused 2 "fifo: exists and is not a regular file" "$BIN" strip -o "$TMP/fifo" "$TMP/d.ko"
[ -p "$TMP/fifo" ] && pass dest/fifo-still-fifo || fail dest/fifo-still-fifo "$(stat -c %F "$TMP/fifo")"
"$BIN" strip -o - "$TMP/d.ko" > "$TMP/stdout.ko" 2>/dev/null
"$BIN" strip -o "$TMP/file.ko" "$TMP/d.ko" > /dev/null 2>&1
if cmp -s "$TMP/stdout.ko" "$TMP/file.ko" && ! readelf -SW "$TMP/stdout.ko" | grep -q ' \.BTF '; then
	pass dest/dash-is-stdout; else fail dest/dash-is-stdout "differs from -o FILE or still has .BTF"; fi
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	# a private /dev: a bug here must not turn the machine's /dev/null into a file
	out=$(unshare -m bash -c '
		mount -t tmpfs tmpfs /dev && mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5 &&
			ln -s /proc/self/fd/0 /dev/stdin || exit 99
		"$0" strip -o /dev/null "$1" > /dev/null 2>&1; echo "null rc=$? $(stat -c %F /dev/null)"
		"$0" strip /dev/zero > /dev/null 2>&1; echo "zero rc=$? $(stat -c %F /dev/zero)"
		"$0" strip /dev/stdin < "$1" > /dev/null 2>&1; echo "stdin rc=$? $(stat -c %F /dev/stdin)"' "$BIN" "$TMP/d.ko" 2>&1)
	want=$'null rc=2 character special file\nzero rc=2 character special file\nstdin rc=0 symbolic link'
	[ "$out" = "$want" ] && pass dest/device-nodes-kept || fail dest/device-nodes-kept "$(printf '%s' "$out" | tr '\n' '|')"
else
	skip dest/device-nodes-kept "needs root and unshare -m"
fi
cp "$TMP/ak.ko" "$TMP/real.ko"; ln -s real.ko "$TMP/link.ko"
"$BIN" strip "$TMP/link.ko" > /dev/null 2>&1
if [ -L "$TMP/link.ko" ] && ! readelf -SW "$TMP/real.ko" | grep -q ' \.BTF '; then pass dest/symlink-target-rewritten
else fail dest/symlink-target-rewritten "$(stat -c %F "$TMP/link.ko"); $(readelf -SW "$TMP/real.ko" | grep -c BTF) BTF sections"; fi
cp "$TMP/ak.ko" "$TMP/suid.ko"; chmod 6755 "$TMP/suid.ko"
python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.btfc", b"kept")' "$TMP/suid.ko" 2>/dev/null && XATTR=1 || XATTR=0
"$BIN" strip "$TMP/suid.ko" > /dev/null 2>&1
[ "$(stat -c %a "$TMP/suid.ko")" = 6755 ] && pass meta/setuid-setgid-kept || fail meta/setuid-setgid-kept "mode $(stat -c %a "$TMP/suid.ko")"
if [ $XATTR = 1 ]; then
	v=$(python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "user.btfc").decode())' "$TMP/suid.ko" 2>&1)
	[ "$v" = kept ] && pass meta/xattr-kept || fail meta/xattr-kept "$v"
else skip meta/xattr-kept "no user xattrs on $TMP"; fi
cp "$TMP/ak.ko" "$TMP/ima.ko"
if python3 -c 'import os,sys; os.setxattr(sys.argv[1], "security.ima", b"\x03\x02")' "$TMP/ima.ko" 2>/dev/null; then
	expect meta/ima-refused 2 "ima.ko: carries an IMA signature" "$BIN" strip "$TMP/ima.ko"
else skip meta/ima-refused "cannot set security.ima here"; fi

# ---- 4. concurrent rewrites: no lost update (relocate --match kernel and stamp, $RUNS times) ----
lost=0 both=0
for i in $(seq $RUNS); do
	cp "$TMP/ak.ko" "$TMP/race.ko"
	"$BIN" relocate --match kernel --from "$V54" --to "$V55" "$TMP/race.ko" > "$TMP/r.out" 2>&1 & rp=$!
	"$BIN" stamp --base "$V54" "$TMP/race.ko" > "$TMP/s.out" 2>&1 & sp=$!
	wait $rp; rrc=$?; wait $sp; src=$?
	[ $rrc = 0 ] && [ $src = 0 ] && both=$((both + 1))
	# relocated means: fits -55, and any stamp it carries is -55's
	if [ $rrc = 0 ] && ! "$BIN" check --base "$V55" "$TMP/race.ko" > "$TMP/c.out" 2>&1; then
		lost=$((lost + 1)); echo "run $i: relocate rc=$rrc stamp rc=$src: $(head -n 2 "$TMP/c.out" | tr '\n' '|')" >&2
	fi
	[ $rrc = 0 ] || { lost=$((lost + 1)); echo "run $i: relocate failed: $(cat "$TMP/r.out")" >&2; }
done
[ $lost = 0 ] && pass "concurrent/relocate-and-stamp-$RUNS-runs ($both with both rewriting)" ||
	fail concurrent/relocate-and-stamp-$RUNS-runs "$lost of $RUNS runs lost an update"

# ---- 5. interrupted rewrites leave no temporary file; stale ones are reported ----
unsign "$M54/net/netfilter/nf_conntrack.ko" "$TMP/big.ko"; xz -c --check=crc32 "$TMP/big.ko" > "$TMP/big.ko.xz"
mkdir "$TMP/sig"
t0=$(date +%s%N); cp "$TMP/big.ko.xz" "$TMP/sig/m.ko.xz"; "$BIN" strip "$TMP/sig/m.ko.xz" > /dev/null 2>&1; t1=$(date +%s%N)
span=$(( (t1 - t0) / 1000 + 1 ))
for i in $(seq $RUNS); do
	cp "$TMP/big.ko.xz" "$TMP/sig/m.ko.xz"
	"$BIN" strip "$TMP/sig/m.ko.xz" > /dev/null 2>&1 & pid=$!
	us=$(( (RANDOM * 32768 + RANDOM) % span ))
	sleep "$((us / 1000000)).$(printf '%06d' $((us % 1000000)))"
	[ $((i % 2)) = 0 ] && kill -INT $pid 2>/dev/null || kill -TERM $pid 2>/dev/null
	wait $pid 2>/dev/null
done
left=$(find "$TMP/sig" -name '*.btfc*' | wc -l)
[ "$left" = 0 ] && pass signals/no-temp-file-left-$RUNS-kills || fail signals/no-temp-file-left-$RUNS-kills "$left left"
cp "$TMP/ak.ko" "$TMP/sig/x.ko"; : > "$TMP/sig/x.ko.btfcAbC123"
expect signals/stale-temp-reported 0 "x.ko.btfcAbC123: left by an interrupted rewrite" "$BIN" strip --dry-run "$TMP/sig"
out=$("$BIN" scan --all --base "$V54" "$TMP/sig" 2>&1)
printf '%s' "$out" | grep -q "x.ko.btfcAbC123: left by an interrupted rewrite" && printf '%s' "$out" | grep -q '^2 modules' &&
	pass signals/scan-ignores-stale-temp || fail signals/scan-ignores-stale-temp "$(printf '%s' "$out" | head -n 3 | tr '\n' '|')"

# ---- 8. a module rewritten while it is read: an error, never SIGBUS ----
cp "$TMP/big.ko" "$TMP/moving.ko"
died=0
for i in $(seq $RUNS); do
	( for j in 1 2 3; do cp "$TMP/big.ko" "$TMP/moving.ko"; : > "$TMP/moving.ko"; done; cp "$TMP/big.ko" "$TMP/moving.ko" ) & cpid=$!
	"$BIN" check --base "$V54" "$TMP/moving.ko" > /dev/null 2>&1; rc=$?
	wait $cpid
	[ $rc -ge 128 ] && died=$((died + 1))
done
[ $died = 0 ] && pass read/changing-file-no-signal-$RUNS-runs || fail read/changing-file-no-signal-$RUNS-runs "$died of $RUNS died by a signal"

# ---- 7. deep trees: no recursion, long paths reported ----
# 1900 levels (a 3.8 KB path) with few descriptors: walked, the module at the bottom found
# deep NAME LEVELS DIR: a tree LEVELS deep with the module at the bottom (relative steps: no path limit)
deep() { python3 -c 'import os, shutil, sys
os.chdir(sys.argv[3])
for i in range(int(sys.argv[2])):
    os.mkdir(sys.argv[1]); os.chdir(sys.argv[1])
shutil.copy(sys.argv[4], ".")' "$@"; }
rmdeep() { python3 -c 'import os, sys
os.chdir(sys.argv[1]); n = 0
while os.path.isdir("d") or os.path.isdir("dd"):
    os.chdir("d" if os.path.isdir("d") else "dd"); n += 1
for f in os.listdir("."): os.unlink(f)
for i in range(n):
    os.chdir(".."); [os.rmdir(x) for x in os.listdir(".")]' "$1"; }
mkdir "$TMP/deep"; deep d 1900 "$TMP/deep" "$TMP/ak.ko"
out=$( (ulimit -n 64; "$BIN" scan --all --base "$V54" "$TMP/deep") 2>&1); rc=$?
[ $rc = 0 ] && printf '%s' "$out" | grep -q 'ak.ko: match' && pass walk/1900-deep-tree-ulimit-64 ||
	fail walk/1900-deep-tree-ulimit-64 "rc=$rc $(printf '%s' "$out" | head -c 300 | tr '\n' '|')"
rmdeep "$TMP/deep"
# 2000 levels of 'dd/' (paths beyond PATH_MAX): reported, not cut, no crash
mkdir "$TMP/deep2"; deep dd 2000 "$TMP/deep2" "$TMP/ak.ko"
out=$("$BIN" scan --all --base "$V54" "$TMP/deep2" 2>&1); rc=$?
[ $rc = 2 ] && printf '%s' "$out" | grep -q 'File name too long' && pass walk/path-too-long-reported ||
	fail walk/path-too-long-reported "rc=$rc $(printf '%s' "$out" | head -c 300 | tr '\n' '|')"
rmdeep "$TMP/deep2"
mkdir "$TMP/empty"
expect walk/no-modules 2 "no modules under .*empty" "$BIN" scan --base "$V54" "$TMP/empty"
expect walk/no-modules-strip 2 "no modules under .*empty" "$BIN" strip "$TMP/empty"

# ---- 9. FIFOs and devices: refused at once ----
for verb in check strip stamp dump; do
	args=(); [ $verb = check ] || [ $verb = stamp ] && args=(--base "$V54")
	expect "nonregular/$verb-fifo" 2 "fifo: not a regular file \(a FIFO\)" "$BIN" $verb "${args[@]}" "$TMP/fifo"
	expect "nonregular/$verb-dev-zero" 2 "/dev/zero: not a regular file" "$BIN" $verb "${args[@]}" /dev/zero
done

# ---- 10. decompression bombs: a module and 1 GiB of zeros, four of them ----
if command -v zstd > /dev/null; then
	mkdir "$TMP/bombs"
	for i in 1 2 3 4; do { cat "$TMP/ak.ko"; head -c 1G /dev/zero; } | zstd -q -19 -o "$TMP/bombs/b$i.ko.zst"; done
	cp "$TMP/ak.ko" "$TMP/bombs/"
	out=$( { /usr/bin/time -f 'maxrss=%M' "$BIN" scan --base "$V54" "$TMP/bombs"; } 2>&1); rc=$?
	rss=$(printf '%s' "$out" | sed -n 's/^maxrss=//p')
	if [ $rc = 2 ] && [ "$(printf '%s' "$out" | grep -c 'decompresses to more than its ELF image')" = 4 ] && [ "${rss:-9999999}" -lt $RSS_MAX_KB ]; then
		pass "limits/zst-bombs-scan (max RSS $((rss / 1024)) MB)"
	else fail limits/zst-bombs-scan "rc=$rc rss=${rss}KB $(printf '%s' "$out" | head -n 3 | tr '\n' '|')"; fi
	expect limits/max-module-size-option 2 "ak.ko: (file|module) larger than 1024 bytes" "$BIN" --max-module-size 1K check --base "$V54" "$TMP/ak.ko"
else
	skip limits/zst-bombs-scan "no zstd"
fi
# ================= issue 22: hostile input, round two =================
NT=$TOP/tests/tools/elf_nametable.py
# as_nobody CMD...: CMD as an unprivileged user (root's neighbour in these probes)
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
CAN_NOBODY=0; [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null && as_nobody true 2>/dev/null && CAN_NOBODY=1
NBIN=$BIN # a build under a folder only root may enter (a clone in /root): the user runs a copy
if [ $CAN_NOBODY = 1 ] && ! as_nobody test -x "$BIN"; then
	mkdir -p "$TMP/nb" && chmod 755 "$TMP" "$TMP/nb" && cp "$BIN" "$TMP/nb/" && # the library beside it ($ORIGIN), not the build's .p folders
		find "$(dirname "$BIN")" -maxdepth 1 -name 'libbtfcompat.so*' ! -type d -exec cp -P {} "$TMP/nb/" \; &&
		NBIN=$TMP/nb/$(basename "$BIN")
fi
# hold_shared FILE: nobody holds a shared flock on FILE (until kill $hold), and holds it already on return
hold_shared() {
	as_nobody sh -c 'exec 9< "$1" && flock -s 9 && exec sleep 60' sh "$1" & hold=$! # sleep: the only holder
	for _ in $(seq 100); do flock -n -x "$1" true 2>/dev/null || return 0; sleep 0.1; done
}
mkdir "$TMP/i22"; chmod 755 "$TMP" "$TMP/i22"
I=$TMP/i22

# ---- 22.1/22.5: a broken section name table is corrupt (exit 2, naming the file): no crash, no "stripped"/"no BTF" ----
for mode in nobits note shstrndx=0 shstrndx=1 shstrndx=0xffff size=0 size=1 nonul; do
	python3 "$NT" "$TMP/ak.ko" "$I/nt.ko" $mode
	for verb in strip identify; do
		args=(); [ $verb = identify ] && args=(--no-installed --base "$V54")
		cp "$I/nt.ko" "$I/nt-$verb.ko"; sum=$(sha256sum < "$I/nt-$verb.ko")
		expect "nametable/$verb-$mode" 2 "nt-$verb.ko: corrupt ELF: .*(section name table|name of section)" \
			"$BIN" $verb "${args[@]}" "$I/nt-$verb.ko"
	done
	[ "$(sha256sum < "$I/nt-strip.ko")" = "$sum" ] || fail "nametable/strip-$mode-untouched" "rewritten"
done
mkdir "$I/sdir"; python3 "$NT" "$TMP/ak.ko" "$I/sdir/a-bad.ko" nobits; cp "$TMP/ak.ko" "$I/sdir/b-good.ko"
out=$("$BIN" strip "$I/sdir" 2>&1); rc=$?
[ $rc = 2 ] && printf '%s' "$out" | grep -q 'a-bad.ko: corrupt ELF' && printf '%s' "$out" | grep -q 'b-good.ko result=stripped' &&
	! readelf -SW "$I/sdir/b-good.ko" | grep -q ' \.BTF ' && pass nametable/strip-dir-goes-on-after-bad ||
	fail nametable/strip-dir-goes-on-after-bad "rc=$rc $(printf '%s' "$out" | tr '\n' '|')"

# ---- 22.2/22.3: locks a user can hold do not stall root ----
if [ $CAN_NOBODY = 1 ]; then
	mkdir "$I/store"; touch "$I/store/lock"; chmod 644 "$I/store/lock" # an older store's lock
	hold_shared "$I/store/lock"
	expect store/lock-held-by-user-times-out 2 "store/lock: the store is locked by another process, still after 1 s" \
		env BTFCOMPAT_LOCK_TIMEOUT=1 "$BIN" store add --store "$I/store" --kernel 6.1.0-54 "$V54"
	pkill -P $hold 2>/dev/null; kill $hold 2>/dev/null; wait $hold 2>/dev/null
	[ "$(stat -c %a "$I/store/lock")" = 600 ] && ! as_nobody flock -n -s "$I/store/lock" true 2>/dev/null &&
		pass store/lock-private-0600 || fail store/lock-private-0600 "mode $(stat -c %a "$I/store/lock")"
	expect store/add-after-lock-made-private 0 "6.1.0-54 .* stored" "$BIN" store add --store "$I/store" --kernel 6.1.0-54 "$V54"
	cp "$TMP/ak.ko" "$I/shared.ko"; chmod 644 "$I/shared.ko"
	hold_shared "$I/shared.ko"
	expect rewrite/user-shared-flock-does-not-stall-root 0 "shared.ko result=stripped" \
		env BTFCOMPAT_LOCK_TIMEOUT=5 "$BIN" strip "$I/shared.ko"
	pkill -P $hold 2>/dev/null; kill $hold 2>/dev/null; wait $hold 2>/dev/null
	mkdir "$I/u"; chmod 777 "$I/u"; cp "$TMP/ak.ko" "$I/u/m.ko"; chown nobody "$I/u/m.ko"
	hold_shared "$I/u/m.ko"
	expect rewrite/user-lock-times-out-for-user 2 "m.ko: the module is locked by another process, still after 1 s" \
		setpriv --reuid=nobody --regid=nogroup --clear-groups env BTFCOMPAT_LOCK_TIMEOUT=1 "$NBIN" strip "$I/u/m.ko"
	pkill -P $hold 2>/dev/null; kill $hold 2>/dev/null; wait $hold 2>/dev/null
else
	for c in store/lock-held-by-user-times-out store/lock-private-0600 store/add-after-lock-made-private \
		rewrite/user-shared-flock-does-not-stall-root rewrite/user-lock-times-out-for-user; do skip $c "needs root and setpriv"; done
fi
mkdir "$I/store2"; ln -s "$I/target" "$I/store2/lock"
expect store/lock-symlink-not-followed 2 "store2/lock: is a symbolic link" "$BIN" store add --store "$I/store2" --kernel 6.1.0-54 "$V54"
[ -e "$I/target" ] && fail store/lock-symlink-target-untouched "created" || pass store/lock-symlink-target-untouched

# ---- 22.6: memory: the size from fstat first; one large module image at a time per run ----
truncate -s 1000M "$I/sparse.ko"
out=$( { /usr/bin/time -f 'maxrss=%M' "$BIN" check --base "$V54" "$I/sparse.ko"; } 2>&1); rc=$?
rss=$(printf '%s' "$out" | sed -n 's/^maxrss=//p')
[ $rc = 2 ] && printf '%s' "$out" | grep -q 'sparse.ko: file larger than 268435456 bytes' && [ "${rss:-9999999}" -lt $RSS_MAX_KB ] &&
	pass "limits/sparse-1000M-refused-unread (max RSS $((rss / 1024)) MB)" || fail limits/sparse-1000M-refused-unread "rc=$rc rss=${rss}KB $(printf '%s' "$out" | head -n 2 | tr '\n' '|')"
rm -f "$I/sparse.ko"
if command -v zstd > /dev/null; then
	# an ELF header claiming 200 MiB (section headers at the end): each worker may decompress that far
	python3 -c 'import struct, sys
h = bytearray(64); h[:7] = b"\x7fELF\x02\x01\x01"; shoff = 200 << 20
struct.pack_into("<HHIQQQIHHHHHH", h, 16, 1, 62, 1, 0, 0, shoff, 0, 64, 0, 0, 64, 1, 0)
f = open(sys.argv[1], "wb"); f.write(h); f.truncate(shoff + 64)' "$I/claim.elf"
	mkdir "$I/claims"; zstd -q -19 "$I/claim.elf" -o "$I/claims/c1.ko.zst"; rm -f "$I/claim.elf"
	for i in 2 3 4 5 6 7 8; do cp "$I/claims/c1.ko.zst" "$I/claims/c$i.ko.zst"; done
	out=$( { /usr/bin/time -f 'maxrss=%M' "$BIN" scan -J 8 --base "$V54" "$I/claims"; } 2>&1); rc=$?
	rss=$(printf '%s' "$out" | sed -n 's/^maxrss=//p')
	# without a shared budget: 8 x 200 MiB; with it: one 200 MiB image, 8 MiB in each other worker, and the base
	max=$((600 * 1024)); [ "${2:-}" = quick ] && max=$((900 * 1024))
	[ $rc = 2 ] && [ "$(printf '%s' "$out" | grep -c 'ko.zst: corrupt ELF')" = 8 ] && [ "${rss:-9999999}" -lt $max ] &&
		pass "limits/forged-headers-8-workers-share-a-budget (max RSS $((rss / 1024)) MB)" ||
		fail limits/forged-headers-8-workers-share-a-budget "rc=$rc rss=${rss}KB $(printf '%s' "$out" | head -n 2 | tr '\n' '|')"
	rm -rf "$I/claims"
else skip limits/forged-headers-8-workers-share-a-budget "no zstd"; fi

# ---- store: corrupt metadata is reported and prunable; planted FIFOs and devices are refused ----
mkdir "$I/st"; "$BIN" store add --store "$I/st" --kernel 6.1.0-54 "$V54" > /dev/null 2>&1
meta=$(ls "$I/st"/*.meta); zst=${meta%.meta}.btf.zst; cp "$meta" "$I/meta.good"; echo garbage > "$meta"
expect store/corrupt-meta-verify 1 "\.meta: not a base's metadata" "$BIN" store verify --store "$I/st"
expect store/corrupt-meta-prunable 0 "removed" "$BIN" store prune --store "$I/st" --keep 0 --modules "$I/empty"
[ ! -e "$meta" ] && [ ! -e "$zst" ] && pass store/corrupt-meta-pruned-files-gone || fail store/corrupt-meta-pruned-files-gone "$(ls "$I/st")"
"$BIN" store add --store "$I/st" --kernel 6.1.0-54 "$V54" > /dev/null 2>&1; mv "$zst" "$I/zst.good"; mkfifo "$zst"
expect store/fifo-as-base-refused 1 "btf.zst: not a regular file \(a FIFO\)" "$BIN" store verify --store "$I/st"
rm "$zst"; ln -s /dev/zero "$zst"
expect store/dev-zero-as-base-refused 1 "btf.zst: not a regular file \(a character device\)" "$BIN" store verify --store "$I/st"
rm "$zst"; mv "$I/zst.good" "$zst"; mv "$meta" "$I/m2"; mkfifo "$meta"
expect store/fifo-as-meta-refused 1 "\.meta: not a base's metadata" "$BIN" store verify --store "$I/st"
rm "$meta"

# ---- output: terminal-safe text; a real newline and the text \x0a differ ----
python3 "$TOP/tests/tools/btf_sections.py" --section .BTF "$TMP/ak.ko" "$I/ak.btf"
python3 -c 'import sys
d = open(sys.argv[1], "rb").read(); i = d.index(b"\0pfkey_sock\0") + 1
open(sys.argv[2], "wb").write(d[:i] + b"\x1b]0;pwn\x07xy" + d[i + 10:])' "$I/ak.btf" "$I/esc.btf"
for v in "validate --base $V54 $I/esc.btf" "diff --old-base $V54 --new-base $V54 $I/ak.btf $I/esc.btf"; do
	"$BIN" $v > "$I/o.txt" 2>&1; name=output/${v%% *}-escapes-btf-names
	! grep -q $'\033\|\a' "$I/o.txt" && grep -qF '\x1b]0;pwn\x07xy' "$I/o.txt" && pass $name || fail $name "$(head -c 200 "$I/o.txt" | od -c | head -n 2 | tr '\n' '|')"
done
cp "$TMP/ak.ko" "$I/$(printf 'nl\nx.ko')"; cp "$TMP/ak.ko" "$I/nl\\x0ax.ko"
a=$("$BIN" strip --dry-run "$I/$(printf 'nl\nx.ko')" 2>&1); b=$("$BIN" strip --dry-run "$I/nl\\x0ax.ko" 2>&1)
[ "$a" != "$b" ] && [ "$(printf '%s\n' "$a" | wc -l)" = 1 ] && pass output/newline-and-backslash-x0a-differ || fail output/newline-and-backslash-x0a-differ "$a | $b"

# ---- paths: a link to a directory given is walked; a user's link to root's module is not followed ----
mkdir "$I/real"; cp "$TMP/ak.ko" "$I/real/"; ln -s real "$I/linkdir"
expect paths/scan-link-to-dir 0 "^1 modules" "$BIN" scan --base "$V54" "$I/linkdir"
if [ $CAN_NOBODY = 1 ]; then
	mkdir "$I/rootdir"; cp "$TMP/ak.ko" "$I/rootdir/root.ko"; sum=$(sha256sum < "$I/rootdir/root.ko")
	ln -s "$I/rootdir/root.ko" "$I/u/planted.ko"; chown -h nobody "$I/u/planted.ko"
	expect paths/users-link-to-roots-module-refused 2 "planted.ko: is a symbolic link of uid [0-9]+ to a file of uid 0" "$BIN" strip "$I/u/planted.ko"
	[ "$(sha256sum < "$I/rootdir/root.ko")" = "$sum" ] && pass paths/roots-module-untouched || fail paths/roots-module-untouched "rewritten"
else skip paths/users-link-to-roots-module-refused "needs root and setpriv"; fi

# ---- CLI: -o refuses what the input is refused for; -o twice; -o /dev/stdout; --stale without BTF ----
cp "$TMP/ak.ko" "$I/in.ko"; cp "$TMP/ak.ko" "$I/ro.ko"; chmod 444 "$I/ro.ko"
expect cli/o-onto-read-only-refused 2 "ro.ko: exists and is read-only \(mode 0444\)" "$BIN" strip -o "$I/ro.ko" "$I/in.ko"
[ "$(stat -c %a "$I/ro.ko")" = 444 ] && cmp -s "$I/ro.ko" "$TMP/ak.ko" && pass cli/o-read-only-untouched || fail cli/o-read-only-untouched "changed"
expect cli/o-twice-refused 2 "strip: -o is given more than once" "$BIN" strip -o "$I/o1.ko" -o "$I/o2.ko" "$I/in.ko"
"$BIN" strip -o /dev/stdout "$I/in.ko" > "$I/out.ko" 2> "$I/out.err"; rc=$?
[ $rc = 2 ] && grep -q 'is the standard output' "$I/out.err" && [ ! -s "$I/out.ko" ] && pass cli/o-dev-stdout-refused ||
	fail cli/o-dev-stdout-refused "rc=$rc $(cat "$I/out.err")"
"$BIN" strip -o "$I/nobtf.ko" "$I/in.ko" > /dev/null 2>&1
expect cli/strip-stale-no-btf-says-no-btf 0 "nobtf.ko result=unchanged \(no BTF\)" "$BIN" strip --stale --base "$V54" "$I/nobtf.ko"
for c in "xz --check=crc32:xz" "gzip -n:gz" "zstd -q:zst"; do
	$(echo ${c%%:*}) -c "$TMP/ak.ko" > "$I/one.ko.${c##*:}"; cat "$I/one.ko.${c##*:}" "$I/one.ko.${c##*:}" > "$I/two.ko.${c##*:}"
	expect "cli/concatenated-${c##*:}-refused" 2 "two.ko.${c##*:}: .*(after its first|more than its ELF image)" "$BIN" check --base "$V54" "$I/two.ko.${c##*:}"
done
# exit codes: no BTF is an error for the verbs that need it; a text file is an error for every verb
for v in "stamp --base $V54" "distill --base $V54" "relocate --from $V54 --to $V55"; do
	cp "$I/nobtf.ko" "$I/nb.ko"; expect "exit/no-btf-${v%% *}" 2 "nb.ko: no .BTF section" "$BIN" $v "$I/nb.ko"
done
echo 'just text' > "$I/text.ko"
for v in "validate --base $V54" "check --base $V54" "strip" "dump"; do
	expect "exit/text-file-${v%% *}" 2 "text.ko: not (BTF|an ELF)" "$BIN" $v "$I/text.ko"
done
# ---- the hook's data: --print0 and -j lists, never report text ----
mkdir "$I/h"; cp "$TMP/ak.ko" "$I/h/$(printf 'evil: mismatch x.ko')"; cp "$TMP/ak.ko" "$I/h/fits.ko"; echo x > "$I/h/bad.ko"
"$BIN" scan --print0 --base "$V55" "$I/h" 2> /dev/null | tr '\0' '\n' > "$I/p0"
[ "$(cat "$I/p0")" = "$(printf '%s\n' "$I/h/evil: mismatch x.ko" "$I/h/fits.ko")" ] && pass hook-data/scan-print0 || fail hook-data/scan-print0 "$(cat "$I/p0")"
"$BIN" -j scan --base "$V55" "$I/h" 2> /dev/null | python3 -c 'import json, sys
m = {x["file"].rsplit("/", 1)[1]: x for x in json.load(sys.stdin)["modules"]}
assert m["bad.ko"]["outcome"] == "error" and m["bad.ko"]["error"] == "not an ELF module", m
assert m["evil: mismatch x.ko"]["outcome"] == "mismatch", m' 2> "$I/j.err" && pass hook-data/scan-json-lists-errors || fail hook-data/scan-json-lists-errors "$(tail -n 1 "$I/j.err")"
"$BIN" strip --stale --print0 --base "$V55" "$I/h" 2> /dev/null | tr '\0' '\n' > "$I/p0"
[ "$(cat "$I/p0")" = "$(printf '%s\n' "$I/h/evil: mismatch x.ko" "$I/h/fits.ko")" ] &&
	pass hook-data/strip-print0 || fail hook-data/strip-print0 "$(cat "$I/p0")"
exit 0
