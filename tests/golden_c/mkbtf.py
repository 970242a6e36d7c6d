#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
"""Write a small BTF blob whose types form a cycle, for the C dumper's refusals.
   mkbtf.py KIND OUT   KIND: anon-loop (an anonymous struct embedding itself: bpftool's
   "unsatisfiable type cycle"), typedef-loop (two typedefs naming each other), ptr-loop (two pointers),
   fwd-member (a struct member of a forward-declared type after a gap: bpftool divides by zero)."""
import struct, sys

def blob(types, names):
    strs = b"\0" + b"".join(n.encode() + b"\0" for n in names)
    off = {n: 1 + sum(len(m) + 1 for m in names[:i]) for i, n in enumerate(names)}
    tsec = b""
    for t in types:
        name, kind, vlen, size_type, extra = t
        tsec += struct.pack("<III", off.get(name, 0), kind << 24 | vlen, size_type) + extra
    hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(tsec), len(tsec), len(strs))
    return hdr + tsec + strs

INT = lambda name: (name, 1, 0, 4, struct.pack("<I", 1 << 24 | 32))
kind, out = sys.argv[1], sys.argv[2]
if kind == "anon-loop":
    # [1] int  [2] struct s { [3] x; }  [3] struct { [2]... no: [3] embeds [4], [4] anonymous embeds [3]
    names = ["int", "s", "a", "b"]
    types = [INT("int"),
             ("s", 4, 1, 4, struct.pack("<III", 0, 3, 0)),        # [2] struct s { anon [3]; }
             ("", 4, 1, 4, struct.pack("<III", 0, 4, 0)),         # [3] struct { anon [4]; }
             ("", 4, 1, 4, struct.pack("<III", 0, 3, 0))]         # [4] struct { anon [3]; }
elif kind == "typedef-loop":
    names = ["int", "a", "b"]
    types = [INT("int"), ("a", 8, 0, 3, b""), ("b", 8, 0, 2, b"")]
elif kind == "ptr-loop":
    names = ["int", "a"]
    types = [INT("int"), ("", 2, 0, 3, b""), ("", 2, 0, 2, b""), ("a", 8, 0, 2, b"")]
elif kind == "fwd-member":
    names = ["int", "f", "s", "a", "b"]
    types = [INT("int"), ("f", 7, 0, 0, b""),
             ("s", 4, 2, 16, struct.pack("<IIIIII", 9, 1, 0, 11, 2, 64))]
else:
    sys.exit("unknown kind " + kind)
open(out, "wb").write(blob(types, names))
