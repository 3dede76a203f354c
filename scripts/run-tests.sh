#!/usr/bin/env bash
# Runs the test suite inside its own D-Bus session with a freshly unlocked gnome-keyring, so
# that keytar stores operator secrets in a real Secret Service, as on a desktop.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${FLXRA_TEST_SESSION:-}" ]; then
  exec dbus-run-session -- env FLXRA_TEST_SESSION=1 bash "$0" "$@"
fi
# A keyring of the tests' own, never the user's.
XDG_DATA_HOME="$(mktemp -d)"
export XDG_DATA_HOME
trap 'rm -rf "$XDG_DATA_HOME"' EXIT
echo -n flxra-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
if [ $# -eq 0 ]; then set -- test/*/*.test.ts; fi
node --import tsx --test --test-concurrency=1 "$@"
