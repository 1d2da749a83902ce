#!/bin/sh
# kioskctl sscard sim + read end to end through a real pcscd with vsmartcard-vpcd: `sim` serves the gen-2
# card model to vpcd, `read --backend pcsc` reads it back. pcscd runs confined as in test_sscard_pcsc: this
# script re-runs itself inside new user + mount + network namespaces (tmpfs /run for /run/pcscd, a private
# loopback for vpcd's port 35963). Exit 77 (skipped) when the machine cannot do that.
# usage: sscard_cli_pcsc.sh KIOSKCTL
set -u
K="$1"
if [ "${SSCARD_CLI_INNER:-}" != 1 ]; then
  for p in /usr/sbin/pcscd /usr/lib/pcsc/drivers/serial/libifdvpcd.so /usr/bin/unshare; do
    [ -e "$p" ] || { echo "SKIPPED: $p missing (install pcscd vsmartcard-vpcd util-linux)"; exit 77; }
  done
  unshare --user --map-root-user --mount --net /bin/true 2>/dev/null ||
    { echo "SKIPPED: cannot create user/mount/net namespaces here"; exit 77; }
  SSCARD_CLI_INNER=1 exec unshare --user --map-root-user --mount --net -- sh "$0" "$K"
fi
set -e
ip link set lo up
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/pcscd
/usr/sbin/pcscd -f >/dev/null 2>&1 &
PCSCD=$!
"$K" sscard sim --fixture gen2 --seconds 20 &
SIM=$!
trap 'kill $SIM $PCSCD 2>/dev/null; wait 2>/dev/null' EXIT
set +e
# pcscd needs a moment to load the vpcd driver; the reader then waits for the card.
for i in 1 2 3 4 5 6 7 8 9 10; do
  "$K" sscard read --backend pcsc --reader "Virtual PCD 00 00" --wait 5 && exit 0
  sleep 0.5
done
exit 1
