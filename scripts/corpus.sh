#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Fetch and cache the real Debian kernel corpus outside git.
#
#   scripts/corpus.sh [NAME...]       fetch (idempotent; offline once cached), print the cache root
#   scripts/corpus.sh --path VER|ROLE print the extracted root of one kernel (fetching it if needed)
#   scripts/corpus.sh --env [all|ROLE...]  the kernel of every role (but the ports'; all: every one;
#                                     or those named) as shell assignments, fetching them
#   scripts/corpus.sh --resolve-index [all|ROLE...]  the same, judged from the package indexes
#                                     alone (no kernel downloads, nothing recorded: tests the resolver)
#   scripts/corpus.sh --list          the roles, tools and sets
#
# NAME is a role, a kernel release (VER) or a set: "default" (what tests/run-all.sh fetches),
# "ports" (ppc64el and riscv64), "all". Without NAME: the default set.
#
# Roles. Tests never name a kernel release: they name a role (`eval "$(scripts/corpus.sh --env)"`
# gives BTFC_K61A=6.1.0-54-cloud-amd64 ...). Each role has a preferred (pinned) release; Debian's
# mirror moves on and drops old builds, so a role takes the nearest build of the same series and
# flavour that can be downloaded (6.1.0-N-cloud-amd64: N nearest to the pinned N; 6.12.P+debNN-F:
# P nearest), ties going away from the pair's other member. The -new role of a pair takes a build
# newer than its -old role's. A release is available when its packages download (or it is cached
# already), not when an index names it. The resolution is recorded in the cache (roles: "ROLE VER
# PINNED" lines) on first fetch, so every later run uses the same kernels, offline. A role with
# nothing available prints BTFC_X= and BTFC_X_MISSING='package ...': tests FAIL naming it.
#   BTFC_CORPUS_GONE="VER|GLOB ..."   treat these releases as unavailable (tests the fallback);
#                                     with it set nothing is recorded.
#
# Cache: ${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}/<VER>/ holding the dpkg-deb -x tree of its
# packages (boot/vmlinuz-VER + lib/modules/VER/, or usr/lib/modules/VER/{vmlinuz.unsigned,config,...}).
# The .debs are kept in debs/, the resolution in roles.
#
# Kernels of other architectures and other Debian releases come from an apt configuration of this
# script's own (apt-corpus/ in the cache: its own sources list, package lists and architectures),
# reusing the mirror of the machine's sources; the machine's apt configuration is never changed.
set -euo pipefail

CACHE=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}

# ROLE  VARIABLE  PINNED  SOURCE  PACKAGES (VER: the release; SOURCE "host": the machine's own apt,
# else our apt configuration). s390x: Debian 12's s390x builds have no BTF; Debian 13's are in
# trixie and trixie-security (whose index may name a release before the pool has it).
ROLES='
x86-61-old    BTFC_K61A    6.1.0-54-cloud-amd64        host    linux-image-VER-unsigned
x86-61-new    BTFC_K61B    6.1.0-55-cloud-amd64        host    linux-image-VER-unsigned
x86-612-old   BTFC_K612A   6.12.115+deb12-cloud-amd64  host    linux-image-VER-unsigned
x86-612-new   BTFC_K612B   6.12.117+deb12-cloud-amd64  host    linux-image-VER-unsigned
arm64-61-old  BTFC_ARM61A  6.1.0-54-cloud-arm64        own     linux-image-VER-unsigned:arm64
arm64-61-new  BTFC_ARM61B  6.1.0-55-cloud-arm64        own     linux-image-VER-unsigned:arm64
s390x-old     BTFC_S390A   6.12.107+deb13-s390x        own     linux-image-VER:s390x
s390x-new     BTFC_S390B   6.12.111+deb13-s390x        own     linux-image-VER:s390x
x86-72        BTFC_K72     7.2.13+deb14-cloud-amd64    own     linux-binary-unsigned-VER,linux-modules-VER,linux-base-VER
ppc64el       BTFC_PPC     6.12.107+deb13-powerpc64le  own     linux-image-VER:ppc64el
riscv64       BTFC_RISCV   6.12.107+deb13-riscv64      own     linux-image-VER:riscv64
'
SET_default='x86-61-old x86-61-new x86-612-old x86-612-new arm64-61-old arm64-61-new s390x-old s390x-new x86-72
 busybox-arm64 busybox-s390x'
