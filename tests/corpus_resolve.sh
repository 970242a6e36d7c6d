#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# The corpus roles' fallback (scripts/corpus.sh --resolve-index: the package indexes only, no kernel
# downloads, nothing recorded). With a pinned release made unavailable (BTFC_CORPUS_GONE), a role
# takes the nearest release of its series and flavour that the index names (ties away from the
# pair's other member), a -new role one newer than its -old role; a role with nothing available
# prints BTFC_X= and BTFC_X_MISSING naming the pinned package, and the script exits non-zero.
# The expected releases are computed here from the indexes, read with apt-cache directly.
#   tests/corpus_resolve.sh
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
CACHE=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
CS=$TOP/scripts/corpus.sh
pin() { "$CS" --list | awk -v r="$1" '$1 == r { print $3; exit }'; }

# the baseline: every role resolves from the indexes (the first run also fetches our package lists)
rec_before=$(cat "$CACHE/roles" 2>/dev/null)
"$CS" --resolve-index all > "$TMP/base.env" 2> "$TMP/base.err"; rc=$?
n=$(grep -c '^BTFC_[A-Z0-9]*=.' "$TMP/base.env")
[ $rc = 0 ] && [ "$n" = "$("$CS" --list | awk '/^roles/ { on = 1; next } /^[a-z]/ { on = 0 } on && NF' | wc -l)" ] &&
	[ "$(cat "$CACHE/roles" 2>/dev/null)" = "$rec_before" ] &&
	pass "corpus-resolve/index-names-every-role ($n roles, nothing recorded)" ||
	fail corpus-resolve/index-names-every-role "rc=$rc $n roles: $(cat "$TMP/base.err" | head -n 3 | tr '\n' '|')"

# names PREFIX SUFFIX [own]: the releases the index names as packages linux-image-PREFIX...SUFFIX, read here
own_apt=(-o "Dir::Etc::SourceList=$CACHE/apt-corpus/sources.list" -o Dir::Etc::SourceParts=/dev/null
	 -o "Dir::State::Lists=$CACHE/apt-corpus/lists" -o "Dir::Cache=$TMP/aptcache" -o Dir::Etc::Preferences=/dev/null
	 -o Dir::Etc::PreferencesParts=/dev/null -o APT::Architectures::=amd64 -o APT::Architectures::=s390x)
names() {
	mkdir -p "$TMP/aptcache"
	[ -f "$TMP/names.${3:-host}" ] || if [ "${3:-}" = own ]; then apt-cache "${own_apt[@]}" pkgnames linux-image-
		else apt-cache pkgnames linux-image-; fi > "$TMP/names.${3:-host}"
	sed -n "s/^linux-image-\\($1.*\\)$2\$/\\1/p" "$TMP/names.${3:-host}" | sort -u
}
# expect PINNED-OLD PINNED-NEW GONE RE < releases: the pair the documented rule picks (python, not the script's code)
expect() {
	python3 -c '
import re, sys
po, pn, gone, rx = sys.argv[1:5]
num = lambda v: int(re.match(rx, v).group(1))
vs = [v for v in sys.stdin.read().split() if re.match(rx, v) and v not in gone.split()]
key = lambda v: (num(v), v)
a = min(vs, key=lambda v: (abs(num(v) - num(po)), num(v), v))
newer = [v for v in vs if key(v) > key(a)]
b = min(newer, key=lambda v: (abs(num(v) - num(pn)), -num(v), v)) if newer else ""
print(a, b)' "$@"
}
# case NAME VAR-OLD VAR-NEW ROLE-OLD ROLE-NEW GONE PREFIX SUFFIX RE [own]
case_() {
	local name=$1 va=$2 vb=$3 po pn gone=$6 got want
	po=$(pin "$4") pn=$(pin "$5")
	want=$(names "$7" "$8" "${10:-}" | expect "$po" "$pn" "$gone" "$9")
	BTFC_CORPUS_GONE=$gone "$CS" --resolve-index "$4" "$5" > "$TMP/g.env" 2>&1
	got="$(sed -n "s/^$va=//p" "$TMP/g.env") $(sed -n "s/^$vb=//p" "$TMP/g.env")"
	[ -n "${want% }" ] && [ "$got" = "$want" ] && [ "${got%% *}" != "$gone" ] && [ "${got##* }" != "$gone" ] &&
		pass "corpus-resolve/$name (gone $gone: $got)" || fail "corpus-resolve/$name" "gone $gone: got '$got', want '$want'"
}
case_ x86-61-old-gone BTFC_K61A BTFC_K61B x86-61-old x86-61-new "$(pin x86-61-old)" '6.1.0-' '-unsigned' \
	'^6\.1\.0-([0-9]+)-cloud-amd64$'
case_ x86-61-new-gone BTFC_K61A BTFC_K61B x86-61-old x86-61-new "$(pin x86-61-new)" '6.1.0-' '-unsigned' \
	'^6\.1\.0-([0-9]+)-cloud-amd64$'
case_ s390x-new-gone BTFC_S390A BTFC_S390B s390x-old s390x-new "$(pin s390x-new)" '6.12.' '' \
	'^6\.12\.([0-9]+)\+deb13(\.[0-9]+)?-s390x$' own
case_ s390x-old-gone BTFC_S390A BTFC_S390B s390x-old s390x-new "$(pin s390x-old)" '6.12.' '' \
	'^6\.12\.([0-9]+)\+deb13(\.[0-9]+)?-s390x$' own

# nothing left of a series: FAIL material naming the pinned package, exit non-zero
BTFC_CORPUS_GONE='6.12.*+deb13*-s390x' "$CS" --resolve-index x86-61-old s390x-old s390x-new > "$TMP/n.env" 2> "$TMP/n.err"; rc=$?
[ $rc != 0 ] && grep -qx 'BTFC_S390A=' "$TMP/n.env" && grep -qx 'BTFC_S390B=' "$TMP/n.env" &&
	grep -q "^BTFC_S390A_MISSING='linux-image-$(pin s390x-old):s390x is not available" "$TMP/n.env" &&
	grep -q "^BTFC_S390B_MISSING='needs s390x-old" "$TMP/n.env" && grep -q "^BTFC_K61A=." "$TMP/n.env" &&
	pass "corpus-resolve/nothing-available-names-the-package" ||
	fail corpus-resolve/nothing-available-names-the-package "rc=$rc $(grep S390 "$TMP/n.env" | tr '\n' '|')"
# and a test that needs it fails naming it (need_kernels)
out=$(eval "$(cat "$TMP/n.env")"; need_kernels t BTFC_K61A BTFC_S390A)
echo "$out" | grep -q "^FAIL: t: missing from Debian's mirror: linux-image-$(pin s390x-old):s390x is not available" &&
	pass corpus-resolve/need-kernels-fails-naming-it || fail corpus-resolve/need-kernels-fails-naming-it "$out"
exit 0
