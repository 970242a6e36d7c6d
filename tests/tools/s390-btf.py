#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
"""Test oracle: cut the vmlinux BTF out of an s390x vmlinuz (s390's
decompressor followed by a zstd payload), independently of btfcompat's
reader: find a zstd frame (28 b5 2f fd) that `zstd -dc` turns into the kernel
image, then the first big-endian BTF header (eb 9f, version 1, no flags,
hdr_len 24 or 32) whose sections lie inside the image, and write that blob.
Usage: s390-btf.py VMLINUZ OUT"""
import struct, subprocess, sys

def btf_at(img, pos):
    hl, to, tl, so, sl = struct.unpack_from(">IIIII", img, pos + 4)
    if hl not in (24, 32) or tl == 0 or sl == 0 or to + tl > so:
        return None
    end = pos + hl + so + sl
    if end > len(img) or img[pos + hl + so] != 0 or img[end - 1] != 0:
        return None
    return img[pos:end]

def main():
    z = open(sys.argv[1], "rb").read()
    pos = z.find(b"\x28\xb5\x2f\xfd")
    while pos >= 0:
        p = subprocess.run(["zstd", "-dcq"], input=z[pos:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        img = p.stdout
        if len(img) > 1 << 20:
            b = img.find(b"\xeb\x9f\x01\x00")
            while b >= 0:
                blob = btf_at(img, b)
                if blob:
                    open(sys.argv[2], "wb").write(blob)
                    return 0
                b = img.find(b"\xeb\x9f\x01\x00", b + 1)
        pos = z.find(b"\x28\xb5\x2f\xfd", pos + 1)
    print("s390-btf.py: no big-endian BTF found in " + sys.argv[1], file=sys.stderr)
    return 1

sys.exit(main())
