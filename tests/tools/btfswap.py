#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
"""Test helper: write a copy of a raw little-endian BTF blob in big-endian
byte order (header words and every 32-bit word of the type section swapped,
magic swapped, strings unchanged). Usage: btfswap.py IN OUT"""
import struct, sys

b = bytearray(open(sys.argv[1], "rb").read())
magic, ver, flags, hdr_len, toff, tlen, soff, slen = struct.unpack_from("<HBBIIIII", b, 0)
assert magic == 0xEB9F, "input is not little-endian BTF"
struct.pack_into(">HBBIIIII", b, 0, magic, ver, flags, hdr_len, toff, tlen, soff, slen)
start = hdr_len + toff
n = tlen // 4
words = struct.unpack_from("<%dI" % n, b, start)
struct.pack_into(">%dI" % n, b, start, *words)
open(sys.argv[2], "wb").write(bytes(b))
