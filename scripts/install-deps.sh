#!/usr/bin/env bash
# Installs every Debian 12 package the kiosk needs to build, test and run.
# Idempotent; works as root or through sudo. Set KIOSK_DEPS_MINIMAL=1 to skip optional test servers.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: need root or sudo" >&2; exit 1; fi
fi

PKGS=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang clang-format libclang-rt-14-dev
  # UI
  libsdl2-dev libsdl2-ttf-dev libimgui-dev libstb-dev libfreetype-dev fonts-noto-cjk
  # core
  libspdlog-dev libfmt-dev libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libsodium-dev libsqlite3-dev
  catch2 libsystemd-dev
  # devices
  libusb-1.0-0-dev libumockdev-dev umockdev libpcsclite-dev pcscd
  vsmartcard-vpcd
  # vision
  libopencv-dev libzxing-dev libzbar-dev
  libopencv-contrib-dev  # wechat_qrcode: OpenCV's QR decoder in tests/bench/qr (Debian's OpenCV has no quirc)
  opencv-data
  # platform, printing, fleet
  libcurl4-openssl-dev libcpp-httplib-dev libssl-dev libcups2-dev libcairo2-dev libpango1.0-dev
  libqrencode-dev cups cups-bsd cups-client poppler-utils
  libmosquitto-dev
  mosquitto nginx-light minisign libarchive-dev
  openssl  # ops: the MQTT TLS test makes a throwaway certificate (tests/e2e/ops)
  # deployment: kiosk compositor (packaging/, systemd-analyze verify of the unit)
  cage
  # voice
  espeak-ng libespeak-ng-dev
  # tests and tools
  xvfb xauth python3
  unicode-data  # Unihan readings: scripts/gen-pinyin.py (catalog search by pinyin)
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
