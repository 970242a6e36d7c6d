#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# The Debian packages (debian/), as a distribution takes them:
#  * the source package (dpkg-source -b) from a copy of the tree: nothing is built in the tree;
#  * `dpkg-buildpackage -us -uc -b` in a clean Debian 12 chroot with build-essential, after
#    `apt-get build-dep ./` (so Build-Depends is complete; no /proc, as in some build chroots),
#    with no compiler or dpkg-gensymbols warning under Debian's build flags;
#  * what each package holds: the files, the conffile, shlibs, symbols and the ldconfig trigger;
#  * lintian on the .changes and on the source package: no error and no warning;
#  * in a clean Debian 12 chroot with a kernel installed, as piuparts does: the file list; apt
#    install of the .debs (the postinst keeps the installed kernel's base); the files, and the
#    hooks where Debian's kernel packages and kernel-install run them; the autopkgtest
#    debian/tests/kernel-hook (the kernel package reinstalled: the hook's report); an edited
#    hook.conf kept across an upgrade; remove; purge; the file list as before.
# Both chroots are made by mmdebstrap once and cached as tarballs in ~/.cache/btfcompat/chroot/
# (with the kernel's .deb); later runs need no download and take a minute or two.
#   tests/package.sh BUILD-DIR    (BUILD-DIR unused: the packages are built from the source tree)
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
CACHE=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}/chroot
SUITE=bookworm
APT=(apt-get -o DPkg::Lock::Timeout=900 -y -q)

if [ "$(id -u)" != 0 ]; then
	skip package "needs root (chroots)"
	exit 0
fi
need=()
for t in dpkg-source:dpkg-dev lintian:lintian mmdebstrap:mmdebstrap; do
	command -v "${t%%:*}" > /dev/null || need+=("${t#*:}")
