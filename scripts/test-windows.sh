#!/usr/bin/env bash
# The Windows tier (npm run test:windows, part of npm test): installs what it needs when missing
# (scripts/install-wine.sh: Wine prefix, Windows Node, win32 native modules), runs
# test/windows/*.test.ts, where the project's Windows code runs under Wine's node.exe on Xvfb,
# and prints how long setup and tests took. A missing Wine fails the tier; it never skips.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s%N)
bash scripts/install-wine.sh >/dev/null
# The secure-desktop helper, built from source (out/native/): its tests run it under Wine.
bash scripts/build-native.sh >/dev/null
setup=$(date +%s%N)
status=0
bash scripts/run-tests.sh test/windows/*.test.ts "$@" || status=$?
end=$(date +%s%N)
ms() { echo $((($2 - $1) / 1000000)); }
echo "Windows tier: $(ms "$start" "$end") ms (setup $(ms "$start" "$setup") ms, tests $(ms "$setup" "$end") ms)"
exit $status
