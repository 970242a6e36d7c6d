#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# meson install script: install-conf.sh DEFAULT TARGET: copy the default configuration DEFAULT
# to TARGET (both under DESTDIR) only when TARGET does not exist: never overwrite an admin's file.
set -eu
src=${DESTDIR:-}$1 dst=${DESTDIR:-}$2
if [ -e "$dst" ] || [ -L "$dst" ]; then
	echo "btfcompat: keeping $2 as it is (the default is $1)"
	exit 0
fi
mkdir -p "$(dirname "$dst")"
cp "$src" "$dst.tmp.$$"
chmod 644 "$dst.tmp.$$"
mv "$dst.tmp.$$" "$dst"
echo "btfcompat: installed $2"
