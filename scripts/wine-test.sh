#!/usr/bin/env bash
# Runs the tests that need no window for the Windows target under Wine
# (Debian's wine64): Windows paths, drive letters, case-insensitive names,
# CRLF — the semantics a counter PC has. The test executables run through
# a Cargo runner (scripts/wine/runner.sh); the programs they start
# (huashu.exe) run in the same Wine.
#   scripts/wine-test.sh [cargo test arguments…]
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-pc-windows-gnu
rustup target list --installed | grep -qx "$target" || rustup target add "$target"
need=()
command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64)
command -v wine >/dev/null || need+=(wine64 wine)
if [ ${#need[@]} -gt 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null
fi
# shellcheck source=wine/stand-in.sh
. scripts/wine/stand-in.sh
dlls=$(pwd)/target/wine-dlls
stand_in "$dlls"
export WINEDEBUG=-all WINEPREFIX=${WINEPREFIX:-$(pwd)/target/wine-prefix}
export WINEPATH="Z:${dlls//\//\\}"
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=$(pwd)/scripts/wine/runner.sh
trap 'wineserver -k 2>/dev/null || true' EXIT
cargo test --target "$target" --no-default-features "$@"
