#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# Install the build and test dependencies (Debian 12, as root) and build into build/.
# Idempotent: installs only what is missing, reconfigures only when needed.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)

PKGS=(meson ninja-build pkg-config gcc clang llvm libclang-rt-14-dev
      libelf-dev zlib1g-dev liblzma-dev libzstd-dev liblz4-dev libbz2-dev liblzo2-dev libssl-dev
      g++ bpftool xz-utils zstd lz4 bzip2 lzop gzip python3 python3-jsonschema python3-prometheus-client bash-completion zsh dpkg-dev time binutils man-db groff-base systemd)
[ -n "${BTFC_EXTRA_PKGS:-}" ] && read -r -a extra <<< "$BTFC_EXTRA_PKGS" && PKGS+=("${extra[@]}")

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "setup: missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
		exit 2
	fi
	echo "setup: installing ${missing[*]}" >&2
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

cd "$TOP"
[ -f build/build.ninja ] || meson setup build >&2
ninja -C build >&2
