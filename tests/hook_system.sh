#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# What boots is what was checked: the kernel hook in a real Debian 12 system, driven by the real
# tools end to end, in a chroot (never the host):
#  * a clean Debian 12 chroot (mmdebstrap: initramfs-tools, dkms 3.0.10, kmod, systemd, the
#    6.1.0-55 headers; cached as a tarball in ~/.cache/btfcompat/chroot/, keyed by its package
#    list), the 6.1.0-54 kernel package installed in it BEFORE btfcompat;
#  * this tree built with prefix /usr and `meson install`ed into it (DESTDIR): the hooks land in
#    /etc/kernel/postinst.d (run-parts order: dkms, dkms-btfcompat, initramfs-tools) and
#    /usr/lib/kernel/install.d; `kernel-hook seed` (what the package postinst runs) keeps the
#    bases of the kernels already installed;
#  * stale modules from 6.1.0-54 (all in the initramfs's MODULES=most set): updates/virtio_blk.ko
#    (plain, unsigned), DKMS module btfcstale (virtio_scsi.ko, installed as a copy, signed with
#    DKMS's MOK key), DKMS module btfclink (virtio_net.ko, installed as a symlink into the DKMS
#    tree, symlink_modules="yes", signed), and an empty updates/broken.ko;
#  * the real kernel package (linux-image-6.1.0-55-cloud-amd64-unsigned from the corpus) installed
#    with apt with on_mismatch=fail: apt fails, saying how to proceed; `BTFCOMPAT_HOOK=warn dpkg
#    --configure -a` gets out; then on_mismatch=strip and relocate by `dpkg-reconfigure`: on disk
#    and inside the initramfs (unmkinitramfs) no module is stale, the initramfs holds the repaired
#    bytes, `dkms status` shows no warning, `dkms install --force` does not bring the stale BTF
#    back, DKMS-signed modules are signed again (sign-file's bytes);
#  * kernel-install add (as zz-systemd-boot calls it) does not check twice;
#  * a real Debian -dkms package (acpi-call-dkms) installed with apt ends with the hook's report
#    (the dpkg trigger of debian/btfcompat.triggers);
#  * the real 6.1.0-55 kernel booted (QEMU) with the modules of that initramfs publishes BTF for
#    the repaired modules.
#   tests/hook_system.sh BUILD-DIR   (BUILD-DIR: the tree's build; this test makes its own prefix=/usr build)
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || { skip hook-system "not root (chroot, mounts, apt)"; exit 0; }
CACHE=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}
WORK=${BTFC_TEST_WORK:-/tmp/btfc-test-work}
V=6.1.0-55-cloud-amd64 O=6.1.0-54-cloud-amd64
mkdir -p "$WORK"
T=$(mktemp -d "$WORK/hook-system.XXXXXX")
C=$T/root
SYSLOG_PID=
cleanup() {
	local m
	[ -n "$SYSLOG_PID" ] && kill "$SYSLOG_PID" 2> /dev/null
	for m in "$C/proc" "$C/sys" "$C/dev"; do mountpoint -q "$m" 2> /dev/null && umount -l "$m"; done
	# never remove what is still mounted; BTFC_KEEP=1 keeps the scratch for a look
	mountpoint -q "$C/proc" || [ "${BTFC_KEEP:-0}" = 1 ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
apt_host() {
	local e=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends)
	"${e[@]}" "$@" >> "$T/apt.log" 2>&1 || { apt-get update -qq >> "$T/apt.log" 2>&1 && "${e[@]}" "$@" >> "$T/apt.log" 2>&1; }
}
need=()
command -v mmdebstrap > /dev/null || need+=(mmdebstrap)
command -v zstd > /dev/null || need+=(zstd)
command -v meson > /dev/null || need+=(meson)
[ ${#need[@]} = 0 ] || apt_host "${need[@]}" || { skip hook-system "cannot install ${need[*]}: $(grep -m1 '^E:' "$T/apt.log")"; exit 0; }
K54=$("$TOP/scripts/corpus.sh" --path $O 2> /dev/null) && K55=$("$TOP/scripts/corpus.sh" --path $V 2> /dev/null) ||
	{ skip hook-system "kernel corpus unavailable"; exit 0; }
DEB55=$(ls "$CACHE"/debs/linux-image-$V-unsigned_*.deb 2> /dev/null | tail -n 1)
DEB54=$(ls "$CACHE"/debs/linux-image-$O-unsigned_*.deb 2> /dev/null | tail -n 1)
[ -f "$DEB55" ] && [ -f "$DEB54" ] || { skip hook-system "no kernel .debs in $CACHE/debs (scripts/corpus.sh)"; exit 0; }

# ---- the chroot: cached tarball, keyed by what it holds ------------------------------------
PKGS="initramfs-tools dkms kmod systemd linux-headers-$V linux-base openssl zstd cpio
	libelf1 zlib1g liblzma5 libzstd1 liblz4-1 libbz2-1.0 liblzo2-2 libssl3"
EXTRA="acpi-call-dkms" # downloaded into /root/debs, installed by the test
key=$(echo "bookworm $PKGS / $EXTRA / v1" | tr -s ' \t\n' ' ' | sha256sum | cut -c1-16)
TAR=$CACHE/chroot/bookworm-$key.tar.zst
mirror=$(sed -n 's/^URIs: *\(.*\/debian\)\/\{0,1\}$/\1/p' /etc/apt/sources.list.d/*.sources 2> /dev/null | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}
if [ ! -f "$TAR" ]; then
	mkdir -p "$CACHE/chroot"
	if ! mmdebstrap --variant=apt --include="$(echo $PKGS | tr ' ' ,)" \
		--customize-hook='chroot "$1" sh -c "rm -f /var/cache/apt/archives/*.deb; apt-get install --download-only -y -qq '"$EXTRA"' && mkdir -p /root/debs && mv /var/cache/apt/archives/*.deb /root/debs/"' \
		bookworm "$TAR.tmp.tar.zst" "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
		"deb ${mirror%/debian}/debian-security bookworm-security main" > "$T/mmdebstrap.log" 2>&1; then
		rm -f "$TAR.tmp.tar.zst"
		skip hook-system "mmdebstrap failed: $(grep -m1 -E '^E:|error' "$T/mmdebstrap.log")"
		exit 0
	fi
	mv "$TAR.tmp.tar.zst" "$TAR"
fi
mkdir -p "$C"
tar -C "$C" --zstd -xf "$TAR" || { fail hook-system/chroot "cannot unpack $TAR"; exit 0; }
mount -t proc proc "$C/proc" || { fail hook-system/chroot "cannot mount /proc in $C"; exit 0; }
# the chroot's syslog: a datagram socket at its /dev/log, read on the host (logger writes there)
rm -f "$C/dev/log"
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536).replace(b"\n", b" ") + b"\n")
' "$C/dev/log" "$T/syslog" &
SYSLOG_PID=$!
# inc CMD...: run in the chroot with a clean environment (as a root shell there would)
inc() { chroot "$C" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

# ---- 6.1.0-54, installed before btfcompat ------------------------------------------------------
cp "$DEB54" "$DEB55" "$C/root/"
inc apt-get install -y -q "/root/$(basename "$DEB54")" > "$T/apt54.log" 2>&1 ||
	{ fail hook-system/kernel-54 "apt-get install $(basename "$DEB54"): $(tail -n 3 "$T/apt54.log" | tr '\n' '|')"; exit 0; }

# ---- btfcompat, built with prefix /usr, installed into the chroot ------------------------------
# kept between runs of one source tree: an incremental build (another tree, a CI clone or a
# worktree, gets its own: meson cannot regenerate a build whose source folder is gone)
HB=$WORK/hook-system-build-$(printf '%s' "$TOP" | sha256sum | cut -c1-12)
if [ ! -f "$HB/build.ninja" ]; then
	rm -rf "$HB"
	meson setup "$HB" "$TOP" --prefix=/usr --sysconfdir=/etc --localstatedir=/var --buildtype=release > "$T/meson.log" 2>&1 ||
		{ fail hook-system/meson-install "meson setup: $(tail -n 3 "$T/meson.log" | tr '\n' '|')"; exit 0; }
fi
if ninja -C "$HB" > "$T/ninja.log" 2>&1 && DESTDIR=$C meson install -C "$HB" --no-rebuild > "$T/install.log" 2>&1 &&
	[ "$(readlink "$C/etc/kernel/postinst.d/dkms-btfcompat")" = /usr/libexec/btfcompat/kernel-hook ] &&
	[ -L "$C/usr/lib/kernel/install.d/45-btfcompat.install" ] && [ -f "$C/etc/btfcompat/hook.conf" ] &&
	[ -f "$C/etc/dkms/framework.conf.d/btfcompat.conf" ] && inc btfcompat --help > /dev/null 2>&1; then
	pass "hook-system/meson-install: prefix /usr into a Debian 12 chroot, btfcompat runs there"
else
	fail hook-system/meson-install "$(tail -n 3 "$T/ninja.log" "$T/install.log" | tr '\n' '|')"
	exit 0
fi
order=$(inc run-parts --test --arg=$V /etc/kernel/postinst.d | xargs -n1 basename | tr '\n' ' ')
[ "$order" = "dkms dkms-btfcompat initramfs-tools " ] && pass "hook-system/postinst-order: $order" ||
	fail hook-system/postinst-order "$order"
ki=$(ls "$C/usr/lib/kernel/install.d" "$C/etc/kernel/install.d" | grep -v '^/\|^$' | sort | tr '\n' ' ')
case "$ki" in *"45-btfcompat.install 50-depmod.install 85-initrd.install"*) pass "hook-system/kernel-install-order: $ki (Debian 12's dkms plugin sorts last)" ;;
*) fail hook-system/kernel-install-order "$ki" ;; esac
# the package postinst seeds the store with the kernels already there
out=$(inc /usr/libexec/btfcompat/kernel-hook seed 2>&1)
listed=$(inc btfcompat store list 2>&1)
echo "$listed" | grep -q "$O" && pass "hook-system/seed: $(echo "$out" | head -n 1 | sed 's/^btfcompat: //')" ||
	fail hook-system/seed "$out | store: $listed"

# ---- the stale modules: 6.1.0-55's code carrying 6.1.0-54's .BTF (what a build on the wrong
# vmlinux BTF makes; 6.1.0-54's own code would not load into 6.1.0-55: symbol versions), unsigned
# as they leave a build
mkdir -p "$T/stale"
for m in drivers/block/virtio_blk drivers/scsi/virtio_scsi drivers/net/virtio_net; do
	n=${m##*/}
	python3 "$TOP/tests/tools/modsig.py" "$K55/lib/modules/$V/kernel/$m.ko" "$T/sig.p7s" "$T/$n.body" > /dev/null &&
		objcopy --dump-section .BTF="$T/$n.btf54" "$K54/lib/modules/$O/kernel/$m.ko" "$T/junk.o" &&
		objcopy --update-section .BTF="$T/$n.btf54" "$T/$n.body" "$T/stale/$n.ko" ||
		{ fail hook-system/stale-modules "cannot make $n.ko with $O's .BTF"; exit 0; }
done
mkdir -p "$C/lib/modules/$V/updates"
place_plain() {
	cp "$T/stale/virtio_blk.ko" "$C/lib/modules/$V/updates/virtio_blk.ko"
	: > "$C/lib/modules/$V/updates/broken.ko"
}
place_plain
# two DKMS modules whose "build" copies the stale objects (DKMS signs them with its MOK key)
for p in btfcstale:virtio_scsi btfclink:virtio_net; do
	s=$C/usr/src/${p%%:*}-1.0
	mkdir -p "$s/prebuilt"
	cp "$T/stale/${p#*:}.ko" "$s/prebuilt/"
	cat > "$s/dkms.conf" <<-EOF
		PACKAGE_NAME=${p%%:*}
		PACKAGE_VERSION=1.0
		BUILT_MODULE_NAME[0]=${p#*:}
		DEST_MODULE_LOCATION[0]=/updates/dkms
		STRIP[0]=no
		MAKE[0]="cp prebuilt/${p#*:}.ko ."
		CLEAN="true"
		AUTOINSTALL=yes
	EOF
	inc dkms add "${p%%:*}/1.0" > /dev/null 2>&1
done
SYMCONF=$C/etc/dkms/framework.conf.d/symlink.conf
# DKMS installs a module whose version equals the kernel's own only when told to (as Ubuntu's
# packages do): these two replace the kernel's virtio_scsi and virtio_net
mkdir -p "$C/usr/share/dkms/modules_to_force_install"
echo "btfcstale btfclink" > "$C/usr/share/dkms/modules_to_force_install/btfcompat-test"
# (re)install_dkms: both DKMS modules for $V afresh from their stale build (btfclink as a link)
install_dkms() {
	local p
	for p in btfcstale btfclink; do
		[ $p = btfclink ] && echo 'symlink_modules="yes"' > "$SYMCONF"
		inc dkms remove "$p/1.0" -k "$V" > /dev/null 2>&1
		inc dkms install "$p/1.0" -k "$V" >> "$T/dkms.log" 2>&1 || echo "dkms install $p failed: $(tail -n 2 "$T/dkms.log")"
		rm -f "$SYMCONF"
	done
}
conf() { printf '%s\n' "$@" > "$C/etc/btfcompat/hook.conf.d/test.conf"; }
mkdir -p "$C/etc/btfcompat/hook.conf.d"

# ---- the kernel package, with on_mismatch=fail --------------------------------------------------
conf on_mismatch=fail
inc apt-get install -y -q "/root/$(basename "$DEB55")" > "$T/apt55.log" 2>&1
arc=$?
st=$(inc dpkg-query -W -f '${Status}' "linux-image-$V-unsigned" 2> /dev/null)
if [ $arc != 0 ] && grep -q "btfcompat: $V: on_mismatch=fail: stopping the installation" "$T/apt55.log" &&
	grep -q 'BTFCOMPAT_HOOK=warn dpkg --configure -a' "$T/apt55.log" && grep -q 'hook.conf' "$T/apt55.log" &&
	[ "$st" = "install ok half-configured" ] && [ ! -e "$C/boot/initrd.img-$V" ]; then
	pass "hook-system/apt-fail-says-how-to-proceed: apt-get rc $arc, package $st, no initramfs made"
else
	fail hook-system/apt-fail-says-how-to-proceed "rc $arc, status '$st': $(grep btfcompat "$T/apt55.log" | tail -n 3 | tr '\n' '|')"
fi
# what the hook saw: DKMS had built and installed both modules before it ran
dk=$(inc dkms status 2>&1)
L=$C/var/log/btfcompat/$V.log
if grep -q "updates/virtio_blk.ko: mismatch" "$L" && grep -q "updates/dkms/virtio_scsi.ko: mismatch" "$L" &&
	grep -q "updates/broken.ko: unreadable: empty file" "$L" && echo "$dk" | grep -q "btfcstale/1.0, $V, x86_64: installed"; then
	pass "hook-system/fail-after-dkms: $(grep -c ': mismatch;' "$L") stale, $(grep -c ': unreadable: ' "$L") unreadable in the log"
else
	fail hook-system/fail-after-dkms "$(grep -v '^#' "$L" 2>&1 | head -n 4 | tr '\n' '|') dkms: $dk"
fi
# btfclink as DKMS with symlink_modules installs it: a link into the DKMS tree
install_dkms > "$T/dkms.err"
LINK=$C/lib/modules/$V/updates/dkms/virtio_net.ko
[ -L "$LINK" ] && [ ! -s "$T/dkms.err" ] || fail hook-system/dkms-symlink "not a link: $(cat "$T/dkms.err")"
inc env BTFCOMPAT_HOOK=warn dpkg --configure -a > "$T/configure.log" 2>&1
crc=$?
st=$(inc dpkg-query -W -f '${Status}' "linux-image-$V-unsigned" 2> /dev/null)
if [ $crc = 0 ] && [ "$st" = "install ok installed" ] && [ -f "$C/boot/initrd.img-$V" ] && [ -L "$LINK" ] &&
	grep -q "btfcompat: $V: 3 of [0-9]* modules (1 of them links) carry BTF that does not fit" "$T/configure.log" &&
	grep -q "btfcompat: $V: 1 of [0-9]* modules could not be read" "$T/configure.log"; then
	pass "hook-system/warn-override-configures: $(grep -m1 'carry BTF' "$T/configure.log" | sed "s/^btfcompat: //; s/; see .*//")"
else
	fail hook-system/warn-override-configures "rc $crc, $st, link $([ -L "$LINK" ] && echo yes || echo no): $(grep btfcompat "$T/configure.log" | head -n 4 | tr '\n' '|')"
fi
# the journal/syslog got the report too, by outcome: user.err (11) for fail, user.warning (12) for stale
if grep -q "^<11>.*btfcompat: $V: on_mismatch=fail: stopping" "$T/syslog" && grep -q "^<12>.*btfcompat: $V: 3 of .* carry BTF" "$T/syslog"; then
	pass "hook-system/syslog-by-priority: $(grep -c btfcompat "$T/syslog") messages"
else
	fail hook-system/syslog-by-priority "$(grep btfcompat "$T/syslog" | head -n 3 | cut -c1-100 | tr '\n' '|')"
fi

# ---- initramfs and disk after each policy ---------------------------------------------------
B=$C/boot/vmlinuz-$V
# unpack_initrd DIR: the initramfs's modules; prints the module folder inside it
unpack_initrd() {
	rm -rf "$1"
	inc unmkinitramfs "/boot/initrd.img-$V" "/tmp/${1##*/}" > /dev/null 2>&1 && mv "$C/tmp/${1##*/}" "$1" &&
		find "$1" -type d -path "*/lib/modules/$V" | head -n 1
}
# cpath FILE: FILE, or (a link inside the chroot) the chroot's file it names
cpath() {
	local t
	if [ ! -L "$1" ]; then echo "$1"; return; fi
	t=$(readlink "$1")
	case $t in /*) echo "$C$t" ;; *) realpath -m "$(dirname "$1")/$t" ;; esac
}
# stale_in DIR: the modules under DIR (links followed, outside the chroot resolved in it) that check
# calls mismatch/invalid, one a line
stale_in() {
	local f r
	find "$1" \( -type f -o -type l \) -name '*.ko' -size +0 | while IFS= read -r f; do
		r=$(cpath "$f")
		"$HB/btfcompat" check --base "$B" "$r" 2> /dev/null | grep -qE '^[^ ].*: (mismatch|invalid) ' && echo "${f#"$1"/}"
	done
}
SF=$(ls "$C"/usr/lib/linux-kbuild-*/scripts/sign-file 2> /dev/null | head -n 1)
sig_ok() { # FILE: signed by DKMS's key, bytes = sign-file's over the same body (sha256, the config's hash)
	python3 "$TOP/tests/tools/modsig.py" "$1" "$T/s.p7s" "$T/s.body" > /dev/null 2>&1 &&
		"$SF" sha256 "$C/var/lib/dkms/mok.key" "$C/var/lib/dkms/mok.pub" "$T/s.body" "$T/s.sf" 2> /dev/null && cmp -s "$T/s.sf" "$1"
}
dkms_clean() { ! inc dkms status 2>&1 | grep -q WARNING; }
# after POLICY: the initrd, the disk, DKMS, signatures
after() {
	local pol=$1 ir stale_disk stale_ir same=0 n=0 f bad=
	ir=$(unpack_initrd "$T/ir-$pol")
	stale_disk=$(stale_in "$C/lib/modules/$V/updates" | sort | tr '\n' ' ')
	stale_ir=$( [ -n "$ir" ] && stale_in "$ir" | sort | tr '\n' ' ')
	for f in updates/virtio_blk.ko updates/dkms/virtio_scsi.ko updates/dkms/virtio_net.ko; do
		n=$((n + 1))
		[ -n "$ir" ] && cmp -s "$ir/$f" "$(cpath "$C/lib/modules/$V/$f")" && same=$((same + 1))
	done
	[ -z "$ir" ] && bad="$bad no-initrd-modules"
	[ -n "$stale_disk" ] && bad="$bad disk-stale:$stale_disk"
	[ -n "$stale_ir" ] && bad="$bad initrd-stale:$stale_ir"
	[ $same = $n ] || bad="$bad initrd-differs-from-disk($same/$n)"
	dkms_clean || bad="$bad dkms-status:$(inc dkms status 2>&1 | grep WARNING | head -n 1)"
	[ -L "$LINK" ] || bad="$bad link-replaced"
	for f in "$C/lib/modules/$V/updates/dkms/virtio_scsi.ko" "$(cpath "$LINK")"; do
		[ -n "$SF" ] && ! sig_ok "$f" && bad="$bad signature:${f##*/}"
	done
	echo "$bad"
}
# warn: the initramfs holds the stale modules (the check can see them)
ir=$(unpack_initrd "$T/ir-warn")
s=$([ -n "$ir" ] && stale_in "$ir" | sort | tr '\n' ' ')
# (the link: initramfs-tools copies it and the DKMS file it names)
[ "$s" = "updates/dkms/virtio_net.ko updates/dkms/virtio_scsi.ko updates/virtio_blk.ko " ] &&
	pass "hook-system/warn-initrd-holds-the-stale-modules: $s" || fail hook-system/warn-initrd-holds-the-stale-modules "'$s' ($ir)"

for pol in strip relocate; do
	if [ $pol = relocate ]; then
		place_plain
		install_dkms > /dev/null
		conf on_mismatch=relocate fallback=strip
	else
		conf on_mismatch=strip
	fi
	inc dpkg-reconfigure "linux-image-$V-unsigned" > "$T/reconf-$pol.log" 2>&1
	rrc=$?
	cp "$L" "$T/log-$pol"
	bad=$(after $pol)
	sum=$(grep -m1 "btfcompat: $V: summary:" "$T/reconf-$pol.log" | sed 's/^btfcompat: //')
	if [ $rrc = 0 ] && [ -z "$bad" ] && grep -q "updates/broken.ko: unreadable" "$L" &&
		grep -q "3 stale .*, 1 unreadable; 3 repaired, 0 left stale" <<< "$sum"; then
		pass "hook-system/$pol-initrd-and-disk-clean: $sum; $(grep -c "^$pol: " "$L") actions ($(grep "^$pol: " "$L" | sed 's/^[a-z]*: [^:]*: //; s/ (.*//' | sort | uniq -c | tr -s ' ' | tr '\n' ';'))"
	else
		fail "hook-system/$pol-initrd-and-disk-clean" "rc $rrc,$bad | $sum | $(grep "btfcompat" "$T/reconf-$pol.log" | tail -n 4 | tr '\n' '|')"
	fi
	if [ $pol = relocate ]; then
		# kernel-install add, as zz-systemd-boot calls it after postinst.d: no second check
		out=$(inc kernel-install add "$V" "/boot/vmlinuz-$V" "/boot/initrd.img-$V" 2>&1)
		echo "$out" | grep -q "btfcompat: $V: modules unchanged since the last check" && ! echo "$out" | grep -q 'carry BTF' &&
			pass "hook-system/kernel-install-after-postinst-once: $(echo "$out" | grep -m1 'btfcompat:' | cut -c1-90)..." ||
			fail hook-system/kernel-install-after-postinst-once "$(echo "$out" | grep btfcompat | head -n 3 | tr '\n' '|')"
	fi
	# DKMS copies its built module in again: the repaired one
	inc dkms install --force btfcstale/1.0 -k "$V" > "$T/force.log" 2>&1
	s=$(stale_in "$C/lib/modules/$V/updates/dkms")
	[ -z "$s" ] && dkms_clean && pass "hook-system/$pol-dkms-install-force-keeps-repair" ||
		fail "hook-system/$pol-dkms-install-force-keeps-repair" "stale again: $s $(tail -n 2 "$T/force.log" | tr '\n' '|')"
done


# ---- apt-get install acpi-call-dkms: DKMS outside a kernel installation -----------------------
ACPI=$(ls "$C"/root/debs/acpi-call-dkms_*.deb 2> /dev/null | head -n 1)
if [ -z "$ACPI" ]; then
	skip hook-system/apt-dkms-package-checked "no acpi-call-dkms .deb in the chroot tarball"
else
	# the trigger as the btfcompat package declares it (debian/btfcompat.triggers), in a package
	P=$T/trig
	mkdir -p "$P/DEBIAN"
	grep -v '^#' "$TOP/debian/btfcompat.triggers" > "$P/DEBIAN/triggers"
	printf '%s\n' 'Package: btfcompat-trigger' 'Version: 1' 'Architecture: all' 'Maintainer: test <t@example.org>' \
		'Description: the btfcompat package'"'"'s dpkg trigger' > "$P/DEBIAN/control"
	printf '%s\n' '#!/bin/sh' 'set -e' 'if [ "$1" = triggered ]; then /usr/libexec/btfcompat/kernel-hook triggered || true; fi' > "$P/DEBIAN/postinst"
	chmod 755 "$P/DEBIAN/postinst"
	dpkg-deb -b "$P" "$C/root/trig.deb" > /dev/null && inc dpkg -i /root/trig.deb > /dev/null 2>&1
	conf on_mismatch=warn
	before=$(sed -n "s/^summary: \([0-9]*\) modules.*/\1/p" "$L")
	inc apt-get install -y -q "/root/debs/${ACPI##*/}" > "$T/acpi.log" 2>&1
	arc=$?
	built=$(find "$C/lib/modules/$V" -name 'acpi_call.ko*' | head -n 1)
	after=$(sed -n "s/^summary: \([0-9]*\) modules.*/\1/p" "$L")
	# the hook's report comes after DKMS installed the module, and counts it
	done_at=$(grep -n "Installing to /lib/modules/$V/updates/dkms" "$T/acpi.log" | tail -n 1 | cut -d: -f1)
	hook_at=$(grep -n "btfcompat: $V: " "$T/acpi.log" | tail -n 1 | cut -d: -f1)
	if [ $arc = 0 ] && [ -n "$built" ] && [ "$after" = $((before + 1)) ] && [ -n "$done_at" ] && [ "${hook_at:-0}" -gt "$done_at" ]; then
		pass "hook-system/apt-dkms-package-checked: $(grep "btfcompat: $V:" "$T/acpi.log" | tail -n 1 | sed 's/^btfcompat: //') (was $before modules)"
	else
		fail hook-system/apt-dkms-package-checked "rc $arc, built '${built#"$C"}', modules $before -> $after: $(grep -E 'btfcompat|acpi' "$T/acpi.log" | tail -n 5 | tr '\n' '|')"
	fi
fi

# ---- after the initramfs was made: the hook makes it again (the dpkg trigger, DKMS's post_transaction)
place_plain
conf on_mismatch=strip
out=$(inc /usr/libexec/btfcompat/kernel-hook triggered 2>&1); trc=$?
ir=$(unpack_initrd "$T/ir-trigger")
if [ $trc = 0 ] && echo "$out" | grep -q "btfcompat: $V: /boot/initrd.img-$V held 1 of the modules changed: made again (update-initramfs -u -k $V)" &&
	[ -n "$ir" ] && [ -z "$(stale_in "$ir")" ] && cmp -s "$ir/updates/virtio_blk.ko" "$C/lib/modules/$V/updates/virtio_blk.ko"; then
	pass "hook-system/initramfs-made-again-where-nothing-else-does: $(echo "$out" | grep -m1 'made again' | sed 's/^btfcompat: //')"
else
	fail hook-system/initramfs-made-again-where-nothing-else-does "rc $trc, stale in initrd: $([ -n "$ir" ] && stale_in "$ir" | tr '\n' ' ') $(echo "$out" | tail -n 3 | tr '\n' '|')"
fi

# ---- the real kernel, booted with the modules of the initramfs ---------------------------------
ir=$(ls -d "$T"/ir-relocate/*/lib/modules/$V "$T"/ir-relocate/lib/modules/$V "$T"/ir-relocate/*/usr/lib/modules/$V "$T"/ir-relocate/usr/lib/modules/$V 2> /dev/null | head -n 1)
if [ -z "$ir" ]; then
	fail hook-system/qemu-initrd-modules-btf "no relocated initramfs unpacked"
elif ! grep -q '^# CONFIG_MODULE_SIG_FORCE is not set' "$C/boot/config-$V"; then
	skip hook-system/qemu-initrd-modules-btf "$V enforces signatures"
else
	printf '%s\n' virtio_blk virtio_scsi virtio_net > "$T/load"
	cp -rL "$ir" "$T/bootmods" # the DKMS link, as the initramfs resolves it (to its copy of the DKMS file)
	"$TOP/tests/qemu/boot-modules.sh" --ver "$V" --kernel-root "$K55" --modules-dir "$T/bootmods" --timeout 240 \
		--load "$T/load" --fetch-btf virtio_blk --fetch-dir "$T/fetch" --out "$T/boot.tsv" > "$T/boot.log" 2>&1
	qrc=$?
	if [ $qrc = 3 ]; then
		skip hook-system/qemu-initrd-modules-btf "$(grep -m1 SKIP "$T/boot.log")"
	else
		# each module that loads (6.1.0-54 code may not: symbol versions): relocated ones publish
		# /sys/kernel/btf/NAME, stripped ones none
		res=$(awk -F'\t' 'NR > 1 { printf "%s:%s:%s ", $1, $2, $3 }' "$T/boot.tsv" 2> /dev/null)
		bad= good=0
		for m in virtio_blk virtio_scsi virtio_net; do
			r=$(grep "^relocate: .*/$m.ko: " "$T/log-relocate" | head -n 1)
			want=1; [[ $r == *": stripped"* ]] && want=0
			row=$(awk -F'\t' -v m=$m '$1 == m { print $2 ":" $3 }' "$T/boot.tsv")
			case $row in 0:$want) good=$((good + 1)) ;; 0:*) bad="$bad $m(btf ${row#0:}, want $want)" ;; esac
		done
		# the relocated virtio_blk's BTF, as the kernel publishes it, means what 6.1.0-54's meant (types
		# and the layouts of the base types they use; tests/tools/btf_canon.py against each base)
		if grep -q "^relocate: .*/virtio_blk.ko: relocated" "$T/log-relocate"; then
			raw_base "$K54/boot/vmlinuz-$O" "$T/54.btf" && raw_base "$K55/boot/vmlinuz-$V" "$T/55.btf" &&
				nt=$(python3 "$TOP/tests/tools/btf_sections.py" --count "$T/virtio_blk.btf54") &&
				python3 "$TOP/tests/tools/btf_canon.py" "$T/54.btf" "$T/virtio_blk.btf54" "$nt" > "$T/a.canon" &&
				python3 "$TOP/tests/tools/btf_canon.py" "$T/55.btf" "$T/fetch/virtio_blk.btf" "$nt" > "$T/b.canon" &&
				cmp -s "$T/a.canon" "$T/b.canon" && res="$res; virtio_blk's $nt types mean what $O's meant" || bad="$bad virtio_blk-types-differ"
		fi
		[ $qrc = 0 ] && [ -z "$bad" ] && [ $good -gt 0 ] && pass "hook-system/qemu-initrd-modules-btf: $good loaded as repaired; $res(module:insmod-rc:btf)" ||
			fail hook-system/qemu-initrd-modules-btf "rc $qrc$bad, $good right: $res $(tail -n 3 "$T/boot.log" | tr '\n' '|')"
	fi
fi
exit 0
