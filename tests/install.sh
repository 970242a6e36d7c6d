#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Installing like a distribution tool, and the kernel hook on real kernels:
#  * `meson install` into a DESTDIR: binary, versioned shared library (soname,
#    only btfc_ symbols), static library, headers, pkg-config file, man pages,
#    hook.conf (never overwritten), and the kernel-install plugin, the Debian
#    kernel hooks and the DKMS drop-in only where something runs them (prefix
#    /usr, or their folders given);
#  * the man pages: groff finds nothing to warn about, every verb and every
#    option each verb takes is documented; the library example of
#    libbtfcompat(3) compiles with the installed pkg-config file and runs;
#  * the kernel hook, as the real kernel-install and Debian's run-parts call
#    it, on a 6.1.0-55 module tree into which 6.1.0-54 modules were installed
#    as DKMS would (updates/dkms, unsigned): warn, fail, strip, scope, remove.
#   tests/install.sh BUILD-DIR
set -u
BUILD=$(realpath "$1")
BIN=$BUILD/btfcompat
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
corpus_env
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
D=$TMP/root

# ---- meson install into a DESTDIR
if DESTDIR=$D meson install -C "$BUILD" --no-rebuild --quiet > "$TMP/install.log" 2>&1; then
	pass install/meson-install
else
	fail install/meson-install "$(tail -n 3 "$TMP/install.log" | tr '\n' '|')"
fi
eval "$(python3 - "$BUILD" <<'PY'
import json, subprocess, sys
o = {x["name"]: x["value"] for x in json.loads(subprocess.check_output(
    ["meson", "introspect", "--buildoptions", sys.argv[1]]))}
p = o["prefix"]
j = lambda d: d if d.startswith("/") else p + "/" + d
for k, v in (("PREFIX", p), ("BINDIR", j(o["bindir"])), ("LIBDIR", j(o["libdir"])),
             ("INCDIR", j(o["includedir"])), ("MANDIR", j(o["mandir"])), ("ETC", j(o["sysconfdir"])),
             ("LIBEXEC", j(o["libexecdir"])),
             ("DATADIR", j(o["datadir"])),
             ("KIDIR", o["kernelinstalldir"] or (p == "/usr" and "/usr/lib/kernel/install.d" or "")),
             ("KHDIR", o["kernelhooksdir"] or (p == "/usr" and j(o["sysconfdir"]) + "/kernel" or ""))):
    print(f"{k}='{v}'")
PY
)"
missing=
for f in "$BINDIR/btfcompat" "$INCDIR/btfcompat/btfcompat.h" "$INCDIR/btfcompat/stamp.h" \
	"$LIBDIR/libbtfcompat.so.1.2.0" "$LIBDIR/libbtfcompat.a" "$LIBDIR/pkgconfig/libbtfcompat.pc" \
	"$MANDIR/man1/btfcompat.1" "$MANDIR/man3/libbtfcompat.3" "$MANDIR/man8/btfcompat-kernel-hook.8" \
	"$ETC/btfcompat/hook.conf" "$DATADIR/btfcompat/hook.conf"; do
	[ -f "$D$f" ] || missing="$missing $f"
done
[ -x "$D$LIBEXEC/btfcompat/kernel-hook" ] || missing="$missing $LIBEXEC/btfcompat/kernel-hook(executable)"
links=("$LIBDIR/libbtfcompat.so.1:libbtfcompat.so.1.2.0" "$LIBDIR/libbtfcompat.so:libbtfcompat.so.1")
[ -n "$KIDIR" ] && links+=("$KIDIR/45-btfcompat.install:$LIBEXEC/btfcompat/kernel-hook")
[ -n "$KHDIR" ] && links+=("$KHDIR/postinst.d/dkms-btfcompat:$LIBEXEC/btfcompat/kernel-hook" \
	"$KHDIR/postrm.d/dkms-btfcompat:$LIBEXEC/btfcompat/kernel-hook" \
	"$KHDIR/header_postinst.d/dkms-btfcompat:$LIBEXEC/btfcompat/kernel-hook")
for l in "${links[@]}"; do
	[ "$(readlink "$D${l%%:*}")" = "${l#*:}" ] || missing="$missing ${l%%:*}->${l#*:}"
done
[ -n "$KHDIR" ] && ! grep -q "^post_transaction=\"$LIBEXEC/btfcompat/kernel-hook dkms \$kernelver\"" "$D$ETC/dkms/framework.conf.d/btfcompat.conf" 2> /dev/null &&
	missing="$missing $ETC/dkms/framework.conf.d/btfcompat.conf"
# with another prefix nothing would run hooks there: none are installed, and meson says so
if [ -z "$KIDIR$KHDIR" ]; then
	found=$(find "$D" \( -name '*btfcompat.install' -o -name 'dkms-btfcompat' -o -path '*/framework.conf.d/*' \) | sed "s|^$D||")
	[ -n "$found" ] && missing="$missing unexpected:$found"
	grep -q "kernel_hooks: prefix is not /usr: no kernel-install plugin" "$BUILD/meson-logs/meson-log.txt" ||
		missing="$missing no-meson-message"
