#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
"""Test oracle: extract the ELF vmlinux from a bzImage with the command-line
decompressors, independently of btfcompat's own reader (same idea as the
kernel's scripts/extract-vmlinux: try every magic offset until the output is
an ELF). Usage: extract-vmlinux.py VMLINUZ OUT"""
import subprocess, sys

MAGICS = [  # (magic bytes, decompress command)
    (b"\x1f\x8b\x08", ["gzip", "-dc"]),
    (b"\xfd7zXZ\x00", ["xz", "-dc"]),
    (b"BZh", ["bzip2", "-dc"]),
    (b"\x5d\x00\x00\x00", ["xz", "-dc", "--format=lzma"]),
    (b"\x02\x21\x4c\x18", ["lz4", "-dc"]),
    (b"\x28\xb5\x2f\xfd", ["zstd", "-dcq"]),
]

def main():
    img = open(sys.argv[1], "rb").read()
    for magic, cmd in MAGICS:
        pos = img.find(magic)
        while pos >= 0:
            p = subprocess.run(cmd, input=img[pos:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            if p.stdout[:4] == b"\x7fELF":
                open(sys.argv[2], "wb").write(p.stdout)
                return 0
            pos = img.find(magic, pos + 1)
    print("extract-vmlinux.py: no ELF payload found in " + sys.argv[1], file=sys.stderr)
    return 1

sys.exit(main())
