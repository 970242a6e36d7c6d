#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Fetch and cache the real Debian kernel corpus outside git.
#
#   scripts/corpus.sh [NAME...]       fetch (idempotent; offline once cached), print the cache root
#   scripts/corpus.sh --path VER      print the extracted root of one kernel (fetching it if needed)
#   scripts/corpus.sh --list          the known kernels and sets
#
# NAME is a kernel release (VER, below) or a set: "default" (what tests/run-all.sh fetches), "ports"
# (ppc64el and riscv64), "all". Without NAME: the default set.
# Cache: ${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}/<VER>/ holding the dpkg-deb -x tree of its
# packages (boot/vmlinuz-VER + lib/modules/VER/, or usr/lib/modules/VER/{vmlinuz.unsigned,config,...}).
# The .debs are kept in debs/.
#
# Kernels of other architectures and other Debian releases come from an apt configuration of this
# script's own (apt/ in the cache: its own sources list, package lists and architectures), reusing the
# mirror of the machine's sources; the machine's apt configuration is never changed.
set -euo pipefail

CACHE=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}

# VER  SOURCE  PACKAGES  (SOURCE "host": the machine's own apt; else the suite in our apt configuration).
# s390x: 6.12.107 is the only s390x build in Debian's pool with BTF (Debian 12's have none; trixie's
# index names 6.12.117, but the pool has no such file).
KERNELS='
6.1.0-54-cloud-amd64        host                linux-image-6.1.0-54-cloud-amd64-unsigned
6.1.0-55-cloud-amd64        host                linux-image-6.1.0-55-cloud-amd64-unsigned
6.12.115+deb12-cloud-amd64  host                linux-image-6.12.115+deb12-cloud-amd64-unsigned
6.12.117+deb12-cloud-amd64  host                linux-image-6.12.117+deb12-cloud-amd64-unsigned
6.1.0-54-cloud-arm64        bookworm-security   linux-image-6.1.0-54-cloud-arm64-unsigned:arm64
6.1.0-55-cloud-arm64        bookworm-security   linux-image-6.1.0-55-cloud-arm64-unsigned:arm64
6.12.107+deb13-s390x        trixie              linux-image-6.12.107+deb13-s390x:s390x
7.2.13+deb14-cloud-amd64    sid                 linux-binary-unsigned-7.2.13+deb14-cloud-amd64,linux-modules-7.2.13+deb14-cloud-amd64,linux-base-7.2.13+deb14-cloud-amd64
6.12.107+deb13-powerpc64le  trixie              linux-image-6.12.107+deb13-powerpc64le:ppc64el
6.12.107+deb13-riscv64      trixie              linux-image-6.12.107+deb13-riscv64:riscv64
'
SET_default='6.1.0-54-cloud-amd64 6.1.0-55-cloud-amd64 6.12.115+deb12-cloud-amd64 6.12.117+deb12-cloud-amd64
 6.1.0-54-cloud-arm64 6.1.0-55-cloud-arm64 6.12.107+deb13-s390x 7.2.13+deb14-cloud-amd64
 busybox-arm64 busybox-s390x'
SET_ports='6.12.107+deb13-powerpc64le 6.12.107+deb13-riscv64'
SET_all="$SET_default $SET_ports"
# Tools the QEMU oracles boot with (not kernels): TOOL SUITE PACKAGE
TOOLS='
busybox-arm64  trixie  busybox-static:arm64
busybox-s390x  trixie  busybox-static:s390x
'

