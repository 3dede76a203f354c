#!/usr/bin/env bash
# Runs a command inside its own D-Bus session with a freshly unlocked gnome-keyring, so that
# keytar keeps secrets in a real Secret Service, as on a desktop, and never in the user's own.
set -euo pipefail
if [ -z "${FLXRA_KEYRING_SESSION:-}" ]; then
  exec dbus-run-session -- env FLXRA_KEYRING_SESSION=1 bash "$0" "$@"
fi
XDG_DATA_HOME="$(mktemp -d)"
export XDG_DATA_HOME
trap 'rm -rf "$XDG_DATA_HOME"' EXIT
echo -n flxra-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
"$@"
