#!/usr/bin/env bash
# The README's demo command: installs dependencies, builds, and starts the kiosk in --demo mode
# (simulated devices, embedded platform simulator). Extra arguments go to the kiosk, e.g.
#   scripts/demo.sh --window 1280x800
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
exec "${BUILD_DIR:-build}/kiosk/app/kiosk" --demo "$@"
