#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Build a small Linux kernel (Debian's linux-source-6.12, or linux-source-7.2
# from unstable with --version 7.2) with patches, for tests/kernel_stamp.sh,
# tests/kernel_stamp72.sh and bench/kernel_stamp.sh. Results are cached
# outside git, keyed by a hash of the tarball, the patches and the config, so
# a second run with the same inputs prints the cached directory at once.
#
#   scripts/kernel-build.sh [--version 6.12|7.2] [--arch x86_64|arm64|s390x] [-j N] [--patch FILE]... [--set CONFIG_X=y]... [--seed NAME] NAME
#
# --version 6.12 (the default: /usr/src/linux-source-6.12.tar.xz, installed
#           with apt-get) or 7.2 (linux-source-7.2 downloaded from unstable
#           through the corpus apt configuration, scripts/corpus.sh, and its
#           tarball kept in the cache)
# --arch    x86_64 (the default, native) or arm64 / s390x, cross compiled
#           (ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-, ARCH=s390
#           CROSS_COMPILE=s390x-linux-gnu-; gcc-ARCH-linux-gnu installed with
#           apt-get when missing). The boot image, under the build directory:
#           x86_64 arch/x86/boot/bzImage, arm64 arch/arm64/boot/Image,
#           s390x arch/s390/boot/bzImage (guest_image in tests/kernel/guest.sh)
# --patch   applied in the order given (patch -p1, no fuzz); the series is
#           usually kernel/6.12/*.patch, test-only changes come after it
# --set     config lines on top of tinyconfig + tests/kernel/config.fragment
# --seed    a built variant whose build directory is copied first, so only
#           what the other config or patches touch is rebuilt
# Prints the build directory (O=): the boot image, vmlinux, the modules in
# place, .config, and `src`, the patched source tree.
# Cache: ${BTFCOMPAT_CACHE:-~/.cache/btfcompat}/kernel-VERSION/NAME-KEY for
# x86_64, kernel-VERSION-ARCH/NAME-KEY for the others (the tarball stays in
# kernel-VERSION; the key formula is the same for every version and, for
# x86_64, as before --arch existed, so 6.12's and x86's keys are unchanged)
# Exit: 0 built, 2 usage or build error, 3 linux-source-VERSION (or a build
# tool) unavailable and not installable.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
FRAGMENT=$TOP/tests/kernel/config.fragment
J=2 NAME='' SEED='' VER=6.12 ARCH=x86_64
PATCHES=() SETS=()
die() { echo "kernel-build: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	-j) J=$2; shift 2 ;;
	--version) VER=$2; shift 2 ;;
	--arch) ARCH=$2; shift 2 ;;
	--patch) PATCHES+=("$(realpath "$2")"); shift 2 ;;
	--set) SETS+=("$2"); shift 2 ;;
	--seed) SEED=$2; shift 2 ;;
	-h|--help) sed -n '3,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option $1" ;;
	*) NAME=$1; shift ;;
	esac
done
[ -n "$NAME" ] || die "a variant NAME is required"
# a --set line replaces the fragment's line for the same symbol
syms=$(printf '%s\n' "${SETS[@]}" | sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/\1/p; s/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1/p' | paste -sd'|')
if [ -n "$syms" ]; then
	EFF=$(mktemp); trap 'rm -f "$EFF"' EXIT
	grep -vE "^(# )?($syms)[= ]" "$FRAGMENT" > "$EFF" || true
	FRAGMENT=$EFF
fi

# the image target and the cross compiler per --arch (x86_64: native, nothing exported)
case $ARCH in
x86_64) IMAGE=bzImage ;;
arm64) IMAGE=Image; export ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- ;;
s390x) IMAGE=bzImage; export ARCH=s390 CROSS_COMPILE=s390x-linux-gnu- ;;
*) die "unknown --arch $ARCH (x86_64, arm64 or s390x)" ;;
esac
KARCH=$ARCH; [ "$KARCH" = s390 ] && KARCH=s390x
CACHE=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}/kernel-$VER
case $VER in
6.12) TARBALL=/usr/src/linux-source-6.12.tar.xz ;;
7.2) TARBALL=$CACHE/linux-source-7.2.tar.xz ;;
*) die "unknown --version $VER (6.12 or 7.2)" ;;
esac
if [ "$KARCH" != x86_64 ] && ! command -v "${CROSS_COMPILE}gcc" >/dev/null; then
	[ "$(id -u)" = 0 ] || { echo "kernel-build: ${CROSS_COMPILE}gcc missing, not root" >&2; exit 3; }
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq "gcc-${CROSS_COMPILE%-}" \
		>/dev/null 2>&1 || { echo "kernel-build: cannot install gcc-${CROSS_COMPILE%-}" >&2; exit 3; }
