#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
"""Break the section name table of an ELF64 little-endian module, as a hostile file would.
   elf_nametable.py IN OUT MODE   MODE: shstrndx=N | nobits | note | size=N | nonul"""
import struct, sys

src, dst, mode = sys.argv[1:4]
d = bytearray(open(src, 'rb').read())
assert d[:4] == b'\x7fELF' and d[4] == 2 and d[5] == 1, 'ELF64 LE only'
shoff, = struct.unpack_from('<Q', d, 0x28)
shnum, shstrndx = struct.unpack_from('<HH', d, 0x3c)
def sh(i): return shoff + 64 * i
def sh_type(i): return struct.unpack_from('<I', d, sh(i) + 4)[0]
def first(t): return next(i for i in range(1, shnum) if sh_type(i) == t)
if mode.startswith('shstrndx='):
    struct.pack_into('<H', d, 0x3e, int(mode.split('=')[1], 0))
elif mode == 'nobits':
    struct.pack_into('<H', d, 0x3e, first(8))   # SHT_NOBITS
elif mode == 'note':
    struct.pack_into('<H', d, 0x3e, first(7))   # SHT_NOTE
elif mode.startswith('size='):
    struct.pack_into('<Q', d, sh(shstrndx) + 0x20, int(mode.split('=')[1], 0))
elif mode == 'nonul':
    off, size = struct.unpack_from('<QQ', d, sh(shstrndx) + 0x18)
    d[off + size - 1] = ord('x')
else:
    sys.exit('unknown mode ' + mode)
open(dst, 'wb').write(d)
