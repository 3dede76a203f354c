#!/usr/bin/env bash
# Builds flxra's Windows helper from source (native/secure-desktop/, C, Windows system DLLs
# only) with the mingw-w64 cross-compiler: out/native/flxra-desktop-helper.exe. npm run
# build:native; the Windows tier (scripts/test-windows.sh) runs it, so CI builds it every run.
# Rebuilds only when a source is newer than the exe. Prints the exe's path on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
cc=x86_64-w64-mingw32-gcc
command -v "$cc" >/dev/null ||
  { echo "build-native: mingw-w64 is missing: run scripts/install-system-deps.sh as root (gcc-mingw-w64-x86-64)" >&2; exit 1; }
src=native/secure-desktop
exe=out/native/flxra-desktop-helper.exe
mkdir -p out/native
if [ ! -f "$exe" ] || [ -n "$(find "$src" -newer "$exe" -type f | head -n1)" ]; then
  # -municode: wmain; -static-libgcc: no libgcc DLL beside the exe; -s: no symbols to ship.
  "$cc" -O2 -Wall -Wextra -Werror -municode -static-libgcc -s -o "$exe.tmp" "$src/flxra-desktop-helper.c" \
    -lwtsapi32 -ladvapi32 -luser32 -lgdi32
  mv "$exe.tmp" "$exe"
fi
echo "$PWD/$exe"
