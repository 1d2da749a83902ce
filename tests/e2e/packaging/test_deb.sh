#!/usr/bin/env bash
# Packaging test: udev rule generation, the .deb files built with cpack (control fields, conffiles,
# contents, maintainer scripts), `systemd-analyze verify` on the shipped unit, and - only with
# KIOSK_PKG_INSTALL_TEST=1, as root - install, upgrade (changed conffile and data kept), remove and
# purge on this machine with dpkg/apt.
#
#   test_deb.sh BUILD_DIR SOURCE_DIR VERSION
set -euo pipefail

BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
VERSION=$3
GEN="$SRC/packaging/udev/gen-udev-rules.py"
FIX="$SRC/tests/e2e/packaging/fixtures"
WORK=$(mktemp -d /tmp/kiosk-pkg-test.XXXXXX)
INSTALLED_BY_US=0

cleanup() {
  local rc=$?
  if [ "$INSTALLED_BY_US" = 1 ]; then
    echo "== cleanup: purging test packages"
    dpkg -P kiosk kiosk-platform-sim >/dev/null 2>&1 || true
    rm -f /var/tmp/kiosk-pkg-test.marker
  fi
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== [${SECONDS}s] $*"; }
expect_file() { [ -e "$1" ] || fail "missing $1"; }
expect_absent() { [ ! -e "$1" ] && [ ! -L "$1" ] || fail "still present: $1"; }

# ---------------------------------------------------------------- udev rules from device profiles
step "udev rules generated from device profiles"
python3 "$GEN" -o "$WORK/70.rules" "$FIX/devices" >/dev/null
R="$WORK/70.rules"
grep -qxF 'SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ATTR{idVendor}=="0400", ATTR{idProduct}=="c35a", GROUP="kiosk", MODE="0660", TAG+="uaccess"' "$R" \
  || fail "idcard usb rule (0400:c35a, upper-case input normalised)"
grep -qF 'ATTRS{idVendor}=="0400", ATTRS{idProduct}=="c35a", GROUP="kiosk", MODE="0660", TAG+="uaccess", SYMLINK+="kiosk/idcard"' "$R" \
  || fail "idcard serial symlink"
grep -qF 'ATTR{idVendor}=="0483", ATTR{idProduct}=="5743"' "$R" || fail "printer from integer vid/pid"
grep -qF 'SUBSYSTEM=="input", KERNEL=="event*", ATTRS{idVendor}=="1eab", ATTRS{idProduct}=="8003", GROUP="kiosk", MODE="0660", TAG+="uaccess", ENV{LIBINPUT_IGNORE_DEVICE}="1"' "$R" \
  || fail "scanner input rule with libinput_ignore"
[ "$(grep -c 'ATTRS{idVendor}=="1eab"' "$R")" = 2 ] || fail "scanner: only the listed interfaces (hidraw, input)"
grep -qF 'SUBSYSTEM=="video4linux", KERNEL=="video*", ATTRS{idVendor}=="046d"' "$R" || fail "camera via role key"
grep -qF 'ATTR{idVendor}=="072f", ATTR{idProduct}=="90cc"' "$R" || fail "sscard from nested [devices.sscard.usb]"
grep -qxF 'SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ENV{ID_USB_INTERFACES}=="*:0b????:*", GROUP="kiosk", MODE="0660", TAG+="uaccess"' "$R" \
  || fail "vid = pid = 0 sscard entry must grant the CCID class"
grep -q '0000' "$R" && fail "a 0000:0000 wildcard leaked into an id rule"
[ "$(grep -c 'GROUP="kiosk"' "$R")" = 12 ] || fail "expected 12 device rules, got $(grep -c 'GROUP="kiosk"' "$R")"
# The repository's own profiles (what the build packages) must generate too.
python3 "$GEN" -o "$WORK/repo.rules" "$SRC/config/devices" >/dev/null || fail "config/devices rejected"
for bad in "$FIX"/bad/*.toml; do
  if python3 "$GEN" -o "$WORK/bad.rules" "$bad" 2>"$WORK/err"; then fail "accepted bad profile $bad"; fi
  grep -q "^gen-udev-rules: error: .*$(basename "$bad")" "$WORK/err" || fail "no clear error for $bad: $(cat "$WORK/err")"
done
[ ! -e "$WORK/bad.rules" ] || fail "bad profile left a rules file behind"

# ---------------------------------------------------------------- build the packages
step "cpack -G DEB"
build_debs() {  # OUTDIR
  if ! (cd "$BUILD" && cpack -G DEB -B "$1") >"$1.log" 2>&1; then
    cat "$1.log" >&2
    fail "cpack failed"
  fi
}
build_debs "$WORK/v1"
DEB=$(ls "$WORK"/v1/kiosk_*.deb)
SIMDEB=$(ls "$WORK"/v1/kiosk-platform-sim_*.deb)
read -r -a BINS < <(tr ';' ' ' < "$BUILD/packaging/packaged-binaries.txt")
echo "packaged binaries: ${BINS[*]:-none}"

step "control fields"
[ "$(dpkg-deb -f "$DEB" Package)" = kiosk ] || fail "Package"
[ "$(dpkg-deb -f "$DEB" Version)" = "$VERSION" ] || fail "Version $(dpkg-deb -f "$DEB" Version) != $VERSION"
[ "$(dpkg-deb -f "$DEB" Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture"
DEPENDS=$(dpkg-deb -f "$DEB" Depends)
echo "Depends: $DEPENDS"
for d in cage adduser libpam-systemd fonts-noto-cjk init-system-helpers; do
  grep -q "\b$d\b" <<<"$DEPENDS" || fail "Depends lacks $d"
done
if printf '%s\n' "${BINS[@]}" | grep -qx kiosk; then
  grep -q 'libc6 (>=' <<<"$DEPENDS" || fail "no shlibdeps-derived Depends (libc6) for /usr/bin/kiosk"
fi
[ "$(dpkg-deb -f "$SIMDEB" Package)" = kiosk-platform-sim ] || fail "sim Package"

step "conffiles and maintainer scripts"
[ "$(dpkg-deb -I "$DEB" conffiles)" = "$(printf '/etc/kiosk/kiosk.toml\n/etc/pam.d/kiosk')" ] \
  || fail "conffiles: $(dpkg-deb -I "$DEB" conffiles)"
mkdir -p "$WORK/ctrl"
dpkg-deb -e "$DEB" "$WORK/ctrl"
for s in postinst prerm postrm; do
  [ -x "$WORK/ctrl/$s" ] || fail "$s not executable"
  sh -n "$WORK/ctrl/$s" || fail "$s syntax"
done

step "contents"
dpkg-deb -c "$DEB" | awk '{print $6}' > "$WORK/contents"
for p in ./etc/kiosk/kiosk.toml ./etc/pam.d/kiosk ./lib/systemd/system/kiosk.service \
         ./lib/udev/rules.d/70-kiosk.rules ./usr/share/doc/kiosk/installation.md \
         ./usr/share/doc/kiosk/copyright ./usr/share/kiosk/config/ ./var/lib/kiosk/ ./var/cache/kiosk/; do
  grep -qxF "$p" "$WORK/contents" || fail "package lacks $p"
done
grep -q '^./usr/share/kiosk/config/kiosk.toml$' "$WORK/contents" && fail "kiosk.toml must only be in /etc"
CAMERA_MODULE=/usr/lib/kiosk/libkiosk_camera_videoio.so
if printf '%s\n' "${BINS[@]}" | grep -qx kiosk; then
  grep -qxF ".$CAMERA_MODULE" "$WORK/contents" || fail "package lacks the camera module $CAMERA_MODULE"
fi
for b in "${BINS[@]}"; do
  [ "$b" = kiosk-platform-sim ] && continue
  grep -qxF "./usr/bin/$b" "$WORK/contents" || fail "package lacks /usr/bin/$b"
done
dpkg-deb -c "$SIMDEB" | awk '{print $6}' > "$WORK/sim-contents"
if printf '%s\n' "${BINS[@]}" | grep -qx kiosk-platform-sim; then
  grep -qxF ./usr/bin/kiosk-platform-sim "$WORK/sim-contents" || fail "sim package lacks its binary"
fi
grep -qxF ./usr/bin/kiosk-platform-sim "$WORK/contents" && fail "simulator leaked into the kiosk package"

step "systemd-analyze verify on the shipped unit"
mkdir -p "$WORK/root"
dpkg-deb -x "$DEB" "$WORK/root"
UNIT="$WORK/root/lib/systemd/system/kiosk.service"
for k in Type=notify NotifyAccess=all Restart=always StartLimitIntervalSec=0 WatchdogSec= TTYPath=/dev/tty1 \
         'ExecStart=/usr/bin/cage' User=kiosk PAMName=kiosk StandardOutput=journal; do
  grep -q "^$k" "$UNIT" || fail "unit lacks $k"
done
if ! (cd "$WORK" && systemd-analyze verify "$UNIT") >"$WORK/verify.log" 2>&1 \
   || grep -q 'kiosk.service' "$WORK/verify.log"; then
  cat "$WORK/verify.log" >&2
  fail "systemd-analyze verify"
fi
systemd-analyze security --offline=yes "$UNIT" 2>/dev/null | tail -1 || true

if [ "${KIOSK_PKG_INSTALL_TEST:-0}" != 1 ]; then
  echo "install/upgrade/purge test skipped (set KIOSK_PKG_INSTALL_TEST=1; destructive, CI only)"
  exit 0
fi

# ---------------------------------------------------------------- install, upgrade, remove, purge
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "install/upgrade/purge test skipped: needs root and apt-get"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# A run killed half-way (CTest timeout sends SIGKILL, no trap runs) leaves its packages behind with
# this marker; anything else called kiosk on this machine is not ours to purge.
MARKER=/var/tmp/kiosk-pkg-test.marker
if [ -e "$MARKER" ]; then
  echo "== purging packages left by an interrupted run"
  dpkg -P kiosk kiosk-platform-sim >/dev/null 2>&1 || true
  rm -f "$MARKER"
fi
if dpkg-query -W -f '${Status}' kiosk 2>/dev/null | grep -q 'installed\|config-files'; then
  fail "a kiosk package is already installed here; refusing to purge it"
fi
getent passwd kiosk >/dev/null && fail "a 'kiosk' user exists but no package: refusing to delete it"
trap 'exit 143' TERM INT   # run the EXIT trap (purge) when interrupted

# The next release: the same package with a higher version and a changed default kiosk.toml (as a
# real release that adds a setting would have), so dpkg has a conffile conflict to resolve on upgrade.
# Repacked from v1 rather than a second cpack run, to keep the test fast.
V2="$VERSION+upgradetest1"
dpkg-deb -R "$DEB" "$WORK/v2root"
sed -i "s/^Version: .*/Version: $V2/" "$WORK/v2root/DEBIAN/control"
echo "# default added in $V2" >> "$WORK/v2root/etc/kiosk/kiosk.toml"
(cd "$WORK/v2root" && sed -i '/ etc\/kiosk\/kiosk.toml$/d' DEBIAN/md5sums && md5sum etc/kiosk/kiosk.toml >> DEBIAN/md5sums)
DEB2="$WORK/kiosk_${V2}_amd64.deb"
dpkg-deb -Zgzip -b "$WORK/v2root" "$DEB2" >/dev/null
[ "$(dpkg-deb -f "$DEB2" Version)" = "$V2" ] || fail "v2 version"

step "install $VERSION"
INSTALLED_BY_US=1
touch "$MARKER"
apt-get install -y -q --no-install-recommends "$DEB" "$SIMDEB" >"$WORK/apt1.log" 2>&1 \
  || { cat "$WORK/apt1.log" >&2; fail "apt-get install"; }
[ "$(dpkg-query -W -f '${Status} ${Version}' kiosk)" = "install ok installed $VERSION" ] || fail "kiosk not installed"
dpkg-query -W -f '${Status}' kiosk-platform-sim | grep -q 'ok installed' || fail "sim not installed"
getent passwd kiosk | grep -q ':/var/lib/kiosk:/usr/sbin/nologin$' || fail "kiosk user: $(getent passwd kiosk)"
[ "$(stat -c '%U:%G %a' /var/lib/kiosk)" = "kiosk:kiosk 750" ] || fail "/var/lib/kiosk: $(stat -c '%U:%G %a' /var/lib/kiosk)"
[ "$(stat -c '%U:%G %a' /etc/kiosk/kiosk.toml)" = "root:kiosk 640" ] || fail "kiosk.toml permissions"
[ -L /etc/systemd/system/graphical.target.wants/kiosk.service ] || fail "kiosk.service not enabled"
expect_file /lib/udev/rules.d/70-kiosk.rules
expect_file /etc/pam.d/kiosk
for b in "${BINS[@]}"; do
  [ -x "/usr/bin/$b" ] || fail "/usr/bin/$b not installed"
  if ldd "/usr/bin/$b" | grep -q 'not found'; then ldd "/usr/bin/$b" >&2; fail "$b: missing shared library (Depends incomplete)"; fi
done
if [ -e "$CAMERA_MODULE" ] && ldd "$CAMERA_MODULE" | grep -q 'not found'; then
  ldd "$CAMERA_MODULE" >&2; fail "camera module: missing shared library (Depends incomplete)"
fi

step "technician edits the config; the kiosk writes data"
sed -i 's/^id = .*/id = "HALL-0042"   # set on site/' /etc/kiosk/kiosk.toml
grep -q 'HALL-0042' /etc/kiosk/kiosk.toml || fail "edit"
EDITED=$(md5sum < /etc/kiosk/kiosk.toml)
printf 'outbox row 1\n' > /var/lib/kiosk/outbox.sqlite
mkdir -p /var/lib/kiosk/config-slots/a
printf 'bundle v7\n' > /var/lib/kiosk/config-slots/a/manifest.json
chown -R kiosk:kiosk /var/lib/kiosk

step "upgrade to $V2 (non-interactive, keep local config)"
apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "$DEB2" >"$WORK/apt2.log" 2>&1 || { cat "$WORK/apt2.log" >&2; fail "upgrade"; }
[ "$(dpkg-query -W -f '${Version}' kiosk)" = "$V2" ] || fail "not upgraded"
[ "$(md5sum < /etc/kiosk/kiosk.toml)" = "$EDITED" ] || fail "upgrade replaced the technician's kiosk.toml"
expect_file /etc/kiosk/kiosk.toml.dpkg-dist
grep -q "default added in $V2" /etc/kiosk/kiosk.toml.dpkg-dist || fail "new default not offered as .dpkg-dist"
[ "$(cat /var/lib/kiosk/outbox.sqlite)" = "outbox row 1" ] || fail "outbox lost on upgrade"
expect_file /var/lib/kiosk/config-slots/a/manifest.json
[ "$(stat -c '%U:%G' /var/lib/kiosk/outbox.sqlite)" = "kiosk:kiosk" ] || fail "data ownership changed"
[ -L /etc/systemd/system/graphical.target.wants/kiosk.service ] || fail "upgrade lost enablement"

step "remove keeps config and data"
dpkg -r kiosk >"$WORK/rm.log" 2>&1 || { cat "$WORK/rm.log" >&2; fail "dpkg -r"; }
[ "$(dpkg-query -W -f '${Status}' kiosk)" = "deinstall ok config-files" ] || fail "status after remove"
expect_absent /lib/systemd/system/kiosk.service
for b in "${BINS[@]}"; do [ "$b" = kiosk-platform-sim ] || expect_absent "/usr/bin/$b"; done
expect_file /etc/kiosk/kiosk.toml
expect_file /var/lib/kiosk/outbox.sqlite

step "purge removes everything"
dpkg -P kiosk kiosk-platform-sim >"$WORK/purge.log" 2>&1 || { cat "$WORK/purge.log" >&2; fail "dpkg -P"; }
INSTALLED_BY_US=0
rm -f "$MARKER"
if dpkg-query -W -f '${Status}' kiosk 2>/dev/null | grep -q 'installed\|config-files'; then fail "kiosk still known to dpkg"; fi
for p in /etc/kiosk /var/lib/kiosk /var/cache/kiosk /etc/pam.d/kiosk /lib/udev/rules.d/70-kiosk.rules \
         /etc/systemd/system/graphical.target.wants/kiosk.service /usr/bin/kiosk-platform-sim; do
  expect_absent "$p"
done
getent passwd kiosk >/dev/null && fail "kiosk user left behind"
getent group kiosk >/dev/null && fail "kiosk group left behind"
echo "install/upgrade/remove/purge: OK (${SECONDS}s)"