done
if [ ${#need[@]} -gt 0 ] && ! { "${APT[@]}" update -qq && DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -qq "${need[@]}"; } > /dev/null 2>&1; then
	fail package/tools "could not install ${need[*]}"
	exit 0
fi

mkdir -p "${BTFC_TEST_WORK:-/tmp}" "$CACHE"
T=$(mktemp -d "${BTFC_TEST_WORK:-/tmp}/package.XXXXXX")
cleanup() { rm -rf --one-file-system "$T"; }
trap cleanup EXIT
V=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
ARCH=$(dpkg --print-architecture)

# chroot NAME DIR MMDEBSTRAP-OPTION...: DIR becomes a copy of the cached Debian 12 chroot NAME
# (built by mmdebstrap with the options the first time). FAILs and returns 1 when it cannot.
chroot_from_cache() {
	local tar=$CACHE/$SUITE-$ARCH-$1.tar dir=$2 srcs=() f; shift 2
	if [ ! -s "$tar" ]; then
		# the machine's own Debian sources (its mirror), one argument each
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] && grep -qE '^(deb |Types:)' "$f" && srcs+=("$f")
		done
		[ ${#srcs[@]} -gt 0 ] || srcs=(http://deb.debian.org/debian)
		if mmdebstrap --variant=apt --skip=cleanup/apt/lists "$@" "$SUITE" "$tar.part.tar" "${srcs[@]}" \
			> "$T/mmdebstrap.log" 2>&1; then
			mv "$tar.part.tar" "$tar"
		else
			rm -rf "$tar.part.tar"
			fail "package/chroot-$SUITE-$1" "mmdebstrap failed: $(grep -E '^E:|error' "$T/mmdebstrap.log" | tail -n 3 | tr '\n' '|')"
			return 1
		fi
	fi
	mkdir -p "$dir"
	if ! tar -xf "$tar" -C "$dir" || [ ! -c "$dir/dev/null" ]; then
		fail "package/chroot-$SUITE-$1" "$tar unusable (no device nodes?); delete it to build it again"
		return 1
	fi
}
# inch DIR CMD...: a command in a chroot. Nothing is mounted in it: dpkg-buildpackage, apt, the
# kernel package's hooks and ours need no /proc, and mmdebstrap made the device nodes
inch() {
	local dir=$1; shift
	chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@" < /dev/null
}

# ---- the source package, from a copy of the tree (nothing is built in the tree itself)
B=$T/src
SRC=$B/btfcompat-$V
mkdir -p "$SRC"
if git -C "$TOP" rev-parse --git-dir > /dev/null 2>&1; then
	(cd "$TOP" && git ls-files -z -co --exclude-standard | tar --null -T - --ignore-failed-read -cf -) | tar -xf - -C "$SRC"
else
	tar -C "$TOP" --exclude='./build*' --exclude=./.git -cf - . | tar -xf - -C "$SRC"
fi
(cd "$B" && dpkg-source -b "btfcompat-$V") > "$T/source.log" 2>&1 || fail package/dpkg-source "$(tail -n 3 "$T/source.log")"

# ---- the binary packages, built as on a fresh Debian 12 with build-essential: the build
# dependencies come from debian/control alone (apt-get build-dep; the cached chroot has those of
# the day it was made, so a run needs no download unless they changed)
RB=$T/build-chroot
chroot_from_cache build "$RB" --include=build-essential \
	--customize-hook="mkdir -p \"\$1/tmp/bd/debian\" && cp '$SRC/debian/control' '$SRC/debian/changelog' \"\$1/tmp/bd/debian/\"" \
	--customize-hook='chroot "$1" apt-get build-dep -y -q /tmp/bd && rm -rf "$1/tmp/bd"' || exit 0
mkdir -p "$RB/src" && cp -a "$SRC" "$RB/src/"
if ! inch "$RB" sh -c "cd /src/btfcompat-$V && apt-get build-dep -y -q ./" > "$T/build-dep.log" 2>&1; then
	fail package/build-dep "$(tail -n 3 "$T/build-dep.log" | tr '\n' '|')"
	exit 0
fi
if inch "$RB" sh -c "cd /src/btfcompat-$V && dpkg-buildpackage -us -uc -b" > "$T/build.log" 2>&1; then
	cp "$RB"/src/*.deb "$RB"/src/*.changes "$RB"/src/*.buildinfo "$B/"
	pass "package/dpkg-buildpackage-in-clean-chroot ($(ls "$B"/*.deb | wc -l) .debs)"
else
	fail package/dpkg-buildpackage-in-clean-chroot "$(tail -n 5 "$T/build.log" | tr '\n' '|')"
	exit 0
fi
rm -rf --one-file-system "$RB"
# Debian's build flags (fortify, hardening) find warnings the plain build does not; and a
# library whose symbols differ from debian/libbtfcompat1.symbols makes dpkg-gensymbols warn
w=$(grep -E 'warning:' "$T/build.log" | sort -u)
[ -z "$w" ] && pass package/build-no-warnings || fail package/build-no-warnings "$(echo "$w" | head -n 5 | tr '\n' '|')"
deb() { ls "$B/$1_${V}_$ARCH.deb"; }
for p in btfcompat libbtfcompat1 libbtfcompat-dev; do
	echo "note: $p: $(dpkg-deb -c "$(deb $p)" | awk '$1 !~ /^d/ { print $6 $7 $8 }' | sed 's|^\./|/|' | tr '\n' ' ')"
done

# ---- what each package holds
has() { # PACKAGE PATTERN...: every pattern (an extended regex on `dpkg-deb -c` paths) matches a file
	local l m=
	l=$(dpkg-deb -c "$(deb "$1")" | awk '$1 !~ /^d/ { print $6 }' | sed 's|^\.||'); shift
	for p in "$@"; do echo "$l" | grep -qE "^$p\$" || m="$m $p"; done
	[ -z "$m" ] || { echo "missing:$m"; return 1; }
}
check package/btfcompat-files has btfcompat /usr/bin/btfcompat /etc/btfcompat/hook.conf \
	'/usr/libexec/btfcompat/.+' '/etc/kernel/postinst.d/[^/]+' '/etc/kernel/postrm.d/[^/]+' \
	'/etc/kernel/header_postinst.d/[^/]+' '/usr/lib/kernel/install.d/[^/]+\.install' \
	/usr/share/man/man1/btfcompat.1.gz /usr/share/man/man8/btfcompat-kernel-hook.8.gz \
	/usr/share/doc/btfcompat/copyright
check package/libbtfcompat1-files has libbtfcompat1 "/usr/lib/[^/]+/libbtfcompat\.so\.1" \
	"/usr/lib/[^/]+/libbtfcompat\.so\.1\.[0-9.]+"
check package/libbtfcompat-dev-files has libbtfcompat-dev /usr/include/btfcompat/btfcompat.h \
	/usr/include/btfcompat/stamp.h "/usr/lib/[^/]+/libbtfcompat\.so" "/usr/lib/[^/]+/libbtfcompat\.a" \
	"/usr/lib/[^/]+/pkgconfig/libbtfcompat\.pc" /usr/share/man/man3/libbtfcompat.3.gz
c=$(dpkg-deb --ctrl-tarfile "$(deb btfcompat)" | tar -xOf - ./conffiles 2>&1)
# hook.conf, and the DKMS (>= 3.1) drop-in that runs the hook after each DKMS transaction
[ "$(echo "$c" | sort | tr '\n' ' ')" = "/etc/btfcompat/hook.conf /etc/dkms/framework.conf.d/btfcompat.conf " ] &&
	pass package/conffile || fail package/conffile "conffiles: '$c'"
X=$T/x
dpkg-deb -R "$(deb libbtfcompat1)" "$X"
so=$(find "$X/usr/lib" -name 'libbtfcompat.so.1.*' -type f)
soname=$(objdump -p "$so" 2> /dev/null | awk '$1 == "SONAME" { print $2 }')
if [ "$soname" = libbtfcompat.so.1 ] && grep -qx 'libbtfcompat 1 libbtfcompat1 (>= [0-9.]*)' "$X/DEBIAN/shlibs" &&
	head -n 1 "$X/DEBIAN/symbols" | grep -qx 'libbtfcompat.so.1 libbtfcompat1 #MINVER#' &&
	grep -qx 'activate-noawait ldconfig' "$X/DEBIAN/triggers" &&
	dpkg-deb -f "$(deb btfcompat)" Depends | grep -q 'libbtfcompat1 (>= '; then
	pass "package/library-soname-shlibs-symbols-ldconfig ($(grep -c '^ btfc_' "$X/DEBIAN/symbols") symbols)"
else
	fail package/library-soname-shlibs-symbols-ldconfig "soname '$soname'; $(cat "$X/DEBIAN/shlibs" "$X/DEBIAN/triggers" 2>&1 | tr '\n' '|')"
fi

# ---- lintian, on the binary packages and the source package
lintian -I "$B/btfcompat_${V}_$ARCH.changes" "$B/btfcompat_$V.dsc" > "$T/lintian.log" 2>&1
sed 's/^/lintian: /' "$T/lintian.log"
ew=$(grep -cE '^[EW]: ' "$T/lintian.log")
if [ "$ew" = 0 ] && grep -q . "$B/btfcompat_$V.dsc"; then
	pass "package/lintian-no-error-no-warning ($(grep -c '^I: ' "$T/lintian.log") info tags)"
else
	fail package/lintian-no-error-no-warning "$ew E:/W: lines: $(grep -m 3 -E '^[EW]: ' "$T/lintian.log" | tr '\n' '|')"
fi

# ---- the installed system: a clean Debian 12 with a kernel (its .deb kept beside the tarball:
# the autopkgtest reinstalls it offline) and our packages' dependencies (installing them needs no
# download)
R=$T/chroot
KDEBS=$CACHE/$SUITE-$ARCH-kernel
kmeta=linux-image-cloud-$ARCH
apt-cache show "$kmeta" > /dev/null 2>&1 || kmeta=linux-image-$ARCH
deps=$(dpkg-deb -f "$(deb btfcompat)" Depends; dpkg-deb -f "$(deb libbtfcompat1)" Depends)
deps=$(echo "$deps" | tr ',' '\n' | sed 's/^ *//; s/[ (].*//' | grep -v -e '^libbtfcompat' -e '^$' | sort -u | tr '\n' ',')
mkdir -p "$KDEBS"
chroot_from_cache kernel "$R" --include="$kmeta,${deps%,}" \
	--customize-hook="cp \"\$1\"/var/cache/apt/archives/linux-image-[0-9]*.deb '$KDEBS/'" || exit 0
if ! ls "$KDEBS"/linux-image-*.deb > /dev/null 2>&1; then
	fail package/chroot-kernel-deb "no kernel .deb in $KDEBS: delete $CACHE/$SUITE-$ARCH-kernel.tar to build it again"
	exit 0
fi
mkdir -p "$R/debs"
cp "$(deb btfcompat)" "$(deb libbtfcompat1)" "$TOP/debian/tests/kernel-hook" "$R/debs/"
cp "$KDEBS"/*.deb "$R/var/cache/apt/archives/"
# the file list as piuparts compares it: apt's and dpkg's own state and logs left out
files() {
	(cd "$R" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./sys -o -path ./run -o -path ./tmp \
		-o -path ./debs -o -path ./var/cache/apt -o -path ./var/lib/apt -o -path ./var/log/apt \
		-o -path ./var/log/dpkg.log -o -path ./var/log/alternatives.log -o -path ./var/cache/debconf \
		-o -path ./var/cache/ldconfig -o -path './var/lib/dpkg/*-old' -o -path ./var/lib/dpkg/triggers \) -prune -o -print |
		sed 's|^\.||' | sort)
}
# a kernel image that cannot be read (cut short): the postinst must say so and go on
KVER=$(ls "$R/boot" | sed -n 's/^vmlinuz-//p' | head -n 1)
head -c 5000 "$R/boot/vmlinuz-$KVER" > "$R/boot/vmlinuz-9.9.9-broken"
files > "$T/files.before"

out=$(inch "$R" apt-get install -y -q ./debs/btfcompat_${V}_$ARCH.deb ./debs/libbtfcompat1_${V}_$ARCH.deb 2>&1); rc=$?
echo "$out" | grep '^btfcompat: ' | sed 's/^/note: apt install: /'
if [ $rc = 0 ] && [ "$(inch "$R" dpkg-query -W -f='${db:Status-Abbrev}' btfcompat libbtfcompat1)" = "ii ii " ]; then
	pass package/chroot-apt-install
else
	fail package/chroot-apt-install "rc=$rc $(echo "$out" | tail -n 4 | tr '\n' '|')"
	exit 0
fi
if echo "$out" | grep -q "^btfcompat: kept the base of /boot/vmlinuz-$KVER" &&
	inch "$R" btfcompat store list --store /var/lib/btfcompat/bases 2>&1 | grep -qF -- "$KVER"; then
	pass "package/postinst-keeps-installed-kernel-base ($KVER)"
else
	fail package/postinst-keeps-installed-kernel-base "$(echo "$out" | grep btfcompat | head -n 3 | tr '\n' '|')"
fi
echo "$out" | grep -q '^btfcompat: /boot/vmlinuz-9.9.9-broken: base not kept (ignored): .*vmlinuz-9.9.9-broken' &&
	pass package/postinst-unreadable-image-reported-not-fatal ||
	fail package/postinst-unreadable-image-reported-not-fatal "$(echo "$out" | grep 9.9.9 | head -n 2 | tr '\n' '|')"
# gone again before the kernel is reinstalled (linux-base would make it the "old" kernel)
rm "$R/boot/vmlinuz-9.9.9-broken" && sed -i '\|^/boot/vmlinuz-9.9.9-broken$|d' "$T/files.before"
inch "$R" btfcompat --help > /dev/null 2>&1 && inch "$R" sh -c 'ldconfig -p | grep -q "libbtfcompat.so.1 "' &&
	pass package/installed-cli-runs-library-in-ld-cache || fail package/installed-cli-runs-library-in-ld-cache "$(inch "$R" btfcompat --help 2>&1 | head -n 2)"
# the hook: entries of the package in each folder where Debian runs kernel hooks, each one a
# name that run-parts (or kernel-install: *.install) runs, resolving to the installed hook
inch "$R" dpkg -L btfcompat > "$T/dpkg-L"
bad= hooks=
for d in /etc/kernel/postinst.d /etc/kernel/postrm.d /etc/kernel/header_postinst.d /usr/lib/kernel/install.d; do
	h=$(grep "^$d/[^/]*\$" "$T/dpkg-L")
	[ -n "$h" ] || { bad="$bad $d(none)"; continue; }
	hooks="$hooks $h"
	for f in $h; do
		t=$(inch "$R" readlink -f "$f")
		[ -x "$R$t" ] && grep -q "^$t\$" "$T/dpkg-L" || bad="$bad $f->$t"
		case $d in
		*/install.d) case $f in *.install) ;; *) bad="$bad $f(not .install)" ;; esac ;;
		*) inch "$R" run-parts --test --arg=VER "$d" | grep -qx "$f" || bad="$bad $f(run-parts skips it)" ;;
		esac
	done
