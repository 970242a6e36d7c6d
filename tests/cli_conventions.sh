#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# The command line's conventions (issue 21), as bpftool, pahole, kmod and dkms keep them:
#  * the public headers compile as C++ (the test_cxx program exists: a C++ compiler was there);
#  * the man pages carry the version --version prints;
#  * -j/--json and -p/--pretty before and after the verb; help [VERB], version;
#  * every option each verb's getopt table accepts (read from the source) is in its --help, and
#    every option --help lists is accepted;
#  * bash and zsh completion complete every verb and every option, and are installed where
#    Debian's bash-completion and zsh look;
#  * --color=always|never|auto and NO_COLOR; -q prints nothing but errors;
#  * every verb's -j output validates against docs/schema/VERB.json, a file that cannot be read is
#    an object with its error, booleans are true/false;
#  * relocate: one summary line per changed type (-v, -j: every member);
#  * scan --metrics: OpenMetrics text a real parser reads, counts equal to scan -j's, written by rename.
#   tests/cli_conventions.sh BUILD/btfcompat
set -u
BIN=$(realpath "$1")
BUILD=$(dirname "$BIN")
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
TMP=$(mktemp -d "${BTFC_TEST_WORK:-/tmp}/cli-conv.XXXXXX" 2>/dev/null || mktemp -d); trap 'rm -rf "$TMP"' EXIT
PY=/usr/bin/python3 # Debian's, with python3-jsonschema and python3-prometheus-client (scripts/setup.sh)
[ -x $PY ] || PY=python3

# ---- C++
[ -x "$BUILD/tests/test_cxx" ] && pass cxx/test-program-built ||
	fail cxx/test-program-built "no $BUILD/tests/test_cxx: no C++ compiler when meson was set up (scripts/setup.sh installs g++)"

# ---- man pages: the version --version prints
ver=$("$BIN" --version | awk '{ print $2 }')
for m in btfcompat.1 libbtfcompat.3 btfcompat-kernel-hook.8; do
	th=$(grep -m1 '^\.TH' "$BUILD/$m" 2>/dev/null)
	mv=$(echo "$th" | sed -n 's/.*"btfcompat \([^"]*\)".*/\1/p')
	[ -n "$ver" ] && [ "$mv" = "$ver" ] && pass "man/$m-version-is-$ver" || fail "man/$m-version" "'$th' vs --version '$ver'"
done
[ "$("$BIN" version)" = "$("$BIN" --version)" ] && [ "$("$BIN" -V)" = "$("$BIN" --version)" ] &&
	pass cli/version-verb || fail cli/version-verb "$("$BIN" version 2>&1)"

