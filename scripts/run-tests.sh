#!/usr/bin/env bash
# Runs the test suite (or the test files named) with a real Secret Service for keytar. With no
# arguments: every test/*/*.test.ts but the Windows tier's, which scripts/test-windows.sh runs
# (npm test runs both).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then
  for f in test/*/*.test.ts; do [[ $f == test/windows/* ]] || set -- "$@" "$f"; done
fi
exec bash scripts/with-keyring.sh node --import tsx --test --test-concurrency=1 "$@"
