#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, only when some are missing.
# Idempotent: when everything is present it runs no apt-get at all.
set -euo pipefail
PKGS=(
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  libimgui-dev libglfw3-dev python3-glad libstb-dev
  doctest-dev rapidjson-dev  # rapidjson: the JSON writer test's independent strict parser
  libzstd-dev zlib1g-dev libdeflate-dev
  xvfb xauth libgl1-mesa-dri fonts-dejavu-core
  python3-xlib  # the XDND drag source of tests/drop_test.sh (run with Debian's /usr/bin/python3)
)
missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "bootstrap: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; then
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
