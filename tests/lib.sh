# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Shell side of the test protocol (see tests/unit/testutil.h): one line per case.
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: ${2:-}"; }
skip() { echo "SKIP: $1: ${2:-}"; }
# check NAME CMD...: PASS if CMD succeeds, else FAIL with its output's first lines.
check() {
	local name=$1 out; shift
	if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(printf '%s' "$out" | head -n 5)"; fi
}
# same_file NAME EXPECTED ACTUAL: byte-identical, else FAIL with the first differing line.
same_file() {
	if cmp -s "$2" "$3"; then pass "$1"; else
		fail "$1" "differs from $2: $(diff "$2" "$3" 2>&1 | head -n 4 | tr '\n' '|')"
	fi
}
