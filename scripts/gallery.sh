#!/usr/bin/env bash
# Screenshot gallery of the resident screens: runs every headless e2e script (tests/e2e/flows and
# tests/e2e/ui) with the built kiosk binary and writes OUT/<script>/*.png plus OUT/index.html listing
# each script's screenshots, failures and accessibility findings (size, contrast, targets, glyphs).
# Usage: scripts/gallery.sh [OUT]   (default: build/gallery; needs build/kiosk/app/kiosk)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-$ROOT/build/gallery}"
KIOSK="${KIOSK_BIN:-$ROOT/build/kiosk/app/kiosk}"
[ -x "$KIOSK" ] || { echo "gallery: build the kiosk first (scripts/locked-build.sh kiosk)" >&2; exit 2; }
rm -rf "$OUT"
mkdir -p "$OUT"
status=0
scripts=$(ls "$ROOT"/tests/e2e/flows/*.kscript "$ROOT"/tests/e2e/ui/*.kscript | grep -v must_fail)
for s in $scripts; do
  name="$(basename "$s" .kscript)"
  if ! "$KIOSK" --headless --log-level warn --script "$s" --out "$OUT/$name" >"$OUT/$name.log" 2>&1; then
    echo "gallery: $name FAILED (see $OUT/$name.log)" >&2
    status=1
  fi
done
python3 - "$OUT" <<'PY'
import html, json, os, sys
out = sys.argv[1]
rows = []
for name in sorted(d for d in os.listdir(out) if os.path.isdir(os.path.join(out, d))):
    try:
        t = json.load(open(os.path.join(out, name, "transcript.json")))
    except (OSError, ValueError):
        t = {"ok": False, "failures": ["no transcript"], "violations": [], "steps": []}
    shots = [s["step"][11:] for s in t["steps"] if s["step"].startswith("screenshot ")]
    screens = sorted({s["screen"] for s in t["steps"]})
    rows.append(f'<h2>{html.escape(name)} — {"ok" if t["ok"] else "FAILED"}</h2>')
    rows.append(f'<p>screens: {html.escape(", ".join(screens))}</p>')
    for f in t["failures"] + [f"accessibility: {v}" for v in t["violations"]]:
        rows.append(f'<p style="color:#b3261e">{html.escape(f)}</p>')
    for s in shots:
        src = f"{name}/{s}.png"
        rows.append(f'<figure style="display:inline-block;margin:8px"><a href="{src}"><img src="{src}" width="480"></a>'
                    f'<figcaption>{html.escape(s)}</figcaption></figure>')
open(os.path.join(out, "index.html"), "w").write(
    '<!doctype html><meta charset="utf-8"><title>kiosk screens</title><body style="font-family:sans-serif">'
    '<h1>自助终端界面 Kiosk screens</h1>' + "\n".join(rows) + "</body>")
print(f"gallery: {out}/index.html")
PY
exit $status
