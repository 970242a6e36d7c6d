#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# add_layout.py IN.btf OUT.btf: IN (a 24-byte header, types then strings, either byte order) with the
# kind layout section of Linux 7.2 added, as pahole >= 1.31 emits it: a 32-byte header
# (layout_off, layout_len) and one struct btf_layout { u8 info_sz; u8 elem_sz; u16 flags; } per
# kind 0..19 (BTF_KIND_UNKN..BTF_KIND_ENUM64), between the types and the strings. Test
# scaffolding, written from include/uapi/linux/btf.h, independent of btfcompat.
import struct
import sys

# kind: (bytes after struct btf_type, bytes per vlen entry)
LAYOUT = [(0, 0), (4, 0), (0, 0), (12, 0), (0, 12), (0, 12), (0, 8), (0, 0), (0, 0), (0, 0),  # UNKN..VOLATILE
          (0, 0), (0, 0), (0, 0), (0, 8), (4, 0), (0, 12), (0, 0), (4, 0), (0, 0), (0, 12)]  # CONST..ENUM64

src = open(sys.argv[1], "rb").read()
bo = "<" if src[:2] == b"\x9f\xeb" else ">"
magic, ver, flags, hl, to, tl, so, sl = struct.unpack_from(bo + "HBBIIIII", src, 0)
if magic != 0xeb9f or hl != 24 or to != 0 or so != tl:
    sys.exit("%s: not a BTF blob with a 24-byte header and types before strings" % sys.argv[1])
types, strs = src[hl:hl + tl], src[hl + so:hl + so + sl]
layout = b"".join(struct.pack(bo + "BBH", i, e, 0) for i, e in LAYOUT)
hdr = struct.pack(bo + "HBBIIIIIII", magic, ver, flags, 32, 0, tl, tl + len(layout), sl, tl, len(layout))
open(sys.argv[2], "wb").write(hdr + types + layout + strs)