SET_ports='ppc64el riscv64'
SET_all="$SET_default $SET_ports"
# Tools the QEMU oracles boot with (not kernels): TOOL SUITE PACKAGE
TOOLS='
busybox-arm64  trixie  busybox-static:arm64
busybox-s390x  trixie  busybox-static:s390x
'

# ---- our own apt configuration -------------------------------------------------------------
APTDIR=$CACHE/apt-corpus
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
UPDATED=0 # package lists fetched by this run (at most once)
apt_setup() { # write the sources list and fetch its package lists
	local m key=/usr/share/keyrings/debian-archive-keyring.gpg
	[ $UPDATED = 0 ] || return 0
	UPDATED=1
	m=$(mirror)
	mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache"
	cat > "$APTDIR/sources.list.new" <<-EOF
	deb [arch=arm64 signed-by=$key] $m bookworm main
	deb [arch=arm64 signed-by=$key] ${m%/debian}/debian-security bookworm-security main
	deb [arch=arm64,s390x,ppc64el,riscv64 signed-by=$key] $m trixie main
	deb [arch=arm64,s390x,ppc64el,riscv64 signed-by=$key] ${m%/debian}/debian-security trixie-security main
	deb [arch=amd64 signed-by=$key] $m sid main
	EOF
	mv "$APTDIR/sources.list.new" "$APTDIR/sources.list"
	apt_opts
	apt-get "${APT[@]}" update -qq 2>&1 | grep -v unsandboxed >&2 || true
	touch "$APTDIR/.updated"
}
host_update() { # the machine's package lists, once a run (root only)
	[ $UPDATED = 0 ] && [ "$(id -u)" = 0 ] || return 0
	UPDATED=1
	apt-get update -qq >&2 || true
}
fresh_lists() { # SOURCE: package lists no older than a day before the resolver reads them
	if [ "$1" = host ]; then
		[ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n1)" ] || host_update
	else
		[ -n "$(find "$APTDIR/.updated" -mmin -1440 2>/dev/null)" ] || apt_setup
	fi
}