# ---- our own apt configuration -------------------------------------------------------------
APTDIR=$CACHE/apt
mirror() { # the Debian mirror of the machine's own sources (deb822 or one-line), else deb.debian.org
	local m
	m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs: *\([^ ]*\/debian\)\/\{0,1\}$/\1/p' | head -n1)
	[ -n "$m" ] || m=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\/debian\)\/\{0,1\} .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -n1)
	echo "${m:-http://deb.debian.org/debian}"
}
apt_opts() {
	APT=(-o "Dir::Etc::SourceList=$APTDIR/sources.list" -o Dir::Etc::SourceParts=/dev/null
	     -o "Dir::State::Lists=$APTDIR/lists" -o "Dir::Cache=$APTDIR/cache" -o Acquire::Languages=none
	     -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
	     -o APT::Architectures::=amd64 -o APT::Architectures::=arm64 -o APT::Architectures::=s390x
	     -o APT::Architectures::=ppc64el -o APT::Architectures::=riscv64)
}
apt_setup() { # write the sources list and fetch its package lists (once; again when a package is missing)
	local m key=/usr/share/keyrings/debian-archive-keyring.gpg
	m=$(mirror)
	mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache"
	cat > "$APTDIR/sources.list.new" <<-EOF
	deb [arch=arm64 signed-by=$key] $m bookworm main
	deb [arch=arm64 signed-by=$key] ${m%/debian}/debian-security bookworm-security main
	deb [arch=arm64,s390x,ppc64el,riscv64 signed-by=$key] $m trixie main
	deb [arch=amd64 signed-by=$key] $m sid main
	EOF
	mv "$APTDIR/sources.list.new" "$APTDIR/sources.list"
	apt_opts
	apt-get "${APT[@]}" update -qq 2>&1 | grep -v unsandboxed >&2 || true
	touch "$APTDIR/.updated"
}

# download PKG[:ARCH] SOURCE: the .deb into debs/ (unless there); prints its path
download() {
	local pkg=$1 src=$2 name=${1%%:*} arch deb
	arch=${1#*:}; [ "$arch" = "$1" ] && arch=
	deb=$(ls "$CACHE/debs/${name}"_*"${arch:+_$arch}".deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		if [ "$src" = host ]; then
			if ! apt-cache show "$pkg" >/dev/null 2>&1; then
				[ "$(id -u)" = 0 ] && apt-get update -qq >&2 || true
			fi
			(cd "$CACHE/debs" && apt-get download -qq "$pkg" >&2) || true
		else
			[ -f "$APTDIR/.updated" ] || apt_setup
			apt_opts
			(cd "$CACHE/debs" && apt-get "${APT[@]}" download -qq "$pkg" 2>&1 | grep -v unsandboxed >&2) || true
			if ! ls "$CACHE/debs/${name}"_*.deb >/dev/null 2>&1; then # lists too old: once more
				apt_setup
				(cd "$CACHE/debs" && apt-get "${APT[@]}" download -qq "$pkg" 2>&1 | grep -v unsandboxed >&2) || true
			fi
		fi
		deb=$(ls "$CACHE/debs/${name}"_*"${arch:+_$arch}".deb 2>/dev/null | head -n1 || true)
		[ -n "$deb" ] || { echo "corpus: cannot download $pkg (no package registry?)" >&2; return 1; }
	fi
	echo "$deb"
}

# extract NAME SOURCE PKG,PKG...: every package into CACHE/NAME (atomically: NAME.tmp, then rename)
extract() {
	local name=$1 src=$2 pkgs=$3 dir="$CACHE/$1" deb p
	[ -f "$dir/.complete" ] && return 0
	mkdir -p "$CACHE/debs"
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	for p in ${pkgs//,/ }; do
		deb=$(download "$p" "$src") || { rm -rf "$dir.tmp"; return 1; }
		dpkg-deb -x "$deb" "$dir.tmp"
	done
	touch "$dir.tmp/.complete"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
}

fetch_one() {
	local line
	line=$(printf '%s\n' "$KERNELS" "$TOOLS" | awk -v v="$1" '$1 == v { print; exit }')
	[ -n "$line" ] || { echo "corpus: unknown kernel or tool '$1' (see --list)" >&2; return 1; }
	set -- $line
	extract "$1" "$2" "$3"
}

case "${1:-}" in
--path)
	fetch_one "$2"
	echo "$CACHE/$2"
	exit 0 ;;
--list)
	echo "kernels (VER SOURCE PACKAGES):"; printf '%s\n' "$KERNELS" | sed '/^$/d; s/^/  /'
	echo "tools:"; printf '%s\n' "$TOOLS" | sed '/^$/d; s/^/  /'
	echo "sets: default: $(echo $SET_default)"; echo "      ports: $SET_ports"; echo "      all"
	exit 0 ;;
esac

names=()
[ $# -gt 0 ] || set -- default
for a in "$@"; do
	case $a in
	default | ports | all) v=SET_$a; names+=(${!v}) ;;
	*) names+=("$a") ;;
	esac
done
for v in "${names[@]}"; do
	fetch_one "$v"
done
echo "$CACHE"
