#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# A newer Debian bpftool as a TEST ORACLE for `dump --c-style` and merged modules, run on this
# Debian 12 machine without installing anything: the bpftool package of Debian 13 (trixie:
# bpftool 7.5) or unstable (sid: 7.8) and the libraries it needs (its own libc among them) are
# downloaded with apt-get through an apt configuration of this script's own (the machine's
# sources stay untouched), unpacked into the cache, and run through their own dynamic loader.
#
#   scripts/newer-bpftool.sh 7.5|7.8     prints the path of an executable wrapper (bpftool ARGS...)
#
# Exit 1 with a message on stderr when it cannot: no network, or the suite's bpftool is no longer
# that version (unstable moves on; the golden rows then skip rather than compare another form).
# Cache: ${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}/bpftool-{trixie,sid}/ and apt-bpftool/.
set -euo pipefail

CACHE=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}
case ${1:-} in
7.5) suite=trixie ;;
7.8) suite=sid ;;
*) echo "usage: $0 7.5|7.8" >&2; exit 2 ;;
esac
want=v$1
DIR=$CACHE/bpftool-$suite
WRAP=$DIR/bpftool

runs() { # the wrapper runs and is that version
	local v
	v=$("$WRAP" version 2>&1) || return 1
	case $v in "bpftool $want."*) return 0 ;; esac
	return 1
}
if [ -x "$WRAP" ] && runs; then
	echo "$WRAP"
	exit 0
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/apt-bpftool.lock"
flock 9

# the mirror of the machine's own sources, as scripts/corpus.sh finds it
m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs: *\([^ ]*\/debian\)\/\{0,1\}$/\1/p' | head -n1)
[ -n "$m" ] || m=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\/debian\)\/\{0,1\} .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -n1)
m=${m:-http://deb.debian.org/debian}
APTDIR=$CACHE/apt-bpftool
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache"
key=/usr/share/keyrings/debian-archive-keyring.gpg
printf 'deb [arch=amd64 signed-by=%s] %s trixie main\ndeb [arch=amd64 signed-by=%s] %s sid main\n' \
	"$key" "$m" "$key" "$m" > "$APTDIR/sources.list"
APT=(-o "Dir::Etc::SourceList=$APTDIR/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o "Dir::State::Lists=$APTDIR/lists" -o "Dir::Cache=$APTDIR/cache" -o Acquire::Languages=none
     -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
     -o APT::Architectures::=amd64 -o "APT::Default-Release=$suite")
if [ -z "$(find "$APTDIR/lists" -name "*_dists_${suite}_main_binary-amd64_Packages*" -mmin -1440 2>/dev/null | head -n1)" ]; then
	apt-get "${APT[@]}" update -qq 2>&1 | grep -v unsandboxed >&2 || true
fi
ver=$(apt-cache "${APT[@]}" policy bpftool 2>/dev/null | awk '/Candidate:/ {print $2}')
case $ver in
"${1}".*) ;;
*) echo "newer-bpftool: $suite's bpftool is '${ver:-none}', not $1" >&2; exit 1 ;;
esac
rm -rf "$DIR"
mkdir -p "$DIR/debs" "$DIR/root"
(cd "$DIR/debs" && apt-get "${APT[@]}" download -qq bpftool libc6 libgcc-s1 libelf1t64 libcap2 zlib1g \
	libzstd1 $([ "$suite" = sid ] && echo libssl3t64) 2>&1 | grep -v unsandboxed >&2) || true
for d in "$DIR"/debs/*.deb; do dpkg-deb -x "$d" "$DIR/root"; done
cat > "$WRAP.tmp" <<EOF
#!/bin/sh
exec "$DIR/root/usr/lib64/ld-linux-x86-64.so.2" --library-path "$DIR/root/usr/lib/x86_64-linux-gnu" \\
	"$DIR/root/usr/sbin/bpftool" "\$@"
EOF
chmod +x "$WRAP.tmp"
mv "$WRAP.tmp" "$WRAP"
if ! runs; then
	echo "newer-bpftool: $DIR/root's bpftool does not run here: $("$WRAP" version 2>&1 | head -n1)" >&2
	exit 1
fi
echo "$WRAP"
