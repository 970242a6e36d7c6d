#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# The house: how the rooms of lib/ and cli/ lean on each other, drawn and checked.
#
# A room is a source file with its own headers: lib/X.c, lib/X.h and lib/X_int.h are room lib/X;
# a header without a .c (lib/internal.h, cli/cli.h) is a room of its own. An arrow A -> B means
#   - A has a quoted #include of a header of room B (an include line in lib/ or cli/), or
#   - A's object file uses a symbol that B's object file defines (nm of the build: this finds the
#     arrows hidden behind a header shared by many rooms, such as internal.h and cli.h).
# The rooms are stacked in floors (a room stands one floor above the highest room it leans on) and
# printed; the suite fails on any circle (rooms that lean on each other, directly or around).
# An include line may run back up (a header included for a declaration only, which a tool would
# misread as an arrow) when it says why in a comment carrying "house:", e.g.
#   #include "x.h" /* house: for the struct's size only, x.c is not called */
# such lines are listed as back-edges and not counted as arrows; one without the comment is.
# The suite first checks itself on two made-up trees (a circle must fail, a commented back-edge pass).
#   tests/house.sh BUILD/btfcompat [--dot FILE]    (objects from the binary's build directory)
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:?usage: tests/house.sh BUILD/btfcompat [--dot FILE]}
DOT=
[ "${2:-}" = --dot ] && DOT=${3:?--dot FILE}
BUILD=$(cd "$(dirname "$BIN")" && pwd)

read -r -d '' HOUSE <<'EOF'
import os, re, subprocess, sys

def room_of(path):
    """lib/X.c, lib/X.h, lib/X_int.h -> lib/X; None outside lib/ and cli/."""
    d, f = os.path.split(path)
    if d not in ('lib', 'cli'):
        return None
    stem = re.sub(r'(_int)?\.[ch]$', '', f)
    return d + '/' + stem

INC = re.compile(r'^\s*#\s*include\s+"([^"]+)"(.*)$')

def include_edges(top):
    """(arrows {(a, b): [where]}, back-edges [(a, b, where, why)])"""
    arrows, back = {}, []
    for d in ('lib', 'cli'):
        if not os.path.isdir(os.path.join(top, d)):
            continue
        for f in sorted(os.listdir(os.path.join(top, d))):
            if not f.endswith(('.c', '.h')):
                continue
            src = d + '/' + f
            with open(os.path.join(top, src), errors='replace') as fh:
                for n, line in enumerate(fh, 1):
                    m = INC.match(line)
                    if not m:
                        continue
                    target = None
                    for base in (d, 'lib'):
                        cand = os.path.normpath(os.path.join(base, m.group(1)))
                        if os.path.isfile(os.path.join(top, cand)):
                            target = cand
                            break
                    b = room_of(target) if target else None
                    a = room_of(src)
                    if not b or a == b:
                        continue
                    where = '%s:%d' % (src, n)
                    why = re.search(r'house:\s*(.*?)\s*(\*/)?\s*$', m.group(2))
                    if why:
                        back.append((a, b, where, why.group(1)))
                    else:
                        arrows.setdefault((a, b), []).append(where)
    return arrows, back

def symbol_edges(build):
    """Arrows from the objects: A uses a symbol B defines."""
    objs = {}
    for d in sorted(os.listdir(build)):
        p = os.path.join(build, d)
        if not (d.endswith('.p') and (d.startswith('libbtfcompat') or d == 'btfcompat.p')):
            continue
        for f in sorted(os.listdir(p)):
            m = re.match(r'(lib|cli)_(.+)\.c\.o$', f)
            if m:
                objs.setdefault(m.group(1) + '/' + m.group(2), os.path.join(p, f))
    defs, uses = {}, {}
    for room, o in objs.items():
        out = subprocess.run(['nm', '-P', o], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) < 2:
                continue
            name, t = parts[0], parts[1]
            if t == 'U':
                uses.setdefault(room, set()).add(name)
            elif t.isupper():
                defs.setdefault(name, room)
    arrows = {}
    for a, names in uses.items():
        for s in sorted(names):
            b = defs.get(s)
            if b and b != a:
                arrows.setdefault((a, b), []).append(s)
    return arrows, objs