# download PKG[:ARCH] SOURCE: the .deb into debs/ (unless there); prints its path
download() {
	local pkg=$1 src=$2 name=${1%%:*} arch deb
	arch=${1#*:}; [ "$arch" = "$1" ] && arch=
	deb=$(ls "$CACHE/debs/${name}"_*"${arch:+_$arch}".deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		if [ "$src" = host ]; then
			apt-cache show "$pkg" >/dev/null 2>&1 || host_update
			(cd "$CACHE/debs" && apt-get download -qq "$pkg" >&2) || true
		else
			[ -f "$APTDIR/.updated" ] || apt_setup
			apt_opts
			(cd "$CACHE/debs" && apt-get "${APT[@]}" download -qq "$pkg" 2>&1 | grep -v unsandboxed >&2) || true
			if ! ls "$CACHE/debs/${name}"_*.deb >/dev/null 2>&1 && [ $UPDATED = 0 ]; then # lists too old: once more
				apt_setup
				(cd "$CACHE/debs" && apt-get "${APT[@]}" download -qq "$pkg" 2>&1 | grep -v unsandboxed >&2) || true
			fi
		fi
		deb=$(ls "$CACHE/debs/${name}"_*"${arch:+_$arch}".deb 2>/dev/null | head -n1 || true)
		[ -n "$deb" ] || { echo "corpus: cannot download $pkg (not in the pool, or no package registry)" >&2; return 1; }
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

# ---- roles --------------------------------------------------------------------------------
# series VER: "KEY N": the series and flavour with the varying number as @, and that number
#   6.1.0-54-cloud-amd64 -> 6.1.0-@-cloud-amd64 54;  6.12.115+deb13.1-s390x -> 6.12.@+deb13-s390x 115
series() {
	if [[ $1 =~ ^([0-9]+\.[0-9]+)\.0-([0-9]+)-(.+)$ ]]; then
		echo "${BASH_REMATCH[1]}.0-@-${BASH_REMATCH[3]} ${BASH_REMATCH[2]}"
	elif [[ $1 =~ ^([0-9]+\.[0-9]+)\.([0-9]+)\+(deb[0-9]+)(\.[0-9]+)?-(.+)$ ]]; then
		echo "${BASH_REMATCH[1]}.@+${BASH_REMATCH[3]}-${BASH_REMATCH[5]} ${BASH_REMATCH[2]}"
	else echo "$1 0"; fi
}
role_line() { printf '%s\n' "$ROLES" | awk -v r="$1" '$1 == r { print; exit }'; }
pkgs_of() { echo "${2//VER/$1}"; } # VER TEMPLATE -> the packages
gone() { # VER: named by BTFC_CORPUS_GONE (a release or a glob)
	local g
	for g in ${BTFC_CORPUS_GONE:-}; do
		# shellcheck disable=SC2053
		[[ $1 == $g ]] && return 0
	done
	return 1
}
TMPD=$(mktemp -d); trap 'rm -rf "$TMPD"' EXIT
pkgnames() { # SOURCE: the package names its indexes know (once a run: apt-cache takes seconds)
	if [ ! -f "$TMPD/names.$1" ]; then
		fresh_lists "$1"
		if [ "$1" = host ]; then apt-cache pkgnames linux- 2>/dev/null || true
		else apt_opts; apt-cache "${APT[@]}" pkgnames linux- 2>/dev/null || true; fi > "$TMPD/names.$1"
	fi
	cat "$TMPD/names.$1"
}
# candidates PINNED SOURCE TEMPLATE: releases of the pinned one's series and flavour that an index
# names or the cache holds, one a line
candidates() {
	local key re p1 pre suf v
	read -r key _ <<< "$(series "$1")"
	re=$(printf '%s' "$key" | sed 's/[.+]/\\&/g; s/\\+deb\([0-9]*\)-/\\+deb\1(\\.[0-9]+)?-/; s/@/[0-9]+/')
	p1=${3%%,*}; p1=${p1%%:*}; pre=${p1%%VER*}; suf=${p1#*VER}
	{
		pkgnames "$2" | awk -v p="$pre" -v s="$suf" 'substr($0, 1, length(p)) == p && (s == "" || substr($0, length($0) - length(s) + 1) == s) {
				print substr($0, length(p) + 1, length($0) - length(p) - length(s)) }'
		[ "$INDEX_ONLY" = 1 ] || for v in "$CACHE"/*/.complete; do v=${v%/.complete}; echo "${v##*/}"; done
	} | grep -E "^$re\$" | sort -u || true
}
# ordered PINNED SIDE AFTER: the candidates on stdin, nearest to PINNED first (ties: SIDE up or down),
# only those after AFTER (sort -V) when given, none named by BTFC_CORPUS_GONE
ordered() {
	local n0 v n d
	read -r _ n0 <<< "$(series "$1")"
	while read -r v; do
		gone "$v" && continue
		if [ -n "$3" ]; then [ "$v" != "$3" ] && [ "$(printf '%s\n%s\n' "$3" "$v" | sort -V | tail -n1)" = "$v" ] || continue; fi
		read -r _ n <<< "$(series "$v")"
		d=$((n - n0)); [ $d -lt 0 ] && d=$((-d))
		if [ "$2" = up ]; then echo "$d $((-n)) $v"; else echo "$d $n $v"; fi
	done | sort -k1,1n -k2,2n -k3,3V | cut -d' ' -f3
}
# the roles file: "ROLE VER PINNED" lines (a record made for another pinned release is not used)
recorded() { [ -f "$CACHE/roles" ] && awk -v r="$1" -v p="$2" '$1 == r && $3 == p { print $2; exit }' "$CACHE/roles" || true; }
record() { # ROLE VER PINNED
	[ "$INDEX_ONLY" = 0 ] && [ -z "${BTFC_CORPUS_GONE:-}" ] || return 0
	{ [ -f "$CACHE/roles" ] && awk -v r="$1" '$1 != r' "$CACHE/roles"; echo "$1 $2 $3"; } > "$CACHE/roles.tmp"
	mv "$CACHE/roles.tmp" "$CACHE/roles"
}
declare -A RES=() MISSING=()
INDEX_ONLY=0
# resolve ROLE: RES[ROLE]=VER (fetched unless INDEX_ONLY), else MISSING[ROLE]=why; returns 1 then
resolve() {
	local role=$1 line var pin src tpl side=down after= rec v
	[ -n "${RES[$role]:-}" ] && return 0
	line=$(role_line "$role"); [ -n "$line" ] || { echo "corpus: unknown role '$role'" >&2; return 1; }
	read -r _ var pin src tpl <<< "$line"
	case $role in
	*-new)
		side=up
		resolve "${role%-new}-old" || { MISSING[$role]="needs ${role%-new}-old: ${MISSING[${role%-new}-old]}"; return 1; }
		after=${RES[${role%-new}-old]} ;;
	esac
	rec=$(recorded "$role" "$pin")
	if [ "$INDEX_ONLY" = 0 ] && [ -n "$rec" ] && ! gone "$rec" && { [ -z "$after" ] || ordered "$rec" "$side" "$after" <<< "$rec" | grep -q .; } &&
		extract "$rec" "$src" "$(pkgs_of "$rec" "$tpl")"; then
		RES[$role]=$rec; return 0
	fi
	for v in $(candidates "$pin" "$src" "$tpl" | ordered "$pin" "$side" "$after"); do
		if [ "$INDEX_ONLY" = 1 ] || extract "$v" "$src" "$(pkgs_of "$v" "$tpl")"; then
			RES[$role]=$v; record "$role" "$v" "$pin"; return 0
		fi
	done
	MISSING[$role]="$(pkgs_of "$pin" "$tpl" | sed 's/,/ /g') is not available, nor any other $(series "$pin" | cut -d' ' -f1 | sed 's/@/*/') build${after:+ newer than $after}"
	echo "corpus: $role: ${MISSING[$role]}" >&2
	return 1
}
env_out() { # [all|ROLE...]: the assignments of every role but the ports' (all: every role; ROLEs: those)
	local role var rc=0 only=" $* "  # BTFC_X= and BTFC_X_MISSING='...' when a role has none
	while read -r role var _; do
		[ -n "$role" ] || continue
		if [ "$only" = "  " ]; then [[ " $SET_ports " != *" $role "* ]] || continue
		elif [ "$only" != " all " ]; then [[ $only == *" $role "* ]] || continue; fi
		resolve "$role" || rc=1
		echo "$var=${RES[$role]:-}"
		[ -z "${MISSING[$role]:-}" ] || echo "${var}_MISSING='${MISSING[$role]//\'/}'"
	done <<< "$ROLES"
	return $rc
}
# fetch_one NAME: a role, a tool or a release (of a role's series); prints its release
fetch_one() {
	local line role
	if [ -n "$(role_line "$1")" ]; then resolve "$1" && echo "${RES[$1]}"; return; fi
	line=$(printf '%s\n' "$TOOLS" | awk -v v="$1" '$1 == v { print; exit }')
	if [ -n "$line" ]; then set -- $line; extract "$1" "$2" "$3" && echo "$1"; return; fi
	while read -r role _ pin src tpl; do
		[ -n "$role" ] && [ "$(series "$pin" | cut -d' ' -f1)" = "$(series "$1" | cut -d' ' -f1)" ] || continue
		gone "$1" && { echo "corpus: $1 is named by BTFC_CORPUS_GONE" >&2; return 1; }
		extract "$1" "$src" "$(pkgs_of "$1" "$tpl")" && echo "$1"; return
	done <<< "$ROLES"
	echo "corpus: unknown kernel, role or tool '$1' (see --list)" >&2; return 1
}

mkdir -p "$CACHE"
lock() { exec 9> "$CACHE/.corpus.lock"; flock 9; }
case "${1:-}" in
--path)
	lock
	v=$(fetch_one "$2")
	echo "$CACHE/$v"
	exit 0 ;;
--env)
	lock
	shift; env_out "$@"; exit ;;
--resolve-index)
	INDEX_ONLY=1
	shift; env_out "$@"; exit ;;
--list)
	echo "roles (ROLE VARIABLE PINNED SOURCE PACKAGES):"; printf '%s\n' "$ROLES" | sed '/^$/d; s/^/  /'
	echo "resolved (recorded in $CACHE/roles):"; sed 's/^/  /' "$CACHE/roles" 2>/dev/null || true
	echo "tools:"; printf '%s\n' "$TOOLS" | sed '/^$/d; s/^/  /'
	echo "sets: default: $(echo $SET_default)"; echo "      ports: $SET_ports"; echo "      all"
	exit 0 ;;
esac

lock
names=()
[ $# -gt 0 ] || set -- default
for a in "$@"; do
	case $a in
	default | ports | all) v=SET_$a; names+=(${!v}) ;;
	*) names+=("$a") ;;
	esac
done
rc=0
for v in "${names[@]}"; do
	fetch_one "$v" > /dev/null || rc=1
done
echo "$CACHE"
exit $rc
