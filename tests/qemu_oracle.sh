#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# The module-profile oracle: real Debian kernels booted in QEMU decide what
# their module loader does with stale module BTF; btfcompat's module-profile
# verdict against the new base must be the same for every module that loads.
#
#   tests/qemu_oracle.sh BTFCOMPAT [--quick]
#
# The kernels are the corpus roles' (scripts/corpus.sh --env; pinned releases in brackets):
#  1. 6.1's newer cloud build [6.1.0-55] with its whole module tree carrying the older's [-54] .BTF;
#  2. 6.12's newer build [6.12.117] with its whole tree carrying the older's [6.12.115] .BTF;
#  3. arm64: Debian's newer 6.1 cloud kernel (its Image) with the whole older tree's .BTF, in
#     qemu-system-aarch64 -M virt (busybox-static:arm64);
#  4. s390x: Debian 13's older s390x kernel [6.12.107] (its s390 image) with its own modules, every
#     8th of the tree (a sample: the whole tree takes too long under TCG), in qemu-system-s390x;
#  5. one module (af_key) inserted 1,000 times in one boot, each time with a
#     differently mutated .BTF (insmod, look, rmmod).
# Printed as counts: accepted (BTF published) / dropped / did not load, and
# the agreement. --quick: 200 re-insertions instead of 1,000.
# objcopy swaps the sections here: test scaffolding, never the product.
set -u
BIN=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
corpus_env
SEQ_N=1000; [ "${2:-}" = --quick ] && SEQ_N=200
CACHE=${BTFCOMPAT_CACHE:-$HOME/.cache/btfcompat}
WORK=${BTFC_TEST_WORK:-$CACHE/test-work}/qemu-oracle
TREES=${BTFC_TEST_WORK:-$CACHE/test-work}/qemu-trees # the stale trees and the staged, depmod'ed ones: kept
BM=$TOP/tests/qemu/boot-modules.sh
OBJCOPY=$(command -v llvm-objcopy || echo objcopy)

need_qemu_tools || exit 0
rm -rf "$WORK"; mkdir -p "$WORK"

mods_of() { if [ -d "$1/lib/modules/$2" ]; then echo "$1/lib/modules/$2"; else echo "$1/usr/lib/modules/$2"; fi; }
# stale_tree NEWROOT NEWVER OLDROOT OLDVER OUTDIR: NEW's modules with OLD's .BTF, as plain .ko
# (OLD = NEW: the modules as they are); built once, kept
stale_tree() {
	local nm om out=$5/lib/modules/$2
	nm=$(mods_of "$1" "$2") om=$(mods_of "$3" "$4")
	[ -f "$5/.complete" ] && return 0
	rm -rf "$5"
	mkdir -p "$out"
	cp "$nm"/modules.order "$nm"/modules.builtin* "$out"/ 2>/dev/null
	(cd "$nm" && find . -name '*.ko' -o -name '*.ko.xz') | while read -r rel; do
		local base=${rel%.xz} dst=$out/${rel%.xz}
		mkdir -p "$(dirname "$dst")"
		case $rel in *.xz) xz -dc "$nm/$rel" > "$dst" ;; *) cp "$nm/$rel" "$dst" ;; esac
		local donor=$om/$rel
		[ -f "$donor" ] || donor=$om/$base
		if [ ! -f "$donor" ]; then # a module the old kernel did not have keeps its own BTF
			echo "$(basename "$base" .ko)	$nm/$rel" >> "$5/donors.tsv"
			continue
		fi
		if [ "$1" = "$3" ]; then echo "$(basename "$base" .ko)	$donor" >> "$5/donors.tsv"; continue; fi
		case $donor in *.xz) xz -dc "$donor" > "$dst.donor" ;; *) cp "$donor" "$dst.donor" ;; esac
		# (llvm-objcopy reads every architecture's ELF; binutils' objcopy only the host's)
		$OBJCOPY --dump-section .BTF="$dst.btf" "$dst.donor" "$dst.junk" 2>/dev/null &&
			$OBJCOPY --update-section .BTF="$dst.btf" "$dst" "$dst.new" 2>/dev/null && mv "$dst.new" "$dst" ||
			echo "$dst: the .BTF swap failed" >> "$5/swap-errors"
		echo "$(basename "$base" .ko)	$donor" >> "$5/donors.tsv"
		rm -f "$dst.donor" "$dst.btf" "$dst.junk" "$dst.new"
	done
	[ -s "$5/swap-errors" ] && return 1
	touch "$5/.complete"
}

