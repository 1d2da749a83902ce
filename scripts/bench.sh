#!/usr/bin/env bash
# Builds and runs every benchmark under tests/bench/ at full length and prints their figures.
# Benchmarks print numbers (and ratios against a baseline run in the same process); none asserts a time.
# Run it on an otherwise idle machine: figures from a loaded machine are not comparable.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
mapfile -t benches < <(find build/tests/bench -maxdepth 3 -type f -executable -name 'bench_*' | sort)
for b in "${benches[@]}"; do
  echo "== $(basename "$b")"
  KIOSK_SOURCE_DIR="$PWD" "$b" || echo "(exit $?)"
  echo
done