fi
[ -z "$missing" ] && pass "install/files-and-links$([ -z "$KIDIR$KHDIR" ] && echo " (prefix $PREFIX: no kernel hooks, said so)")" ||
	fail install/files-and-links "missing or wrong:$missing"
# a second install keeps the admin's hook.conf
echo "on_mismatch=fail # admin" >> "$D$ETC/btfcompat/hook.conf"
DESTDIR=$D meson install -C "$BUILD" --no-rebuild --quiet > "$TMP/install2.log" 2>&1
[ "$(tail -n 1 "$D$ETC/btfcompat/hook.conf")" = "on_mismatch=fail # admin" ] && pass install/hook-conf-kept-on-reinstall ||
	fail install/hook-conf-kept-on-reinstall "$(tail -n 2 "$D$ETC/btfcompat/hook.conf" | tr '\n' '|')"
grep -q "^BTFCOMPAT=\${BTFCOMPAT:-$BINDIR/btfcompat}" "$D$LIBEXEC/btfcompat/kernel-hook" &&
	grep -q "^CONF=\${BTFCOMPAT_HOOK_CONF:-$ETC/btfcompat/hook.conf}" "$D$LIBEXEC/btfcompat/kernel-hook" &&
	pass install/hook-paths-substituted || fail install/hook-paths-substituted "$(sed -n '/^BTFCOMPAT=/p;/^CONF=/p' "$D$LIBEXEC/btfcompat/kernel-hook")"

so=$D$LIBDIR/libbtfcompat.so.1.2.0
soname=$(readelf -d "$so" 2>/dev/null | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = libbtfcompat.so.1 ] && pass install/soname || fail install/soname "soname '$soname'"
nm -D --defined-only "$so" | awk '$2 ~ /^[TDRBV]$/ { print $3 }' | sed 's/@.*//' | sort -u > "$TMP/syms"
nsym=$(wc -l < "$TMP/syms"); other=$(grep -v -e '^btfc_' -e '^LIBBTFCOMPAT_' "$TMP/syms" | tr '\n' ' ')
[ "$nsym" -gt 30 ] && [ -z "$other" ] && pass "install/exports-only-btfc ($nsym symbols)" ||
	fail install/exports-only-btfc "$nsym symbols; not btfc_: $other"
objdump -T "$so" | grep -q ' LIBBTFCOMPAT_[0-9]' && pass install/symbols-versioned ||
	fail install/symbols-versioned "no LIBBTFCOMPAT_ version node in $(objdump -T "$so" | grep -m2 btfc_)"
# the CLI is a library user like any other: it includes only its own headers and the installed ones
# (cli.h: lib/out.h, the text/JSON writer compiled into both), calls no btfci_ internal, and the
# installed btfcompat runs on the installed shared library's exported symbols alone
inc=$(grep -rn '#include "' "$TOP/cli" | grep -v -e '/cli\.h:' -e '"cli\.h"' -e '"btfcompat/[a-z]*\.h"')
int=$(grep -rnE '\bbtfci_[a-z]' "$TOP/cli" | grep -v -e '/cli/cli\.h:')
[ -z "$inc" ] && [ -z "$int" ] && pass install/cli-off-library-internals ||
	fail install/cli-off-library-internals "$(echo "$inc $int" | head -c 300)"
if LD_LIBRARY_PATH=$D$LIBDIR ldd "$D$BINDIR/btfcompat" | grep -q "libbtfcompat.so.1 => $D$LIBDIR" &&
	LD_LIBRARY_PATH=$D$LIBDIR LD_BIND_NOW=1 "$D$BINDIR/btfcompat" --help > /dev/null 2>&1; then
	pass install/cli-runs-on-exported-symbols
else fail install/cli-runs-on-exported-symbols "$(LD_LIBRARY_PATH=$D$LIBDIR ldd "$D$BINDIR/btfcompat" 2>&1 | grep btfc)"; fi

