#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
"""After a relocation, every .BTF_ids slot of a module must name the same function or type
as its __BTF_ID__ symbol says, and every BTF_SET/BTF_SET8 must stay sorted.

  check_btf_ids.py ORDER TYPES.json BTF_IDS.sec READELF-SYMS
ORDER: < (little-endian) or > (big-endian); TYPES.json: btf_sections.py --names of the module's
new BTF; BTF_IDS.sec: the section's bytes; READELF-SYMS: `readelf -sW MODULE`.
Exit 0 when all hold (and there is at least one slot), else 1 with a line on stderr.
"""
import json
import re
import struct
import sys

order, types_json, sec, syms = sys.argv[1:5]
u32 = order + "I"
types = {int(i): {"kind": k, "name": n} for i, (k, n) in json.load(open(types_json)).items()}
data = open(sec, "rb").read()
want, sets, got = set(), [], set()
for line in open(syms):
    m = re.search(r"([0-9a-f]{16})\s+\d+\s+\S+\s+\S+\s+\S+\s+\S+\s+__BTF_ID__(\w+?)__(\w+)$", line)
    if not m:
        continue
    off, kind, rest = int(m.group(1), 16), m.group(2), m.group(3)
    if kind in ("set", "set8"):
        sets.append((off, kind))
        continue
    want.add((kind.upper(), re.sub(r"__\d+$", "", rest)))
    got.add(struct.unpack_from(u32, data, off)[0])
named = {(types[i]["kind"], types[i]["name"]) for i in got if i in types}
ok = named == want
for off, kind in sets:
    cnt, = struct.unpack_from(u32, data, off)
    ids = [struct.unpack_from(u32, data, off + (8 + 8 * i if kind == "set8" else 4 + 4 * i))[0] for i in range(cnt)]
    ok &= ids == sorted(ids)
if not ok:
    sys.stderr.write("want %s got %s\n" % (sorted(want)[:3], sorted(named)[:3]))
sys.exit(0 if ok and want else 1)
