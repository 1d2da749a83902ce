#!/bin/sh
# Fails (naming file and line) when C++ sources differ from .clang-format. Run by CTest as format_check;
# fix with: scripts/check-format.sh --fix
set -eu
cd "$(dirname "$0")/.."
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  list() { git ls-files -z -- '*.cpp' '*.hpp' '*.h'; }
else
  list() { find kiosk drivers tests -name '*.cpp' -o -name '*.hpp' -o -name '*.h' | tr '\n' '\0'; }
fi
if [ "${1:-}" = "--fix" ]; then
  list | xargs -0 clang-format -i
else
  list | xargs -0 clang-format --dry-run -Werror
fi
