#!/usr/bin/env bash
# Installs the Debian packages flxra's build, tests and demo need. Idempotent: it only calls
# apt-get when a package is missing, so it is cheap on a machine that already has them.
set -euo pipefail

packages=(
  # keytar builds from source here and links against libsecret
  libsecret-1-dev
  # the test desktop: a virtual X server, XTest tools, an X program that reacts to input
  xvfb xdotool xterm x11-xserver-utils x11-utils fonts-dejavu-core
  # the host's X clipboard without Electron (src/platform/clipboard/), and the clipboard tests
  xclip
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
  # turnserver: a deployment's TURN server (docs/turn.md); the tests start their own (dev/rig/turnserver.ts)
  coturn
  # tinyproxy: the proxy tests' real proxy (Basic authentication), test/fixtures/tinyproxy.ts
  tinyproxy-bin
  # nft: the "443 only through a proxy" network namespace of the proxy e2e test (dev/rig/netns.ts)
  nftables
  # socat: that test's host reaches the relay from inside the namespace, through the proxy (dev/rig/netns.ts)
  socat
  # the Windows tier (scripts/install-wine.sh, dev/wine/): Wine runs the Windows Node and the
  # project's Windows code; mingw-w64 builds the tier's small Windows test programs
  wine64 gcc-mingw-w64-x86-64
  # the relay across several nodes (docs/deployment.md): PostgreSQL as the shared store and Redis
  # for socket.io's cross-node messages; the tests start their own on loopback (test/fixtures/)
  postgresql redis-server
)

# shellcheck source=apt-ensure.sh
. "$(dirname "${BASH_SOURCE[0]}")/apt-ensure.sh"
apt_ensure "flxra" "${packages[@]}"
