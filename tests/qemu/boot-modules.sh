#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Boot a real Debian kernel under QEMU (TCG) with a busybox initramfs, load
# modules and report what the kernel did with each module's BTF.
# See tests/qemu/README.md.
#
#   boot-modules.sh [--arch x86_64|arm64|s390x] [--kernel-root DIR] [--kernel IMAGE] --ver VER [--modules-dir MODROOT]
#                   [--load LISTFILE | --all [--skip a,b]] [--insmod-seq FILE... | --insmod-seq-list LIST]
#                   [--seq-no-dmesg] [--fetch-btf m1,m2 [--fetch-dir OUTDIR]] [--mem MB] [--timeout SEC]
#                   [--log FILE] [--append ARGS] [--accel tcg|kvm] [--keep-work DIR] [--keep-xz] [--stage-cache DIR] [-v]
#                   --out RESULT.tsv
#
# Exit: 0 the guest reached its final marker; 1 boot failure (tail of the serial
# log printed; partial tables are still written); 2 usage error; 3 QEMU (or
# another host tool) unavailable: a line "SKIP: ..." says why.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
PROG=boot-modules

KROOT='' VER='' MODROOT='' LOADLIST='' ALL=0 SKIPMODS='' OUT='' FETCH='' FETCHDIR='' MEM='' TIMEOUT=900
LOGFILE='' APPEND='' ACCEL=tcg KEEPWORK='' VERBOSE=0 KEEPXZ=0 SEQDMESG=1 ARCH=x86_64 KIMAGE='' STAGECACHE=''
SEQFILES=()

usage() { sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "$PROG: $*" >&2; exit 2; }
say() { [ "$VERBOSE" = 1 ] && echo "$PROG: $*" >&2 || true; }
skip_out() { echo "SKIP: $PROG: $*"; echo "$PROG: SKIP: $*" >&2; exit 3; }

while [ $# -gt 0 ]; do
	case $1 in
	--kernel-root) KROOT=$2; shift 2 ;;
	--kernel) KIMAGE=$2; shift 2 ;;
	--arch) ARCH=$2; shift 2 ;;
	--ver) VER=$2; shift 2 ;;
	--modules-dir) MODROOT=$2; shift 2 ;;
	--load) LOADLIST=$2; shift 2 ;;
	--all) ALL=1; shift ;;
	--skip) SKIPMODS=$2; shift 2 ;;
	--insmod-seq)
		shift
		while [ $# -gt 0 ] && [ "${1#--}" = "$1" ] && [ "$1" != -v ]; do SEQFILES+=("$1"); shift; done ;;
	--insmod-seq-list)
		while IFS= read -r l; do [ -n "$l" ] && [ "${l#\#}" = "$l" ] && SEQFILES+=("$l"); done < "$2"
		shift 2 ;;
	--fetch-btf) FETCH=$2; shift 2 ;;
	--fetch-dir) FETCHDIR=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--mem) MEM=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--log) LOGFILE=$2; shift 2 ;;
	--append) APPEND=$2; shift 2 ;;
	--accel) ACCEL=$2; shift 2 ;;
	--keep-work) KEEPWORK=$2; shift 2 ;;
	--keep-xz) KEEPXZ=1; shift ;;
	--stage-cache) STAGECACHE=$2; shift 2 ;;
	--seq-no-dmesg) SEQDMESG=0; shift ;;
	-v|--verbose) VERBOSE=1; shift ;;
	-h|--help) usage ;;
	*) echo "$PROG: unknown argument: $1" >&2; usage ;;
	esac
done

[ -n "$VER" ] || die "--ver is required"
# the guest: QEMU binary and machine, console, how it powers off, its busybox (a static one of its arch)
case $ARCH in
x86_64) QEMU=qemu-system-x86_64 QPKG=qemu-system-x86 CONSOLE=ttyS0 HALT="poweroff -f"
	QARGS=(-cpu max) ;;
arm64) QEMU=qemu-system-aarch64 QPKG=qemu-system-arm CONSOLE=ttyAMA0 HALT="poweroff -f"
	QARGS=(-M virt -cpu max -smp 2) ;;
s390x) QEMU=qemu-system-s390x QPKG=qemu-system-misc CONSOLE='' HALT="reboot -f"
	QARGS=(-M s390-ccw-virtio -cpu max) ;;
