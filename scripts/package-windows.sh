#!/usr/bin/env bash
# Cross-builds huashu.exe and a portable zip for counter PCs:
#   target/huashu-<version>-windows-x64.zip
#     huashu.exe  使用说明.txt  and what packaging/windows-files.txt lists
#     (data/, README.md, docs/editing.md with its images, OFL.txt, …)
# Needs the Windows target and the MinGW linker (installed if missing).
#   scripts/package-windows.sh
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-pc-windows-gnu
rustup target list --installed | grep -qx "$target" || rustup target add "$target"
if ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
  apt-get install -y -qq gcc-mingw-w64-x86-64
fi
command -v zip >/dev/null || apt-get install -y -qq zip
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
cargo build --release --locked --target "$target"
name=huashu-${version}-windows-x64
stage=target/windows/$name
rm -rf "$stage"
mkdir -p "$stage/data"
cp "target/$target/release/huashu.exe" "$stage/"
x86_64-w64-mingw32-strip "$stage/huashu.exe"
grep -v '^#' packaging/windows-files.txt | while read -r from to; do
  [ -n "$from" ] || continue
  case $to in
    */) mkdir -p "$stage/$to" ;;
    *) mkdir -p "$(dirname "$stage/$to")" ;;
  esac
  # shellcheck disable=SC2086 # `*` in the listed path is meant to expand
  cp $from "$stage/$to"
done
# Notepad-friendly: UTF-8 with a BOM, Windows line ends.
printf '\xef\xbb\xbf' > "$stage/使用说明.txt"
sed 's/$/\r/' packaging/使用说明.txt >> "$stage/使用说明.txt"
rm -f "target/$name.zip"
(cd target/windows && zip -qr "../$name.zip" "$name")
ls -l "target/$name.zip" "$stage/huashu.exe"
