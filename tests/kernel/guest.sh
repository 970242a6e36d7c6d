# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Sourced by tests/kernel_stamp.sh, tests/kernel_stamp72.sh and
# bench/kernel_stamp.sh: boot a kernel built by scripts/kernel-build.sh under
# QEMU (TCG, no ACPI: the guest ends with `reboot -f` and QEMU's -no-reboot)
# with a busybox initramfs that inserts modules one at a time.
#
#   guest_boot IMAGE LIST OUTDIR [REPEAT]
#
# GUEST_ARCH: x86_64 (the default; qemu-system-x86_64, console ttyS0, the
# host's static busybox), arm64 (qemu-system-aarch64 -M virt -cpu max,
# ttyAMA0) or s390x (qemu-system-s390x -M s390-ccw-virtio, ttysclp0); the
# foreign guests' busybox is busybox-static of their arch from the corpus
# (scripts/corpus.sh busybox-ARCH, as tests/qemu/boot-modules.sh takes it).
# guest_image KDIR prints the boot image of a kernel-build.sh build for
# GUEST_ARCH.
#
# LIST: lines "ID NAME FILE" (NAME as /sys/module names the module).
# Without REPEAT, for each line: insmod FILE, the kernel log lines it caused,
# /sys/kernel/btf/NAME (its bytes are copied out), rmmod. Writes into OUTDIR:
#   result     "ID NAME INSMOD_RC BTF_PRESENT" per line
#   klog       "ID LINE" per kernel log line
#   btf/ID.btf the module's BTF as the guest's kernel published it
#   up         the guest's uptime when /init started (seconds)
#   bootlog    the kernel log up to /init (KUnit results, if any)
#   console.log
# With REPEAT: insmod + rmmod REPEAT times per line, no log, no BTF; result
# lines are "ID NAME FIRST_US REST_US": the first insmod, then the mean
# insmod + rmmod cycle of the others, in microseconds of guest time (read
# from /proc/uptime, whose resolution is 10 ms: the first is coarse).
# GUEST_APPEND: more kernel command line (e.g. kunit.enable=0).
# Returns 0 when the guest reached its end marker, 1 if not, 3 when QEMU or
# busybox is missing.

guest_busybox() {
	local b
	if [ "${GUEST_ARCH:-x86_64}" != x86_64 ]; then
		b=$("$(dirname "${BASH_SOURCE[0]}")/../../scripts/corpus.sh" --path "busybox-$GUEST_ARCH" 2>/dev/null)/usr/bin/busybox
		[ -x "$b" ] && { echo "$b"; return 0; }
		return 1
	fi
	for b in /bin/busybox /usr/bin/busybox; do
		[ -x "$b" ] && ! head -c 4096 "$b" | grep -qa 'ld-linux' && { echo "$b"; return 0; }
	done
	return 1
}

# guest_arch_env: for GUEST_ARCH, GUEST_KBUILD (scripts/kernel-build.sh's arguments: --arch and
# the serial console of QEMU's machine; s390x has no 8250, the fragment's lines are unset),
# OBJCOPY and READELF (the cross binutils for foreign ELF), and make's ARCH and CROSS_COMPILE
# exported (M= builds). Returns 1 for an unknown GUEST_ARCH.
guest_arch_env() {
	GUEST_KBUILD=() OBJCOPY=objcopy READELF=readelf
	case ${GUEST_ARCH:-x86_64} in
	x86_64) return 0 ;;
	arm64) GUEST_KBUILD=(--arch arm64 --set CONFIG_SERIAL_AMBA_PL011=y --set CONFIG_SERIAL_AMBA_PL011_CONSOLE=y)
		export ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- ;;
	s390x) GUEST_KBUILD=(--arch s390x --set "# CONFIG_SERIAL_8250 is not set" --set "# CONFIG_SERIAL_8250_CONSOLE is not set"
		--set CONFIG_SCLP_TTY=y --set CONFIG_SCLP_CONSOLE=y --set CONFIG_SCLP_VT220_TTY=y --set CONFIG_SCLP_VT220_CONSOLE=y)
		export ARCH=s390 CROSS_COMPILE=s390x-linux-gnu- ;;
	*) return 1 ;;
	esac
	OBJCOPY=${CROSS_COMPILE}objcopy READELF=${CROSS_COMPILE}readelf
}

guest_image() {
	case ${GUEST_ARCH:-x86_64} in
	x86_64) echo "$1/arch/x86/boot/bzImage" ;;
	arm64) echo "$1/arch/arm64/boot/Image" ;;
	s390x) echo "$1/arch/s390/boot/bzImage" ;;
	esac
}