# compare TAG RESULT.tsv DONORS.tsv VMLINUZ: our module-profile verdict vs /sys/kernel/btf/<mod>
compare() {
	local tag=$1 res=$2 donors=$3 vmlinuz=$4
	awk -F'\t' 'NR > 1 && $2 == 0 { print $1 }' "$res" | sort > "$WORK/$tag.loaded"
	sort -k1,1 "$donors" | join -t $'\t' "$WORK/$tag.loaded" - | cut -f2 > "$WORK/$tag.files"
	xargs -a "$WORK/$tag.files" -n 100 "$BIN" -j validate --profile module -B "$vmlinuz" > "$WORK/$tag.ours.json" 2>"$WORK/$tag.ours.err"
	xargs -a "$WORK/$tag.files" -n 100 "$BIN" -j check -B "$vmlinuz" > "$WORK/$tag.check.json" 2>>"$WORK/$tag.ours.err"
	python3 - "$res" "$WORK/$tag.ours.json" "$donors" "$tag" "$WORK/$tag.check.json" <<'PY'
import json, sys
res, ours, donors, tag, checks = sys.argv[1:6]
kernel = {}
for line in open(res).read().splitlines()[1:]:
    f = line.split("\t")
    kernel[f[0]] = (int(f[1]) if f[1].lstrip("-").isdigit() else None, f[2])
name_of = {l.split("\t")[1]: l.split("\t")[0] for l in open(donors).read().splitlines()}
verdicts = {}
for chunk in open(ours).read().splitlines():
    if chunk.strip():
        for o in json.loads(chunk):
            verdicts[name_of[o["file"]]] = o["verdict"] == "ok"
acc = sum(1 for m, (rc, p) in kernel.items() if rc == 0 and p == "1")
drop = sum(1 for m, (rc, p) in kernel.items() if rc == 0 and p == "0")
noload = sum(1 for m, (rc, p) in kernel.items() if rc != 0)
agree, bad = 0, []
for m, (rc, p) in sorted(kernel.items()):
    if rc != 0:
        continue
    if m not in verdicts:
        bad.append("%s: no verdict from btfcompat" % m)
    elif verdicts[m] == (p == "1"):
        agree += 1
    else:
        bad.append("%s: kernel %s, btfcompat %s" % (m, "published BTF" if p == "1" else "dropped BTF",
                                                   "ok" if verdicts[m] else "rejected"))
print("# %s: %d modules; kernel accepted (published /sys/kernel/btf) %d, dropped %d, did not load %d; "
      "btfcompat agrees on %d/%d loaded" % (tag, len(kernel), acc, drop, noload, agree, acc + drop))
for b in bad[:20]:
    print("#   disagree: " + b)
print(("PASS: qemu-oracle/%s (%d/%d)" % (tag, agree, acc + drop)) if not bad and acc + drop
      else "FAIL: qemu-oracle/%s: %d of %d loaded modules disagree" % (tag, len(bad), acc + drop))
# the predicted kernel action of `check` (Debian sets CONFIG_MODULE_ALLOW_BTF_MISMATCH=y)
action = {}
for chunk in open(checks).read().splitlines():
    if chunk.strip():
        for o in json.loads(chunk):
            action[name_of[o["file"]]] = o["kernel_action"]
table, wrong = {}, []
for m, (rc, p) in sorted(kernel.items()):
    if rc != 0:
        continue
    real = "accept" if p == "1" else "drop BTF"
    pred = action.get(m, "?")
    table[(pred, real)] = table.get((pred, real), 0) + 1
    if pred.split(",")[0] != real:
        wrong.append("%s: predicted %s, the kernel did %s" % (m, pred, real))
print("# predicted action vs the real kernel (loaded modules):")
for (pred, real), n in sorted(table.items()):
    print("#   predicted %-22s kernel %-9s %5d" % (pred, real, n))
for w in wrong[:20]:
    print("#   wrong: " + w)
print("PASS: qemu-oracle/%s/predicted-action" % tag if not wrong and table
      else "FAIL: qemu-oracle/%s/predicted-action: %d wrong" % (tag, len(wrong)))
PY
}

