#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Signing of rewritten modules (--sign-key/--sign-cert/--sign-hash) against
# the kernel's own scripts/sign-file as Debian ships it (linux-kbuild-6.1 and
# one linux-kbuild-6.12.*, installed here): for the same unsigned module, key,
# certificate and hash, our signed module must be byte-identical to each
# sign-file's (cases run times sign-file builds, two at least). RSA 2048 and
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
corpus_env
need_kernels sign BTFC_K61A BTFC_K61B BTFC_K612B || exit 0
K55=$(kroot "$BTFC_K61B") && K54=$(kroot "$BTFC_K61A") && K117=$(kroot "$BTFC_K612B") || { fail sign "corpus: cannot fetch"; exit 0; }
V55=$K55/boot/vmlinuz-$BTFC_K61B V54=$K54/boot/vmlinuz-$BTFC_K61A
M55=$K55/lib/modules/$BTFC_K61B/kernel M54=$K54/lib/modules/$BTFC_K61A/kernel
# sign-file of both series: linux-kbuild-6.1, and 6.12's of the 6.12 kernel here (else the newest the index names)
KB612=linux-kbuild-${BTFC_K612B%-cloud-amd64}
apt-cache show "$KB612" >/dev/null 2>&1 || KB612=$(apt-cache pkgnames linux-kbuild-6.12. | sort -V | tail -n 1)
if [ "$(id -u)" = 0 ]; then
	for p in linux-kbuild-6.1 $KB612; do
		[ -x "/usr/lib/$p/scripts/sign-file" ] ||
			apt-get -o DPkg::Lock::Timeout=900 install -y -qq "$p" >/dev/null 2>&1
	done
fi
SIGNFILES=$(ls /usr/lib/linux-kbuild-6.1/scripts/sign-file /usr/lib/linux-kbuild-6.12*/scripts/sign-file 2>/dev/null)
NSF=$(echo $SIGNFILES | wc -w)
[ "$NSF" -ge 2 ] || { fail sign "sign-file of linux-kbuild-6.1 and ${KB612:-linux-kbuild-6.12.*} wanted, found: ${SIGNFILES:-none} (install as root)"; exit 0; }
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
same=0 total=0 ran=0 bad="" # ran: the cases, each compared with every sign-file
# compare VERB-OUTPUT SIGNED-BY-US UNSIGNED KEY CERT HASH [-k]: sign-file on UNSIGNED must give SIGNED-BY-US
compare() {
	local ours=$1 plain=$2 key=$3 cert=$4 hash=$5 k=${6:-} sf
	ran=$((ran + 1))
	for sf in $SIGNFILES; do
		total=$((total + 1))
		rm -f theirs.ko
		"$sf" $k "$hash" "$key" "$cert" "$plain" theirs.ko 2>sf.err
		if cmp -s "$ours" theirs.ko; then same=$((same + 1)); else
			bad="$bad ${sf#/usr/lib/}:$(basename "$plain"):$(basename "$key"):$hash$k"; fi
	done
}
for m in $MODS; do
	# (the hashes the kernel verifies; md5, sha1, sha224 are refused below)
	for kh in "rsa2048 der sha256" "rsa2048 der sha512" "rsa2048 pem sha256" "rsa2048 der sha384" "rsa4096 pem sha512" \
		"rsa4096 der sha384" "rsa2048 der sha512 -k"; do
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
x=$(find "$K117" -name 'af_key.ko.xz' | head -n 1)
"$BIN" strip --unsign -o xplain.ko.xz "$x" >/dev/null && "$BIN" strip -o xours.ko.xz --sign-key rsa2048.key \
	--sign-cert rsa2048.der "$x" >/dev/null && xz -dc xplain.ko.xz > xplain.ko && xz -dc xours.ko.xz > xours.ko &&
	compare xours.ko xplain.ko rsa2048.key rsa2048.der sha512 || bad="$bad xz-failed"
# every case of the 4 modules x 7 signings and the 4 other verbs ran, on every sign-file, identical
[ -z "$bad" ] && [ "$ran" = $(($(echo $MODS | wc -w) * 7 + 4)) ] && [ "$same" = $((ran * NSF)) ] && [ "$total" = "$same" ] &&
	pass "sign/byte-identical-to-sign-file ($same of $total: $ran cases, $NSF sign-file builds)" ||
	fail sign/byte-identical-to-sign-file "$same of $total identical ($ran cases, $NSF sign-file builds); differ:$bad"

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
echo "not a key" > garbage.key && chmod 600 garbage.key enc.key
cp rsa2048.key open.key && chmod 644 open.key && cp rsa2048.key group.key && chmod 640 group.key && mkfifo fifo.key
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
bad_case missing-key "nokey.key: cannot open" --sign-key nokey.key --sign-cert rsa2048.der
bad_case garbage-key "garbage.key: not a PEM private key" --sign-key garbage.key --sign-cert rsa2048.der
bad_case passphrase-key "enc.key: not a PEM private key" --sign-key enc.key --sign-cert rsa2048.der
bad_case garbage-cert "garbage.key: not an X.509" --sign-key rsa2048.key --sign-cert garbage.key
bad_case unknown-hash "md17: not a hash the kernel verifies" --sign-key rsa2048.key --sign-cert rsa2048.der --sign-hash md17
# hashes no kernel verifies module signatures with (CONFIG_MODULE_SIG_SHA256/384/512 only)
for h in md5 sha1 sha224; do
	bad_case "hash-$h-refused" "$h: not a hash the kernel verifies" --sign-key rsa2048.key --sign-cert rsa2048.der --sign-hash $h
done
# keys others can read are refused (sign-file and DKMS keep them 0600); a FIFO is refused at once, never waited on
bad_case key-mode-0644 "open.key: the signing key has mode 0644" --sign-key open.key --sign-cert rsa2048.der
bad_case key-mode-0640 "group.key: the signing key has mode 0640" --sign-key group.key --sign-cert rsa2048.der
bad_case key-fifo "fifo.key: not a regular file (a FIFO)" --sign-key fifo.key --sign-cert rsa2048.der
bad_case cert-fifo "fifo.key: not a regular file (a FIFO)" --sign-key rsa2048.key --sign-cert fifo.key
bad_case key-without-cert "go together" --sign-key rsa2048.key
# without a key a signed module is still refused (today's behaviour)
bad_case signed-without-key "module is signed"
exit 0
