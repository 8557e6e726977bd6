#!/usr/bin/env bash
# Smoke test of the Windows build under Wine (Debian's wine64), in a private
# virtual display: the CLI through a pipe and through `start /wait` in a
# console (the attach-to-console path), then the window (screenshot).
#   scripts/package-windows.sh && scripts/wine-smoke.sh [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
out=$(realpath -m "${1:-target/wine-smoke.png}")
command -v wine >/dev/null || apt-get install -y -qq wine64 wine
exe=$(ls target/windows/huashu-*-windows-x64/huashu.exe | head -1)
test_dir=$(mktemp -d)
trap 'wineserver -k 2>/dev/null || true; rm -rf "$test_dir"' EXIT
cp -r "$(dirname "$exe")"/. "$test_dir/"
# shellcheck source=wine/stand-in.sh
. scripts/wine/stand-in.sh
stand_in "$test_dir"
export WINEDEBUG=-all WINEPREFIX="$test_dir/prefix"
cd "$test_dir"
echo "== list --json through a pipe: cards"
wine huashu.exe list --json 2>/dev/null | wc -l
echo "== sources through a pipe"
wine huashu.exe sources 2>/dev/null
echo "== check through start /wait in a console (attach to the parent console)"
# `script` gives Wine a terminal, so cmd has a real console to attach to.
script -qc "wine cmd /c 'start /wait huashu.exe check'" /dev/null \
  | sed -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/\r//g'
echo "== the window (OpenGL first on Windows)"
# The wineserver started by the commands above has no display: end it.
wineserver -k 2>/dev/null || true
sleep 1
"$repo/../shared/tools/gui-shot" -o "$out" -w 30 -k 'type qhcw' -- wine huashu.exe || true
