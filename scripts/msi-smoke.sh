#!/usr/bin/env bash
# The installer as IT pushes it, under Wine: a silent per-machine install
# (msiexec /i … /qn), the program started from where it went, an upgrade
# to a newer version that replaces it, and a silent uninstall that leaves
# the users' data and the machine's config.ron. Builds the MSI
# (scripts/package-msi.sh) unless --no-build; installs Wine, MinGW and wixl
# when missing. One line per check; exits 1 if any failed; a screenshot of
# the installed program's window goes to target/msi-smoke.png.
#   scripts/msi-smoke.sh [--no-build]
set -u
cd "$(dirname "$0")/.."
# shellcheck source=lib/x11-test.sh
. scripts/lib/x11-test.sh
# shellcheck source=wine/stand-in.sh
. scripts/wine/stand-in.sh
install_missing wine64 wine gcc-mingw-w64-x86-64 wixl xvfb xdotool imagemagick
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
# The next version: the last number plus one.
next=${version%.*}.$((${version##*.} + 1))
if [ "${1:-}" != --no-build ]; then
  scripts/package-msi.sh >/dev/null || exit 1
else
  scripts/package-msi.sh --no-build >/dev/null || exit 1
fi
scripts/package-msi.sh --no-build --version "$next" >/dev/null || exit 1
W=$(mktemp -d /tmp/huashu-msi.XXXX)
trap 'kill $app 2>/dev/null; wineserver -k 2>/dev/null; kill $XVFB_PID 2>/dev/null; rm -rf "$W"' EXIT
app=""
start_xvfb
stand_in "$W/dlls"
export WINEDEBUG=-all WINEPREFIX=$W/prefix WINEPATH="Z:${W//\//\\}\\dlls"
wineboot -i >/dev/null 2>&1
winpath() { printf 'Z:%s' "$(realpath "$1" | sed 's|/|\\|g')"; }
c=$WINEPREFIX/drive_c
dir="$c/Program Files/huashu"
fails=0
t() { # name expected actual
  if [ "$2" = "$3" ]; then echo "ok   msi: $1"; else echo "FAIL msi: $1: expected [$2], got [$3]"; fails=$((fails + 1)); fi
}
has() { [ -e "$1" ] && echo yes || echo no; }
installed() { # the product's version in the uninstall list, or nothing
  wine reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall' /s 2>/dev/null \
    | tr -d '\r' | awk '
        /^HKEY/ { if (ours) print version; ours = 0; version = "" }
        $1 == "DisplayVersion" { version = $NF }
        $1 == "Publisher" && $NF == "huashu" { ours = 1 }
        END { if (ours) print version }'
}

wine msiexec /i "$(winpath "target/huashu-$version-x64.msi")" /qn
t "silent install exits 0" 0 $?
t "the program is in Program Files" yes "$(has "$dir/huashu.exe")"
t "the bundled cards are beside it" yes "$(has "$dir/data/04-business-area.ron")"
t "the guide and its images are there" yes "$(has "$dir/docs/images/card-form.png")"
t "the leaflet keeps its name" yes "$(has "$dir/使用说明.txt")"
menu=$(find "$c" -path '*Start Menu/Programs/话术助手/话术助手.lnk' | head -1)
t "a Start-menu entry 话术助手" yes "$(has "$menu")"
t "installed as $version" "$version" "$(installed)"
cards=$(cd "$W" && wine "$(winpath "$dir/huashu.exe")" list 2>/dev/null | tr -d '\r' | grep -c '  [a-z]')
t "the installed program lists the bundled cards" 7 "$cards"
# The window, started as the Start-menu entry starts it.
(cd "$dir" && exec wine "$(winpath "$dir/huashu.exe")") >"$W/app.log" 2>&1 &
app=$!
win=$(wait_window --name '话术助手')
t "the installed program opens its window" yes "$([ -n "$win" ] && echo yes || echo no)"
[ -n "$win" ] && sleep 3 && import -window root target/msi-smoke.png
kill $app 2>/dev/null
wineserver -k 2>/dev/null
app=""

# What the program and IT keep: not the installer's to remove.
mkdir -p "$c/ProgramData/huashu" "$c/users/$(id -un)/AppData/Roaming/huashu"
echo 'Config(sources: [Builtin])' > "$c/ProgramData/huashu/config.ron"
echo '(days: {})' > "$c/users/$(id -un)/AppData/Roaming/huashu/usage.ron"

wine msiexec /i "$(winpath "target/huashu-$next-x64.msi")" /qn
t "silent upgrade exits 0" 0 $?
t "the newer version replaced the older" "$next" "$(installed)"
t "one entry in the uninstall list" 1 "$(installed | wc -l)"
t "the program is still there" yes "$(has "$dir/huashu.exe")"

wine msiexec /x "$(winpath "target/huashu-$next-x64.msi")" /qn
t "silent uninstall exits 0" 0 $?
t "the program is gone" no "$(has "$dir/huashu.exe")"
t "the Start-menu entry is gone" no "$(has "$menu")"
t "nothing left in the uninstall list" "" "$(installed)"
t "the machine's config.ron stays" yes "$(has "$c/ProgramData/huashu/config.ron")"
t "the user's data stays" yes "$(has "$c/users/$(id -un)/AppData/Roaming/huashu/usage.ron")"
if [ $fails -gt 0 ]; then echo "$fails check(s) failed"; exit 1; fi
echo "all checks passed"
