#!/usr/bin/env bash
# Installs the Debian packages `npm run bench` needs beyond the test rig's (install-system-deps.sh):
# the reference the figures are compared with, x11vnc serving the bench's Xvfb and noVNC (with
# websockify between them) showing it in Chromium. Idempotent: apt-get only when one is missing.
set -euo pipefail

packages=(x11vnc novnc websockify)

# shellcheck source=apt-ensure.sh
. "$(dirname "${BASH_SOURCE[0]}")/apt-ensure.sh"
apt_ensure "the bench" "${packages[@]}"