def circles(nodes, arrows):
    """Strongly connected components of more than one room (Tarjan)."""
    succ = {n: sorted({b for (a, b) in arrows if a == n}) for n in nodes}
    index, low, stack, on, out, i = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)
    def visit(v):
        index[v] = low[v] = i[0]; i[0] += 1
        stack.append(v); on.add(v)
        for w in succ[v]:
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out

def floors(nodes, arrows):
    succ = {n: {b for (a, b) in arrows if a == n} for n in nodes}
    level = {}
    def lv(n, seen=()):
        if n in level:
            return level[n]
        if n in seen:
            return 0
        level[n] = 1 + max((lv(m, seen + (n,)) for m in succ[n]), default=-1)
        return level[n]
    for n in nodes:
        lv(n)
    return level

def house(top, build, dot=None, quiet=False):
    inc, back = include_edges(top)
    sym, objs = symbol_edges(build) if build else ({}, {})
    arrows = {}
    for k, v in inc.items():
        arrows.setdefault(k, []).extend('include ' + w for w in v)
    for k, v in sym.items():
        arrows.setdefault(k, []).extend('uses ' + s for s in v[:3])
    nodes = sorted({n for e in list(arrows) + [(a, b) for a, b, _, _ in back] for n in e})
    circ = circles(nodes, arrows)
    if not quiet:
        lvl = floors(nodes, arrows)
        for f in range(max(lvl.values(), default=-1), -1, -1):
            print('floor %2d: %s' % (f, ' '.join(n for n in nodes if lvl[n] == f)))
        print('%d rooms, %d floors, %d arrows (%d from includes, %d from %d objects), %d back-edges, %d circles' %
              (len(nodes), max(lvl.values(), default=-1) + 1, len(arrows), len(inc), len(sym), len(objs), len(back),
               len(circ)))
        for a, b, where, why in back:
            print('back-edge %s -> %s at %s: %s' % (a, b, where, why))
        for c in circ:
            print('circle: ' + ' <-> '.join(c))
            for (a, b), why in sorted(arrows.items()):
                if a in c and b in c:
                    print('  %s -> %s: %s' % (a, b, ', '.join(why[:4])))
    if dot:
        with open(dot, 'w') as fh:
            fh.write('digraph house {\n  rankdir=BT;\n')
            for (a, b) in sorted(arrows):
                fh.write('  "%s" -> "%s";\n' % (a, b))
            for a, b, _, _ in back:
                fh.write('  "%s" -> "%s" [style=dashed];\n' % (a, b))
            fh.write('}\n')
    return circ, back, objs

if __name__ == '__main__':
    top, build, dot = sys.argv[1], sys.argv[2] or None, sys.argv[3] or None
    circ, back, objs = house(top, build, dot, quiet=sys.argv[4] == 'quiet')
    if build:
        srcs = {room_of(d + '/' + f) for d in ('lib', 'cli') for f in os.listdir(os.path.join(top, d))
                if f.endswith('.c')}
        missing = sorted(srcs - set(objs))
        if missing:
            print('no object for: ' + ' '.join(missing))
            sys.exit(3)
    sys.exit(1 if circ else 0)
EOF

fails=0
check() { # NAME EXPECTED-RC RC
	if [ "$2" = "$3" ]; then echo "PASS: house/$1"; else echo "FAIL: house/$1: exit $3, expected $2"; fails=$((fails + 1)); fi
}

# the checker itself: a circle through headers must fail, a back-edge that says why must pass
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
mkdir -p "$T/lib" "$T/cli"
printf '#include "b.h"\nint a(void);\n' > "$T/lib/a.h"; printf '#include "a.h"\n' > "$T/lib/a.c"
printf '#include "a.h"\nint b(void);\n' > "$T/lib/b_int.h"; printf '#include "b_int.h"\n' > "$T/lib/b.c"
printf '#include "a.h"\n' > "$T/lib/b.h"
python3 -c "$HOUSE" "$T" "" "" quiet; check self/circle-fails 1 $?
printf '#include "b.h" /* house: a declaration only */\nint a(void);\n' > "$T/lib/a.h"
python3 -c "$HOUSE" "$T" "" "" quiet; check self/commented-back-edge-passes 0 $?

python3 -c "$HOUSE" "$TOP" "$BUILD" "$DOT" loud; rc=$?
[ $rc = 3 ] && { echo "FAIL: house/objects: a source file without its object under $BUILD (build it first)"; exit 1; }
check circles 0 $rc
[ $fails = 0 ]