*) die "--arch: x86_64, arm64 or s390x" ;;
esac
[ -n "$OUT" ] || die "--out is required"
[ -n "$LOADLIST" ] && [ "$ALL" = 1 ] && die "--load and --all are exclusive"
[ -z "$LOADLIST" ] || [ -r "$LOADLIST" ] || die "cannot read $LOADLIST"
[ -n "$LOADLIST" ] || [ "$ALL" = 1 ] || [ ${#SEQFILES[@]} -gt 0 ] || [ -n "$FETCH" ] ||
	die "nothing to do: give --load, --all, --insmod-seq or --fetch-btf"
OUTBASE=${OUT%.tsv}
[ -n "$LOGFILE" ] || LOGFILE=$OUTBASE.serial.log
[ -n "$FETCHDIR" ] || FETCHDIR=$(dirname "$OUT")

# ---- host tools --------------------------------------------------------------
need_pkgs=()
command -v "$QEMU" >/dev/null || need_pkgs+=("$QPKG")
command -v cpio >/dev/null || need_pkgs+=(cpio)
command -v depmod >/dev/null || [ -x /sbin/depmod ] || need_pkgs+=(kmod)
command -v xz >/dev/null || need_pkgs+=(xz-utils)
command -v gzip >/dev/null || need_pkgs+=(gzip)
find_busybox() { # a statically linked busybox, or nothing
	local b
	for b in /usr/bin/busybox /bin/busybox /usr/lib/initramfs-tools/bin/busybox; do
		[ -x "$b" ] || continue
		if head -c 4096 "$b" | grep -qa 'ld-linux'; then continue; fi
		echo "$b"; return 0
	done
	return 0
}
if [ "$ARCH" = x86_64 ]; then
	BUSYBOX=$(find_busybox)
	[ -n "$BUSYBOX" ] || need_pkgs+=(busybox-static)
else # the guest's own: busybox-static:ARCH from the corpus (scripts/corpus.sh busybox-ARCH)
	BUSYBOX=$("$TOP/scripts/corpus.sh" --path "busybox-$ARCH" 2>/dev/null)/usr/bin/busybox
	[ -x "$BUSYBOX" ] || skip_out "no busybox-static for $ARCH (scripts/corpus.sh busybox-$ARCH failed)"
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || skip_out "missing ${need_pkgs[*]} and not root to install them"
	say "installing ${need_pkgs[*]}"
	{ apt-get install -y -qq "${need_pkgs[@]}" >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "${need_pkgs[@]}" >/dev/null 2>&1; }; } ||
		skip_out "cannot install ${need_pkgs[*]}"
	[ "$ARCH" = x86_64 ] && BUSYBOX=$(find_busybox)
fi
command -v "$QEMU" >/dev/null || skip_out "$QEMU unavailable"
[ -n "$BUSYBOX" ] || skip_out "no statically linked busybox"
DEPMOD=$(command -v depmod || echo /sbin/depmod)

# ---- inputs ------------------------------------------------------------------
if [ -z "$KROOT" ]; then
	KROOT=$("$TOP/scripts/corpus.sh" --path "$VER" 2>/dev/null) || skip_out "kernel $VER not in the corpus (scripts/corpus.sh failed)"
fi
VMLINUZ=${KIMAGE:-$KROOT/boot/vmlinuz-$VER}
[ -r "$VMLINUZ" ] || die "no kernel at $VMLINUZ"
[ -n "$MODROOT" ] || MODROOT=$KROOT/lib/modules/$VER
[ -d "$MODROOT" ] || MODROOT=$KROOT/usr/lib/modules/$VER
[ -d "$MODROOT" ] || die "no modules dir $MODROOT"
MODROOT=$(cd "$MODROOT" && pwd)

if [ -n "$KEEPWORK" ]; then W=$KEEPWORK; rm -rf "$W"; mkdir -p "$W"; else
	W=$(mktemp -d "${TMPDIR:-/tmp}/btfc-qemu.XXXXXX")
	trap 'rm -rf "$W"' EXIT
fi
T0=$(date +%s.%N)
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

# ---- stage the module tree and run depmod ------------------------------------
# The staging tree holds hard links (or copies) of MODROOT's modules; nothing in
# MODROOT is ever written. When both X.ko and X.ko.xz exist, X.ko wins.
# With --stage-cache DIR the staged, depmod'ed tree is kept in DIR, keyed by the module files'
# paths, inodes, sizes and times (a changed tree gets a new entry), and reused.
(cd "$MODROOT" && find . \( -name '*.ko' -o -name '*.ko.xz' \) \( -type f -o -type l \)) | sed 's|^\./||' | sort > "$W/files"
[ -s "$W/files" ] || die "no .ko or .ko.xz under $MODROOT"
S=$W/stage
if [ -n "$STAGECACHE" ]; then
	key=$( { echo "$VER $MODROOT"; (cd "$MODROOT" && xargs -a "$W/files" -d '\n' stat -L -c '%n %i %s %Y'); } | sha256sum | cut -c1-16)
	S=$STAGECACHE/$VER-$key
fi
SM=$S/lib/modules/$VER
awk '/\.ko$/ { ko[$0] = 1 } { all[NR] = $0 } END { for (i = 1; i <= NR; i++) { f = all[i];
	if (f ~ /\.ko\.xz$/ && (substr(f, 1, length(f) - 3) in ko)) continue; print f } }' "$W/files" > "$W/files.use"