fi
if ! command -v pahole >/dev/null || ! command -v flex >/dev/null || ! command -v bc >/dev/null; then
	[ "$(id -u)" = 0 ] || { echo "kernel-build: build tools missing, not root" >&2; exit 3; }
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq flex bison \
		bc libssl-dev libelf-dev dwarves >/dev/null 2>&1 || { echo "kernel-build: cannot install the build tools" >&2; exit 3; }
fi
if [ ! -r "$TARBALL" ] && [ "$VER" = 6.12 ]; then
	[ "$(id -u)" = 0 ] || { echo "kernel-build: linux-source-6.12 missing, not root" >&2; exit 3; }
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq linux-source-6.12 \
		>/dev/null 2>&1 || { echo "kernel-build: cannot install linux-source-6.12" >&2; exit 3; }
elif [ ! -r "$TARBALL" ]; then
	# linux-source-7.2 is in unstable only: the .deb through the corpus apt configuration
	# (scripts/corpus.sh: its sources list, lists and apt_opts), then only its tarball kept
	mkdir -p "$CACHE"
	CACHE_TOP=$(dirname "$CACHE")
	eval "$(sed -n '/^APTDIR=/,/^# download PKG/p' "$TOP/scripts/corpus.sh" | sed 's/\$CACHE\b/$CACHE_TOP/g')"
	fresh_lists corpus; apt_opts
	(cd "$CACHE" && apt-get "${APT[@]}" download -qq linux-source-7.2 2>&1 | grep -v unsandboxed >&2) || true
	deb=$(ls "$CACHE"/linux-source-7.2_*_all.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || { echo "kernel-build: cannot download linux-source-7.2" >&2; exit 3; }
	dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-7.2.tar.xz > "$TARBALL.tmp" && mv "$TARBALL.tmp" "$TARBALL" ||
		{ rm -f "$TARBALL.tmp"; echo "kernel-build: cannot unpack $deb" >&2; exit 3; }
	rm -f "$deb"
fi

hash_of() { sha256sum | cut -c1-12; }
# the source: tarball identity + patches; the build: that + config
# (of a patch only its diffs count: a changed commit message or subject rebuilds nothing)
SRCKEY=$({ stat -c '%s %Y' "$TARBALL"; for p in "${PATCHES[@]}"; do sed -n '/^diff --git /,$p' "$p" | sha256sum; done; } | hash_of)
# the recipe is hashed with x86's image target spelled out and the arch added only when not
# x86_64, so x86 kernels built before --arch existed keep their keys
KEY=$({ echo "$SRCKEY"; cat "$FRAGMENT"; printf '%s\n' "${SETS[@]}"
	sed -n '/^# build-recipe-start/,/^# build-recipe-end/p' "$0" | sed 's/ "\$IMAGE" / bzImage /'
	[ "$KARCH" = x86_64 ] || echo "arch $KARCH"; } | hash_of)
[ "$KARCH" = x86_64 ] || CACHE=$CACHE-$KARCH
mkdir -p "$CACHE"
PRISTINE=$CACHE/linux-source-$VER
SRC=$CACHE/src-$SRCKEY
OUT=$CACHE/$NAME-$KEY
if [ -f "$OUT/.btfc-done" ]; then echo "$OUT"; exit 0; fi
exec 9> "$CACHE/.lock"
flock 9
if [ -f "$OUT/.btfc-done" ]; then echo "$OUT"; exit 0; fi

# build-recipe-start
if [ ! -f "$PRISTINE/.btfc-extracted" ] || [ "$(cat "$PRISTINE/.btfc-extracted")" != "$(stat -c '%s %Y' "$TARBALL")" ]; then
	rm -rf "$PRISTINE"
	tar -C "$CACHE" -xf "$TARBALL" || die "cannot extract $TARBALL"
	stat -c '%s %Y' "$TARBALL" > "$PRISTINE/.btfc-extracted"
fi
if [ ! -f "$SRC/.btfc-patched" ]; then
	rm -rf "$SRC" "$SRC.tmp"
	# hard links: patch(1) writes a new file and renames it, so the pristine tree is never written
	cp -al "$PRISTINE" "$SRC.tmp"
	for p in "${PATCHES[@]}"; do
		patch -d "$SRC.tmp" -p1 -F0 -N -s --no-backup-if-mismatch < "$p" >&2 || die "$p does not apply cleanly"
	done
	printf '%s\n' "${PATCHES[@]}" > "$SRC.tmp/.btfc-patched"
	mv "$SRC.tmp" "$SRC"
fi
rm -rf "$OUT"
if [ -n "$SEED" ]; then
	# the newest build of that name (older ones, of other patches or configs, rebuild more)
	S=$(ls -td "$CACHE/$SEED"-*/.btfc-done 2>/dev/null | head -n 1)
	[ -n "$S" ] || die "seed $SEED is not built"
	S=$(dirname "$S") SSRC=$(readlink -f "$S/src")
	cp -a "$S" "$OUT"
	rm -f "$OUT/.btfc-done" "$OUT/.btfc-build-seconds"
	if [ "$SSRC" != "$(readlink -f "$SRC")" ]; then
		# Other sources: of the files patched in either tree, those whose bytes differ get a new
		# mtime here (a new inode where this tree still shares the pristine one), so make rebuilds
		# what they touch; those alike in both take the seed's mtime, so make rebuilds nothing
		# for them (a series both trees carry); the copy's paths are rewritten to this tree's.
		{ find "$SSRC" "$SRC" -type f -newer "$PRISTINE/.btfc-extracted" -printf '%P\n'; } | sort -u |
		while IFS= read -r f; do
			[ -f "$SRC/$f" ] || continue
			if [ "$SRC/$f" -ef "$PRISTINE/$f" ]; then
				[ "$SSRC/$f" -ef "$PRISTINE/$f" ] || cp --remove-destination "$PRISTINE/$f" "$SRC/$f"
			elif [ -f "$SSRC/$f" ] && cmp -s "$SSRC/$f" "$SRC/$f"; then
				touch -r "$SSRC/$f" "$SRC/$f"
			else
				touch "$SRC/$f"
			fi
		done
		{ grep -rIlZ -e "$SSRC" -e "$S" "$OUT" || true; } | xargs -0 -r sed -i -e "s|$SSRC|$SRC|g" -e "s|$S|$OUT|g"
	else
		{ grep -rIlZ -e "$S" "$OUT" || true; } | xargs -0 -r sed -i -e "s|$S|$OUT|g"
	fi
	# a config change relinks no module whose objects did not change: relink them all, so none
	# keeps a section only modfinal adds (a stamp)
	find "$OUT" -name '*.ko' -delete
else
	mkdir -p "$OUT"
fi
ln -sfn "$SRC" "$OUT/src"
T0=$SECONDS
{
	make -C "$SRC" O="$OUT" -s tinyconfig
	"$SRC/scripts/kconfig/merge_config.sh" -m -O "$OUT" "$OUT/.config" "$FRAGMENT" <(printf '%s\n' "${SETS[@]}")
	make -C "$SRC" O="$OUT" -s olddefconfig
} > "$OUT/config.log" 2>&1 || die "configuring $NAME failed: $(tail -n 3 "$OUT/config.log")"
# every requested symbol must have survived olddefconfig
while IFS= read -r l; do
	case $l in CONFIG_*=*) ;; *) continue ;; esac
	grep -qxF "$l" "$OUT/.config" || die "$NAME: '$l' did not stick in .config (a dependency missing?)"
done < <(cat "$FRAGMENT"; printf '%s\n' "${SETS[@]}")
make -C "$SRC" O="$OUT" -j"$J" "$IMAGE" modules > "$OUT/build.log" 2>&1 ||
	die "building $NAME failed: $(grep -m 5 -E 'error|Error' "$OUT/build.log")"
# build-recipe-end
echo "$((SECONDS - T0))" > "$OUT/.btfc-build-seconds"
touch "$OUT/.btfc-done"
echo "$OUT"
