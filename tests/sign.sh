#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Signing of rewritten modules (--sign-key/--sign-cert/--sign-hash) against
# the kernel's own scripts/sign-file as Debian ships it (linux-kbuild-6.1 and
# linux-kbuild-6.12.*): for the same unsigned module, key, certificate and
# hash, our signed module must be byte-identical to sign-file's. RSA 2048 and
# 4096, DER and PEM certificates, several hashes, -k (key id), each rewriting
# verb (strip, stamp, distill, relocate), a .ko.xz. ECDSA signatures are
# randomised: there the CMS structure must equal sign-file's but for the
# signature value, and openssl cms -verify must accept ours.
# Bad input: wrong key, certificate of another key, unreadable or
# passphrase-protected key, unknown hash: exit 2, one line naming the file,
# module untouched, no temporary file left.
#   tests/sign.sh BTFCOMPAT
set -u
BIN=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
K55=$("$TOP/scripts/corpus.sh" --path 6.1.0-55-cloud-amd64 2>/dev/null) &&
K54=$("$TOP/scripts/corpus.sh" --path 6.1.0-54-cloud-amd64 2>/dev/null) || { skip sign "corpus unavailable"; exit 0; }
K117=$("$TOP/scripts/corpus.sh" --path 6.12.117+deb12-cloud-amd64 2>/dev/null) || K117=
V55=$K55/boot/vmlinuz-6.1.0-55-cloud-amd64 V54=$K54/boot/vmlinuz-6.1.0-54-cloud-amd64
M55=$K55/lib/modules/6.1.0-55-cloud-amd64/kernel M54=$K54/lib/modules/6.1.0-54-cloud-amd64/kernel
if ! ls /usr/lib/linux-kbuild-*/scripts/sign-file >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	apt-get -o DPkg::Lock::Timeout=900 install -y -qq linux-kbuild-6.1 >/dev/null 2>&1
fi
SIGNFILES=$(ls /usr/lib/linux-kbuild-*/scripts/sign-file 2>/dev/null)
[ -n "$SIGNFILES" ] || { skip sign "no sign-file (apt-get install linux-kbuild-6.1)"; exit 0; }
command -v openssl >/dev/null || { skip sign "openssl not installed"; exit 0; }
cd "$TMP"

# keys: RSA 2048 with a DER certificate (as DKMS makes them), RSA 4096 PEM, EC P-256 and P-384
mkkey() { # NAME NEWKEY-ARGS... ; certificate NAME.der and NAME.pem
	openssl req -new -x509 -nodes -days 3650 -subj "/CN=btfcompat test $1" -keyout "$1.key" -out "$1.pem" \
		"${@:2}" 2>/dev/null && openssl x509 -in "$1.pem" -outform DER -out "$1.der"
}
mkkey rsa2048 -newkey rsa:2048 && mkkey rsa4096 -newkey rsa:4096 &&
	mkkey ec256 -newkey ec -pkeyopt ec_paramgen_curve:P-256 && mkkey ec384 -newkey ec -pkeyopt ec_paramgen_curve:P-384 ||
	{ fail sign/keys "openssl could not make test keys"; exit 0; }

MODS="net/key/af_key.ko net/ipv4/tcp_bbr.ko fs/nls/nls_utf8.ko drivers/net/dummy.ko"
same=0 total=0 bad=""
# compare VERB-OUTPUT SIGNED-BY-US UNSIGNED KEY CERT HASH [-k]: sign-file on UNSIGNED must give SIGNED-BY-US
compare() {
	local ours=$1 plain=$2 key=$3 cert=$4 hash=$5 k=${6:-} sf
	for sf in $SIGNFILES; do
		total=$((total + 1))
		rm -f theirs.ko
		"$sf" $k "$hash" "$key" "$cert" "$plain" theirs.ko 2>sf.err
		if cmp -s "$ours" theirs.ko; then same=$((same + 1)); else
			bad="$bad ${sf#/usr/lib/}:$(basename "$plain"):$(basename "$key"):$hash$k"; fi
	done
}
for m in $MODS; do
	for kh in "rsa2048 der sha256" "rsa2048 der sha512" "rsa2048 pem sha1" "rsa2048 der sha384" "rsa4096 pem sha512" \
		"rsa4096 der sha224" "rsa2048 der sha512 -k"; do
		set -- $kh
		key=$1.key cert=$1.$2 hash=$3 k=${4:-}
		# strip -o: the unsigned rewrite (--unsign drops Debian's own signature), then the signed one
		"$BIN" strip --unsign -o plain.ko "$M55/$m" >/dev/null && "$BIN" strip -o ours.ko --sign-key "$key" --sign-cert "$cert" \
			--sign-hash "$hash" ${k:+--sign-keyid} "$M55/$m" >/dev/null || { bad="$bad strip-failed:$m"; continue; }
		compare ours.ko plain.ko "$key" "$cert" "$hash" $k
	done
