#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
"""Test helper: write a copy of a raw BTF blob in the other byte order (magic,
the 24-byte header's words and every 32-bit word of the type section swapped,
strings unchanged); the input's order is told by its magic.
Usage: btfswap.py IN OUT"""
import struct, sys

b = bytearray(open(sys.argv[1], "rb").read())
src = "<" if b[:2] == b"\x9f\xeb" else ">"
dst = ">" if src == "<" else "<"
magic, ver, flags, hdr_len, toff, tlen, soff, slen = struct.unpack_from(src + "HBBIIIII", b, 0)
assert magic == 0xEB9F and hdr_len == 24, "input is not BTF with a 24-byte header"
struct.pack_into(dst + "HBBIIIII", b, 0, magic, ver, flags, hdr_len, toff, tlen, soff, slen)
start = hdr_len + toff
n = tlen // 4
words = struct.unpack_from(src + "%dI" % n, b, start)
struct.pack_into(dst + "%dI" % n, b, start, *words)
open(sys.argv[2], "wb").write(bytes(b))
