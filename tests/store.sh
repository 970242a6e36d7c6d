#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# The store of kernel bases, identify, and relocate/distill without --from,
# on the real Debian kernels (corpus roles x86-61-old/-new, x86-612-old/-new:
# BTFC_K61A, BTFC_K61B, BTFC_K612A, BTFC_K612B; and BTFC_K72 for its layout):
#  * store add/list/verify: the digest each base is stored under is the
#    SHA-256 sha256sum computes over its type and string sections (cut out
#    independently); a second add of the same base adds only a kernel line;
#  * identify, all four bases stored: every module of each whole tree names
#    its own build; stamped copies by lookup (method stamp); a module stamped
#    for a base not in the store is identified as none (exit 1);
#  * a corrupted stored base (a flipped byte, a truncated file, another base's
#    bytes under its name) is reported by verify (exit 1) and by identify,
#    and skipped: identify still names the build from the other bases;
#  * concurrent writers: 8 `store add` at once (same and different bases)
#    leave a store that verifies, with every kernel recorded, no temp files;
#  * read-only: an unprivileged user lists and identifies from a root-owned
#    store; adding or pruning is exit 2, one line, store unchanged; the same on
#    a read-only bind mount (private mount namespace);
#  * full disk (a 1 MiB tmpfs in a private mount namespace): add and a signed
#    relocate fail with exit 2, one line, nothing changed or left behind;
#  * prune --keep N keeps the newest N, the bases of installed kernels, of
#    stamped modules and of identified out-of-tree modules (updates/);
#  * relocate without --from and distill without --base: byte-identical to
#    the same command with the base given; with no known base, exit 2 and the
#    message names every base tried; module untouched.
#   tests/store.sh BTFCOMPAT [quick]     quick (the sanitizer builds): identify one whole tree, not four
set -u
BIN=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
TMP=$(mktemp -d); chmod 755 "$TMP"; trap 'chmod -R u+w "$TMP"; rm -rf "$TMP"' EXIT
corpus_env
need_kernels store BTFC_K61A BTFC_K61B BTFC_K612A BTFC_K612B BTFC_K72 || exit 0
VERS="$BTFC_K61A $BTFC_K61B $BTFC_K612A $BTFC_K612B"
declare -A K V M DIG
for v in $VERS; do
	K[$v]=$(kroot "$v") || { fail store "corpus: cannot fetch $v"; exit 0; }
	V[$v]=${K[$v]}/boot/vmlinuz-$v M[$v]=${K[$v]}/lib/modules/$v
done
S=$TMP/store
export BTFCOMPAT_STORE=$S
cd "$TMP"

# ---- add, list, verify; the digests from sha256sum over independently cut sections ----
"$BIN" store add ${V[*]} > add.out 2>&1; rc=$?
bad=
for v in $VERS; do
	raw_base "${V[$v]}" "$v.btf" || { bad="$bad $v:cut"; continue; }
	want=$(python3 - "$v.btf" <<'PY'
import hashlib, struct, sys
b = open(sys.argv[1], "rb").read()
hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from("<5I", b, 4)
t = hdr_len + type_off; s = hdr_len + str_off
print(hashlib.sha256(b[t:t + type_len] + b[s:s + str_len]).hexdigest())
PY
)
	DIG[$v]=$want
	[ -f "$S/$want.btf.zst" ] && grep -q "^kernel $v	" "$S/$want.meta" || bad="$bad $v:not-under-$want"
	# stored bytes are the BTF exactly as cut out
	zstd -qdc "$S/$want.btf.zst" | cmp -s - "$v.btf" || bad="$bad $v:bytes-differ"
done
[ "$rc" = 0 ] && [ -z "$bad" ] && pass "store/add-content-addressed-by-stamp-digest (4 bases)" || fail store/add "rc=$rc$bad $(head -n 2 add.out)"
n=$("$BIN" -j store verify | python3 -c 'import json,sys; print(sum(x["state"] == "ok" for x in json.load(sys.stdin)))')
[ "$n" = 4 ] && pass store/verify-ok || fail store/verify-ok "$n ok"
before=$(ls "$S" | md5sum)
"$BIN" store add --kernel "$BTFC_K61A-rebuild" "${V[$BTFC_K61A]}" >/dev/null &&
	[ "$(ls "$S" | md5sum)" = "$before" ] && [ "$(grep -c '^kernel ' "$S/${DIG[$BTFC_K61A]}.meta")" = 2 ] &&
	pass store/same-base-stored-once || fail store/same-base-stored-once "$(ls "$S"; cat "$S/${DIG[$BTFC_K61A]}.meta")"
