#!/usr/bin/env bash
# Installs the Debian packages flxra's build, tests and demo need. Idempotent: it only calls
# apt-get when a package is missing, so it is cheap on a machine that already has them.
set -euo pipefail

packages=(
  # keytar builds from source here and links against libsecret
  libsecret-1-dev
  # the test desktop: a virtual X server, XTest tools, an X program that reacts to input
  xvfb xdotool xterm x11-xserver-utils x11-utils fonts-dejavu-core
  # the renderers run in Debian's Chromium, driven by playwright-core
  chromium
  # a Secret Service for keytar at run time
  gnome-keyring dbus-x11
  # certutil: the TLS tests make Chromium trust their test CA through an NSS database
  libnss3-tools
  # ip: the README recipe's test brings up loopback in a network namespace of its own (unshare)
  iproute2
  # setpriv: a root agent starts a user's terminal with that user's UID, group and groups (src/platform/tools/)
  util-linux
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "flxra needs these Debian packages: ${missing[*]}" >&2
  echo "run as root: apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
