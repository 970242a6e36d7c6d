#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
"""Test helper: write a copy of a standalone raw BTF whose types are permuted
(new ids), every type reference rewritten to match; strings unchanged.
Usage: shuffle_btf.py IN OUT SEED"""
import random, struct, sys

b = open(sys.argv[1], "rb").read()
_, _, _, hl, to, tl, so, sl = struct.unpack_from("<HBBIIIII", b, 0)
types, strs = b[hl + to:hl + to + tl], b[hl + so:hl + so + sl]
EXTRA = {1: 4, 3: 12, 14: 4, 17: 4}
PER = {4: 12, 5: 12, 6: 8, 13: 8, 15: 12, 19: 12}
recs, off = [], 0
while off < len(types):
    info, = struct.unpack_from("<I", types, off + 4)
    k, v = (info >> 24) & 0x1f, info & 0xffff
    n = 12 + EXTRA.get(k, 0) + PER.get(k, 0) * v
    recs.append(bytearray(types[off:off + n]))
    off += n
order = list(range(len(recs)))
random.Random(int(sys.argv[3])).shuffle(order)
new_id = {old + 1: new + 1 for new, old in enumerate(order)}
new_id[0] = 0
def fix(r, pos):
    struct.pack_into("<I", r, pos, new_id[struct.unpack_from("<I", r, pos)[0]])
for r in recs:
    info, = struct.unpack_from("<I", r, 4)
    k, v = (info >> 24) & 0x1f, info & 0xffff
    if k in (2, 8, 9, 10, 11, 12, 13, 14, 17, 18):  # t->type is a type id
        fix(r, 8)
    if k == 3:
        fix(r, 12); fix(r, 16)
    if k in (4, 5):
        for i in range(v): fix(r, 12 + 12 * i + 4)
    if k == 13:
        for i in range(v): fix(r, 12 + 8 * i + 4)
    if k == 15:
        for i in range(v): fix(r, 12 + 12 * i)
out = b"".join(bytes(recs[o]) for o in order)
hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(out), len(out), len(strs))
open(sys.argv[2], "wb").write(hdr + out + strs)