# the kernel version from either layout: /boot/vmlinuz-VER, and /usr/lib/modules/VER/vmlinuz(.unsigned) (Debian 14, Fedora, Arch)
if K72=$(kroot "$BTFC_K72"); then
	out=$("$BIN" -j store add --store s72 "$K72/usr/lib/modules/$BTFC_K72"/vmlinuz* 2>&1); rc=$?
	[ $rc = 0 ] && echo "$out" | grep -qF "\"kernel\":\"$BTFC_K72\"" && pass store/add-names-usr-lib-modules-layout ||
		fail store/add-names-usr-lib-modules-layout "rc=$rc $(echo "$out" | head -c 300)"
else
	fail store/add-names-usr-lib-modules-layout "corpus: cannot fetch $BTFC_K72"
fi

# ---- identify: every module of every tree names its own build ----
ITREES=$VERS; [ "${2:-}" = quick ] && ITREES=$BTFC_K61B
for v in $ITREES; do
	"$BIN" -j identify --no-installed "${M[$v]}" > id.json; rc=$?
	res=$(python3 - id.json "$v" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
own = sum(x["build"] == sys.argv[2] and len(x["fits"]) == 1 for x in d)
strong = sum(x["build"] == sys.argv[2] and x["strength"] in ("strong", "certain") for x in d)
print(len(d), own, strong)
PY
)
	set -- $res
	[ "$rc" = 0 ] && [ "$1" -gt 1000 ] && [ "$2" = "$1" ] && pass "identify/$v: $2 of $1 modules name their own build ($3 strong or certain)" ||
		fail "identify/$v" "rc=$rc modules=$1 own=$2 strong=$3"
