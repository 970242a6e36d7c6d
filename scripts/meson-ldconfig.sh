#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# meson install script: refresh the dynamic linker's cache after installing libbtfcompat.so.1 into
# the running system (meson 1.0 does not). Not for a DESTDIR install (packages: dh_makeshlibs
# adds the ldconfig trigger) nor for a user without root.
[ -z "${DESTDIR:-}" ] || exit 0
[ "$(id -u)" = 0 ] || exit 0
command -v ldconfig > /dev/null 2>&1 || exit 0
ldconfig && echo "btfcompat: ldconfig run (libbtfcompat.so.1)"
exit 0