done
# the other verbs, one case each: stamp (in place), distill, relocate (54 -> 55; its base types kept their layout);
# without --sign-hash, stamp and relocate sign with their kernel's CONFIG_MODULE_SIG_HASH (Debian's: sha256)
m=$M54/fs/nls/nls_utf8.ko
cp "$m" st-plain.ko && cp "$m" st-ours.ko && "$BIN" stamp --unsign --base "$V54" st-plain.ko >/dev/null &&
	"$BIN" stamp --base "$V54" --sign-key rsa2048.key --sign-cert rsa2048.der st-ours.ko >/dev/null &&
	grep -q '^CONFIG_MODULE_SIG_HASH="sha256"$' "${V54%/vmlinuz-*}/config-${V54##*/vmlinuz-}" &&
	compare st-ours.ko st-plain.ko rsa2048.key rsa2048.der sha256 || bad="$bad stamp-failed"
"$BIN" distill --unsign --base "$V54" -o d-plain.ko "$m" >/dev/null &&
	"$BIN" distill --base "$V54" -o d-ours.ko --sign-key rsa2048.key --sign-cert rsa2048.der --sign-hash sha256 "$m" >/dev/null &&
	compare d-ours.ko d-plain.ko rsa2048.key rsa2048.der sha256 || bad="$bad distill-failed"
"$BIN" relocate --unsign --from "$V54" --to "$V55" -o r-plain.ko "$m" >/dev/null &&
	"$BIN" relocate --from "$V54" --to "$V55" -o r-ours.ko --sign-key rsa4096.key --sign-cert rsa4096.pem "$m" >/dev/null &&
	compare r-ours.ko r-plain.ko rsa4096.key rsa4096.pem sha256 || bad="$bad relocate-failed"
# a .ko.xz: signed before compression, as kbuild does
if [ -n "$K117" ]; then
	x=$(find "$K117" -name 'af_key.ko.xz' | head -n 1)
	"$BIN" strip --unsign -o xplain.ko.xz "$x" >/dev/null && "$BIN" strip -o xours.ko.xz --sign-key rsa2048.key \
		--sign-cert rsa2048.der "$x" >/dev/null && xz -dc xplain.ko.xz > xplain.ko && xz -dc xours.ko.xz > xours.ko &&
		compare xours.ko xplain.ko rsa2048.key rsa2048.der sha512 || bad="$bad xz-failed"
fi
[ -z "$bad" ] && [ "$same" -ge 60 ] && pass "sign/byte-identical-to-sign-file ($same of $total, $(echo $SIGNFILES | wc -w) sign-file builds)" ||
	fail sign/byte-identical-to-sign-file "$same of $total identical; differ:$bad"

# ECDSA: random signatures; the rest of the CMS must be sign-file's, and ours must verify
ecbad=""
for e in "ec256 sha256" "ec384 sha384" "ec256 sha512"; do
	set -- $e
	"$BIN" strip --unsign -o plain.ko "$M55/net/key/af_key.ko" >/dev/null &&
		"$BIN" strip -o ours.ko --sign-key $1.key --sign-cert $1.der --sign-hash $2 "$M55/net/key/af_key.ko" >/dev/null ||
		{ ecbad="$ecbad $1/$2:rewrite"; continue; }
	sf=${SIGNFILES%%$'\n'*}
	"$sf" $2 $1.key $1.der plain.ko theirs.ko || { ecbad="$ecbad $1/$2:sign-file"; continue; }
	for f in ours theirs; do
		python3 "$TOP/tests/tools/modsig.py" "$f.ko" "$f.p7s" "$f.body" || ecbad="$ecbad $1/$2:$f-trailer"
		openssl cms -cmsout -print -inform DER -in "$f.p7s" | grep -v '^ *[0-9a-f]\{4\} - ' > "$f.txt"
	done
	cmp -s ours.body plain.ko || ecbad="$ecbad $1/$2:body"
	cmp -s ours.txt theirs.txt || ecbad="$ecbad $1/$2:cms-differs"
	openssl cms -verify -binary -inform DER -in ours.p7s -content plain.ko -certfile $1.pem -nointern -noverify \
		-out /dev/null 2>/dev/null || ecbad="$ecbad $1/$2:does-not-verify"