guest_boot() {
	local kernel=$1 list=$2 out=$3 repeat=${4:-0} bb r q con
	case ${GUEST_ARCH:-x86_64} in
	x86_64) q=(qemu-system-x86_64 -accel tcg -cpu max) con=ttyS0 ;;
	arm64) q=(qemu-system-aarch64 -accel tcg -M virt -cpu max) con=ttyAMA0 ;;
	s390x) q=(qemu-system-s390x -accel tcg -M s390-ccw-virtio -cpu max) con=ttysclp0 ;;
	*) return 3 ;;
	esac
	command -v "${q[0]}" >/dev/null && command -v cpio >/dev/null || return 3
	bb=$(guest_busybox) || return 3
	rm -rf "$out"; mkdir -p "$out/btf"
	r=$out/root
	mkdir -p "$r"/{bin,proc,sys,dev,tmp,c}
	cp "$bb" "$r/bin/busybox"
	ln -s busybox "$r/bin/sh"
	while read -r id name file; do
		cp "$file" "$r/c/$id.ko"
		echo "$id $name" >> "$r/c/list"
	done < "$list"
	echo "$repeat" > "$r/c/repeat"
	cat > "$r/init" <<'EOF'
#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s
mount -t sysfs sysfs /sys
echo 1 > /proc/sys/kernel/printk
read up _ < /proc/uptime
echo "KS-BEGIN $up"
read repeat < /c/repeat
cs() { # centiseconds, no leading zero (sh arithmetic would read 099 as octal)
	read u _ < /proc/uptime; u="${u%.*}${u#*.}"
	while [ "${u#0}" != "$u" ]; do u=${u#0}; done
	echo "${u:-0}"
}
dmesg -c | while IFS= read -r l; do echo "KS-BOOT $l"; done
while read -r id n; do
	if [ "$repeat" -gt 0 ]; then
		t0=$(cs); insmod /c/$id.ko; t1=$(cs); rmmod $n
		i=1
		while [ $i -lt "$repeat" ]; do
			insmod /c/$id.ko; rmmod $n; i=$((i + 1))
		done
		t2=$(cs)
		echo "KS-RES $id $n $(((t1 - t0) * 10000)) $(((t2 - t1) * 10000 / (repeat - 1)))"
		continue
	fi
	insmod /c/$id.ko 2> /dev/null; rc=$?
	echo "KS-RES $id $n $rc $([ -f /sys/kernel/btf/$n ] && echo 1 || echo 0)"
	if [ -f /sys/kernel/btf/$n ]; then
		echo "KS-BTF-BEGIN $id"
		base64 /sys/kernel/btf/$n
		echo "KS-BTF-END $id"
	fi
	[ -d /sys/module/$n ] && rmmod $n
	dmesg -c | while IFS= read -r l; do echo "KS-LOG $id $l"; done
done < /c/list
echo "KS-END"
reboot -f
EOF
	chmod 755 "$r/init"
	(cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$out/initrd"
	timeout -k 5 600 "${q[@]}" -m 256 -nographic -no-reboot -monitor none \
		-serial "file:$out/console.raw" -kernel "$kernel" -initrd "$out/initrd" \
		-append "console=$con quiet loglevel=1 panic=-1 rdinit=/init${GUEST_APPEND:+ $GUEST_APPEND}" < /dev/null > "$out/qemu.out" 2>&1
	tr -d '\r' < "$out/console.raw" > "$out/console.log"
	awk '/^KS-BEGIN / { print $2 }' "$out/console.log" > "$out/up"
	awk '/^KS-RES / { print $2, $3, $4, $5 }' "$out/console.log" > "$out/result"
	awk '/^KS-LOG / { id = $2; sub(/^KS-LOG [^ ]+ /, ""); print id, $0 }' "$out/console.log" > "$out/klog"
	sed -n 's/^KS-BOOT //p' "$out/console.log" > "$out/bootlog"
	awk -v d="$out/btf" '/^KS-BTF-BEGIN / { f = d "/" $2 ".b64"; next } /^KS-BTF-END / { close(f); f = ""; next }
		f != "" { print > f }' "$out/console.log"
	local b
	for b in "$out"/btf/*.b64; do
		[ -e "$b" ] && base64 -d "$b" > "${b%.b64}.btf" && rm "$b"
	done
	grep -q '^KS-END' "$out/console.log"
}
