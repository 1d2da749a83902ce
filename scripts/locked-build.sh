#!/usr/bin/env bash
# Several engineers (or agents) building in one checkout share build/ one at a time:
#   scripts/locked-build.sh [--reconfigure] [TARGET ...]    (no target: everything)
# --reconfigure re-runs CMake first (needed after adding a folder or a source file).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
exec 9>"/tmp/kiosk-build.lock"
flock 9
if [ "${1:-}" = --reconfigure ] || [ ! -f "$BUILD_DIR/build.ninja" ]; then
  [ "${1:-}" = --reconfigure ] && shift
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKIOSK_WERROR=ON >/dev/null
fi
if [ $# -eq 0 ]; then cmake --build "$BUILD_DIR" -j"$(nproc)"; else cmake --build "$BUILD_DIR" -j"$(nproc)" --target "$@"; fi