done
[ -z "$ecbad" ] && pass "sign/ecdsa-same-cms-as-sign-file-and-verifies (P-256, P-384)" || fail sign/ecdsa "$ecbad"

# ---- --sign-own: sign again only what this key signed (what the kernel hook does with DKMS's key) ----
own=""
m=$M55/net/key/af_key.ko
cp "$m" own-in.ko && chmod u+w own-in.ko &&
	"$BIN" stamp -B "$V55" --sign-key rsa2048.key --sign-cert rsa2048.der --sign-hash sha256 own-in.ko >/dev/null || own="$own stamp"
# signed by rsa2048 -> stripped and signed again, as sign-file would
"$BIN" strip --unsign -o own-plain.ko own-in.ko >/dev/null && "$BIN" strip -o own-out.ko --sign-key rsa2048.key \
	--sign-cert rsa2048.der --sign-hash sha256 --sign-own own-in.ko >/dev/null || own="$own strip-own"
sf=${SIGNFILES%%$'\n'*}
"$sf" sha256 rsa2048.key rsa2048.der own-plain.ko own-sf.ko && cmp -s own-out.ko own-sf.ko || own="$own own-not-sign-files"
# signed by Debian's key -> refused, untouched
cp "$m" deb.ko && chmod u+w deb.ko && sum=$(sha256sum < deb.ko)
err=$("$BIN" strip --sign-key rsa2048.key --sign-cert rsa2048.der --sign-own deb.ko 2>&1 >/dev/null); rc=$?
[ "$rc" = 2 ] && echo "$err" | grep -q "deb.ko: module is signed by another key than the signing key" &&
	[ "$(sha256sum < deb.ko)" = "$sum" ] || own="$own foreign-key:rc=$rc:$err"
# unsigned (the signed module's body) -> rewritten, stays unsigned
python3 "$TOP/tests/tools/modsig.py" own-in.ko own.p7s own-body.ko &&
	"$BIN" strip -o uns.ko --sign-key rsa2048.key --sign-cert rsa2048.der --sign-own own-body.ko >/dev/null &&
	[ -f uns.ko ] && ! tail -c 28 uns.ko | grep -qa 'Module signature appended' || own="$own unsigned-got-signed"
[ -z "$own" ] && pass "sign/sign-own: own key signed again (= sign-file), foreign key refused, unsigned stays unsigned" ||
	fail sign/sign-own "$own"

# ---- bad input: exit 2, one line naming the file, module untouched, no temporary file ----
openssl genrsa -aes128 -passout pass:secret -out enc.key 2048 2>/dev/null
echo "not a key" > garbage.key
bad_case() { # NAME EXPECTED-IN-MESSAGE SIGN-ARGS...
	local name=$1 want=$2; shift 2
	rm -rf bc && mkdir bc && cp "$M55/net/key/af_key.ko" bc/m.ko && chmod u+w bc/m.ko
	local before; before=$(sha256sum < bc/m.ko)
	local err rc
	err=$(timeout 20 "$BIN" strip "$@" bc/m.ko 2>&1 >/dev/null); rc=$?
	if [ "$rc" = 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && printf '%s' "$err" | grep -q -- "$want" &&
		[ "$(sha256sum < bc/m.ko)" = "$before" ] && [ "$(ls bc)" = m.ko ]; then pass "sign/bad-input/$name"; else
		fail "sign/bad-input/$name" "rc=$rc msg=$err files=$(ls bc | tr '\n' ' ')"; fi
}
bad_case cert-of-another-key "does not belong to the key" --sign-key rsa2048.key --sign-cert rsa4096.der
bad_case wrong-key-kind "does not belong to the key" --sign-key ec256.key --sign-cert rsa2048.der
bad_case missing-key "nokey.key: cannot read" --sign-key nokey.key --sign-cert rsa2048.der
bad_case garbage-key "garbage.key: not a PEM private key" --sign-key garbage.key --sign-cert rsa2048.der
bad_case passphrase-key "enc.key: not a PEM private key" --sign-key enc.key --sign-cert rsa2048.der
bad_case garbage-cert "garbage.key: not an X.509" --sign-key rsa2048.key --sign-cert garbage.key
bad_case unknown-hash "md17: unknown hash" --sign-key rsa2048.key --sign-cert rsa2048.der --sign-hash md17
bad_case key-without-cert "go together" --sign-key rsa2048.key
# without a key a signed module is still refused (today's behaviour)
bad_case signed-without-key "module is signed"
exit 0
