#!/usr/bin/env bash
# Pre-step of npm start / test / demo / app: on a fresh clone it installs what is missing
# (Debian packages, then the npm dependencies) and does nothing when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
# Electron's binary cannot be downloaded here; its types and electron-builder still install.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