# run_pair TAG NEWVER OLDVER [ARCH [EVERY [MEM]]]: boot NEWVER with its tree carrying OLDVER's .BTF
# (every module, or every EVERY-th with its dependencies) and compare
run_pair() {
	[[ $1 =~ ${BTFC_ORACLE_ONLY:-.} ]] || return 0 # (a developer's selection of boots)
	local tag=$1 nv=$2 ov=$3 arch=${4:-x86_64} every=${5:-1} mem=${6:-} nr or img sel=(--all) f
	[ -n "$nv" ] && [ -n "$ov" ] || { fail "qemu-oracle/$tag" "missing from Debian's mirror: $(for v in $(compgen -v | grep '^BTFC_.*_MISSING$'); do printf '%s; ' "${!v}"; done)"; return; }
	nr=$(kroot "$nv") && or=$(kroot "$ov") || { fail "qemu-oracle/$tag" "corpus: cannot fetch $nv $ov"; return; }
	for f in "$nr/boot/vmlinuz-$nv" "$nr/usr/lib/modules/$nv/vmlinuz"; do [ -f "$f" ] && img=$f && break; done
	stale_tree "$nr" "$nv" "$or" "$ov" "$TREES/$tag" ||
		{ fail "qemu-oracle/$tag" "$(wc -l < "$TREES/$tag/swap-errors") modules: $(head -n 1 "$TREES/$tag/swap-errors")"; return; }
	if [ "$every" != 1 ]; then
		(cd "$TREES/$tag/lib/modules/$nv" && find . -name '*.ko' | sort) | awk -v n="$every" 'NR % n == 1' > "$WORK/$tag.load"
		sel=(--load "$WORK/$tag.load")
	fi
	"$BM" --arch "$arch" --ver "$nv" --kernel-root "$nr" --kernel "$img" --modules-dir "$TREES/$tag/lib/modules/$nv" \
		"${sel[@]}" ${mem:+--mem "$mem"} --stage-cache "$TREES/staged" --timeout 1800 \
		--out "$WORK/$tag.tsv" > "$WORK/$tag.boot.log" 2>&1
	case $? in
	0) compare "$tag" "$WORK/$tag.tsv" "$TREES/$tag/donors.tsv" "$img" ;;
	3) skip "qemu-oracle/$tag" "$(grep -m1 SKIP "$WORK/$tag.boot.log")" ;;
	*) fail "qemu-oracle/$tag" "boot failed: $(tail -n 3 "$WORK/$tag.boot.log" | tr '\n' '|')" ;;
	esac
	echo "# $tag: booted in $((SECONDS - t1)) s"
}

t0=$SECONDS
t1=$SECONDS; run_pair "$BTFC_K61A-btf-on-$BTFC_K61B" "$BTFC_K61B" "$BTFC_K61A"
t1=$SECONDS; run_pair "$BTFC_K612A-btf-on-$BTFC_K612B" "$BTFC_K612B" "$BTFC_K612A"
echo "# whole-tree boots: $((SECONDS - t0)) s"
t1=$SECONDS; run_pair "$BTFC_ARM61A-btf-on-$BTFC_ARM61B" "$BTFC_ARM61B" "$BTFC_ARM61A" arm64 1 3072
t1=$SECONDS; run_pair "$BTFC_S390A-own-every-8th" "$BTFC_S390A" "$BTFC_S390A" s390x 8