done
# stamped copies: by lookup
mkdir stamped && find "${M[$BTFC_K61A]}/kernel/net" -name '*.ko' | head -n 40 | xargs cp -t stamped &&
	chmod u+w stamped/* && "$BIN" stamp --unsign --base "${V[$BTFC_K61A]}" stamped/*.ko >/dev/null
"$BIN" -j identify --no-installed stamped > st.json; rc=$?
n=$(python3 -c 'import json,sys; d=json.load(open("st.json")); print(sum(x["method"] == "stamp" and x["build"] == sys.argv[1] and x["strength"] == "certain" for x in d), len(d))' "$BTFC_K61A")
[ "$rc" = 0 ] && [ "$n" = "40 40" ] && pass "identify/stamped-by-lookup (40 of 40)" || fail identify/stamped-by-lookup "rc=$rc $n"
# stamped for a base that is not stored: none, exit 1
mkdir other && cp "${M[$BTFC_K61B]}/kernel/net/key/af_key.ko" other/ && chmod u+w other/af_key.ko &&
	"$BIN" stamp --unsign --base "${V[$BTFC_K61B]}" other/af_key.ko >/dev/null
out=$("$BIN" identify --no-installed --store "$TMP/empty-nope" --base "${V[$BTFC_K61A]}" other/af_key.ko 2>&1); rc=$?
[ "$rc" = 1 ] && echo "$out" | grep -qF "built for none of the 1 bases tried ($BTFC_K61A): stamped for a base of $(python3 "$TOP/tests/tools/btf_sections.py" --count "$BTFC_K61B.btf") types" &&
	pass identify/stamp-of-unknown-base-is-none || fail identify/stamp-of-unknown-base-is-none "rc=$rc $out"
# no base at all (nothing stored, none installed, no --base): an error that says so, never "no BTF"
out=$("$BIN" identify --no-installed --store "$TMP/empty-nope" other/af_key.ko 2>&1); rc=$?
[ "$rc" = 2 ] && [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "no kernel bases to compare with: none stored in $TMP/empty-nope, and no --base given" &&
	pass identify/no-bases-is-an-error || fail identify/no-bases-is-an-error "rc=$rc $out"
# two bases, -B as every verb takes it
out=$("$BIN" identify --no-installed --store "$TMP/empty-nope" -B "${V[$BTFC_K61A]}" -B "${V[$BTFC_K61B]}" \
	"${M[$BTFC_K61A]}/kernel/net/key/af_key.ko" 2>&1); rc=$?
[ "$rc" = 0 ] && echo "$out" | grep -q "af_key.ko: built for $BTFC_K61A (strong evidence); does not fit the other base$" &&
	pass identify/two-bases-short-option || fail identify/two-bases-short-option "rc=$rc $out"

# ---- corrupted stored bases: reported, skipped, never trusted ----
corrupt() { # NAME HOW: a copy of the store with the old 6.1 build's base damaged
	rm -rf cs && cp -a "$S" cs
	local f=cs/${DIG[$BTFC_K61A]}.btf.zst
	case $2 in
	flip) printf '\x55' | dd of=$f bs=1 seek=600000 conv=notrunc status=none ;;
	truncate) truncate -s 500000 $f ;;
	swap) cp "cs/${DIG[$BTFC_K612B]}.btf.zst" $f ;;
	esac
	local vout vrc iout irc
	vout=$("$BIN" store verify --store cs 2>&1); vrc=$?
	iout=$("$BIN" identify --no-installed --store cs "${M[$BTFC_K61B]}/kernel/net/key/af_key.ko" \
		"${M[$BTFC_K61A]}/kernel/net/key/af_key.ko" 2>&1); irc=$?
	if [ "$vrc" = 1 ] && echo "$vout" | grep -q "${DIG[$BTFC_K61A]:0:16}.*corrupted" &&
		echo "$iout" | grep -q "corrupted stored base.*skipped" &&
		echo "$iout" | grep -qF "$BTFC_K61B/kernel/net/key/af_key.ko: built for $BTFC_K61B (strong evidence); fits none of the other 2 bases" &&
		echo "$iout" | grep -qF "$BTFC_K61A/kernel/net/key/af_key.ko: built for none of the 3 bases" && [ "$irc" = 1 ]; then
		pass "store/corrupted-base-$2-reported-and-skipped"
	else fail "store/corrupted-base-$2" "verify rc=$vrc identify rc=$irc: $(echo "$vout $iout" | tr '\n' '|' | head -c 600)"; fi
}
corrupt flip flip; corrupt truncate truncate; corrupt swap swap

# ---- concurrent writers ----
rm -rf cc; pids=
for i in 1 2; do for v in $VERS; do
	"$BIN" store add --store cc --kernel "$v-run$i" "${V[$v]}" > /dev/null 2> "cc-$i-${v%%+*}.err" & pids="$pids $!"
done; done
ok=1; for p in $pids; do wait $p || ok=0; done
n=$("$BIN" -j store verify --store cc | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(x["state"] == "ok" for x in d), sum(len(x["kernels"].split()) for x in d))')
left=$(ls -A cc | grep -v -e '\.meta$' -e '\.btf\.zst$' -e '^lock$')
[ "$ok" = 1 ] && [ "$n" = "4 8" ] && [ -z "$left" ] && pass "store/8-concurrent-writers (4 bases, 8 kernels, no temp files)" ||
	fail store/concurrent-writers "ok=$ok verified/kernels=$n left=$left $(cat cc-*.err | head -n 2)"

# ---- four kernel hook runs at once (kernels installed together): each keeps its base ----
sed -e "s|@BINDIR@|$(dirname "$BIN")|g" -e "s|@SYSCONFDIR@|$TMP|g" -e "s|@LOGDIR@|$TMP/hlog|g" \
	"$TOP/hooks/kernel-hook.in" > hook && chmod 755 hook && printf 'scope=updates\n' > hook.conf && mkdir -p hmods hstate &&
	: > hstate/seeded # (seeding, which also stores the running kernel, is the hook tests' business)
pids=
for v in $VERS; do
	env BTFCOMPAT="$BIN" BTFCOMPAT_STORE="$TMP/hs" BTFCOMPAT_HOOK_CONF="$TMP/hook.conf" BTFCOMPAT_BOOT_DIR="${K[$v]}/boot" \
		BTFCOMPAT_MODULES_ROOT="$TMP/hmods" BTFCOMPAT_LOG_DIR="$TMP/hlog" BTFCOMPAT_STATE_DIR="$TMP/hstate" \
		BTFCOMPAT_RUN_DIR="$TMP/hrun" ./hook add "$v" > "hook-${v%%+*}.out" 2>&1 & pids="$pids $!"
done
ok=1; for p in $pids; do wait $p || ok=0; done
n=$("$BIN" -j store verify --store hs | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(x["state"] == "ok" for x in d), " ".join(sorted(x["kernel"] for x in d)))')
[ "$ok" = 1 ] && [ "$n" = "4 $(echo $VERS | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" ] && [ -z "$(cat hook-*.out)" ] &&
	pass "store/4-concurrent-hook-runs-keep-every-base" || fail store/concurrent-hook-runs "ok=$ok $n $(cat hook-*.out | head -n 2)"

# ---- read-only: an unprivileged user, and a read-only mount ----
if [ "$(id -u)" = 0 ]; then
	as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups env BTFCOMPAT_STORE="$S" "$@"; }
	NBIN=$BIN # a build under a folder only root may enter (a clone in /root): the user runs a copy
	if ! as_nobody test -x "$BIN"; then
		mkdir -p "$TMP/nb" && cp "$BIN" "$TMP/nb/" && # the library beside it ($ORIGIN), not the build's .p folders
			find "$(dirname "$BIN")" -maxdepth 1 -name 'libbtfcompat.so*' ! -type d -exec cp -P {} "$TMP/nb/" \; &&
			NBIN=$TMP/nb/$(basename "$BIN")
	fi
	before=$(ls -l --time-style=+%s "$S" | md5sum)
	l=$(as_nobody "$NBIN" store list 2>&1 | grep -c 'types')
	cp "${M[$BTFC_K61B]}/kernel/net/key/af_key.ko" ro-m.ko && chmod 644 ro-m.ko
	i=$(as_nobody "$NBIN" identify --no-installed ro-m.ko 2>&1)
	a=$(as_nobody "$NBIN" store add --kernel x $BTFC_K61B.btf 2>&1); arc=$?
	p=$(as_nobody "$NBIN" store prune --keep 0 2>&1); prc=$?
	if [ "$l" = 4 ] && echo "$i" | grep -q "built for $BTFC_K61B (strong evidence)" && [ "$arc" = 2 ] && [ "$prc" = 2 ] &&
		[ "$(echo "$a" | wc -l)" = 1 ] && echo "$a" | grep -q "$S: the store is read-only" &&
		[ "$(ls -l --time-style=+%s "$S" | md5sum)" = "$before" ]; then pass store/read-only-for-unprivileged-users
	else fail store/read-only-for-unprivileged-users "list=$l identify=$i add=$arc:$a prune=$prc:$p"; fi
	out=$(unshare -m sh -c "mount --bind '$S' '$S' && mount -o remount,ro,bind '$S' &&
		'$BIN' store list | grep -c types && '$BIN' store add --kernel x '${V[$BTFC_K61B]}'" 2>&1); rc=$?
	if [ "$rc" = 2 ] && echo "$out" | head -n 1 | grep -qx 4 && echo "$out" | grep -q "the store is read-only"; then
		pass store/read-only-mount
	elif echo "$out" | grep -q "mount:"; then skip store/read-only-mount "no private mount namespace: $out"
	else fail store/read-only-mount "rc=$rc $out"; fi
else
	skip store/read-only-for-unprivileged-users "needs root to switch users"
fi

# ---- full disk: a 2 MiB tmpfs in a private mount namespace ----
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	openssl req -new -x509 -nodes -days 30 -subj "/CN=t" -newkey rsa:2048 -keyout k.key -outform DER -out k.der 2>/dev/null
	mkdir full
	out=$(unshare -m bash -c "
		mount -t tmpfs -o size=1m tmpfs '$TMP/full' || exit 99
		'$BIN' store add --store '$TMP/full/s' '${V[$BTFC_K61A]}' >/dev/null
		echo \"add=\$? files=\$(ls -A '$TMP/full/s' | grep -v '^lock\$' | tr '\n' ' ')\"
		rm -rf '$TMP/full/s'
		cp '${M[$BTFC_K61A]}/kernel/fs/nls/nls_utf8.ko' '$TMP/full/m.ko'
		sum=\$(sha256sum < '$TMP/full/m.ko')
		head -c \$(( \$(df --output=avail -B1 '$TMP/full' | tail -n 1) - 4096 )) /dev/zero > '$TMP/full/filler'
		'$BIN' relocate --from '${V[$BTFC_K61A]}' --to '${V[$BTFC_K61B]}' --sign-key k.key --sign-cert k.der '$TMP/full/m.ko' >/dev/null
		echo \"relocate=\$? same=\$([ \"\$(sha256sum < '$TMP/full/m.ko')\" = \"\$sum\" ] && echo yes) files=\$(ls -A '$TMP/full' | tr '\n' ' ')\"
	" 2>&1); rc=$?
	if [ "$rc" = 99 ]; then skip store/full-disk "cannot mount a tmpfs: $out"
	elif echo "$out" | grep -q "add=2 files= *$" && echo "$out" | grep -q "relocate=2 same=yes files=filler m.ko *$" &&
		[ "$(echo "$out" | grep -c 'No space left on device')" = 2 ]; then pass "store/full-disk: add and signed relocate exit 2, nothing left"
	else fail store/full-disk "$(echo "$out" | tr '\n' '|')"; fi
else
	skip store/full-disk "needs root and unshare -m"
fi

# ---- prune: newest N, installed kernels, stamped and identified modules ----
rm -rf ps mods && cp -a "$S" ps
mkdir -p "mods/$BTFC_K612B/kernel" "mods/$BTFC_K612B/updates/dkms"
cp stamped/af_key.ko "mods/$BTFC_K612B/kernel/"               # stamped for the old 6.1 build
cp "${M[$BTFC_K61B]}/kernel/net/key/af_key.ko" "mods/$BTFC_K612B/updates/dkms/"  # built for the new one
"$BIN" store prune --store ps --keep 0 --modules mods --dry-run > dry.out
"$BIN" -j store prune --store ps --keep 0 --modules mods > prune.json; rc=$?
res=$(python3 -c '
import json; d = {x["kernel"]: x["state"] for x in json.load(open("prune.json"))}
print(" ".join("%s=%s" % (k, v.split(" (")[0]) for k, v in sorted(d.items())))')
want=$(printf '%s\n' "$BTFC_K61A-rebuild=kept" "$BTFC_K61B=kept" "$BTFC_K612A=removed" "$BTFC_K612B=kept" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
[ "$rc" = 0 ] && [ "$res" = "$want" ] && [ "$(ls ps/*.meta | wc -l)" = 3 ] && grep -q "would remove" dry.out &&
	grep -q "needed by af_key.ko" prune.json && grep -qF "kernel $BTFC_K612B is installed" prune.json &&
	pass "store/prune-keeps-installed-stamped-and-identified" || fail store/prune "rc=$rc got '$res' $(cat dry.out | head -n 3)"
"$BIN" store prune --store ps --keep 1 --modules "$TMP/nomods" >/dev/null
[ "$(ls ps/*.meta | wc -l)" = 1 ] && pass store/prune-keep-newest || fail store/prune-keep-newest "$(ls ps)"

# ---- relocate without --from, distill without --base ----
m54=${M[$BTFC_K61A]}/kernel/fs/nls/nls_utf8.ko
"$BIN" relocate --unsign --no-installed --to "${V[$BTFC_K61B]}" -o r-auto.ko "$m54" >/dev/null &&
	"$BIN" relocate --unsign --from "${V[$BTFC_K61A]}" --to "${V[$BTFC_K61B]}" -o r-given.ko "$m54" >/dev/null &&
	cmp -s r-auto.ko r-given.ko && pass relocate/without-from-identifies-the-base || fail relocate/without-from "differs or failed"
"$BIN" distill --unsign --no-installed -o d-auto.ko "$m54" >/dev/null &&
	"$BIN" distill --unsign --base "${V[$BTFC_K61A]}" -o d-given.ko "$m54" >/dev/null &&
	cmp -s d-auto.ko d-given.ko && pass distill/without-base-identifies-the-base || fail distill/without-base "differs or failed"
mkdir -p e && cp "$m54" e/m.ko && chmod u+w e/m.ko && sum=$(sha256sum < e/m.ko)
out=$("$BIN" relocate --unsign --store "$TMP/e" --no-installed --to "${V[$BTFC_K61B]}" e/m.ko 2>&1); rc=$?
[ "$rc" = 2 ] && [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -qF "e/m.ko: cannot tell which base its BTF was built on: it fits none of them; bases tried: $BTFC_K61B (give it with --from" &&
	[ "$(sha256sum < e/m.ko)" = "$sum" ] && pass relocate/no-known-base-names-the-bases-tried || fail relocate/no-known-base "rc=$rc $out"
# ---- bad input: one line, exit 2 ----
head -c 3000 /dev/urandom > garbage.ko
badl=
for c in "identify --no-installed garbage.ko" "identify --base garbage.ko ${M[$BTFC_K61B]}/kernel/net/key/af_key.ko" \
	"store add --kernel x garbage.ko" "store add garbage.ko" "store frob" "store prune" "store list --store $TMP/none" \
	"store add --kernel a/b ${V[$BTFC_K61B]}"; do
	out=$($BIN $c 2>&1 >/dev/null); rc=$?
	[ "$rc" = 2 ] && [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q '^btfcompat: ' || badl="$badl [$c: rc=$rc $out]"
done
[ -z "$badl" ] && pass "store/bad-input-one-line-exit-2 (8 cases)" || fail store/bad-input "$badl"
exit 0
