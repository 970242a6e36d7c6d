#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# The DKMS story, end to end, with the real dkms on a real Debian kernel (6.1.0-55-cloud-amd64):
#  1. an out-of-tree module (tests/dkms/btfdemo: struct sk_buff, struct sock, a global
#     embedding a struct list_head) is registered in /usr/src/btfdemo-1.0 and `dkms
#     add/build/install`ed for 6.1.0-55 with, in the headers' build dir, the vmlinux BTF of
#     6.1.0-54 (what users do with `cp /sys/kernel/btf/vmlinux` on the wrong kernel): Kbuild
#     gives it a .BTF built on the wrong base;
#  2. `btfcompat check` says mismatch against 6.1.0-55, match against 6.1.0-54;
#  3. the kernel hook, run by run-parts as Debian's kernel postinst.d does after DKMS's own
#     hook (scope=updates, on_mismatch=warn), names btfdemo.ko as not fitting;
#  4. booted in 6.1.0-55 under QEMU (tests/qemu/boot-modules.sh, one boot, insmod/rmmod
#     each): the stale build loads and the kernel does with its BTF what `check` predicted
#     ("kernel: ..."); after `relocate --from 54 --to 55` /sys/kernel/btf/btfdemo is there;
#     after the hook with on_mismatch=strip the module loads without BTF and without a BTF message.
#  5. on_mismatch=relocate: the hook run for 6.1.0-54 keeps its base in the store; the hook run
#     for 6.1.0-55 (after DKMS) identifies btfdemo as built for 6.1.0-54; with the default
#     relocate_match=layout it refuses (struct sock and sk_buff changed layout: its code no longer
#     fits) and falls back to strip, saying why; with relocate_match=kernel it relocates it and
#     signs it again with DKMS's key (/var/lib/dkms/mok.key, mok.pub): its signature
#     bytes equal what Debian's sign-file writes for the same module, key and hash; booted in
#     6.1.0-55, /sys/kernel/btf/btfdemo is there and means what the -54 build's BTF meant
#     (tests/tools/btf_canon.py against each base). Next to it, 6.1.0-55's nls_utf8.ko carrying
#     6.1.0-54's .BTF, signed with DKMS's key by sign-file (as DKMS signs; its base types kept
#     their layout): the default
#     relocate_match=layout relocates and re-signs it, and in the guest its BTF means exactly what
#     the -54 build's meant, base layouts included.
# Debian 12's dkms signs what it builds with its own MOK key (/var/lib/dkms/mok.key); the
# -55 kernel does not enforce signatures, so the module loads. The hook strips DKMS-signed modules
# and signs them again with DKMS's key (resign=no: keeps them); both are checked. linux-kbuild-6.1 ships no resolve_btfids, which
# Kbuild runs after pahole when vmlinux exists; it is taken from a Debian linux-kbuild-6.12*
# package (a no-op here: btfdemo has no .BTF_ids) and linked in for the build only.
# Installs (root) dkms, linux-headers-6.1.0-55-cloud-amd64, dwarves and the QEMU tools when
# missing; removes the registration, the vmlinux and the link it placed (trap).
#   tests/dkms.sh BTFCOMPAT
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
corpus_env
BIN=$(realpath "${1:-}" 2>/dev/null) && [ -x "$BIN" ] || { fail dkms "usage: tests/dkms.sh BTFCOMPAT (got '${1:-}')"; exit 0; }
[ "$(id -u)" = 0 ] || { skip dkms "not root (installs packages, registers a DKMS module)"; exit 0; }
VER=${BTFC_K61B} OLD=${BTFC_K61A}
PKG=btfdemo PV=1.0
CACHE=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}
H=/usr/src/linux-headers-$VER
MD=/lib/modules/$VER
T=$(mktemp -d "${TMPDIR:-/tmp}/btfc-dkms.XXXXXX")

