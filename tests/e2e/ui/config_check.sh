#!/usr/bin/env bash
# kioskctl config check: the shipped kiosk.toml passes; malformed files are rejected (exit != 0) with
# file, line, column and reason.  Usage: config_check.sh KIOSKCTL SOURCE_DIR
set -euo pipefail
CTL=$1 SRC=$2
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$CTL" config check "$SRC/config/kiosk.toml" >"$W/ok.out" 2>&1 || { cat "$W/ok.out"; fail "shipped kiosk.toml rejected"; }
grep -q "OK" "$W/ok.out" || fail "no OK line"

expect_reject() {  # name, expected regex of the message
  if "$CTL" config check "$W/$1" >"$W/$1.out" 2>&1; then fail "$1 accepted"; fi
  grep -Eq "$2" "$W/$1.out" || { cat "$W/$1.out"; fail "$1: message does not match '$2'"; }
}
printf '[terminal]\nid = "T1"\nhall_name = "大厅"\nregion_code = 410100\n' >"$W/type.toml"
expect_reject type.toml "type\.toml:4:[0-9]+: \[terminal\] region_code must be a string"
printf '[terminal]\nid = "T1\n' >"$W/syntax.toml"
expect_reject syntax.toml "syntax\.toml:2:[0-9]+: .*string"
sed 's/^width_px = .*/widht_px = 1920/' "$SRC/config/kiosk.toml" >"$W/unknown.toml"
expect_reject unknown.toml "unknown\.toml:[0-9]+:[0-9]+: .*widht_px"
expect_reject missing.toml "missing\.toml"
echo "config check: OK"