# ---- man pages
for m in "$D$MANDIR"/man*/*; do
	w=$(groff -man -ww -z "$m" 2>&1)
	r=$(MANWIDTH=80 man -l "$m" 2>&1 | grep -c .)
	[ -z "$w" ] && [ "$r" -gt 20 ] && pass "man/$(basename "$m")-renders-clean" ||
		fail "man/$(basename "$m")-renders-clean" "$r lines; groff: $(echo "$w" | head -n 3 | tr '\n' '|')"
done
# every verb has a section; every option of its usage is described in it (or with the rewrite options);
# every long option the verb's source accepts is in its usage
man1=$D$MANDIR/man1/btfcompat.1
verbs=$("$BIN" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
[ "$(echo "$verbs" | wc -w)" -ge 10 ] || fail man/verbs "only '$verbs' in --help"
undoc=
for v in $verbs; do
	sect=$(awk -v v="$v" '$1 == ".SS" { on = ($2 == v) || ($0 ~ /rewrite modules/) } on' "$man1" | sed 's/\\-/-/g')
	[ -n "$sect" ] || { undoc="$undoc $v(no section)"; continue; }
	usage=$("$BIN" "$v" --help | head -n 1)
	for o in $(echo "$usage" | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
		echo "$sect" | grep -qE -- "$o([^a-z-]|$)" || undoc="$undoc $v:$o"
	done
	# { "base", required_argument, NULL, 'B' }: the usage shows --base or -B
	for o in $(grep -oE '\{ "[a-z][a-z-]*", (no|required)_argument, NULL, .[A-Za-z].' "$TOP/cli/cmd_$v.c" |
		sed -E 's/\{ "([a-z-]*)".*(.).$/\1:\2/' | sort -u); do
		case ${o%:*} in json|pretty|force|dry-run|backup|output) continue ;; esac
		echo "$usage" | grep -qE -- "--${o%:*}|-${o#*:} " || undoc="$undoc $v:--${o%:*}(not in usage)"
	done
done
[ -z "$undoc" ] && pass "man/every-verb-and-option-documented ($(echo $verbs | wc -w) verbs)" ||
	fail man/every-verb-and-option-documented "$undoc"

# the library example of libbtfcompat(3), built with the installed pkg-config file against the installed .so
sed -n '/^\.EX/,/^\.EE/p' "$D$MANDIR/man3/libbtfcompat.3" | sed '1d;$d' | sed 's/\\e/\\/g' > "$TMP/example.c"
if flags=$(PKG_CONFIG_PATH=$D$LIBDIR/pkgconfig pkg-config --define-variable=prefix="$D$PREFIX" --cflags --libs libbtfcompat) &&
	cc -Wall -Wextra -Werror -o "$TMP/example" "$TMP/example.c" $flags 2> "$TMP/cc.log" &&
	LD_LIBRARY_PATH=$D$LIBDIR ldd "$TMP/example" | grep -q "libbtfcompat.so.1 => $D$LIBDIR"; then
	pass install/man-example-builds-with-pkg-config
else fail install/man-example-builds-with-pkg-config "$flags $(head -c 300 "$TMP/cc.log") $(ldd "$TMP/example" 2>&1 | grep btfc)"; fi

K54=$("$TOP/scripts/corpus.sh" --path "$BTFC_K61A" 2>/dev/null) &&
K55=$("$TOP/scripts/corpus.sh" --path "$BTFC_K61B" 2>/dev/null) || { skip install/corpus "corpus unavailable"; exit 0; }
V55=${BTFC_K61B} V54=${BTFC_K61A}
M54=$K54/lib/modules/$V54/kernel M55=$K55/lib/modules/$V55/kernel
export LD_LIBRARY_PATH=$D$LIBDIR
out=$("$TMP/example" "$K54/boot/vmlinuz-$V54" "$M54/net/key/af_key.ko" 2>&1); rc1=$?
echo garbage > "$TMP/garbage.ko"
err=$("$TMP/example" "$K54/boot/vmlinuz-$V54" "$TMP/garbage.ko" 2>&1); rc2=$?
unset LD_LIBRARY_PATH
# the example checks the module: one built on this very kernel fits it (Debian built both)
[ $rc1 = 0 ] && [ "${out%%:*}" = match ] && [ $rc2 = 2 ] && echo "$err" | grep -q garbage.ko && pass install/man-example-runs ||
	fail install/man-example-runs "rc=$rc1 '$out', garbage rc=$rc2 '$err'"

# ---- check/scan on a module tree without --base: that tree's kernel, never the running one silently
out=$("$BIN" scan "$K55/lib/modules/$V55" 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -qE '^match +1121 ' && pass install/scan-tree-uses-its-kernel ||
	fail install/scan-tree-uses-its-kernel "rc=$rc $(echo "$out" | head -n 3 | tr '\n' '|')"
mkdir -p "$TMP/ft/lib/modules/9.9.9-gone/kernel" "$TMP/ft/boot"
cp "$K55/boot/vmlinuz-$V55" "$TMP/ft/boot/vmlinuz-$V55"
cp "$M55/net/key/af_key.ko" "$TMP/ft/lib/modules/9.9.9-gone/kernel/"
out=$("$BIN" check "$TMP/ft/lib/modules/9.9.9-gone/kernel/af_key.ko" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "kernel 9.9.9-gone is not installed .*give --base; installed: $V55" &&
	pass install/check-tree-without-its-kernel-refuses || fail install/check-tree-without-its-kernel-refuses "rc=$rc $out"

# ---- the kernel hook, on a 6.1.0-55 tree with 6.1.0-54 modules installed as DKMS does
HOOK=$D$LIBEXEC/btfcompat/kernel-hook
R=$TMP/sys
mkdir -p "$R/boot" "$R/mods/$V55/kernel" "$R/mods/$V55/updates/dkms" "$R/log" \
	"$R/hooks/install.d" "$R/hooks/postinst.d" "$R/hooks/postrm.d" "$R/hooks/header_postinst.d"
cp "$K55/boot/vmlinuz-$V55" "$K55/boot/config-$V55" "$R/boot/"
own="net/key/af_key.ko net/ipv4/ah4.ko fs/nfs/nfs.ko"
stale="net/xfrm/xfrm_algo.ko crypto/cast6_generic.ko drivers/net/dummy.ko"
# modules built by DKMS or by hand are unsigned: drop the appended signature
# (struct module_signature + marker), independently of btfcompat
unsign() { python3 - "$1" "$2" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
mark = b"~Module signature appended~\n"
if b.endswith(mark):
    sig_len = struct.unpack(">I", b[-len(mark) - 4:-len(mark)])[0]
    b = b[:-len(mark) - 12 - sig_len]
open(sys.argv[2], "wb").write(b)
PY
}
for m in $own; do unsign "$M55/$m" "$R/mods/$V55/kernel/$(basename "$m")"; done
for m in $stale; do unsign "$M54/$m" "$R/mods/$V55/updates/dkms/$(basename "$m")"; done
# and one stale module that stays signed, in the distribution's tree
cp "$M54/net/ipv4/esp4.ko" "$R/mods/$V55/kernel/esp4_stale.ko"
cp -r "$R/mods" "$R/mods.orig"
for d in install.d/45-btfcompat.install postinst.d/dkms-btfcompat postrm.d/dkms-btfcompat header_postinst.d/dkms-btfcompat; do
	ln -s "$HOOK" "$R/hooks/$d"
done
export BTFCOMPAT=$BIN BTFCOMPAT_MODULES_ROOT=$R/mods BTFCOMPAT_LOG_DIR=$R/log BTFCOMPAT_BOOT_DIR=$R/boot \
	BTFCOMPAT_HOOK_CONF=$R/hook.conf BTFCOMPAT_STORE=$R/store BTFCOMPAT_STATE_DIR=$R/state BTFCOMPAT_RUN_DIR=$R/run
conf() { printf '%s\n' "# test" "$@" > "$R/hook.conf"; }
kinstall() { # the real kernel-install, with only our plugin, boot files in $R
	KERNEL_INSTALL_PLUGINS=$R/hooks/install.d/45-btfcompat.install BOOT_ROOT=$R/boot MACHINE_ID=0123456789abcdef0123456789abcdef \
		kernel-install "$@"
}
same_tree() { diff -r "$R/mods.orig" "$R/mods" > /dev/null; }
log=$R/log/$V55.log

conf on_mismatch=warn
if command -v kernel-install > /dev/null; then
	out=$(kinstall add "$V55" "$R/boot/vmlinuz-$V55" 2>&1); rc=$?
	if [ $rc = 0 ] && echo "$out" | grep -q "$V55: 4 of 7 modules carry BTF that does not fit this kernel" &&
		[ "$(grep -cE '^/.*: mismatch; kernel: ' "$log")" = 4 ] && ! grep -qE '(af_key|ah4|nfs)\.ko: ' "$log" && same_tree; then
		pass install/kernel-install-add-warns
	else fail install/kernel-install-add-warns "rc=$rc $(echo "$out" | head -n 3 | tr '\n' '|') log: $(head -c 300 "$log")"; fi
	out=$(kinstall remove "$V55" 2>&1); rc=$?
	[ $rc = 0 ] && [ ! -e "$log" ] && pass install/kernel-install-remove-drops-report ||
		fail install/kernel-install-remove-drops-report "rc=$rc $out"
	conf on_mismatch=fail
	out=$(kinstall add "$V55" "$R/boot/vmlinuz-$V55" 2>&1); rc=$?
	[ $rc = 1 ] && echo "$out" | grep -q 'on_mismatch=fail' && same_tree && pass install/kernel-install-fail-stops ||
		fail install/kernel-install-fail-stops "rc=$rc $out"
else
	skip install/kernel-install "kernel-install not installed (systemd)"
fi

# Debian's kernel postinst: run-parts --arg=VER --arg=IMAGE /etc/kernel/postinst.d
conf on_mismatch=warn scope=updates
out=$(run-parts --arg="$V55" --arg="$R/boot/vmlinuz-$V55" "$R/hooks/postinst.d" 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "3 of 3 modules" && same_tree && pass install/postinst-scope-updates ||
	fail install/postinst-scope-updates "rc=$rc $out"
# after DKMS built for newly installed headers: only the version; the image is found in the boot folder
conf on_mismatch=strip
out=$(run-parts --arg="$V55" "$R/hooks/header_postinst.d" 2>&1); rc=$?
stripped=0 kept=0
for m in $stale; do
	f=$R/mods/$V55/updates/dkms/$(basename "$m")
	"$BIN" check -B "$R/boot/vmlinuz-$V55" "$f" 2>&1 | grep -q ': no-btf ' && stripped=$((stripped + 1))
done
for m in $own; do cmp -s "$R/mods.orig/$V55/kernel/$(basename "$m")" "$R/mods/$V55/kernel/$(basename "$m")" && kept=$((kept + 1)); done
cmp -s "$R/mods.orig/$V55/kernel/esp4_stale.ko" "$R/mods/$V55/kernel/esp4_stale.ko" && kept=$((kept + 1))
if [ $rc = 0 ] && [ $stripped = 3 ] && [ $kept = 4 ] && echo "$out" | grep -q 'stripped the BTF of 3 modules (on_mismatch=strip); kept 1 (strip_signed=yes' &&
	grep -q '^strip: .*/esp4_stale.ko: left as it is (not stripped: .*signed' "$log"; then
	pass install/header-postinst-strip-stale-keeps-own-and-signed
else fail install/header-postinst-strip-stale-keeps-own-and-signed "rc=$rc stripped=$stripped kept=$kept $out"; fi
# the same tree, the same policy: the check is not done twice (kernel-install called from postinst.d)
out=$(run-parts --arg="$V55" "$R/hooks/postinst.d" 2>&1)
echo "$out" | grep -q "^btfcompat: $V55: modules unchanged since the last check" && [ "$(echo "$out" | wc -l)" = 1 ] &&
	pass install/postinst-once-per-tree-state || fail install/postinst-once-per-tree-state "$out"
# now the tree fits but for the signed one; a run after a change strips nothing more
touch "$R/mods/$V55/kernel/af_key.ko"
out=$(run-parts --arg="$V55" "$R/hooks/postinst.d" 2>&1)
echo "$out" | grep -q "1 of 7 modules" && echo "$out" | grep -q 'stripped the BTF of 0 modules' && pass install/postinst-after-strip ||
	fail install/postinst-after-strip "$out"
out=$(run-parts --arg="$V55" --arg="$R/boot/vmlinuz-$V55" "$R/hooks/postrm.d" 2>&1); rc=$?
[ $rc = 0 ] && [ ! -e "$log" ] && pass install/postrm-drops-report || fail install/postrm-drops-report "rc=$rc $out"

# what must not stop an installation
conf enabled=yes colour=blue
out=$("$R/hooks/postinst.d/dkms-btfcompat" 9.9.9-none 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "hook.conf:3: ignoring unknown 'colour'" && echo "$out" | grep -q '9.9.9-none: no kernel image' &&
	pass install/hook-no-image-bad-conf-is-not-fatal || fail install/hook-no-image-bad-conf-is-not-fatal "rc=$rc $out"
head -c 5000 "$R/boot/vmlinuz-$V55" > "$R/boot/vmlinuz-9.9.9-broken"; mkdir -p "$R/mods/9.9.9-broken"
cp "$M55/net/key/af_key.ko" "$R/mods/9.9.9-broken/"
out=$("$R/hooks/postinst.d/dkms-btfcompat" 9.9.9-broken 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q '9.9.9-broken: the check failed: btfcompat: .*vmlinuz-9.9.9-broken' &&
	pass install/hook-broken-image-is-reported-not-fatal || fail install/hook-broken-image-is-reported-not-fatal "rc=$rc $out"
# a kernel whose modules all fit: one line, exit 0 even with on_mismatch=fail
conf on_mismatch=fail
ln -s "$R/boot/vmlinuz-$V55" "$R/boot/vmlinuz-9.9.9-fits"; mkdir -p "$R/mods/9.9.9-fits"
cp "$R/mods.orig/$V55/kernel/"{af_key,ah4,nfs}.ko "$R/mods/9.9.9-fits/"
out=$(run-parts --arg=9.9.9-fits "$R/hooks/postinst.d" 2>&1); rc=$?
[ $rc = 0 ] && [ "$out" = "btfcompat: 9.9.9-fits: 3 modules, BTF of all fits the kernel" ] &&
	pass install/hook-all-fit || fail install/hook-all-fit "rc=$rc $out"
conf enabled=no on_mismatch=fail
out=$(run-parts --arg="$V55" "$R/hooks/postinst.d" 2>&1); rc=$?
[ $rc = 0 ] && [ -z "$out" ] && [ ! -e "$log" ] && pass install/hook-disabled || fail install/hook-disabled "rc=$rc $out"

# ---- the hook on hostile input -----------------------------------------------------------------
PI=$R/hooks/postinst.d/dkms-btfcompat
fresh() { rm -rf "$R/mods" "$R/state" "$R/log"; cp -r "$R/mods.orig" "$R/mods"; }
# fleets: metrics_dir keeps btfcompat-VER.prom current (what the kernel boots with), removed with the kernel
fresh
mkdir -p "$R/prom"
conf on_mismatch=strip scope=updates "metrics_dir=$R/prom"
out=$("$PI" "$V55" 2>&1); rc=$?
prom=$R/prom/btfcompat-$V55.prom
if [ $rc = 0 ] && grep -q "^btfcompat_modules_outcome{kernel=\"$V55\",outcome=\"match\"} " "$prom" &&
	grep -q "^btfcompat_modules_outcome{kernel=\"$V55\",outcome=\"mismatch\"} 0" "$prom" && tail -n 1 "$prom" | grep -qx '# EOF' &&
	"$R/hooks/postrm.d/dkms-btfcompat" "$V55" > /dev/null 2>&1 && [ ! -e "$prom" ]; then
	pass install/hook-metrics-dir-current-after-strip-removed-with-kernel
else
	fail install/hook-metrics-dir-current-after-strip-removed-with-kernel "rc=$rc $(head -c 600 "$prom" 2>&1 | tr '\n' '|') $out"
fi
rm -rf "$R/prom"

# a module whose name reads like a finding: the hook acts on the file, never on a name read back
fresh
unsign "$M54/drivers/net/dummy.ko" "$R/mods/$V55/updates/dkms/evil: mismatch x.ko"
cp "$R/mods.orig/$V55/kernel/af_key.ko" "$R/mods/$V55/updates/dkms/evil"
conf on_mismatch=strip strip_signed=no scope=updates
out=$("$PI" "$V55" 2>&1); rc=$?
if [ $rc = 0 ] && cmp -s "$R/mods.orig/$V55/kernel/af_key.ko" "$R/mods/$V55/updates/dkms/evil" &&
	"$BIN" check -B "$R/boot/vmlinuz-$V55" "$R/mods/$V55/updates/dkms/evil: mismatch x.ko" | grep -q ': no-btf ' &&
	echo "$out" | grep -q "4 of 4 modules carry"; then
	pass install/hook-module-named-like-a-finding
else fail install/hook-module-named-like-a-finding "rc=$rc $(echo "$out" | head -n 4 | tr '\n' '|')"; fi
# versions that are not plain names: refused, nothing outside the log folder removed
mkdir -p "$R/victim"; : > "$R/victim/x.log"
out=$("$R/hooks/postrm.d/dkms-btfcompat" ../victim/x 2>&1); rc1=$?
out2=$("$PI" '' 2>&1; "$PI" '*' 2>&1; "$PI" 'a b' 2>&1); rc2=$?
[ $rc1 = 0 ] && [ -e "$R/victim/x.log" ] && echo "$out" | grep -q "refusing kernel version '../victim/x'" &&
	[ "$(echo "$out2" | grep -c 'refusing kernel version')" = 3 ] && pass install/hook-refuses-odd-versions ||
	fail install/hook-refuses-odd-versions "rc=$rc1/$rc2 $out | $out2"
# CR LF: on_mismatch=fail is read as fail, with a warning; an unknown value is an error
fresh
printf 'on_mismatch=fail\r\nscope=updates\r\n' > "$R/hook.conf"
out=$("$PI" "$V55" 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q 'hook.conf:1: a DOS line end' && echo "$out" | grep -q 'on_mismatch=fail: stopping' &&
	pass install/hook-conf-crlf-keeps-fail || fail install/hook-conf-crlf-keeps-fail "rc=$rc $(echo "$out" | head -n 3 | tr '\n' '|')"
conf on_mismatch=fial; rm -f "$log"
out=$("$PI" "$V55" 2>&1); rc=$?
[ -e "$log" ] && rc="$rc(log written)"
out2=$(BTFCOMPAT_HOOK=warn "$PI" "$V55" 2>&1); rc2=$?
[ $rc = 1 ] && echo "$out" | grep -q "hook.conf:2: 'fial' is not a value of on_mismatch" &&
	[ $rc2 = 0 ] && echo "$out2" | grep -q "4 of 7 modules carry" && pass install/hook-conf-bad-value-fails-env-overrides ||
	fail install/hook-conf-bad-value-fails-env-overrides "rc=$rc $out | rc=$rc2 $(echo "$out2" | head -n 2)"
# drop-ins come after hook.conf; a sign_key path keeps its blanks
fresh
mkdir -p "$R/hook.conf.d"
conf on_mismatch=fail
printf '%s\n' 'on_mismatch = "warn"  # drop-in' 'sign_key=/a dir/mok.key' > "$R/hook.conf.d/10-local.conf"
out=$(BTFCOMPAT_HOOK_CONF=$R/hook.conf "$PI" "$V55" 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "4 of 7 modules carry" && ! echo "$out" | grep -q 'hook.conf' &&
	pass install/hook-conf-d-drop-in || fail install/hook-conf-d-drop-in "rc=$rc $(echo "$out" | head -n 3 | tr '\n' '|')"
rm -rf "$R/hook.conf.d"
# an empty module is reported and counted; the policy still applies to the others; fail fails on it
fresh
: > "$R/mods/$V55/updates/dkms/empty.ko"
conf on_mismatch=strip scope=updates
out=$("$PI" "$V55" 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "stripped the BTF of 3 modules" && grep -q 'empty.ko: unreadable: empty file' "$log" &&
	grep -q '^summary: 4 modules .* 3 stale .* 1 unreadable; 3 repaired' "$log" && pass install/hook-unreadable-counted-policy-applies ||
	fail install/hook-unreadable-counted-policy-applies "rc=$rc $(echo "$out" | tail -n 3 | tr '\n' '|')"
fresh
: > "$R/mods/$V55/updates/dkms/empty.ko"
rm "$R/mods/$V55/updates/dkms/"{xfrm_algo,cast6_generic,dummy}.ko
conf on_mismatch=fail scope=updates
out=$("$PI" "$V55" 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q '0 stale, 1 unreadable modules' && pass install/hook-fail-on-unreadable ||
	fail install/hook-fail-on-unreadable "rc=$rc $(echo "$out" | tail -n 2 | tr '\n' '|')"
# a module link (DKMS symlink_modules): checked and repaired at the file it names, the link kept
fresh
mkdir -p "$R/dkms/demo/1.0/$V55/x86_64/module"
mv "$R/mods/$V55/updates/dkms/dummy.ko" "$R/dkms/demo/1.0/$V55/x86_64/module/dummy.ko"
ln -s "$R/dkms/demo/1.0/$V55/x86_64/module/dummy.ko" "$R/mods/$V55/updates/dkms/dummy.ko"
conf on_mismatch=strip scope=updates
out=$(BTFCOMPAT_DKMS_TREE=$R/dkms "$PI" "$V55" 2>&1); rc=$?
[ $rc = 0 ] && [ -L "$R/mods/$V55/updates/dkms/dummy.ko" ] && echo "$out" | grep -q '3 of 3 modules (1 of them links) carry' &&
	"$BIN" check -B "$R/boot/vmlinuz-$V55" "$R/dkms/demo/1.0/$V55/x86_64/module/dummy.ko" | grep -q ': no-btf ' &&
	pass install/hook-link-repaired-at-target || fail install/hook-link-repaired-at-target "rc=$rc $(echo "$out" | head -n 3 | tr '\n' '|')"
# DKMS's built copy of a module installed as a copy is repaired with it
fresh
mkdir -p "$R/dkms2/demo/1.0/$V55/x86_64/module"
cp "$R/mods/$V55/updates/dkms/dummy.ko" "$R/dkms2/demo/1.0/$V55/x86_64/module/dummy.ko"
out=$(BTFCOMPAT_DKMS_TREE=$R/dkms2 "$PI" "$V55" 2>&1); rc=$?
[ $rc = 0 ] && cmp -s "$R/mods/$V55/updates/dkms/dummy.ko" "$R/dkms2/demo/1.0/$V55/x86_64/module/dummy.ko" &&
	! cmp -s "$R/mods.orig/$V55/updates/dkms/dummy.ko" "$R/mods/$V55/updates/dkms/dummy.ko" &&
	grep -q "DKMS's built copy .* repaired the same way" "$log" && pass install/hook-dkms-built-copy-follows ||
	fail install/hook-dkms-built-copy-follows "rc=$rc $(grep -i dkms "$log" | head -n 2)"
# a full log folder: the log is lost, the counts are not
fresh
conf on_mismatch=warn scope=updates
mkdir -p "$R/fulllog"
if mount -t tmpfs -o size=8k tmpfs "$R/fulllog" 2> /dev/null; then
	head -c 8192 /dev/zero > "$R/fulllog/fill" 2> /dev/null
	out=$(BTFCOMPAT_LOG_DIR=$R/fulllog "$PI" "$V55" 2>&1); rc=$?
	umount "$R/fulllog"
	[ $rc = 0 ] && echo "$out" | grep -q "3 of 3 modules carry" && echo "$out" | grep -q 'could not write' &&
		echo "$out" | grep -q 'summary: 3 modules (0 links): 0 fit, 0 without BTF, 3 stale' && pass install/hook-full-log-dir-counts-right ||
		fail install/hook-full-log-dir-counts-right "rc=$rc $(echo "$out" | tail -n 3 | tr '\n' '|')"
else skip install/hook-full-log-dir-counts-right "cannot mount a tmpfs"; fi
# two hooks for one kernel at once: serialised; the second finds the check done, same counts
fresh
"$PI" "$V55" > "$R/h1.out" 2>&1 & p1=$!
"$PI" "$V55" > "$R/h2.out" 2>&1 & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
n=$(cat "$R/h1.out" "$R/h2.out" | grep -c 'summary: 3 modules (0 links): 0 fit, 0 without BTF, 3 stale')
[ $r1 = 0 ] && [ $r2 = 0 ] && [ "$n" = 2 ] && [ "$(cat "$R/h1.out" "$R/h2.out" | grep -c 'modules unchanged since the last check')" = 1 ] &&
	pass install/hook-concurrent-serialised || fail install/hook-concurrent-serialised "rc $r1/$r2: $(cat "$R/h1.out" "$R/h2.out" | tr '\n' '|' | cut -c1-400)"

# ---- the hook on other architectures' kernels reports what it reports on x86 -----------------------
# hook_tree DIR VER NEWROOT [OLDROOT OLDVER] LAYOUT: in a fresh system DIR, kernel VER has af_key, ah4,
# nfs of its own and (OLDROOT given) xfrm_algo, cast6_generic, dummy from OLDVER in updates/dkms
# (unsigned, as DKMS builds them); its image and config in /boot (LAYOUT boot) or beside the modules
# (LAYOUT modules). Prints what the postinst hook, given only VER, says (VER for the version).
hook_tree() {
	local h=$1 ver=$2 new=$3 old=$4 ov=$5 layout=$6 nm om m img f
	nm=$new/lib/modules/$ver; [ -d "$nm" ] || nm=$new/usr/lib/modules/$ver
	om=$old/lib/modules/$ov; [ -d "$om" ] || om=$old/usr/lib/modules/$ov
	mkdir -p "$h/boot" "$h/log" "$h/mods/$ver/kernel" "$h/mods/$ver/updates/dkms"
	for f in "$new/boot/vmlinuz-$ver" "$new/usr/lib/modules/$ver/vmlinuz"; do [ -f "$f" ] && img=$f; done
	if [ "$layout" = boot ]; then cp "$img" "$h/boot/vmlinuz-$ver"; cp "$new/boot/config-$ver" "$h/boot/"
	else cp "$img" "$h/mods/$ver/vmlinuz"; cp "$new/boot/config-$ver" "$h/mods/$ver/config"; fi
	for m in net/key/af_key net/ipv4/ah4 fs/nfs/nfs; do
		f=$(ls "$nm/kernel/$m.ko"* | head -n1)
		case $f in *.xz) xz -dc "$f" > "$h/m.ko"; f=$h/m.ko ;; esac
		unsign "$f" "$h/mods/$ver/kernel/$(basename "$m").ko"
	done
	for m in net/xfrm/xfrm_algo crypto/cast6_generic drivers/net/dummy; do
		[ -n "$old" ] || break
		unsign "$(ls "$om/kernel/$m.ko"* | head -n1)" "$h/mods/$ver/updates/dkms/$(basename "$m").ko"
	done
	rm -f "$h/m.ko"
	BTFCOMPAT_MODULES_ROOT=$h/mods BTFCOMPAT_BOOT_DIR=$h/boot BTFCOMPAT_LOG_DIR=$h/log \
		run-parts --arg="$ver" "$R/hooks/postinst.d" 2>&1 | sed "s/$ver/VER/g"
}
conf on_mismatch=warn
A55=${BTFC_ARM61B} A54=${BTFC_ARM61A} S=${BTFC_S390A}
# the same report but for the kernel's action on each module (how many are accepted with wrong types
# depends on the architecture's own types)
nowrong() { sed 's/ ([0-9]* would be accepted with wrong types)//; s/ ([0-9]* accepted with wrong types)//; s|/tmp/[^ ]*/h-[a-z0-9-]*/||g; s/; kernel: .*//'; }
if KA55=$("$TOP/scripts/corpus.sh" --path $A55 2>/dev/null) && KA54=$("$TOP/scripts/corpus.sh" --path $A54 2>/dev/null); then
	x86=$(hook_tree "$TMP/h-x86" "$V55" "$K55" "$K54" "$V54" boot | nowrong)
	arm=$(hook_tree "$TMP/h-arm64" $A55 "$KA55" "$KA54" $A54 boot | nowrong)
	[ -n "$x86" ] && [ "$arm" = "$x86" ] && echo "$x86" | grep -q 'VER: 3 of 6 modules carry BTF that does not fit' &&
		pass install/hook-arm64-as-on-x86 || fail install/hook-arm64-as-on-x86 "x86: $x86 | arm64: $arm"
else skip install/hook-arm64 "arm64 corpus unavailable"; fi
if KS=$("$TOP/scripts/corpus.sh" --path $S 2>/dev/null); then
	# its own modules only (Debian's pool has one s390x build with BTF); the image beside them, not in /boot
	x86=$(hook_tree "$TMP/h-x86-own" "$V55" "$K55" "" "" modules)
	s390=$(hook_tree "$TMP/h-s390x" $S "$KS" "" "" modules)
	[ "$x86" = "btfcompat: VER: 3 modules, BTF of all fits the kernel" ] && [ "$s390" = "$x86" ] &&
		pass install/hook-s390x-as-on-x86 ||
		fail install/hook-s390x-as-on-x86 "x86: $x86 | s390x: $(echo "$s390" | head -n 1)"
else skip install/hook-s390x "s390x corpus unavailable"; fi