# ---- help
verbs=$("$BIN" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
[ "$(echo $verbs | wc -w)" -ge 12 ] || fail cli/verbs "only '$verbs' in --help"
[ "$("$BIN" help)" = "$("$BIN" --help)" ] && pass cli/help-verb || fail cli/help-verb "help differs from --help"
"$BIN" help no-such-verb > /dev/null 2>&1; [ $? = 2 ] && pass cli/help-unknown-verb-exit-2 || fail cli/help-unknown-verb-exit-2
# every option of the verb's getopt table (its source) in VERB --help, short letters with their long name
src_opts() { # VERB: "name:X" for every { "name", ..., NULL, 'X' } (or a named constant) of cmd_VERB.c and its macros
	local f=$TOP/cli/cmd_$1.c
	{ cat "$f"; for m in $(grep -oE 'CLI_[A-Z_]*OPTTAB' "$f" | sort -u); do
		sed -n "/#define $m/,/[^\\\\]\$/p" "$TOP/cli/cli.h"; done; } |
		grep -oE '\{ "[a-z][a-z-]*", (no|required|optional)_argument, NULL, [^,]*' |
		sed -E "s/\\{ \"([a-z-]*)\".*NULL, '?([^',]*)'?/\\1:\\2/" | sort -u
}
bad=
for v in $verbs; do
	h1=$("$BIN" "$v" --help); h2=$("$BIN" help "$v"); h3=$("$BIN" "$v" -h)
	[ "$h1" = "$h2" ] && [ "$h1" = "$h3" ] || bad="$bad $v(help, --help and -h differ)"
	n=0
	for o in $(src_opts "$v"); do
		n=$((n + 1))
		name=${o%%:*} val=${o#*:}
		line=$(echo "$h1" | grep -E -- "^  (-., )?    --$name( |$)|^  -., --$name( |$)")
		[ -n "$line" ] || { bad="$bad $v:--$name(not in --help)"; continue; }
		# a one-letter value is a short option when the verb's .shortopts has it
		shorts=$(sed -n 's/.*\.shortopts = "\([^"]*\)".*/\1/p' "$TOP/cli/cmd_$v.c" | sed 's/" CLI_REWRITE_OPTS/fnb/')
		if [ ${#val} = 1 ] && [[ $shorts == *"$val"* ]]; then
			echo "$line" | grep -q -- "^  -$val, --$name" || bad="$bad $v:-$val(not shown with --$name)"
		fi
	done
	[ $n -ge 1 ] || [ "$v" = none ] || bad="$bad $v(no options found in its source)"
	for c in json pretty quiet color max-module-size help; do
		echo "$h1" | grep -q -- "--$c" || bad="$bad $v:--$c(common, not in --help)"
	done
	# every option --help lists is accepted (not "unknown"); what it takes given as its first value
	while IFS=$'\n' read -r l; do
		o=$(echo "$l" | awk '{ print $1 }' | tr -d ,); [ "$o" = "${o#-}" ] && continue
		long=$(echo "$l" | grep -oE -- '--[a-z][a-z-]*' | head -n 1)
		arg=$("$BIN" help --list "$v" | awk -F'\t' -v o="$long" '$1 == o { print $2 "\t" $3 }')
		a=(); if [ -n "${arg%%	*}" ]; then w=${arg#*	}; case $w in @*|'') a=(1) ;; *) a=("${w%% *}") ;; esac; fi
		case $long in --help) continue ;; esac
		pre=(); [ "$v" = store ] && pre=(list --store "$TMP/none")
		out=$(cd "$TMP" && timeout 20 "$BIN" "$v" "${pre[@]}" "$long" "${a[@]}" < /dev/null 2>&1 >/dev/null)
		echo "$out" | grep -qE "unknown option|lacks its argument" && bad="$bad $v:$long(refused: ${out:0:80})"
	done < <(echo "$h1" | sed -n '/^options:/,/^$/p' | grep '^  ')
done
[ -z "$bad" ] && pass "cli/every-getopt-option-in-verb-help ($(echo $verbs | wc -w) verbs)" ||
	fail cli/every-getopt-option-in-verb-help "$bad"

# ---- completion: every verb and option (from the source, as above) is completed
comp_bash() { bash -c '. /usr/share/bash-completion/bash_completion; . "$1"; shift
	COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
	_btfcompat; printf "%s\n" "${COMPREPLY[@]}"' _ "$TOP/completions/btfcompat.bash" "$BIN" "$@" 2>/dev/null; }
comp_zsh() { zsh -f -c '_describe() { local a=${@[-1]}; print -l -- ${${(P)a}%%:*} }
	compadd() { [[ $1 == -- ]] && shift; print -l -- "$@" }
	_files() { print -- "@files" }
	compset() { PREFIX=${PREFIX#*=} }
	f=$1; shift; words=("$@"); CURRENT=$#; PREFIX=$words[-1]; source $f' _ "$TOP/completions/_btfcompat" "$BIN" "$@" 2>/dev/null; }
for sh in bash zsh; do
	if [ $sh = bash ] && [ ! -f /usr/share/bash-completion/bash_completion ]; then
		fail completion/bash "bash-completion is not installed (scripts/setup.sh installs it)"; continue; fi
	if [ $sh = zsh ] && ! command -v zsh > /dev/null; then
		fail completion/zsh "zsh is not installed (scripts/setup.sh installs it)"; continue; fi
	bad=
	got=$(comp_$sh ""); for v in $verbs help version; do echo "$got" | grep -qx "$v" || bad="$bad $v"; done
	got=$(comp_$sh -j --color never ""); for v in $verbs; do echo "$got" | grep -qx "$v" || bad="$bad (after options)$v"; done
	for v in $verbs; do
		pre=(); [ "$v" = store ] && pre=(list)
		got=$(comp_$sh "$v" "${pre[@]}" -)
		for o in $(src_opts "$v") json:j pretty:p quiet:q color: max-module-size: help:h; do
			echo "$got" | grep -qx -- "--${o%%:*}" || bad="$bad $v:--${o%%:*}"
		done
	done
	got=$(comp_$sh relocate --match ""); [ "$(echo $got)" = "layout kernel" ] || bad="$bad --match:'$(echo $got)'"
	got=$(comp_$sh store ""); [ "$(echo $got)" = "add list verify prune" ] || bad="$bad store:'$(echo $got)'"
	[ -z "$bad" ] && pass "completion/$sh-every-verb-and-option" || fail "completion/$sh-every-verb-and-option" "missing:$bad"
done
D=$TMP/destdir
if DESTDIR=$D meson install -C "$BUILD" --no-rebuild --quiet > "$TMP/install.log" 2>&1; then
	datadir=$(meson introspect --buildoptions "$BUILD" | $PY -c 'import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
d = o["datadir"]; print(d if d.startswith("/") else o["prefix"] + "/" + d)')
	[ -f "$D$datadir/bash-completion/completions/btfcompat" ] && [ -f "$D$datadir/zsh/vendor-completions/_btfcompat" ] &&
		pass completion/installed-where-bash-completion-and-zsh-look ||
		fail completion/installed-where-bash-completion-and-zsh-look "$(cd "$D" && find . -path '*complet*' | tr '\n' ' ')"
	th=$(grep -m1 '^\.TH' "$(find "$D" -name btfcompat.1 | head -n 1)")
	[[ $th == *"btfcompat $ver\""* ]] && pass man/installed-page-version || fail man/installed-page-version "$th"
else
	fail completion/installed "meson install: $(tail -n 3 "$TMP/install.log" | tr '\n' '|')"
fi

# ---- the rest reads real kernels and modules (the corpus: scripts/corpus.sh)
corpus_env
need_kernels cli/corpus BTFC_K61A BTFC_K61B || exit 0
V54=$BTFC_K61A V55=$BTFC_K61B
R54=$(kroot "$V54") R55=$(kroot "$V55")
K54=$R54/boot/vmlinuz-$V54 K55=$R55/boot/vmlinuz-$V55
NET=$R55/lib/modules/$V55/kernel/drivers/net
if [ ! -f "$K54" ] || [ ! -f "$K55" ] || [ ! -f "$NET/veth.ko" ]; then
	fail cli/corpus "$V54/$V55 not in the corpus cache (scripts/corpus.sh)"; exit 0
fi
M=$NET/veth.ko

# -j/-p and --json/--pretty, before and after the verb, the same bytes
ref=$("$BIN" -j info "$M" -B "$K55")
bad=
for a in "--json info" "info -j" "info --json"; do
	[ "$("$BIN" $a "$M" -B "$K55")" = "$ref" ] || bad="$bad '$a'"
done
[ "$("$BIN" info "$M" --json -B "$K55")" = "$ref" ] || bad="$bad 'after the file'"
pref=$("$BIN" -p info "$M" -B "$K55")
for a in "--pretty info" "info -p" "info --pretty"; do
	[ "$("$BIN" $a "$M" -B "$K55")" = "$pref" ] || bad="$bad '$a'"
done
[ "$(echo "$pref" | wc -l)" -gt 5 ] && echo "$ref" | $PY -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null || bad="$bad (not JSON, or -p not indented)"
[ -z "$bad" ] && pass cli/json-pretty-before-and-after-verb || fail cli/json-pretty-before-and-after-verb "differ:$bad"

# colour: outcome words on a terminal, never in JSON, never with NO_COLOR or --color=never
esc=$'\033['
c_always=$("$BIN" --color=always check -B "$K54" "$M"); c_never=$("$BIN" check --color never -B "$K54" "$M")
c_json=$("$BIN" -j --color=always check -B "$K54" "$M"); c_pipe=$("$BIN" check -B "$K54" "$M")
c_tty=$(TERM=xterm script -qec "'$BIN' check -B '$K54' '$M'" /dev/null 2>&1)
c_tty_no=$(TERM=xterm NO_COLOR=1 script -qec "'$BIN' check -B '$K54' '$M'" /dev/null 2>&1)
c_tty_never=$(TERM=xterm script -qec "'$BIN' --color=never check -B '$K54' '$M'" /dev/null 2>&1)
c_tty_dumb=$(TERM=dumb script -qec "'$BIN' check -B '$K54' '$M'" /dev/null 2>&1)
[[ $c_always == *"${esc}31mmismatch${esc}0m"* ]] && [[ $c_never != *"$esc"* ]] && [[ $c_json != *"$esc"* ]] &&
	[[ $c_pipe != *"$esc"* ]] && [[ $c_tty == *"${esc}31mmismatch"* ]] && [[ $c_tty_no != *"$esc"* ]] &&
	[[ $c_tty_never != *"$esc"* ]] && [[ $c_tty_dumb != *"$esc"* ]] && [[ $c_tty_no == *mismatch* ]] &&
	pass cli/color-auto-always-never-NO_COLOR-dumb ||
	fail cli/color-auto-always-never-NO_COLOR-dumb "always '${c_always:0:120}' tty '${c_tty:0:120}' NO_COLOR '${c_tty_no:0:120}'"
"$BIN" --color=purple check "$M" > /dev/null 2>&1; [ $? = 2 ] && pass cli/color-bad-value-exit-2 || fail cli/color-bad-value-exit-2

# -q: nothing on standard output, the same exit status; errors still said
"$BIN" check -B "$K54" "$M" > /dev/null 2>&1; rc_loud=$?
q=$("$BIN" -q check -B "$K54" "$M" 2>&1); rc_q=$?
qe=$("$BIN" check -q -B "$K54" "$M" "$TMP/missing.ko" 2>&1 >/dev/null); rc_qe=$?
qs=$("$BIN" scan -q -B "$K54" "$NET" 2>/dev/null); rc_qs=$?
[ -z "$q" ] && [ $rc_q = 1 ] && [ $rc_loud = 1 ] && [ $rc_qe = 2 ] && [[ $qe == *missing.ko* ]] && [ -z "$qs" ] && [ $rc_qs = 1 ] &&
	pass cli/quiet || fail cli/quiet "rc $rc_loud/$rc_q/$rc_qe/$rc_qs out '${q:0:100}' err '${qe:0:100}' scan '${qs:0:100}'"

# ---- JSON: every verb's -j output against its schema; an unreadable file is an object with its error
S=$TOP/docs/schema
cp "$M" "$TMP/veth.ko"; printf 'not a module' > "$TMP/bad.ko"
"$BIN" store add --store "$TMP/store" "$K55" > /dev/null 2>&1
jcase() { # NAME SCHEMA WANT-RC CMD...: CMD's stdout validates against SCHEMA and it exits WANT-RC
	local name=$1 schema=$2 want=$3 rc err; shift 3
	"$@" > "$TMP/out.json" 2> "$TMP/err"; rc=$?
	if err=$($PY "$TOP/tests/tools/json_schema_check.py" "$S/$schema.json" "$TMP/out.json" 2>&1) && [ $rc = "$want" ]; then
		pass "json/$name"; else fail "json/$name" "rc $rc (want $want); $err; $(head -c 200 "$TMP/err")"; fi
}
jcase dump dump 0 "$BIN" -j dump -B "$K55" "$M"
jcase info info 2 "$BIN" -j info -B "$K55" "$M" "$TMP/bad.ko"
jcase validate validate 2 "$BIN" -j validate -B "$K55" "$M" "$TMP/missing.ko"
jcase validate-rejected validate 1 "$BIN" -j validate -B "$K54" "$M"
jcase check check 2 "$BIN" -j check -B "$K54" "$M" "$TMP/bad.ko"
jcase check-abi check 2 "$BIN" -j check --abi --from "$K55" --to "$K54" "$M" "$TMP/bad.ko"
jcase scan scan 1 "$BIN" -p scan -B "$K54" "$NET"
jcase stamp stamp 2 "$BIN" -j stamp -n --unsign -B "$K55" "$TMP/veth.ko" "$TMP/bad.ko"
jcase stamp-print stamp 0 "$BIN" -j stamp --print -B "$K55"
jcase diff diff 1 "$BIN" -j diff --kind struct "$K54" "$K55"
jcase relocate relocate 2 "$BIN" -j relocate -n --unsign --match kernel --from "$K55" --to "$K54" "$TMP/veth.ko" "$TMP/bad.ko"
jcase relocate-refused relocate 1 "$BIN" -p relocate -n --unsign --from "$K55" --to "$K54" "$TMP/veth.ko"
jcase distill distill 2 "$BIN" -j distill -n --unsign -B "$K55" "$TMP/veth.ko" "$TMP/bad.ko"
jcase strip strip 2 "$BIN" -j strip -n --unsign "$TMP/veth.ko" "$TMP/bad.ko"
jcase store-add store 2 "$BIN" -j store add --store "$TMP/store" --kernel "$V54" "$TMP/bad.ko"
jcase store-list store 0 "$BIN" -j store list --store "$TMP/store"
jcase store-verify store 0 "$BIN" -j store verify --store "$TMP/store"
jcase store-prune store 0 "$BIN" -j store prune -n --keep 0 --modules "$TMP" --store "$TMP/store"
jcase identify identify 2 "$BIN" -j identify -v --store "$TMP/store" --no-installed "$TMP/veth.ko" "$TMP/bad.ko"
# the error object names the file; every verb's schema covers every verb (none left out)
"$BIN" -j check -B "$K54" "$M" "$TMP/bad.ko" 2> /dev/null | $PY -c '
import json, sys
d = json.load(sys.stdin)
e = [x for x in d if "error" in x]
sys.exit(0 if len(d) == 2 and len(e) == 1 and e[0]["file"] == sys.argv[1] and sys.argv[1] in e[0]["error"] else 1)' "$TMP/bad.ko" &&
	pass json/unreadable-file-is-an-error-object || fail json/unreadable-file-is-an-error-object
miss=; for v in $verbs; do [ -f "$S/$v.json" ] && grep -q "^## $v\$" "$TOP/docs/json.md" || miss="$miss $v"; done
[ -z "$miss" ] && pass json/every-verb-has-a-schema-and-docs || fail json/every-verb-has-a-schema-and-docs "missing:$miss"

# ---- relocate: one line per changed type; every member with -v and in -j
"$BIN" relocate -n --unsign --from "$K55" --to "$K54" "$TMP/veth.ko" > "$TMP/r.txt" 2>&1
"$BIN" relocate -v -n --unsign --from "$K55" --to "$K54" "$TMP/veth.ko" > "$TMP/rv.txt" 2>&1
"$BIN" -j relocate -n --unsign --from "$K55" --to "$K54" "$TMP/veth.ko" > "$TMP/r.json" 2>&1
if $PY - "$TMP/r.txt" "$TMP/rv.txt" "$TMP/r.json" <<'PY'
import json, re, sys
txt, verbose, js = (open(f).read() for f in sys.argv[1:])
issues = json.loads(js)[0]["issues"]
lines = [l for l in txt.splitlines() if l.startswith("  ! ") or l.startswith("  ~ ")]
assert len(issues) >= 2 and len(lines) == len(issues), (len(lines), len(issues))
assert max(map(len, lines)) < 200, max(map(len, lines))
for i, l in zip(issues, lines):
    # the summary's numbers are the JSON's, and the JSON's the count of members -v lists by name
    full = [v for v in verbose.splitlines() if v.startswith("  ") and v[4:].startswith(i["type"] + ":")][0]
    for k in ("moved", "added", "removed", "retyped"):
        named = len(re.findall(r"member '[^']*' " + k, full))
        assert named == i["members_" + k], (i["type"], k, named, i["members_" + k])
        assert (f" {named} {k}" in l) == (named > 0), (l, k)
    assert (i["old_size"] != i["new_size"]) == (f"size {i['old_size']} -> {i['new_size']}" in l), l
assert max(map(len, verbose.splitlines())) > 1000  # -v: the whole list
PY
then pass "relocate/summary-per-type-full-list-with-v-and-json ($(grep -c '^  [!~] ' "$TMP/r.txt") types)"
else fail relocate/summary-per-type-full-list-with-v-and-json "$(head -c 300 "$TMP/r.txt")"; fi

# ---- scan --metrics: OpenMetrics text for node_exporter's textfile collector
mkdir -p "$TMP/prom"; echo stale > "$TMP/prom/btfcompat.prom"; ino=$(stat -c %i "$TMP/prom/btfcompat.prom")
t0=$(date +%s)
"$BIN" -j scan -B "$K54" --metrics "$TMP/prom/btfcompat.prom" "$NET" > "$TMP/scan.json" 2> "$TMP/scan.err"
t1=$(date +%s)
if $PY - "$TMP/prom/btfcompat.prom" "$TMP/scan.json" "$t0" "$t1" "$V54" > "$TMP/m.err" 2>&1 <<'PY'
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as om
from prometheus_client.parser import text_string_to_metric_families as prom
text = open(sys.argv[1]).read()
scan = json.load(open(sys.argv[2]))
fam = {f.name: f for f in om(text)}             # OpenMetrics: raises on a malformed file
list(prom(text))                                 # and the Prometheus text format node_exporter reads
for f in fam.values():
    assert f.type == "gauge", f
    for s in f.samples:
        assert s.timestamp is None, s            # node_exporter's textfile collector refuses timestamps
        assert s.labels["kernel"] == sys.argv[5], s.labels
by = {(s.labels["outcome"], s.labels["action"]): s.value for s in fam["btfcompat_modules"].samples}
want = {(x["outcome"], x["kernel_action"]): x["modules"] for x in scan["summary"]["summary"]}
assert by == want, (by, want)
out = {s.labels["outcome"]: s.value for s in fam["btfcompat_modules_outcome"].samples}
assert sorted(out) == ["invalid", "match", "mismatch", "no-btf"], out
assert sum(out.values()) + fam["btfcompat_scan_errors"].samples[0].value == scan["summary"]["modules"] == len(scan["modules"])
ts = fam["btfcompat_scan_timestamp_seconds"].samples[0].value
assert int(sys.argv[3]) - 1 <= ts <= int(sys.argv[4]) + 1, ts
PY
then pass "scan/metrics-openmetrics-matches-scan-json ($(grep -c '^btfcompat_modules{' "$TMP/prom/btfcompat.prom") series)"
else fail scan/metrics-openmetrics-matches-scan-json "$(tail -n 3 "$TMP/m.err" | tr '\n' '|') $(head -c 200 "$TMP/scan.err")"; fi
left=$(ls -A "$TMP/prom" | grep -v '^btfcompat.prom$')
[ "$(stat -c %i "$TMP/prom/btfcompat.prom")" != "$ino" ] && [ -z "$left" ] && [ "$(stat -c %a "$TMP/prom/btfcompat.prom")" = 644 ] &&
	pass scan/metrics-written-by-rename-readable || fail scan/metrics-written-by-rename-readable "left: $left; mode $(stat -c %a "$TMP/prom/btfcompat.prom")"
"$BIN" scan -q -B "$K54" --metrics "$TMP/nodir/x.prom" "$NET" > /dev/null 2>&1; rc=$?
[ $rc = 2 ] && [ ! -e "$TMP/nodir" ] && pass scan/metrics-unwritable-exit-2 || fail scan/metrics-unwritable-exit-2 "rc $rc"