done
[ -z "$bad" ] && pass "package/hooks-where-debian-runs-them (${hooks# })" || fail package/hooks-where-debian-runs-them "$bad"
c=$(inch "$R" dpkg-query -W -f='${Conffiles}' btfcompat)
echo "$c" | grep -qE '^ /etc/btfcompat/hook.conf [0-9a-f]{32}$' &&
	echo "$c" | grep -qE '^ /etc/dkms/framework.conf.d/btfcompat.conf [0-9a-f]{32}$' && pass package/conffile-registered ||
	fail package/conffile-registered "'$c'"

# the autopkgtest: a kernel package installed (here reinstalled, from the cached .deb), the hook's report
inch "$R" sh /debs/kernel-hook > "$T/autopkgtest.log" 2>&1
grep -E '^(PASS|FAIL|SKIP): ' "$T/autopkgtest.log" | sed 's/^\(PASS\|FAIL\|SKIP\): autopkgtest/\1: package\/autopkgtest/'
grep -qE '^(PASS|FAIL): ' "$T/autopkgtest.log" || fail package/autopkgtest "$(tail -n 4 "$T/autopkgtest.log" | tr '\n' '|')"
grep '^btfcompat: ' "$T/autopkgtest.log" | sed 's/^/note: /'

# the admin's edit of hook.conf survives an upgrade (the same packages, version V+1)
echo 'store_keep=7 # the admin' >> "$R/etc/btfcompat/hook.conf"
for p in btfcompat libbtfcompat1; do
	rm -rf "$X" && dpkg-deb -R "$(deb $p)" "$X" && sed -i "s/^Version: .*/Version: $V+1/" "$X/DEBIAN/control" &&
		dpkg-deb -b "$X" "$R/debs/${p}_$V+1_$ARCH.deb" > /dev/null