# --- one module, re-inserted SEQ_N times with a mutated .BTF each time ---
[[ reinsert =~ ${BTFC_ORACLE_ONLY:-.} ]] || exit 0
t0=$SECONDS
NV=$BTFC_K61B OV=$BTFC_K61A
if need_kernels qemu-oracle/reinsert BTFC_K61A BTFC_K61B && N55=$(kroot "$NV") && N54=$(kroot "$OV"); then
	S=$WORK/seq; mkdir -p "$S/btf" "$S/ko"
	AFK=lib/modules/$NV/kernel/net/key/af_key.ko
	objcopy --dump-section .BTF="$S/own.btf" "$N55/$AFK" "$S/junk"
	objcopy --dump-section .BTF="$S/stale.btf" "$N54/lib/modules/$OV/kernel/net/key/af_key.ko" "$S/junk"
	# half the mutants start from the module's own BTF, half from the stale one
	python3 "$TOP/tests/tools/mutate_btf.py" "$S/own.btf" "$S/btf/own" $((SEQ_N / 2)) 1
	python3 "$TOP/tests/tools/mutate_btf.py" "$S/stale.btf" "$S/btf/stale" $((SEQ_N - SEQ_N / 2)) 2
	ls "$S"/btf/own/*.btf "$S"/btf/stale/*.btf > "$S/btf.list"
	i=0
	while read -r b; do
		objcopy --update-section .BTF="$b" "$N55/$AFK" "$S/ko/$i.ko" && echo "$S/ko/$i.ko	$b" >> "$S/map.tsv"
		i=$((i + 1))
	done < "$S/btf.list"
	cut -f1 "$S/map.tsv" > "$S/ko.list"
	"$BM" --ver $NV --kernel-root "$N55" --insmod-seq-list "$S/ko.list" --seq-no-dmesg --timeout 1800 \
		--out "$S/seq.tsv" > "$S/boot.log" 2>&1
	rc=$?
	if [ $rc = 3 ]; then skip qemu-oracle/reinsert "$(grep -m1 SKIP "$S/boot.log")"
	elif [ $rc != 0 ]; then fail qemu-oracle/reinsert "boot failed: $(tail -n 3 "$S/boot.log" | tr '\n' '|')"
	else
		# the modules as the kernel loaded them (a raw .BTF whose magic a mutant broke is no BTF file
		# for btfcompat, exit 2; inside a module's .BTF it is judged as the kernel judges it)
		cut -f1 "$S/map.tsv" | xargs -n 200 "$BIN" -j validate --profile module -B "$N55/boot/vmlinuz-$NV" \
			> "$S/ours.json" 2>"$S/ours.err"
		python3 - "$S/seq.tsv" "$S/map.tsv" "$S/ours.json" <<'PY'
import json, sys
seq, mp, ours = sys.argv[1:4]
ko_to_btf = dict(l.split("\t") for l in open(mp).read().splitlines())
verdict = {}
for chunk in open(ours).read().splitlines():
    if chunk.strip():
        for o in json.loads(chunk):
            verdict[o["file"]] = o["verdict"] == "ok" if "verdict" in o else "error: " + o.get("error", "?")
n = agree = acc = noload = 0
bad = []
for line in open(seq).read().splitlines()[1:]:
    f = line.split("\t")
    rc, present, ko = f[2], f[3], f[-1]
    if rc != "0":
        noload += 1
        continue
    n += 1
    acc += present == "1"
    v = verdict.get(ko)
    if v == (present == "1"):
        agree += 1
    else:
        bad.append("%s: kernel %s, btfcompat %s" % (ko_to_btf.get(ko), present, v))
print("# re-insertions: %d loaded (%d published BTF, %d dropped), %d did not load; btfcompat agrees on %d/%d"
      % (n, acc, n - acc, noload, agree, n))
for b in bad[:20]:
    print("#   disagree: " + b)
print("PASS: qemu-oracle/reinsert (%d/%d)" % (agree, n) if n and not bad else
      "FAIL: qemu-oracle/reinsert: %d of %d disagree" % (len(bad), n))
PY
	fi
elif [ -n "$NV" ] && [ -n "$OV" ]; then
	fail qemu-oracle/reinsert "corpus: cannot fetch $NV $OV"
fi
echo "# re-insertion boot: $((SECONDS - t0)) s"
