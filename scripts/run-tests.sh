#!/usr/bin/env bash
# Runs the test suite (or the test files named) with a real Secret Service for keytar.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then set -- test/*/*.test.ts; fi
exec bash scripts/with-keyring.sh node --import tsx --test --test-concurrency=1 "$@"
