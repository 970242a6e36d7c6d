#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# The validator against this machine's kernel (bpf(BPF_BTF_LOAD), root): BTFC_ORACLE_CASES (default
# 2000) mutants of the 6.1 vmlinux BTF of the corpus role BTFC_K61A, judged by both.
#   tests/oracle_bpf.sh BUILD/tests/validate_oracle
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
corpus_env
need_kernels oracle-bpf BTFC_K61A || exit 0
exec "$1" -n "${BTFC_ORACLE_CASES:-2000}" -s 1 "$(kroot "$BTFC_K61A")/boot/vmlinuz-$BTFC_K61A"
