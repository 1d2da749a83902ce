#!/usr/bin/env bash
# The README's test command: installs dependencies, builds everything with -Werror, runs every test
# (CTest + Catch2), then runs each libFuzzer target for a bounded time with clang.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
(cd build && ctest --output-on-failure -j"$(nproc)" --timeout 600)
FUZZ_SECONDS=${FUZZ_SECONDS:-10} ./scripts/fuzz.sh
