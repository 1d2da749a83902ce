#!/usr/bin/env bash
# Starts a private cupsd (own config, state and domain socket under DIR; the system CUPS is untouched)
# with a raw queue "kiosk-a4" on a tiny "kioskout" backend that stores each job as DIR/out/job-<id>.pdf
# (a raw queue on a file: device completes without writing in CUPS 2.4; the backend is what
# escpos-netprinter's esc2file does).
# Usage: cups_queue.sh start DIR | stop DIR. Prints the socket path on success.
set -euo pipefail
cmd=$1
dir=$(readlink -f "$2")
if [ "$cmd" = stop ]; then
  if [ -f "$dir/cupsd.pid" ]; then
    pid=$(cat "$dir/cupsd.pid")
    kill "$pid" 2>/dev/null || true
    # Wait for it to finish writing its state (a zombie counts as gone).
    for _ in $(seq 50); do
      st=$(ps -o stat= -p "$pid" 2>/dev/null || true)
      case "$st" in ""|Z*) break ;; esac
      sleep 0.1
    done
  fi
  exit 0
fi
command -v cupsd >/dev/null || { echo "cupsd not installed" >&2; exit 2; }
mkdir -p "$dir"/{spool,cache,state,log,out,tmp,ppd,bin/backend}
for sub in filter daemon cgi-bin driver notifier monitor; do
  [ -e /usr/lib/cups/$sub ] && ln -sfn /usr/lib/cups/$sub "$dir/bin/$sub"
done
cat > "$dir/bin/backend/kioskout" <<'BACKEND'
#!/bin/sh
# CUPS backend: no args = discovery; else copy the job (argv[6] or stdin) to the URI's directory.
[ $# -eq 0 ] && { echo 'direct kioskout "Unknown" "Kiosk test output"'; exit 0; }
out=${DEVICE_URI#kioskout:}
if [ -n "$6" ]; then cp "$6" "$out/job-$1.pdf.part"; else cat > "$out/job-$1.pdf.part"; fi
mv "$out/job-$1.pdf.part" "$out/job-$1.pdf"
BACKEND
chmod 0700 "$dir/bin/backend/kioskout"
chmod 0777 "$dir/out" "$dir/tmp"
sock="$dir/cups.sock"
cat > "$dir/cupsd.conf" <<CONF
Listen $sock
LogLevel warn
WebInterface No
Browsing No
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
CONF
cat > "$dir/cups-files.conf" <<CONF
SystemGroup root
ServerRoot $dir
RequestRoot $dir/spool
CacheDir $dir/cache
StateDir $dir/state
TempDir $dir/tmp
AccessLog $dir/log/access_log
ErrorLog $dir/log/error_log
PageLog $dir/log/page_log
ServerBin $dir/bin
DataDir /usr/share/cups
CONF
cupsd -t -c "$dir/cupsd.conf" -s "$dir/cups-files.conf" >"$dir/log/start.log" 2>&1 || { cat "$dir/log/start.log" >&2; exit 3; }
setsid cupsd -f -c "$dir/cupsd.conf" -s "$dir/cups-files.conf" >>"$dir/log/start.log" 2>&1 </dev/null &
echo $! > "$dir/cupsd.pid"
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { echo "cupsd did not create $sock" >&2; cat "$dir/log/error_log" >&2 2>/dev/null; exit 3; }
lpadmin -h "$sock" -p kiosk-a4 -v "kioskout:$dir/out" -E -m raw 2>"$dir/log/lpadmin.log" ||
  { cat "$dir/log/lpadmin.log" >&2; exit 4; }
echo "$sock"
