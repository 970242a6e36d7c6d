#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# The kernel series adds no compiler (W=1) or sparse (C=1) warning: the
# objects it touches are compiled with `make C=2 W=1` (C=2: sparse on every
# object named, built or not) in the patched and in the unpatched tree
# (tests/kernel/series-tree.sh), with the same config (kernel A's of
# tests/kernel_stamp72.sh: tinyconfig + the fragment + KUnit,
# MODULE_BTF_BASE_CHECKSUM on; for 6.12 tests/kernel_stamp.sh's), and every warning the patched tree reports that the unpatched
# one does not (compared as file: message, without line numbers) is a FAIL.
# Objects: kernel/bpf/btf.o (with the series' KUnit file, which btf.c
# includes) and kernel/module/; resolve_btfids (a host tool: no sparse) is
# recompiled with its build's own command line plus the kernel's default and
# W=1 C warning flags (scripts/Makefile.warn). sparse comes from apt-get; the
# suite skips when it cannot be installed.
#   tests/kernel_warn.sh BTFCOMPAT [7.2] [6.12]   (default: both)
# Scratch build trees in ${BTFC_TEST_WORK:-~/.cache/btfcompat/test-work}/kernel-warn
# (about 2 min of `make prepare` per tree).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
. "$TOP/tests/kernel/series-tree.sh"
CACHE=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}
W=${BTFC_TEST_WORK:-$CACHE/test-work}/kernel-warn
T=kernel-warn
shift
VERSIONS=("$@"); [ ${#VERSIONS[@]} -gt 0 ] || VERSIONS=(7.2 6.12)
if ! command -v sparse > /dev/null; then
	[ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq sparse > /dev/null 2>&1
	command -v sparse > /dev/null || { skip $T "sparse not installed and not installable (apt-get install sparse)"; exit 0; }
fi
rm -rf "$W"; mkdir -p "$W"
# scripts/Makefile.warn: the default C warnings and W=1's
HOSTW="-Wall -Wextra -Wundef -Wmissing-declarations -Wmissing-prototypes -Wmissing-format-attribute -Wmissing-include-dirs -Wunused-const-variable"
OBJS="kernel/bpf/btf.o kernel/module/"

warnings() { # SRC OUT LOG: the warning lines, as "file: message", sorted
	sed -n 's/\x1b\[[0-9;]*m//g; s/^\([^ :]*\):[0-9]*:[0-9]*: \(warning\|error\): /\1: \2: /p; s/^\([^ :]*\):[0-9]*: \(warning\|error\): /\1: \2: /p' "$3" |
		sed -e "s|^$1/||" -e "s|^$2/||" -e 's|^\./||' | sort
}
for v in "${VERSIONS[@]}"; do
	case $v in
	7.2) SETS=("# CONFIG_CRC_ITU_T is not set" CONFIG_NETDEVICES=y CONFIG_NET_CORE=y CONFIG_DUMMY=m
		CONFIG_MODULE_BTF_BASE_CHECKSUM=y CONFIG_KUNIT=y CONFIG_MODULE_BTF_BASE_CHECKSUM_KUNIT_TEST=y) ;;
	6.12) SETS=(CONFIG_MODULE_BTF_BASE_CHECKSUM=y) ;;
	*) fail "$T/$v" "unknown version (7.2 or 6.12)"; continue ;;
	esac
	series_tree "$v" 2> "$W/tree-$v.err"; rc=$?
	[ $rc = 3 ] && { skip "$T/$v" "no linux-source-$v: $(tail -n 1 "$W/tree-$v.err")"; continue; }
	[ $rc = 0 ] || { fail "$T/$v-tree" "$(tail -n 3 "$W/tree-$v.err")"; continue; }
	ok=1
	for tag in patched unpatched; do
		case $tag in patched) src=$PATCHED ;; unpatched) src=$PRISTINE ;; esac
		o=$W/$v-$tag; mkdir -p "$o"
		# the config of scripts/kernel-build.sh: tinyconfig + the fragment + SETS
		if ! { nice -n 10 make -C "$src" O="$o" -s tinyconfig &&
		       "$src/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" "$TOP/tests/kernel/config.fragment" <(printf '%s\n' "${SETS[@]}") &&
		       nice -n 10 make -C "$src" O="$o" -s olddefconfig && nice -n 10 make -C "$src" O="$o" -j2 prepare; } > "$o/prepare.log" 2>&1; then
			fail "$T/$v-$tag-prepare" "$(grep -m 3 -E 'error|Error' "$o/prepare.log" | tr '\n' '|')"; ok=0; continue
		fi
		# 7.2's scripts/checker-valid.sh wants __typeof_unqual__ (sparse > 0.6.4, Debian 12 has 0.6.4):
		# then sparse reads it as __typeof__ (qualifiers kept), in both trees alike
		CF=
		if [ -x "$src/scripts/checker-valid.sh" ] && [ "$("$src/scripts/checker-valid.sh" sparse)" != 1 ] &&
		   [ "$("$src/scripts/checker-valid.sh" sparse -D__typeof_unqual__=__typeof__)" = 1 ]; then
			CF=-D__typeof_unqual__=__typeof__
		fi
		# shellcheck disable=SC2086
		nice -n 10 make -C "$src" O="$o" -j2 C=2 W=1 CF="$CF" $OBJS > "$o/kernel.log" 2>&1 ||
			{ fail "$T/$v-$tag-build" "$(grep -m 3 -E 'error|Error' "$o/kernel.log" | tr '\n' '|')"; ok=0; continue; }
		if grep -q 'specified, but .* is not available' "$o/kernel.log" || ! grep -q '^  CHECK   .*kernel/bpf/btf.c' "$o/kernel.log" ||
		   ! grep -q '^  CHECK   .*kernel/module/main.c' "$o/kernel.log"; then
			fail "$T/$v-$tag-sparse-ran" "no CHECK line for btf.c and module/main.c: $(grep -m 1 'C=2' "$o/kernel.log")"; ok=0; continue
		fi
		# resolve_btfids' main.c: its own command line from the build (.main.o.cmd) plus the flags,
		# -Wno-error last (it builds with -Werror: a new warning would stop at the first)
		cmd=$(sed -n 's/^cmd_[^ ]*main\.o := //p' "$o/tools/bpf/resolve_btfids/.main.o.cmd" 2>/dev/null)
		[ -n "$cmd" ] || { fail "$T/$v-$tag-resolve_btfids" "no .main.o.cmd in the prepared tree"; ok=0; continue; }
		(cd "$src/tools/bpf/resolve_btfids" && eval "${cmd//\$(pound)/#} $HOSTW -Wno-error") > "$o/rb.log" 2>&1 ||
			{ fail "$T/$v-$tag-resolve_btfids" "$(grep -m 3 -E 'error' "$o/rb.log" | tr '\n' '|')"; ok=0; continue; }
		warnings "$src" "$o" "$o/kernel.log" > "$o/kernel.w"
		warnings "$src" "$o" "$o/rb.log" > "$o/rb.w"
	done
	[ $ok = 1 ] || continue
	P=$W/$v-patched U=$W/$v-unpatched
	new=$(comm -23 "$P/kernel.w" "$U/kernel.w")
	[ -z "$new" ] && pass "$T/$v-no-new-C2-W1-warnings: $OBJS with sparse $(sparse --version)${CF:+ (CF=$CF)} and W=1: $(wc -l < "$P/kernel.w") diagnostics patched, $(wc -l < "$U/kernel.w") unpatched, none new" ||
		fail "$T/$v-no-new-C2-W1-warnings" "$(head -n 5 <<< "$new" | tr '\n' '|')"
	new=$(comm -23 "$P/rb.w" "$U/rb.w")
	[ -z "$new" ] && pass "$T/$v-resolve_btfids-no-new-warnings: main.c with the kernel's C warnings and W=1's: $(wc -l < "$P/rb.w") patched, $(wc -l < "$U/rb.w") unpatched, none new" ||
		fail "$T/$v-resolve_btfids-no-new-warnings" "$(head -n 5 <<< "$new" | tr '\n' '|')"
done
exit 0
