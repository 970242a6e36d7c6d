#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# `make CC=clang HOSTCC=gcc bindeb-pkg` on the patched and on the unpatched
# kernel tree (kernel/7.2, and kernel/6.12, the backport): v1 of the series
# broke it, because a host program under scripts/ included kernel/bpf/ files
# and scripts/package/install-extmod-build rebuilds scripts/ with $CC inside
# the headers package, which ships no kernel/bpf/. For each tree it builds a
# small config (tinyconfig + tests/kernel/config.fragment + the version's
# extra lines, MODULE_BTF_BASE_CHECKSUM on) and checks:
#  * bindeb-pkg exits 0 and writes linux-image and linux-headers packages;
#  * the headers package's scripts were rebuilt with $CC (its modpost is
#    clang's, the build tree's is gcc's) and it ships resolve_btfids (the
#    patched one knows --btf_base_checksum) and scripts/gen-btf.sh (7.2);
#  * an M= module builds against the unpacked headers package (with the dbg
#    package's vmlinux: kbuild needs one for module BTF) and gets .BTF;
#  * patched only: the image package's in-tree modules carry the stamp.
# Heavy (four kernel builds with clang, ~10 min each on 2 cores): on demand
# only, never in tests/run-all.sh. It skips unless BTFC_KERNEL_PKG=1:
#   BTFC_KERNEL_PKG=1 tests/kernel_pkg.sh BTFCOMPAT [7.2] [6.12]
# (meson: `BTFC_KERNEL_PKG=1 meson test -C build kernel-pkg`). The source
# trees: tests/kernel/series-tree.sh; the package builds are cached in
# ${BTFCOMPAT_CACHE:-~/.cache/btfcompat}/kernel-VERSION/pkg-TAG-KEY (debs,
# logs, the build tree in o/).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
. "$TOP/tests/kernel/series-tree.sh"
CACHE=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}
W=${BTFC_TEST_WORK:-$CACHE/test-work}/kernel-pkg
T=kernel-pkg
shift
VERSIONS=("$@"); [ ${#VERSIONS[@]} -gt 0 ] || VERSIONS=(7.2 6.12)
[ "${BTFC_KERNEL_PKG:-0}" = 1 ] || { skip $T "on demand: BTFC_KERNEL_PKG=1 tests/kernel_pkg.sh BTFCOMPAT"; exit 0; }
# clang: the newest of these, at least 17 (7.2's minimum LLVM); clang-19 from Debian 12 otherwise
CLANG=
for c in clang-22 clang-21 clang-20 clang-19 clang-18 clang-17; do command -v $c > /dev/null && { CLANG=$c; break; }; done
if [ -z "$CLANG" ] && [ "$(id -u)" = 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq clang-19 > /dev/null 2>&1 && CLANG=clang-19
fi
[ -n "$CLANG" ] || { skip $T "no clang >= 17 (apt-get install clang-19)"; exit 0; }
# what bindeb-pkg's build dependencies name (dpkg-checkbuilddeps) besides the kernel build's own
DEPS="dpkg-dev rsync libdw-dev"
if ! dpkg -s $DEPS > /dev/null 2>&1; then
	[ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq $DEPS > /dev/null 2>&1 ||
		{ skip $T "cannot install $DEPS"; exit 0; }
fi
rm -rf "$W"; mkdir -p "$W"

pkg() { # VERSION TAG SRC SETS...: configure and bindeb-pkg into the cache; sets P (the directory)
	local v=$1 tag=$2 src=$3 key rc; shift 3
	# the inputs: the series' patches that touch the kernel (none for the unpatched tree; a patch
	# that only adds tools/testing/ files changes no package), the source, config, compiler, recipe
	key=$({ [ "$tag" = patched ] && for p in "$TOP"/kernel/"$v"/*.patch; do
			grep '^+++ b/' "$p" | grep -qv '^+++ b/tools/testing/' && cat "$p"
		done; cat "$PRISTINE/.btfc-extracted"
		cat "$TOP/tests/kernel/config.fragment"; printf '%s\n' "$@"
		"$CLANG" --version | head -n 1; sed -n '/^# pkg-recipe-start/,/^# pkg-recipe-end/p' "$0"; } | sha256sum | cut -c1-12)
	P=$CACHE/kernel-$v/pkg-$tag-$key
	[ -f "$P/.btfc-done" ] && return 0
	rm -rf "$P"; mkdir -p "$P/o"
	# pkg-recipe-start
	{ nice -n 10 make -C "$src" O="$P/o" CC="$CLANG" HOSTCC=gcc -s tinyconfig &&
	  "$src/scripts/kconfig/merge_config.sh" -m -O "$P/o" "$P/o/.config" "$TOP/tests/kernel/config.fragment" <(printf '%s\n' "$@") &&
	  nice -n 10 make -C "$src" O="$P/o" CC="$CLANG" HOSTCC=gcc -s olddefconfig; } > "$P/config.log" 2>&1 ||
		{ fail "$T/$v-$tag-config" "$(tail -n 3 "$P/config.log")"; return 1; }
	# the debs land in O's parent, $P
	nice -n 10 make -C "$src" O="$P/o" CC="$CLANG" HOSTCC=gcc -j2 bindeb-pkg > "$P/build.log" 2>&1; rc=$?
	# pkg-recipe-end
	echo "$rc" > "$P/rc"
	# a failure is not cached: the next run builds again
	[ "$rc" = 0 ] && touch "$P/.btfc-done"
	return 0
}

for v in "${VERSIONS[@]}"; do
	case $v in
	7.2) EXTRA=("# CONFIG_CRC_ITU_T is not set" CONFIG_NETDEVICES=y CONFIG_NET_CORE=y CONFIG_DUMMY=m)
	     MODS="fs/binfmt_misc.ko net/packet/af_packet.ko drivers/net/dummy.ko" ;;
	6.12) EXTRA=() MODS="fs/binfmt_misc.ko net/packet/af_packet.ko lib/crc-itu-t.ko" ;;
	*) fail "$T/$v" "unknown version (7.2 or 6.12)"; continue ;;
	esac
	series_tree "$v" 2> "$W/tree-$v.err"; rc=$?
	[ $rc = 3 ] && { skip "$T/$v" "no linux-source-$v: $(tail -n 1 "$W/tree-$v.err")"; continue; }
	[ $rc = 0 ] || { fail "$T/$v-tree" "$(tail -n 3 "$W/tree-$v.err")"; continue; }
	for tag in patched unpatched; do
		case $tag in patched) src=$PATCHED ;; unpatched) src=$PRISTINE ;; esac
		pkg "$v" "$tag" "$src" "${EXTRA[@]}" CONFIG_MODULE_BTF_BASE_CHECKSUM=y || continue
		n=$T/$v-$tag
		rc=$(cat "$P/rc")
		img=$(ls "$P"/linux-image-[0-9]*.deb 2>/dev/null | grep -v dbg | head -n 1)
		hdr=$(ls "$P"/linux-headers-*.deb 2>/dev/null | head -n 1)
		[ "$rc" = 0 ] && [ -n "$img" ] && [ -n "$hdr" ] &&
			pass "$n-bindeb-pkg: CC=$CLANG HOSTCC=gcc, rc 0, $(ls "$P"/*.deb | xargs -n1 basename | cut -d_ -f1 | paste -sd' ')" ||
			{ fail "$n-bindeb-pkg" "rc $rc: $(grep -m 3 -E 'error|Error' "$P/build.log" | tr '\n' '|')"; continue; }
		rm -rf "$W/$v-$tag"; mkdir -p "$W/$v-$tag"
		dpkg-deb -x "$hdr" "$W/$v-$tag/h"; dpkg-deb -x "$img" "$W/$v-$tag/i"
		H=$(ls -d "$W/$v-$tag"/h/usr/src/linux-headers-* | head -n 1)
		# install-extmod-build rebuilt scripts/ with $CC: modpost in the package is clang's, the build tree's gcc's
		if readelf -p .comment "$H/scripts/mod/modpost" 2>/dev/null | grep -q 'clang version' &&
		   ! readelf -p .comment "$P/o/scripts/mod/modpost" | grep -q 'clang version' &&
		   readelf -p .comment "$P/o/scripts/mod/modpost" | grep -q 'GCC'; then
			pass "$n-headers-scripts-rebuilt: the package's scripts/mod/modpost built by $CLANG (the build tree's by gcc)"
		else
			fail "$n-headers-scripts-rebuilt" "$(readelf -p .comment "$H/scripts/mod/modpost" 2>&1 | grep -v '^$' | tail -n 2 | tr '\n' '|')"
		fi
		r=$H/tools/bpf/resolve_btfids/resolve_btfids
		want="$r"; [ "$v" = 7.2 ] && want="$want $H/scripts/gen-btf.sh"
		bad=; for f in $want; do [ -x "$f" ] || bad="$bad ${f#"$H"/}"; done
		if [ "$tag" = patched ]; then
			"$r" --help 2>&1 | grep -q -- '--btf_base_checksum' || bad="$bad resolve_btfids(no --btf_base_checksum)"
		else
			"$r" --help 2>&1 | grep -q -- '--btf_base_checksum' && bad="$bad resolve_btfids(has --btf_base_checksum)"
		fi
		[ -z "$bad" ] && pass "$n-headers-btf-tools: resolve_btfids$([ "$v" = 7.2 ] && echo ' and scripts/gen-btf.sh') in the headers package" ||
			fail "$n-headers-btf-tools" "$bad"
		# an M= module against the unpacked headers package (its Makefile, scripts and resolve_btfids)
		# and the dbg package's vmlinux (without a vmlinux, kbuild skips module BTF)
		dbg=$(ls "$P"/linux-image-*-dbg_*.deb 2>/dev/null | head -n 1)
		rm -rf "$W/$v-$tag/ext" "$W/$v-$tag/d"; cp -r "$TOP/tests/kernel/extmod" "$W/$v-$tag/ext"
		[ -n "$dbg" ] && dpkg-deb -x "$dbg" "$W/$v-$tag/d" && cp "$(find "$W/$v-$tag/d" -name vmlinux | head -n 1)" "$H/vmlinux"
		if [ -f "$H/vmlinux" ] && nice -n 10 make -C "$H" M="$W/$v-$tag/ext" CC="$CLANG" HOSTCC=gcc modules > "$W/$v-$tag/ext.log" 2>&1 &&
		   readelf -SW "$W/$v-$tag/ext/btfc_extdemo.ko" | grep -qF ' .BTF '; then
			pass "$n-extmod-from-headers: M= module built against the headers package (+ the dbg package's vmlinux), with .BTF$(
				readelf -SW "$W/$v-$tag/ext/btfc_extdemo.ko" | grep -qF ' .BTF.base ' && echo ' and .BTF.base')"
		else
			fail "$n-extmod-from-headers" "$(grep -m 3 -iE 'error|no such|skipping' "$W/$v-$tag/ext.log" | tr '\n' '|')"
		fi
		if [ "$tag" = patched ]; then
			bad='' nm=0
			for m in $MODS; do
				f=$(find "$W/$v-$tag/i/lib/modules" -path "*/$m" | head -n 1)
				[ -n "$f" ] && readelf -SW "$f" | grep -qF ' .BTF.base_checksum ' && nm=$((nm + 1)) || bad="$bad $m"
			done
			[ -z "$bad" ] && pass "$n-image-modules-stamped: $nm in-tree modules in the image package carry .BTF.base_checksum" ||
				fail "$n-image-modules-stamped" "$bad"
		fi
	done
done
exit 0
