#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# The suite as a new user's machine runs it: a clean Debian 12 chroot (mmdebstrap, minbase: not
# even python3 or git), a clone of this repository's HEAD with ../shared beside it, an empty
# corpus cache, and the README's test command inside. Whatever this machine has installed by hand
# is not there, so a missing install step fails here. (Developer tool; as root.)
#
#   scripts/fresh-chroot.sh [--quick] [--keep] [--reuse-cache] [DIR]   DIR: default /var/tmp/btfcompat-fresh
#
# Prints the suite's summary lines; the whole log is DIR.log. --keep keeps the chroot (and its
# corpus cache) for a second run; by default it is removed at the end. --reuse-cache binds this
# machine's ~/.cache/btfcompat (downloads, kernel builds) into the chroot: the packages are still a
# new machine's, the data is not (use it when only the install steps are in question).
set -u
QUICK= KEEP=0 REUSE=0
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=--quick ;;
	--keep) KEEP=1 ;;
	--reuse-cache) REUSE=1 ;;
	-*) echo "usage: scripts/fresh-chroot.sh [--quick] [--keep] [--reuse-cache] [DIR]" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
TOP=$(cd "$(dirname "$0")/.." && pwd)
C=$(realpath -m "${1:-/var/tmp/btfcompat-fresh}")
LOG=$C.log
[ "$(id -u)" = 0 ] || { echo "fresh-chroot: needs root (chroot, mounts)" >&2; exit 2; }
command -v mmdebstrap >/dev/null || apt-get install -y -qq mmdebstrap >&2 ||
	{ echo "fresh-chroot: cannot install mmdebstrap" >&2; exit 2; }

mounted=()
cleanup() {
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}"; done
	# never remove through a mount that is still there (a bind of the cache shares its device)
	if [ $KEEP = 0 ] && ! findmnt -rn -o TARGET | grep -q "^$C\(/\|$\)"; then rm -rf --one-file-system "$C"; fi
}
trap cleanup EXIT

if [ ! -x "$C/usr/bin/apt-get" ] || [ ! -d "$C/etc/apt" ]; then
	rm -rf --one-file-system "$C"
	echo "fresh-chroot: mmdebstrap bookworm $C (minbase)" >&2
	mmdebstrap --variant=minbase --include=ca-certificates bookworm "$C" \
		"deb http://deb.debian.org/debian bookworm main" \
		"deb http://deb.debian.org/debian bookworm-updates main" \
		"deb http://deb.debian.org/debian-security bookworm-security main" > "$LOG.debootstrap" 2>&1 ||
		{ echo "fresh-chroot: mmdebstrap failed: $(tail -n 3 "$LOG.debootstrap")" >&2; exit 2; }
fi
# the machine's own mirror (the workplace reaches only it), as the project's scripts would see it
cp /etc/apt/sources.list.d/*.sources "$C/etc/apt/sources.list.d/" 2>/dev/null &&
	rm -f "$C/etc/apt/sources.list"
cp /etc/resolv.conf "$C/etc/resolv.conf"
# the chroot's / a mount point of its own, as on a machine (unshare -m makes / private: a plain
# folder as / gives EINVAL)
mount --bind "$C" "$C" && mounted+=("$C")
for m in proc sys dev dev/pts; do
	mkdir -p "$C/$m"
	mount --bind "/$m" "$C/$m" && mounted+=("$C/$m")
done
if [ $REUSE = 1 ]; then
	mkdir -p "$C/root/.cache/btfcompat" "${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}"
	mount --bind "${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}" "$C/root/.cache/btfcompat" &&
		mounted+=("$C/root/.cache/btfcompat")
fi

# the tree as CI sees it: a clone of HEAD, shared/ beside it
rm -rf "$C/root/src"
mkdir -p "$C/root/src"
git -C "$TOP" archive --format=tar --prefix=btfcompat/ HEAD | tar -x -C "$C/root/src"
[ -d "$TOP/../shared" ] && cp -a "$TOP/../shared" "$C/root/src/shared"
echo "fresh-chroot: $(git -C "$TOP" log --oneline -1) in $C, log $LOG" >&2

chroot "$C" /usr/bin/env -i HOME=/root TERM=dumb CI=true BTFC_TEST_WORK=/root/test-work \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	bash -c "cd /root/src/btfcompat && bash tests/run-all.sh $QUICK" > "$LOG" 2>&1
rc=$?
grep -E '^(FAIL|SKIP): |passed .* failed' "$LOG" | tail -n 60
echo "fresh-chroot: exit $rc"
exit $rc
