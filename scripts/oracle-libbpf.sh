#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Build libbpf 1.5 (from Debian's linux-source-6.12) as a static TEST ORACLE and
# BENCHMARK ANCHOR. libbpf is never a runtime dependency of btfcompat.
#
#   scripts/oracle-libbpf.sh        build if needed (idempotent), print the prefix
#
# The prefix printed on stdout holds include/bpf/*.h and lib/libbpf.a; link with
# -I PREFIX/include PREFIX/lib/libbpf.a -lelf -lz. Progress goes to stderr.
#
# Cache: ${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}/oracle/libbpf-1.5/
#   src/     the parts of linux-source-6.12 the build needs (tools/, uapi headers)
#   obj/     build tree
#   prefix/  include/bpf/*.h, include/linux/{bpf,bpf_common,btf}.h, lib/libbpf.a  (<- printed)
# Needs root (or the packages already installed): linux-source-6.12, libelf-dev,
# zlib1g-dev, pkg-config, make, gcc, xz-utils, python3 (for scripts/bpf_doc.py).
set -euo pipefail

CACHE=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}
ROOT=$CACHE/oracle/libbpf-1.5
PREFIX=$ROOT/prefix
SRCPKG=linux-source-6.12
TARBALL=/usr/src/$SRCPKG.tar.xz

log() { echo "oracle-libbpf: $*" >&2; }

built() {
	[ -f "$ROOT/.complete" ] && [ -f "$PREFIX/lib/libbpf.a" ] && [ -f "$PREFIX/include/bpf/btf.h" ] && [ -f "$PREFIX/include/linux/btf.h" ]
}

if built; then
	echo "$PREFIX"
	exit 0
fi

mkdir -p "$ROOT"
# Serialise concurrent callers (e.g. two benches or tests started at once).
if command -v flock >/dev/null 2>&1; then
	exec 9>"$ROOT.lock"
	flock 9
	if built; then
		echo "$PREFIX"
		exit 0
	fi
fi

apt_updated=0
apt_update() {
	if [ "$apt_updated" = 0 ]; then
		log "apt-get update"
		apt-get update -qq >&2
		apt_updated=1
	fi
}

# Does apt know an installable candidate for package $1?
has_candidate() {
	local c
	c=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')
	[ -n "$c" ] && [ "$c" != "(none)" ]
}

apt_install() {
	[ $# -gt 0 ] || return 0
	if [ "$(id -u)" != 0 ]; then
		log "missing packages: $* (run as root or install them)"
		exit 1
	fi
	local p
	for p in "$@"; do
		has_candidate "$p" || { apt_update; break; }
	done
	log "apt-get install $*"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2 || {
		apt_update
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
	}
}

# 1. Build dependencies.
need=()
for p in libelf-dev zlib1g-dev pkg-config make gcc libc6-dev xz-utils; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || need+=("$p")
done
command -v python3 >/dev/null 2>&1 || need+=(python3)
[ -f "$TARBALL" ] || need+=("$SRCPKG")
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
[ -f "$TARBALL" ] || { log "$TARBALL missing after installing $SRCPKG"; exit 1; }

# 2. Extract only what the libbpf build uses, into our own directory.
SRC=$ROOT/src
if [ ! -f "$SRC/.complete" ]; then
	log "extracting tools/ and uapi headers from $TARBALL (takes a minute)"
	rm -rf "$SRC" "$SRC.tmp"
	mkdir -p "$SRC.tmp"
	# tools/: libbpf, tools/include, tools/build, tools/scripts, tools/arch;
	# scripts/bpf_doc.py generates bpf_helper_defs.h; include/uapi and
	# arch/x86/include/uapi are only compared against tools/include/uapi.
	tar -xJf "$TARBALL" -C "$SRC.tmp" --strip-components=1 --wildcards \
		"$SRCPKG/tools/*" \
		"$SRCPKG/scripts/bpf_doc.py" \
		"$SRCPKG/include/uapi/*" \
		"$SRCPKG/arch/x86/include/uapi/*"
	touch "$SRC.tmp/.complete"
	mv "$SRC.tmp" "$SRC"
fi
version=$(grep -oE '^LIBBPF_[0-9.]+' "$SRC/tools/lib/bpf/libbpf.map" | sort -rV | head -n1 | cut -d_ -f2)
log "libbpf version in $SRCPKG: $version"
case $version in
1.5.*) ;;
*) log "warning: expected libbpf 1.5.x, got $version" ;;
esac

# 3. Build the static library only (BUILD_STATIC_ONLY is what libbpf's own
#    GitHub Makefile calls it; the kernel-tree Makefile ignores it, so we ask
#    for the libbpf.a target explicitly) and install the headers.
OBJ=$ROOT/obj
rm -rf "$OBJ" "$PREFIX"
mkdir -p "$OBJ" "$PREFIX/lib"
jobs=$(nproc 2>/dev/null || echo 2)
log "building libbpf.a in $OBJ"
make -s -C "$SRC/tools/lib/bpf" -j"$jobs" BUILD_STATIC_ONLY=1 OUTPUT="$OBJ/" \
	EXTRA_CFLAGS="-g -O2 -fPIC" "$OBJ/libbpf.a" >&2
make -s -C "$SRC/tools/lib/bpf" BUILD_STATIC_ONLY=1 OUTPUT="$OBJ/" prefix="$PREFIX" \
	install_headers >&2
cp "$OBJ/libbpf.a" "$PREFIX/lib/libbpf.a"
# The uapi headers libbpf was built against (what libbpf's own install_uapi_headers
# installs), so users of the oracle do not depend on the distro's linux-libc-dev.
mkdir -p "$PREFIX/include/linux"
for h in bpf.h bpf_common.h btf.h; do
	install -m 644 "$SRC/tools/include/uapi/linux/$h" "$PREFIX/include/linux/$h"
done
[ -f "$PREFIX/include/bpf/btf.h" ] || { log "install_headers did not install btf.h"; exit 1; }
touch "$ROOT/.complete"
log "done: $PREFIX"
echo "$PREFIX"