# ---- cleanup: only what this script put there --------------------------------------------
MADE_VMLINUX=0 MADE_RB=0 REGISTERED=0
cleanup() {
	if [ "$REGISTERED" = 1 ]; then
		dkms remove "$PKG/$PV" --all > /dev/null 2>&1
		rm -rf "/usr/src/$PKG-$PV"
	fi
	if [ "$MADE_VMLINUX" = 1 ]; then
		rm -f "$H/vmlinux"
		[ -e "$H/vmlinux.btfc-dkms-orig" ] && mv "$H/vmlinux.btfc-dkms-orig" "$H/vmlinux"
	fi
	if [ "$MADE_RB" = 1 ]; then
		rm -f "$H/tools/bpf/resolve_btfids/resolve_btfids"
		# the folders, when empty and no package's (also those an interrupted run left)
		local d
		for d in "$H/tools/bpf/resolve_btfids" "$H/tools/bpf"; do
			d=$(realpath "$d" 2> /dev/null) && [ -d "$d" ] && ! dpkg -S "$d" > /dev/null 2>&1 && rmdir "$d" 2> /dev/null
		done
	fi
	# depmod's files, when no module is left (the kernel itself is not installed here, only its headers)
	if [ "$REGISTERED" = 1 ] && [ -d "$MD" ] && [ -z "$(find "$MD"/ -name '*.ko*' -print -quit 2> /dev/null)" ]; then
		rm -f "$MD"/modules.*
		rmdir "$MD/updates/dkms" "$MD/updates" 2> /dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- 1. packages, corpus, resolve_btfids ------------------------------------------------------
apt_install() { # PKG...: quietly, with one apt-get update when the first try fails
	local e=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends)
	"${e[@]}" "$@" >> "$T/apt.log" 2>&1 ||
		{ apt-get update -qq >> "$T/apt.log" 2>&1 && "${e[@]}" "$@" >> "$T/apt.log" 2>&1; }
}
need=()
command -v dkms > /dev/null || need+=(dkms)
dpkg-query -W -f '${Status}' "linux-headers-$VER" 2> /dev/null | grep -q 'ok installed' || need+=("linux-headers-$VER")
command -v pahole > /dev/null || need+=(dwarves)
command -v make > /dev/null || need+=(make)
command -v run-parts > /dev/null || need+=(debianutils)
[ ${#need[@]} = 0 ] || apt_install "${need[@]}" ||
	{ skip dkms "cannot install ${need[*]}: $(grep -m1 -E '^E:' "$T/apt.log")"; exit 0; }
for t in dkms pahole make run-parts readelf; do
	command -v $t > /dev/null || { skip dkms "$t unavailable after installing ${need[*]}"; exit 0; }
done
[ -f "$H/Makefile" ] || { skip dkms "no headers in $H"; exit 0; }
qneed=()
command -v qemu-system-x86_64 > /dev/null || qneed+=(qemu-system-x86)
command -v cpio > /dev/null || qneed+=(cpio)
command -v depmod > /dev/null || [ -x /sbin/depmod ] || qneed+=(kmod)
command -v xz > /dev/null || qneed+=(xz-utils)
if ! { [ -x /bin/busybox ] && ! head -c 4096 /bin/busybox | grep -qa ld-linux; }; then qneed+=(busybox-static); fi
[ ${#qneed[@]} = 0 ] || apt_install "${qneed[@]}" || true # the boot cases SKIP when still missing

K54=$("$TOP/scripts/corpus.sh" --path "$OLD" 2> /dev/null) &&
	K55=$("$TOP/scripts/corpus.sh" --path "$VER" 2> /dev/null) || { skip dkms "kernel corpus unavailable"; exit 0; }
Z54=$K54/boot/vmlinuz-$OLD Z55=$K55/boot/vmlinuz-$VER
raw_base "$Z54" "$T/54.btf" 2> "$T/raw.err" || { fail dkms "cannot cut .BTF out of $Z54: $(head -n 2 "$T/raw.err")"; exit 0; }

RB=$H/tools/bpf/resolve_btfids/resolve_btfids
if [ ! -x "$RB" ]; then
	# a dangling link is what an interrupted run left (it pointed into its temp dir)
	[ -L "$RB" ] && [ ! -e "$RB" ] && rm -f "$RB"
	src=
	for f in /usr/lib/linux-kbuild-*/tools/bpf/resolve_btfids/resolve_btfids; do
		[ -f "$f" ] && [ -x "$f" ] && src=$f
	done
	if [ -z "$src" ]; then
		deb=$(ls "$CACHE"/debs/linux-kbuild-6.1[2-9]*.deb 2> /dev/null | sort -V | tail -n 1)
		if [ -z "$deb" ]; then
			kb=$(apt-cache search --names-only '^linux-kbuild-6\.1[2-9]' 2> /dev/null | awk '{ print $1 }' | sort -V | tail -n 1)
			[ -n "$kb" ] || { apt-get update -qq > /dev/null 2>&1
				kb=$(apt-cache search --names-only '^linux-kbuild-6\.1[2-9]' 2> /dev/null | awk '{ print $1 }' | sort -V | tail -n 1); }
			mkdir -p "$CACHE/debs"
			[ -n "$kb" ] && (cd "$CACHE/debs" && apt-get download -qq "$kb" > /dev/null 2>&1)
			deb=$(ls "$CACHE"/debs/linux-kbuild-6.1[2-9]*.deb 2> /dev/null | sort -V | tail -n 1)
		fi
		[ -n "$deb" ] && mkdir -p "$T/kbuild" && dpkg-deb -x "$deb" "$T/kbuild" &&
			src=$(ls "$T"/kbuild/usr/lib/linux-kbuild-*/tools/bpf/resolve_btfids/resolve_btfids 2> /dev/null | head -n 1)
	fi
	[ -n "$src" ] && "$src" -h 2>&1 | grep -q 'Usage: resolve_btfids' ||
		{ skip dkms "linux-kbuild-6.1 has no resolve_btfids and no linux-kbuild-6.12* package gave one"; exit 0; }
	MADE_RB=1
	for d in "$H/tools/bpf" "$H/tools/bpf/resolve_btfids"; do
		[ -d "$d" ] || mkdir "$d" || { skip dkms "cannot create $d"; exit 0; }
	done
	ln -sf "$(realpath "$src")" "$RB" # may point into $T: removed before $T is
fi

# ---- 2. the stale DKMS build --------------------------------------------------------------
# someone's own vmlinux is put back at the end (also by the next run, if this one is killed)
if [ -e "$H/vmlinux.btfc-dkms-orig" ]; then
	mv -f "$H/vmlinux.btfc-dkms-orig" "$H/vmlinux"
fi
if [ -e "$H/vmlinux" ] && ! cmp -s "$H/vmlinux" "$T/54.btf"; then
	mv "$H/vmlinux" "$H/vmlinux.btfc-dkms-orig"
fi
MADE_VMLINUX=1
cp "$T/54.btf" "$H/vmlinux"
REGISTERED=1
dkms remove "$PKG/$PV" --all > /dev/null 2>&1 # a leftover of an earlier run
rm -rf "/usr/src/$PKG-$PV"
cp -r "$TOP/tests/dkms/$PKG" "/usr/src/$PKG-$PV"
t0=$(date +%s)
{ dkms add "$PKG/$PV" && dkms build "$PKG/$PV" -k "$VER" && dkms install "$PKG/$PV" -k "$VER"; } > "$T/dkms.log" 2>&1
drc=$?
tb=$(($(date +%s) - t0))
mlog=$(ls -t /var/lib/dkms/$PKG/$PV/build/make.log /var/lib/dkms/$PKG/$PV/"$VER"/*/log/make.log 2> /dev/null | head -n 1)
MOD=$(find "$MD/updates" -name "$PKG.ko*" 2> /dev/null | head -n 1)
mlog_tail() { { [ -n "$mlog" ] && tail -n 4 "$mlog"; tail -n 3 "$T/dkms.log"; } 2> /dev/null | tr '\n' '|'; }
if [ $drc != 0 ] || [ -z "$MOD" ]; then
	fail dkms/build-stale-btf "dkms add/build/install rc $drc, no $MD/updates/.../$PKG.ko*: $(mlog_tail)"
	exit 0
fi
STALE=$T/stale.ko
case $MOD in
*.xz) xz -dc "$MOD" > "$STALE" ;; *.zst) zstd -qdc "$MOD" > "$STALE" ;; *.gz) gzip -dc "$MOD" > "$STALE" ;; *) cp "$MOD" "$STALE" ;;
esac
signed=0
tail -c 28 "$STALE" | grep -qa '~Module signature appended~' && signed=1
if ! readelf -S -W "$STALE" 2> /dev/null | grep -q ' \.BTF '; then
	fail dkms/build-stale-btf "$MOD has no .BTF section: $(mlog_tail)"
	exit 0
elif ! dkms status "$PKG/$PV" -k "$VER" 2> /dev/null | grep -q installed; then
	fail dkms/build-stale-btf "dkms status does not say installed: $(dkms status "$PKG/$PV" 2>&1 | head -n 2)"
else
	pass "dkms/build-stale-btf: ${MOD#"$MD"/} has .BTF (built on $OLD's vmlinux BTF, ${tb}s)$([ $signed = 1 ] && echo ", signed by $(modinfo -F signer "$STALE" 2> /dev/null)")"
fi

# ---- 3. check, and the hook as Debian runs it ----------------------------------------------
# outcome FILE.out: the word after "FILE: "; action: what follows "kernel: "
outcome() { sed -n '1s/^.*: \(match\|mismatch\|invalid\|no-btf\) (.*$/\1/p' "$1"; }
action() { sed -n '1s/^.*; kernel: //p' "$1"; }
"$BIN" check --base "$Z55" "$MOD" > "$T/check55.out" 2>&1
rc55=$?
PRED=$(action "$T/check55.out")
if [ "$(outcome "$T/check55.out")" = mismatch ] && [ $rc55 = 1 ]; then
	pass "dkms/check-$VER-mismatch: kernel: $PRED"
else
	fail "dkms/check-$VER-mismatch" "rc $rc55: $(head -n 2 "$T/check55.out" | tr '\n' '|')"
fi
"$BIN" check --base "$Z54" "$MOD" > "$T/check54.out" 2>&1
rc54=$?
[ "$(outcome "$T/check54.out")" = match ] && [ $rc54 = 0 ] && pass "dkms/check-$OLD-match: the base it was built on" ||
	fail "dkms/check-$OLD-match" "rc $rc54: $(head -n 2 "$T/check54.out" | tr '\n' '|')"

mkdir -p "$T/postinst.d" "$T/etc"
sed -e "s|@BINDIR@|$(dirname "$BIN")|g" -e "s|@SYSCONFDIR@|$T/etc|g" -e "s|@LOGDIR@|$T/log|g" \
	"$TOP/hooks/kernel-hook.in" > "$T/kernel-hook"
chmod 755 "$T/kernel-hook"
ln -s ../kernel-hook "$T/postinst.d/dkms-btfcompat"
# run_hook MODULES_ROOT CONF-LINE...: run-parts, as /etc/kernel/postinst.d is run; stdout+stderr to $T/hook.out
# (HOOK_VER, HOOK_BOOT: another kernel than $VER)
run_hook() {
	local root=$1; shift
	printf '%s\n' "$@" > "$T/hook.conf"
	rm -rf "$T/log" "$T/state"
	# (DKMS's own tree is not the hook's to repair here: the modules are copies)
	env BTFCOMPAT="$BIN" BTFCOMPAT_STORE="$T/store" BTFCOMPAT_STATE_DIR="$T/state" BTFCOMPAT_RUN_DIR="$T/run" BTFCOMPAT_DKMS_TREE="$T/no-dkms" BTFCOMPAT_BOOT_DIR="${HOOK_BOOT:-$K55/boot}" BTFCOMPAT_LOG_DIR="$T/log" BTFCOMPAT_HOOK_CONF="$T/hook.conf" \
		BTFCOMPAT_MODULES_ROOT="$root" run-parts --arg="${HOOK_VER:-$VER}" "$T/postinst.d" > "$T/hook.out" 2>&1
}
sum0=$(sha256sum < "$MOD")
run_hook /lib/modules scope=updates on_mismatch=warn
hrc=$?
if [ $hrc = 0 ] && grep -q "^btfcompat: $VER: [1-9][0-9]* of [0-9]* modules carry BTF that does not fit this kernel" "$T/hook.out" &&
	grep -q "^btfcompat:   $MD/updates/.*$PKG\.ko[.a-z]*: mismatch; kernel: " "$T/hook.out" &&
	grep -q "^$MD/updates/.*$PKG\.ko[.a-z]*: mismatch; kernel: " "$T/log/$VER.log" 2> /dev/null && [ "$(sha256sum < "$MOD")" = "$sum0" ]; then
	pass "dkms/hook-warn-names-$PKG: $(grep -m1 'modules carry BTF' "$T/hook.out" | sed 's/; see .*//')"
else
	fail "dkms/hook-warn-names-$PKG" "run-parts rc $hrc: $(head -n 3 "$T/hook.out" | tr '\n' '|')"
fi

# ---- 4. repair: relocate, and the hook's strip (on a copy of the tree) ------------------------
RFLAGS=() MATCH=layout
[ $signed = 1 ] && RFLAGS+=(--unsign) # relocating voids the signature
"$BIN" relocate "${RFLAGS[@]}" --from "$Z54" --to "$Z55" -o "$T/fixed.ko" "$STALE" > "$T/reloc.out" 2>&1
rrc=$?
if [ $rrc = 1 ]; then # a base type it uses changed layout: relocate by name and size, as the kernel does
	MATCH=kernel
	"$BIN" relocate "${RFLAGS[@]}" --match kernel --from "$Z54" --to "$Z55" -o "$T/fixed.ko" "$STALE" >> "$T/reloc.out" 2>&1
	rrc=$?
fi
"$BIN" check --base "$Z55" "$T/fixed.ko" > "$T/checkfix.out" 2>&1
if [ $rrc = 0 ] && [ "$(outcome "$T/checkfix.out")" = match ]; then
	pass "dkms/relocate-$OLD-to-$VER: --match $MATCH$([ $MATCH = kernel ] && echo " ($(grep -c '^  ~' "$T/reloc.out") base types it uses changed layout)"), then check: match"
else
	fail "dkms/relocate-$OLD-to-$VER" "rc $rrc: $(grep -v '^  [~!]' "$T/reloc.out" | head -n 2 | tr '\n' '|') check: $(head -n 1 "$T/checkfix.out")"
fi

SR=$T/modroot SM=$T/modroot/$VER/updates/dkms/$PKG.ko
mkdir -p "${SM%/*}"
cp "$STALE" "$SM"
hasbtf() { readelf -S -W "$1" 2> /dev/null | grep -q ' \.BTF '; }
if [ $signed = 1 ]; then
	# without DKMS's key a signed module is left as it is; with it, stripped and signed again
	run_hook "$SR" scope=updates on_mismatch=strip resign=no
	hrc=$?
	[ $hrc = 0 ] && grep -q "stripped the BTF of 0 modules (on_mismatch=strip); kept 1 (strip_signed=yes" "$T/hook.out" &&
		cmp -s "$STALE" "$SM" && pass "dkms/hook-strip-keeps-signed-$PKG: resign=no leaves the DKMS-signed module as it is" ||
		fail "dkms/hook-strip-keeps-signed-$PKG" "rc $hrc, $(cmp -s "$STALE" "$SM" && echo unchanged || echo changed): $(grep stripped "$T/hook.out")"
	run_hook "$SR" scope=updates on_mismatch=strip
	grep -q "stripped the BTF of 1 modules (on_mismatch=strip), 1 signed again with /var/lib/dkms/mok.key" "$T/hook.out" &&
		tail -c 28 "$SM" | grep -qa '~Module signature appended~' && pass "dkms/hook-strip-signs-again-$PKG" ||
		fail "dkms/hook-strip-signs-again-$PKG" "$(grep stripped "$T/hook.out")"
else
	skip "dkms/hook-strip-keeps-signed-$PKG" "dkms did not sign the module"
	run_hook "$SR" scope=updates on_mismatch=strip
fi
hrc=$?
"$BIN" check --base "$Z55" "$SM" > "$T/checkstrip.out" 2>&1
if [ $hrc = 0 ] && grep -q "stripped the BTF of 1 modules (on_mismatch=strip)" "$T/hook.out" && ! hasbtf "$SM" &&
	[ "$(outcome "$T/checkstrip.out")" = no-btf ]; then
	pass "dkms/hook-strip-$PKG: $(grep -m1 'stripped the BTF' "$T/hook.out" | sed 's/^btfcompat: //'), then check: no-btf"
else
	fail "dkms/hook-strip-$PKG" "rc $hrc: $(grep stripped "$T/hook.out") check: $(head -n 1 "$T/checkstrip.out")"
fi
cp "$SM" "$T/stripped.ko"

# ---- 5. on_mismatch=relocate: the store, identify, relocate, DKMS's key -----------------------
RR=$T/modroot-reloc RM=$T/modroot-reloc/$VER/updates/dkms/$PKG.ko
mkdir -p "${RM%/*}" "$RR/$OLD"
cp "$STALE" "$RM"
SF=$(ls /usr/lib/linux-kbuild-*/scripts/sign-file 2> /dev/null | head -n 1)
HASH=$(sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"$/\1/p' "$K55/boot/config-$VER")
NU=$RR/$VER/updates/dkms/nls_utf8.ko
# -55's nls_utf8 (Debian's signature off) carrying -54's .BTF: a module built for -55 on -54's vmlinux BTF
python3 "$TOP/tests/tools/modsig.py" "$K55/lib/modules/$VER/kernel/fs/nls/nls_utf8.ko" "$T/nu.p7s" "$T/nu55.ko" &&
	objcopy --dump-section .BTF="$T/nu54.btf" "$K54/lib/modules/$OLD/kernel/fs/nls/nls_utf8.ko" "$T/nu.junk" &&
	objcopy --update-section .BTF="$T/nu54.btf" "$T/nu55.ko" "$T/nu.ko"
if [ $signed = 1 ] && [ -n "$SF" ]; then "$SF" "$HASH" /var/lib/dkms/mok.key /var/lib/dkms/mok.pub "$T/nu.ko" "$NU"; else cp "$T/nu.ko" "$NU"; fi
HOOK_VER=$OLD HOOK_BOOT=$K54/boot run_hook "$RR" scope=updates # installing -54 keeps its base
run_hook "$RR" scope=updates on_mismatch=relocate fallback=strip
hrc=$?
cp "$NU" "$T/hooknu.ko"
"$BIN" check --base "$Z55" "$NU" > "$T/checknu.out" 2>&1
if [ $hrc = 0 ] && grep -q "^btfcompat:   $NU: relocated from $OLD" "$T/hook.out" && [ "$(outcome "$T/checknu.out")" = match ] &&
	{ [ $signed = 0 ] || grep -q "^btfcompat:   $NU: .*signed again with /var/lib/dkms/mok.key" "$T/hook.out"; } &&
	{ [ $signed = 0 ] || [ -z "$SF" ] || { python3 "$TOP/tests/tools/modsig.py" "$T/hooknu.ko" "$T/nu2.p7s" "$T/nu2.body" &&
		"$SF" "$HASH" /var/lib/dkms/mok.key /var/lib/dkms/mok.pub "$T/nu2.body" "$T/nu2.sf.ko" && cmp -s "$T/nu2.sf.ko" "$T/hooknu.ko"; }; }; then
	pass "dkms/hook-relocate-layout-kept: nls_utf8 $(grep -m1 "^btfcompat:   $NU: [rsl][eti]" "$T/hook.out" | sed "s|^btfcompat: *$NU: ||"); check: match; signature = sign-file's"
else
	fail dkms/hook-relocate-layout-kept "rc $hrc: $(grep "$NU: " "$T/hook.out" | tr '\n' '|' | cut -c1-300) check: $(head -n 1 "$T/checknu.out")"
fi
"$BIN" check --base "$Z55" "$RM" > "$T/checkfb.out" 2>&1
if [ $hrc = 0 ] && grep -q "^btfcompat:   $RM: stripped (not relocated: refused: [0-9]* base types\? it uses changed" "$T/hook.out" &&
	{ [ $signed = 0 ] || grep -q "^btfcompat:   $RM: stripped (.*), signed again with /var/lib/dkms/mok.key" "$T/hook.out"; } &&
	grep -q "relocated 1 stale modules onto this kernel, 1 not (fallback=strip)" "$T/hook.out" &&
	[ "$(outcome "$T/checkfb.out")" = no-btf ] && grep -q "^  ! struct [a-z_]*: " "$T/log/$VER.log"; then
	pass "dkms/hook-relocate-layout-falls-back-to-strip: $(grep -m1 "^btfcompat:   $RM: [rsl][eti]" "$T/hook.out" | sed "s|^btfcompat: *$RM: ||" | cut -c1-110)"
else
	fail dkms/hook-relocate-layout-falls-back-to-strip "rc $hrc: $(grep "$RM: \|relocated [0-9]" "$T/hook.out" | tr '\n' '|' | cut -c1-300) check: $(head -n 1 "$T/checkfb.out") log: $(grep -c '^  ! ' "$T/log/$VER.log")"
fi
cp "$STALE" "$RM"
run_hook "$RR" scope=updates on_mismatch=relocate fallback=strip relocate_match=kernel
hrc=$?
cp "$T/hook.out" "$T/hook-reloc.out"
"$BIN" check --base "$Z55" "$RM" > "$T/checkreloc.out" 2>&1
if [ $hrc = 0 ] && grep -q "^btfcompat:   $RM: relocated from $OLD" "$T/hook.out" &&
	grep -q "relocated 1 stale modules onto this kernel, 0 not" "$T/hook.out" && [ "$(outcome "$T/checkreloc.out")" = match ] &&
	{ [ $signed = 0 ] || grep -q "signed again with /var/lib/dkms/mok.key" "$T/hook.out"; }; then
	pass "dkms/hook-relocate-$PKG: $(grep -m1 "^btfcompat:   $RM: [rsl][eti]" "$T/hook.out" | sed "s|^btfcompat: *$RM: ||"); then check: match"
else
	fail "dkms/hook-relocate-$PKG" "rc $hrc: $(tr '\n' '|' < "$T/hook.out" | head -c 600) check: $(head -n 1 "$T/checkreloc.out")"
fi
cp "$RM" "$T/hookreloc.ko"
if [ $signed = 0 ]; then
	skip dkms/hook-relocate-signature-is-sign-files "dkms did not sign the module"
elif [ -z "$SF" ]; then
	skip dkms/hook-relocate-signature-is-sign-files "no sign-file (linux-kbuild-6.1)"
elif python3 "$TOP/tests/tools/modsig.py" "$T/hookreloc.ko" "$T/hr.p7s" "$T/hr.body" &&
	"$SF" "$HASH" /var/lib/dkms/mok.key /var/lib/dkms/mok.pub "$T/hr.body" "$T/hr.sf.ko" && cmp -s "$T/hr.sf.ko" "$T/hookreloc.ko"; then
	pass "dkms/hook-relocate-signature-is-sign-files: $HASH, DKMS's key, $(stat -c %s "$T/hr.p7s") bytes of CMS, identical"
else
	fail dkms/hook-relocate-signature-is-sign-files "$(cmp "$T/hr.sf.ko" "$T/hookreloc.ko" 2>&1)"
fi

# ---- 5. the real kernel: one boot, insmod / look / rmmod per file --------------------------
Q=(dkms/qemu-stale-as-predicted dkms/qemu-relocated-btf-present dkms/qemu-stripped-loads-no-btf dkms/qemu-hook-relocated-types-right
	dkms/qemu-hook-relocated-layout-kept-same-meaning)
qskip() { local c; for c in "${Q[@]}"; do skip "$c" "$1"; done; exit 0; }
command -v qemu-system-x86_64 > /dev/null || qskip "qemu-system-x86_64 not installed: $(grep -m1 -E '^E:' "$T/apt.log" 2> /dev/null)"
grep -q '^# CONFIG_MODULE_SIG_FORCE is not set' "$K55/boot/config-$VER" 2> /dev/null ||
	qskip "$VER enforces module signatures: unsigned/foreign-key modules cannot load"
mkdir -p "$T/bootmods/updates"
cp "$T/stripped.ko" "$T/bootmods/updates/$PKG.ko" # boot-modules.sh wants a tree; btfdemo has no dependencies
# the variants that exist, in this order; IX[k] is the row index of variant k (-1: not made)
SEQ=() IX=()
for f in "$STALE" "$T/fixed.ko" "$T/stripped.ko"; do
	if [ -f "$f" ]; then IX+=(${#SEQ[@]}); SEQ+=("$f"); else IX+=(-1); fi
done
t0=$(date +%s)
"$TOP/tests/qemu/boot-modules.sh" --ver "$VER" --kernel-root "$K55" --modules-dir "$T/bootmods" --timeout 240 \
	--insmod-seq "${SEQ[@]}" --out "$T/seq.tsv" > "$T/boot.log" 2>&1
qrc=$?
tq=$(($(date +%s) - t0))
[ $qrc = 3 ] && qskip "$(grep -m1 SKIP "$T/boot.log")"
if [ $qrc != 0 ]; then
	for c in "${Q[@]}"; do fail "$c" "boot-modules.sh rc $qrc: $(tail -n 4 "$T/boot.log" | tr '\n' '|')"; done
	exit 0
fi
# row K F: field F of variant K's row of the seq table
# (index module insmod_rc btf_present rmmod_rc btf_err btf_log file)
row() { awk -F'\t' -v i="${IX[$1]}" -v f="$2" 'NR > 1 && $1 == i { print $f }' "$T/seq.tsv"; }
ld=$(row 0 3) pr=$(row 0 4) er=$(row 0 6) lg=$(row 0 7)
case "$ld/$pr" in
0/0) did="loaded, BTF dropped (failed to validate: ${er}: ${lg:0:80})" ok_for="drop BTF|drop BTF or refuse module" ;;
0/1) did="loaded, BTF published as /sys/kernel/btf/$PKG" ok_for="accept, types wrong|accept" ;;
[1-9]*/*) did="refused (insmod rc $ld)" ok_for="refuse module|drop BTF or refuse module" ;;
*) did="no result (row '$ld/$pr')" ok_for= ;;
esac
if [ -n "$PRED" ] && [ -n "$ok_for" ] && printf '%s\n' "${ok_for//|/$'\n'}" | grep -qxF "$PRED"; then
	pass "dkms/qemu-stale-as-predicted: $VER $did; check said 'kernel: $PRED' (${tq}s boot)"
else
	fail dkms/qemu-stale-as-predicted "kernel: $did; check predicted '$PRED'"
fi
if [ "${IX[1]}" = -1 ]; then
	fail dkms/qemu-relocated-btf-present "relocate made no fixed.ko"
elif [ "$(row 1 3)/$(row 1 4)/$(row 1 6)" = 0/1/- ]; then
	pass "dkms/qemu-relocated-btf-present: loaded, /sys/kernel/btf/$PKG present, no BTF message"
else
	fail dkms/qemu-relocated-btf-present "insmod rc $(row 1 3), present $(row 1 4), btf_err $(row 1 6) $(row 1 7)"
fi
if [ "$(row 2 3)/$(row 2 4)/$(row 2 6)/$(row 2 7)" = 0/0/-/ ]; then
	pass "dkms/qemu-stripped-loads-no-btf: loaded, no /sys/kernel/btf/$PKG, no BTF message"
else
	fail dkms/qemu-stripped-loads-no-btf "insmod rc $(row 2 3), present $(row 2 4), btf_err $(row 2 6) $(row 2 7)"
fi
# the hook's relocated and re-signed module: a boot of its own, its BTF copied out of the guest
mkdir -p "$T/bootreloc/updates"
cp "$T/hookreloc.ko" "$T/bootreloc/updates/$PKG.ko"
cp "$T/hooknu.ko" "$T/bootreloc/updates/nls_utf8.ko"
printf '%s\n' "$PKG" nls_utf8 > "$T/loadreloc"
"$TOP/tests/qemu/boot-modules.sh" --ver "$VER" --kernel-root "$K55" --modules-dir "$T/bootreloc" --timeout 240 \
	--load "$T/loadreloc" --fetch-btf "$PKG,nls_utf8" --fetch-dir "$T/fetch" --out "$T/reloc.tsv" > "$T/bootreloc.log" 2>&1
qrc=$?
raw_base "$Z55" "$T/55.btf"
n=$(python3 "$TOP/tests/tools/btf_sections.py" --elf "$STALE" "$T/orig.btf" && python3 "$TOP/tests/tools/btf_sections.py" --count "$T/orig.btf")
if [ $qrc = 0 ] && awk -F'\t' -v m="$PKG" '$1 == m && $2 == 0 && $3 == 1 { f = 1 } END { exit !f }' "$T/reloc.tsv" &&
	python3 "$TOP/tests/tools/btf_canon.py" "$T/54.btf" "$T/orig.btf" "$n" > "$T/a.canon" &&
	python3 "$TOP/tests/tools/btf_canon.py" "$T/55.btf" "$T/fetch/$PKG.btf" "$n" > "$T/b.canon" &&
	cmp -s <(grep -v '^used ' "$T/a.canon") <(grep -v '^used ' "$T/b.canon"); then
	# relocate_match=kernel: the module's types name the same base types; their layouts may differ
	pass "dkms/qemu-hook-relocated-types-right: loaded in $VER, /sys/kernel/btf/$PKG present, its $n types name the same base types as the $OLD build's ($(diff <(grep '^used ' "$T/a.canon") <(grep '^used ' "$T/b.canon") | grep -c '^>') of $(grep -c '^used ' "$T/b.canon") used base types changed layout)"
else
	fail dkms/qemu-hook-relocated-types-right "boot rc $qrc: $(tail -n 3 "$T/bootreloc.log" | tr '\n' '|') $(head -n 3 "$T/reloc.tsv" 2>/dev/null | tr '\n' '|') $(diff "$T/a.canon" "$T/b.canon" 2>&1 | head -n 4 | tr '\n' '|')"
fi
n=$(python3 "$TOP/tests/tools/btf_sections.py" --elf "$T/nu.ko" "$T/nu.btf" && python3 "$TOP/tests/tools/btf_sections.py" --count "$T/nu.btf")
if [ $qrc = 0 ] && awk -F'\t' '$1 == "nls_utf8" && $2 == 0 && $3 == 1 { f = 1 } END { exit !f }' "$T/reloc.tsv" &&
	python3 "$TOP/tests/tools/btf_canon.py" "$T/54.btf" "$T/nu.btf" "$n" > "$T/nu-a.canon" &&
	python3 "$TOP/tests/tools/btf_canon.py" "$T/55.btf" "$T/fetch/nls_utf8.btf" "$n" > "$T/nu-b.canon" && cmp -s "$T/nu-a.canon" "$T/nu-b.canon"; then
	pass "dkms/qemu-hook-relocated-layout-kept-same-meaning: nls_utf8 loaded, /sys/kernel/btf/nls_utf8 present, its $n types and the layouts of the $(grep -c '^used ' "$T/nu-b.canon") base types they use mean what the $OLD build's meant"
else
	fail dkms/qemu-hook-relocated-layout-kept-same-meaning "boot rc $qrc: $(grep nls_utf8 "$T/reloc.tsv" | tr '\n' '|') $(diff "$T/nu-a.canon" "$T/nu-b.canon" 2>&1 | head -n 4 | tr '\n' '|')"
fi
exit 0
