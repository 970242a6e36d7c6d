#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Split a signed module (include/linux/module_signature.h) into its CMS
# signature and the signed body, checking the trailer as the kernel's
# mod_check_sig() does: magic, id_type PKEY_ID_PKCS7, algo/hash/signer_len/
# key_id_len zero, sig_len within the file.
#   modsig.py SIGNED.ko OUT.p7s OUT.body      exit 1 if the trailer is wrong
import struct, sys

MAGIC = b"~Module signature appended~\n"
data = open(sys.argv[1], "rb").read()
if not data.endswith(MAGIC):
    sys.exit("%s: no signature magic" % sys.argv[1])
info = data[-len(MAGIC) - 12:-len(MAGIC)]
algo, hash_, id_type, signer_len, key_id_len, pad, sig_len = struct.unpack(">BBBBB3sI", info)
if id_type != 2 or algo or hash_ or signer_len or key_id_len or pad != b"\0\0\0":
    sys.exit("%s: bad module_signature %r" % (sys.argv[1], info))
end = len(data) - len(MAGIC) - 12
if sig_len > end:
    sys.exit("%s: sig_len %d beyond the file" % (sys.argv[1], sig_len))
open(sys.argv[2], "wb").write(data[end - sig_len:end])
open(sys.argv[3], "wb").write(data[:end - sig_len])