if [ -f "$S/.complete" ]; then
	say "staged tree from the cache: $S"
else
	[ -n "$STAGECACHE" ] && rm -rf "$S"
	mkdir -p "$SM"
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		if [ -f "$MODROOT/$f" ]; then cp "$MODROOT/$f" "$SM/"
		elif [ -f "$KROOT/lib/modules/$VER/$f" ]; then cp "$KROOT/lib/modules/$VER/$f" "$SM/"
		elif [ -f "$KROOT/usr/lib/modules/$VER/$f" ]; then cp "$KROOT/usr/lib/modules/$VER/$f" "$SM/"; fi
	done
	(cd "$SM" && { grep / "$W/files.use" || true; } | sed 's|/[^/]*$||' | sort -u | xargs -r mkdir -p)
	while IFS= read -r f; do
		ln "$MODROOT/$f" "$SM/$f" 2>/dev/null || cp -L "$MODROOT/$f" "$SM/$f"
	done < "$W/files.use"
	"$DEPMOD" -b "$S" "$VER" 2> "$W/depmod.err" || { cat "$W/depmod.err" >&2; die "depmod -b $S $VER failed"; }
	touch "$S/.complete"
	say "staged $(wc -l < "$W/files.use") modules, depmod done ($(elapsed)s)"
fi

# index: normalized name -> path of the module file (relative to SM), deps line
awk -F': *' '{ p = $1; n = p; sub(/.*\//, "", n); sub(/\.ko(\.xz)?$/, "", n); gsub(/-/, "_", n);
	print n "\t" p "\t" $2 }' "$SM/modules.dep" > "$W/index"