done
out=$(inch "$R" apt-get install -y -q "./debs/btfcompat_$V+1_$ARCH.deb" "./debs/libbtfcompat1_$V+1_$ARCH.deb" 2>&1); rc=$?
if [ $rc = 0 ] && [ "$(inch "$R" dpkg-query -W -f='${Version}' btfcompat)" = "$V+1" ] &&
	[ "$(tail -n 1 "$R/etc/btfcompat/hook.conf")" = 'store_keep=7 # the admin' ] &&
	[ "$(ls "$R/etc/btfcompat")" = hook.conf ]; then
	pass package/upgrade-keeps-edited-conffile
else
	fail package/upgrade-keeps-edited-conffile "rc=$rc $(ls "$R/etc/btfcompat" | tr '\n' ' ') $(echo "$out" | tail -n 3 | tr '\n' '|')"
fi

# remove: the program and the hooks go, the conffile and the data stay; purge: everything goes
had=$(ls -d "$R/var/lib/btfcompat/bases" "$R/var/log/btfcompat/$KVER.log" 2> /dev/null | wc -l)
out=$(inch "$R" apt-get remove -y -q btfcompat libbtfcompat1 2>&1); rc=$?
left=
for f in /usr/bin/btfcompat $hooks; do [ -e "$R$f" ] || [ -L "$R$f" ] && left="$left $f"; done
if [ $rc = 0 ] && [ -z "$left" ] && [ -f "$R/etc/btfcompat/hook.conf" ] &&
	[ "$(inch "$R" dpkg-query -W -f='${db:Status-Abbrev}' btfcompat)" = "rc " ]; then
	pass package/remove-keeps-conffile
else
	fail package/remove-keeps-conffile "rc=$rc left:$left $(echo "$out" | tail -n 2 | tr '\n' '|')"
fi
# (with what apt installed for them, as piuparts removes it)
out=$(inch "$R" apt-get purge --autoremove -y -q btfcompat libbtfcompat1 2>&1); rc=$?
files > "$T/files.after"
d=$(diff "$T/files.before" "$T/files.after")
if [ $rc = 0 ] && [ "$had" = 2 ] && [ -z "$d" ] && ! inch "$R" dpkg-query -W btfcompat > /dev/null 2>&1; then
	pass "package/purge-leaves-nothing ($(wc -l < "$T/files.before") files compared)"
else
	fail package/purge-leaves-nothing "rc=$rc store+log before purge: $had/2; $(echo "$d" | head -n 6 | tr '\n' ' ')"
fi
