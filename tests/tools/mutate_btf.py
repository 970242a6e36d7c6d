#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
"""Test helper: write N mutants of a raw split or standalone BTF blob (same
size as the input): flipped bits, changed kinds, vlen, sizes, type ids, name
offsets, kind_flag, string bytes, header fields. Deterministic for a seed.
Usage: mutate_btf.py IN OUTDIR N SEED   -> OUTDIR/0.btf ... OUTDIR/(N-1).btf"""
import os, random, struct, sys

src, outdir, n, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
blob = open(src, "rb").read()
_, _, _, hl, toff, tlen, soff, slen = struct.unpack_from("<HBBIIIII", blob, 0)
ts = hl + toff
EXTRA = {1: lambda v: 4, 3: lambda v: 12, 4: lambda v: 12 * v, 5: lambda v: 12 * v, 6: lambda v: 8 * v,
         13: lambda v: 8 * v, 14: lambda v: 4, 15: lambda v: 12 * v, 17: lambda v: 4, 19: lambda v: 12 * v}
recs, off = [], 0
while off + 12 <= tlen:
    info = struct.unpack_from("<I", blob, ts + off + 4)[0]
    recs.append(off)
    off += 12 + EXTRA.get((info >> 24) & 0x1f, lambda v: 0)(info & 0xffff)
rng = random.Random(seed)
os.makedirs(outdir, exist_ok=True)

def word(b, pos, f):
    struct.pack_into("<I", b, pos, f(struct.unpack_from("<I", b, pos)[0]) & 0xffffffff)

for i in range(n):
    b = bytearray(blob)
    for _ in range(1 if rng.random() < 0.75 else 2):
        r = ts + rng.choice(recs)
        k = rng.randrange(10)
        if k == 0: b[rng.randrange(24)] ^= 1 << rng.randrange(8)
        elif k == 1: b[ts + rng.randrange(tlen)] ^= 1 << rng.randrange(8)
        elif k == 2: word(b, r + 4, lambda w: (w & ~(0x1f << 24)) | (rng.randrange(21) << 24))
        elif k == 3: word(b, r + 4, lambda w: (w & ~0xffff) | ((w & 0xffff) + rng.randrange(-1, 2)) & 0xffff)
        elif k == 4: word(b, r + 8, lambda w: w + rng.randrange(-8, 9))
        elif k == 5: word(b, r, lambda w: w + rng.randrange(-16, 17))
        elif k == 6: word(b, r + 4, lambda w: w ^ (1 << 31))
        elif k == 7: b[hl + soff + rng.randrange(max(slen, 1))] = rng.choice(b"\0.x9_-\x7f\xe9 ")
        elif k == 8 and r + 16 <= ts + tlen: word(b, r + 12, lambda w: w + rng.randrange(-4, 5))
        else: word(b, r, lambda w: rng.randrange(1 << 24))
    open(os.path.join(outdir, "%d.btf" % i), "wb").write(b)