norm() { local n=${1##*/}; n=${n%.xz}; n=${n%.ko}; echo "${n//-/_}"; }

# ---- which modules ------------------------------------------------------------
: > "$W/load.list"
if [ "$ALL" = 1 ]; then
	sk=",${SKIPMODS//-/_},"
	while IFS= read -r p; do
		p=${p%%:*}; n=${p##*/}; n=${n%.xz}; n=${n%.ko}
		case $sk in *",${n//-/_},"*) continue ;; esac
		echo "$n"
	done < "$SM/modules.dep" > "$W/load.list"
elif [ -n "$LOADLIST" ]; then
	while IFS= read -r l; do
		l=${l%%#*}; l=$(echo $l)
		[ -n "$l" ] || continue
		n=${l##*/}; n=${n%.xz}; n=${n%.ko}; echo "$n"
	done < "$LOADLIST" > "$W/load.list"
fi
NLOAD=$(wc -l < "$W/load.list")

# insmod-seq: every file gets an index; its module name and dependencies come from modinfo.
: > "$W/seq.list"; : > "$W/seq.deps"
mkdir -p "$W/root/seq"
if [ ${#SEQFILES[@]} -gt 0 ]; then
	i=0
	for f in "${SEQFILES[@]}"; do
		[ -r "$f" ] || die "cannot read $f"
		nm='' dp=''
		while IFS= read -r l; do
			case $l in name:*) nm=${l#name:} ;; depends:*) dp=${l#depends:} ;; esac
		done < <(modinfo "$f" 2>/dev/null || true)
		nm=${nm// /} dp=${dp// /}
		[ -n "$nm" ] || nm=$(norm "$f")
		[ -n "$dp" ] && echo "$dp" | tr , '\n' >> "$W/seq.deps"
		dst=$W/root/seq/$i.ko
		case $f in *.xz) xz -dc "$f" > "$dst" ;; *) ln "$f" "$dst" 2>/dev/null || cp "$f" "$dst" ;; esac
		printf '%d\t%s\t%s\n' "$i" "$nm" "$f" >> "$W/seq.list"
		i=$((i + 1))
	done
	sort -u -o "$W/seq.deps" "$W/seq.deps"
	sed -i '/^$/d' "$W/seq.deps"
fi

# closure: requested modules + every dependency (modules.dep lists them transitively)
{ cat "$W/load.list" "$W/seq.deps"; echo "$FETCH" | tr , '\n'; } |
	sed 's/-/_/g' | sort -u > "$W/want"
awk -F'\t' 'NR == FNR { want[$1] = 1; next } ($1 in want) { print $2; n = split($3, d, " "); for (i = 1; i <= n; i++) print d[i] }' \
	"$W/want" "$W/index" | sort -u > "$W/closure"

# ---- initramfs root -----------------------------------------------------------
R=$W/root
RM=$R/lib/modules/$VER
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc/btfc} "$RM"
cp "$BUSYBOX" "$R/bin/busybox"
ln -s busybox "$R/bin/sh"
mknod -m 600 "$R/dev/console" c 5 1 2>/dev/null || true
mknod -m 666 "$R/dev/null" c 1 3 2>/dev/null || true
for f in modules.order modules.builtin; do [ -f "$SM/$f" ] && cp "$SM/$f" "$RM/"; done
(cd "$RM" && { grep / "$W/closure" || true; } | sed 's|/[^/]*$||' | sort -u | xargs -r mkdir -p)
while IFS= read -r p; do
	case $p in
	*.ko.xz) if [ "$KEEPXZ" = 1 ]; then ln "$SM/$p" "$RM/$p" 2>/dev/null || cp "$SM/$p" "$RM/$p"
		else xz -dc "$SM/$p" > "$RM/${p%.xz}"; fi ;;
	*) ln "$SM/$p" "$RM/$p" 2>/dev/null || cp "$SM/$p" "$RM/$p" ;;
	esac
done < "$W/closure"
# modules.dep for the guest: only staged modules, .ko.xz renamed to .ko (decompressed above)
awk -F': *' 'NR == FNR { have[$0] = 1; next } ($1 in have) { print }' "$W/closure" "$SM/modules.dep" |
	if [ "$KEEPXZ" = 1 ]; then cat; else sed 's/\.ko\.xz/.ko/g'; fi > "$RM/modules.dep"
cp "$W/load.list" "$R/etc/btfc/load.list"
cut -f1,2 "$W/seq.list" > "$R/etc/btfc/seq.list"
cp "$W/seq.deps" "$R/etc/btfc/seq.deps"
[ "$SEQDMESG" = 1 ] && touch "$R/etc/btfc/seqdmesg"
echo "$FETCH" | tr , '\n' | sed '/^$/d' > "$R/etc/btfc/fetch.list"
echo "$HALT" > "$R/etc/btfc/halt"

cat > "$R/init" <<'EOF'
#!/bin/sh
# btfcompat tests/qemu guest init: load modules, report /sys/kernel/btf, power off.
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# keep the kernel off the console except for emergencies
echo 2 > /proc/sys/kernel/printk
# results go to a second serial port when there is one (no kernel messages interleave)
if [ -c /dev/ttyS1 ] && stty -F /dev/ttyS1 raw -echo 2>/dev/null && echo > /dev/ttyS1 2>/dev/null; then
	exec 3> /dev/ttyS1
else
	exec 3> /dev/console
fi
T=$(printf '\t')
up() { read u _ < /proc/uptime; echo "$u"; }
emit() { echo "$*" >&3; }
emit "BTFC-BEGIN${T}$(uname -r)${T}$(up)"
# --- modprobe each requested module (dependencies first, automatically);
# one fork per module: everything else is a shell builtin
: > /tmp/rcs
while read -r n; do
	[ -n "$n" ] || continue
	emit "TRY${T}$n"
	modprobe "$n" 2> /tmp/err; rc=$?
	err=; read -r err < /tmp/err
	echo "$n $rc" >> /tmp/rcs
	emit "LOAD${T}$n${T}$rc${T}$err"
done < /etc/btfc/load.list
emit "TIME${T}loaded${T}$(up)"

# --- one RESULT line per requested module: name, rc, /sys/kernel/btf/<name> present, its size
ls -l /sys/kernel/btf > /tmp/btfls
emit "BTFLIST${T}$(ls /sys/kernel/btf | tr '\n' ' ')"
awk -v T="$T" 'FNR == NR { if (substr($1, 1, 1) == "-") sz[$NF] = $5; next }
	{ k = $1; gsub(/-/, "_", k); print "RESULT" T $1 T $2 T ((k in sz) ? 1 : 0) T ((k in sz) ? sz[k] : 0) }' \
	/tmp/btfls /tmp/rcs >&3
emit "TIME${T}reported${T}$(up)"

# --- insmod the same module many times from different files
if [ -s /etc/btfc/seq.list ]; then
	while read -r d; do
		[ -n "$d" ] || continue
		modprobe "$d" > /dev/null 2>&1; emit "SEQDEP${T}$d${T}$?"
	done < /etc/btfc/seq.deps
	emit "TIME${T}seq-start${T}$(up)"
	[ -f /etc/btfc/seqdmesg ] && dmesg -c > /dev/null
	while read -r i n; do
		f=/seq/$i.ko
		emit "SEQTRY${T}$i"
		insmod "$f" > /dev/null 2>&1; rc=$?
		# this insmod's BTF-related kernel messages (the ring buffer is cleared each time)
		if [ -f /etc/btfc/seqdmesg ]; then
			dmesg -c > /tmp/k
			while IFS= read -r l; do
				case $l in *BTF*|*btf*|*BPF:*) emit "SEQLOG${T}$i${T}$l" ;; esac
			done < /tmp/k
		fi
		b=/sys/kernel/btf/$n
		if [ -f "$b" ]; then p=1; else p=0; fi
		rr=-
		if [ -d "/sys/module/$n/sections" ] || [ "$rc" = 0 ]; then rmmod "$n" > /dev/null 2>&1; rr=$?; fi
		rm -f "$f"
		emit "SEQ${T}$i${T}$rc${T}$p${T}$rr"
	done < /etc/btfc/seq.list
	emit "TIME${T}seq-end${T}$(up)"
fi

# --- raw module BTF, base64 between marker lines
while read -r m; do
	[ -n "$m" ] || continue
	f=/sys/kernel/btf/${m//-/_}
	if [ -f "$f" ]; then
		emit "BTFDATA-BEGIN${T}$m${T}$(stat -c %s "$f")"
		base64 "$f" >&3
		emit "BTFDATA-END${T}$m"
	else
		emit "BTFDATA-MISSING${T}$m"
	fi
done < /etc/btfc/fetch.list

dmesg | grep -E "BTF|btf|BPF:" | while IFS= read -r l; do emit "DMESG${T}$l"; done
emit "MEM${T}$(awk '/^(MemTotal|MemAvailable):/ { printf "%s %d MiB ", $1, $2 / 1024 }' /proc/meminfo)"
emit "BTFC-END${T}$(up)"
sync
$(cat /etc/btfc/halt)
EOF
chmod 755 "$R/init"

INITRD=$W/initrd.img
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$INITRD"
RAWSZ=$(du -sm "$R" | cut -f1)
IRDSZ=$(( $(stat -c %s "$INITRD") / 1048576 ))
if [ -z "$MEM" ]; then
	# rootfs holds the unpacked tree while the compressed image is still in memory;
	# loaded modules, their BTF and the kernel itself need room too.
	MEM=$(( 2 * RAWSZ + IRDSZ + 512 ))
	[ "$MEM" -lt 1024 ] && MEM=1024
fi
say "initramfs: $(wc -l < "$W/closure") modules + ${#SEQFILES[@]} seq files, ${RAWSZ} MiB unpacked, ${IRDSZ} MiB gzip; -m $MEM ($(elapsed)s)"

# ---- boot ---------------------------------------------------------------------
CON=$W/console.log DATA=$W/data.log
: > "$CON"; : > "$DATA"
TB=$(date +%s.%N)
set +e
# x86_64: results on a second serial port; arm64 (one PL011 on virt) and s390x (SCLP): on the console
SERIAL=(-serial "file:$CON"); [ "$ARCH" = x86_64 ] && SERIAL+=(-serial "file:$DATA")
timeout -k 10 "$TIMEOUT" "$QEMU" -accel "$ACCEL" "${QARGS[@]}" -m "$MEM" -nographic -no-reboot \
	-monitor none "${SERIAL[@]}" \
	-kernel "$VMLINUZ" -initrd "$INITRD" \
	-append "${CONSOLE:+console=$CONSOLE }quiet panic=-1 log_buf_len=16M rcupdate.rcu_expedited=1 rdinit=/init $APPEND" \
	< /dev/null > "$W/qemu.out" 2>&1
QRC=$?
set -e
WALL=$(awk -v a="$TB" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
# one log: the kernel console, then the result channel
{ echo "=== console (ttyS0)"; tr -d '\r' < "$CON"; echo "=== results (ttyS1)"; tr -d '\r' < "$DATA"
  echo "=== qemu rc=$QRC wall=${WALL}s"; cat "$W/qemu.out"; } > "$LOGFILE"
# the result lines (console too: the fallback when ttyS1 was missing)
{ tr -d '\r' < "$DATA"; tr -d '\r' < "$CON"; } > "$W/lines"

if [ "$QRC" != 0 ] && ! grep -q '^BTFC-BEGIN' "$W/lines" && grep -qiE 'could not|failed to|cannot|not supported' "$W/qemu.out"; then
	skip_out "qemu cannot run here (rc $QRC): $(head -n 2 "$W/qemu.out" | tr '\n' ' ')"
fi

# ---- parse ----------------------------------------------------------------------
if grep -q '^BTFC-END' "$W/lines"; then OK=1; else OK=0; fi
mkdir -p "$(dirname "$OUT")"
# klog(line): one kernel log line. The 6.1 module loader prints the BTF verifier's log
# ("BPF: ..." lines) and then "failed to validate module [NAME] BTF: ERR"; klog collects
# the former and, on the latter, sets KNAME, KERR and KLOG (the "BPF:" messages joined).
# 6.12 prints only one "Kernel module BTF mismatch detected" for the whole boot.
AWKLIB='
function klog(l,   m) {
	KNAME = ""
	gsub(/\t/, " ", l); sub(/^\[[ 0-9.]*\] */, "", l)
	if (l ~ /^BPF:/) {
		m = l; sub(/^BPF: */, "", m); gsub(/^ +| +$/, "", m)
		if (m != "") kbuf = kbuf (kbuf == "" ? "" : " | ") m
	} else if (l ~ /failed to validate module \[/) {
		m = l; sub(/.*failed to validate module \[/, "", m)
		KNAME = m; sub(/\].*/, "", KNAME)
		KERR = m; sub(/.*BTF: */, "", KERR)
		KLOG = kbuf; kbuf = ""
	}
}'
if [ "$ALL" = 1 ] || [ -n "$LOADLIST" ] || [ ${#SEQFILES[@]} -eq 0 ]; then
	# RESULT rows; if the guest died before reporting, LOAD rows with btf_present "?"
	awk -F'\t' "$AWKLIB"'
		$1 == "LOAD" && !($2 in lrc) { lrc[$2] = $3; lerr[$2] = $4; order[++n] = $2 }
		$1 == "RESULT" && !($2 in res) { res[$2] = $4 "\t" $5; rrc[$2] = $3; if (!($2 in lrc)) order[++n] = $2 }
		$1 == "DMESG" { klog(substr($0, 7)); if (KNAME != "") { berr[KNAME] = KERR; blog[KNAME] = KLOG } }
		END {
			print "module\tload_rc\tbtf_present\tbtf_size\tbtf_err\tbtf_log\tload_err"
			for (i = 1; i <= n; i++) { m = order[i]; k = m; gsub(/-/, "_", k)
				rc = (m in rrc) ? rrc[m] : lrc[m]
				print m "\t" rc "\t" ((m in res) ? res[m] : "?\t?") "\t" ((k in berr) ? berr[k] : "-") "\t" \
					((k in blog) ? blog[k] : "") "\t" lerr[m] }
		}' "$W/lines" > "$OUT.tmp"
	mv "$OUT.tmp" "$OUT"
	SEQOUT=$OUTBASE.seq.tsv
else
	SEQOUT=$OUT
fi
SEQHDR='index\tmodule\tinsmod_rc\tbtf_present\trmmod_rc\tbtf_err\tbtf_log\tfile'
if [ ${#SEQFILES[@]} -gt 0 ]; then
	awk -F'\t' -v hdr="$SEQHDR" "$AWKLIB"'
		NR == FNR { nm[$1] = $2; file[$1] = $3; next }
		FNR == 1 { print hdr }
		$1 == "SEQLOG" { klog(substr($0, length($1 "\t" $2 "\t") + 1)); if (KNAME != "") { berr[$2] = KERR; blog[$2] = KLOG } }
		$1 == "SEQ" && !($2 in seen) { seen[$2] = 1
			print $2 "\t" nm[$2] "\t" $3 "\t" $4 "\t" $5 "\t" (($2 in berr) ? berr[$2] : "-") "\t" blog[$2] "\t" file[$2] }' \
		"$W/seq.list" "$W/lines" > "$SEQOUT.tmp"
	[ -s "$SEQOUT.tmp" ] || printf "$SEQHDR\n" > "$SEQOUT.tmp"
	mv "$SEQOUT.tmp" "$SEQOUT"
fi
grep '^DMESG' "$W/lines" | cut -f2- > "$OUTBASE.dmesg.txt" || true
if [ -n "$FETCH" ]; then
	mkdir -p "$FETCHDIR"
	for m in $(echo "$FETCH" | tr , ' '); do
		rm -f "$FETCHDIR/$m.btf"
		awk -F'\t' -v m="$m" '$1 == "BTFDATA-BEGIN" && $2 == m { on = 1; next }
			$1 == "BTFDATA-END" && $2 == m { exit } on && /^[A-Za-z0-9+\/=]+$/ { print }' "$W/lines" > "$W/b64"
		if grep -qP "^BTFDATA-BEGIN\t$m\t" "$W/lines"; then
			want=$(grep -P "^BTFDATA-BEGIN\t$m\t" "$W/lines" | head -n1 | cut -f3)
			base64 -d "$W/b64" > "$FETCHDIR/$m.btf"
			got=$(stat -c %s "$FETCHDIR/$m.btf")
			[ "$got" = "$want" ] || { echo "$PROG: $m.btf: got $got bytes, guest said $want" >&2; OK=0; }
		fi
	done
fi

# ---- summary ----------------------------------------------------------------------
tget() { awk -F'\t' -v k="$1" '$1 == "TIME" && $2 == k { print $3; exit } k == "begin" && $1 == "BTFC-BEGIN" { print $3; exit }' "$W/lines"; }
if [ "$VERBOSE" = 1 ]; then
	b=$(tget begin); l=$(tget loaded); s0=$(tget seq-start); s1=$(tget seq-end)
	msg="wall ${WALL}s (qemu), init at ${b:-?}s guest uptime"
	[ "$NLOAD" -gt 0 ] && [ -n "$l" ] && msg="$msg, modprobe $NLOAD modules $(awk -v a="$b" -v b="$l" 'BEGIN{printf "%.1f", b-a}')s"
	[ -n "$s1" ] && msg="$msg, insmod-seq ${#SEQFILES[@]} files $(awk -v a="$s0" -v b="$s1" 'BEGIN{printf "%.1f", b-a}')s"
	say "$msg"
	say "guest memory at the end: $(awk -F'\t' '$1 == "MEM" { print $2; exit }' "$W/lines")"
	if [ "$NLOAD" -gt 0 ] && [ -f "$OUT" ]; then
		say "$(awk -F'\t' 'NR > 1 { n++; if ($2 == 0) ok++; else bad++; if ($3 == 1) btf++ }
			END { printf "%d modules: %d loaded (rc 0), %d failed, %d with /sys/kernel/btf entry", n, ok, bad, btf }' "$OUT")"
	fi
fi
if [ "$OK" != 1 ]; then
	echo "$PROG: guest did not reach its final marker (qemu rc $QRC, ${WALL}s; timeout ${TIMEOUT}s)" >&2
	last=$(grep -E '^(TRY|SEQTRY)' "$W/lines" | tail -n1 | tr '\t' ' ' || true)
	[ -n "$last" ] && echo "$PROG: last step started: $last" >&2
	echo "$PROG: serial log tail ($LOGFILE):" >&2
	tr -d '\r' < "$CON" | tail -n 30 >&2
	exit 1
fi
exit 0
