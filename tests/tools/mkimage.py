#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
"""Test fixtures: kernel image formats Debian does not ship, built from a real
kernel's bytes with the layout the kernel's own sources give (linux-source-6.12).
The boot code itself (EFI stub, zImage wrapper) is not reproduced: only what
locates the kernel inside the image.
  mkimage.py zboot IMAGE COMP OUT   EFI zboot (drivers/firmware/efi/libstub/zboot-header.S and
                                    Makefile.zboot): "MZ\\0\\0", "zimg", payload offset and size
                                    (u32 LE), two reserved words, the compression's name; the
                                    payload is the Image padded to its image_size (u32 at 16),
                                    compressed with COMP (gzip, zstd, xz, lzma, lz4, bzip2, lzo), with the
                                    uncompressed size appended (u32 LE) for all but gzip
  mkimage.py zimage VMLINUX OUT     powerpc zImage (arch/powerpc/boot/wrapper, zImage.lds.S): an ELF
                                    boot wrapper whose section .kernel:vmlinux.strip holds the
                                    vmlinux, gzip -n -9'd (not stripped here: strip keeps .BTF)"""
import struct, subprocess, sys

COMPRESS = {  # Makefile.lib's formats (gzip -n, zstd, xz --check=crc32, lzma, lz4 -l legacy, bzip2)
    "gzip": ["gzip", "-n", "-1"],  # at fast levels: the level does not change the format
    "zstd": ["zstd", "-q", "-3"],
    "xz": ["xz", "--check=crc32", "-0"],
    "lzma": ["xz", "--format=lzma", "-0"],
    "lz4": ["lz4", "-l", "-q", "-1"],
    "bzip2": ["bzip2", "-1"],
    "lzo": ["lzop", "-c", "-1"],
}

def zboot(image, comp, out):
    img = open(image, "rb").read()
    size, = struct.unpack_from("<I", img, 16)  # cmd_copy_and_pad: truncate -s $(hexdump -s16 -n4)
    vmlinux_bin = img[:size].ljust(size, b"\0")
    z = subprocess.run(COMPRESS[comp], input=vmlinux_bin, stdout=subprocess.PIPE, check=True).stdout
    size_len = 0 if comp == "gzip" else 4  # zboot-size-len
    gzdata = z + (struct.pack("<I", len(vmlinux_bin)) if size_len else b"")
    poff = 0x10000  # after the header page and the (not reproduced) decompressor's code
    machine = 0xaa64 if img[0x38:0x3c] == b"ARM\x64" else 0x5064
    hdr = bytearray(poff)
    struct.pack_into("<I4sII II", hdr, 0, 0x5a4d, b"zimg", poff, len(gzdata) - size_len, 0, 0)
    hdr[0x18:0x18 + len(comp) + 1] = comp.encode() + b"\0"
    struct.pack_into("<II", hdr, 0x38, 0x818223cd, 0x40)  # LINUX_PE_MAGIC, PE header offset
    struct.pack_into("<IHH", hdr, 0x40, 0x00004550, machine, 2)  # PE_MAGIC, machine, sections
    open(out, "wb").write(bytes(hdr) + gzdata)

def zimage(vmlinux, out):
    z = subprocess.run(["gzip", "-n", "-9"], input=open(vmlinux, "rb").read(), stdout=subprocess.PIPE, check=True).stdout
    shstr = b"\0.text\0.kernel:vmlinux.strip\0.shstrtab\0"
    text = b"\x60\x00\x00\x00" * 64  # nops: a stand-in for the wrapper's code
    off_text = 64
    off_z = (off_text + len(text) + 7) & ~7
    off_str = off_z + len(z)
    off_sh = (off_str + len(shstr) + 7) & ~7
    ehdr = struct.pack("<4sBBBB8sHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, b"\0" * 8, 2, 21, 1, 0x400000, 0, off_sh,
                       0, 64, 0, 0, 64, 4, 3)
    sh = lambda name, typ, flags, off, size, align: struct.pack("<IIQQQQIIQQ", name, typ, flags, 0, off, size, 0, 0, align, 0)
    shdrs = (sh(0, 0, 0, 0, 0, 0) + sh(1, 1, 6, off_text, len(text), 4) + sh(7, 1, 2, off_z, len(z), 1) +
             sh(29, 3, 0, off_str, len(shstr), 1))
    b = bytearray(off_sh + len(shdrs))
    b[0:64] = ehdr
    b[off_text:off_text + len(text)] = text
    b[off_z:off_z + len(z)] = z
    b[off_str:off_str + len(shstr)] = shstr
    b[off_sh:] = shdrs
    open(out, "wb").write(bytes(b))

if sys.argv[1] == "zboot":
    zboot(*sys.argv[2:5])
else:
    zimage(*sys.argv[2:4])
