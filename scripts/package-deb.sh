#!/usr/bin/env bash
# Builds target/huashu_<version>_amd64.deb: the program (with its built-in
# cards), the cards as files, a desktop entry (话术助手) and an icon.
#   scripts/package-deb.sh
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
cargo build --release --locked
stage=target/deb/huashu_${version}_amd64
rm -rf "$stage"
install -Dm755 target/release/huashu "$stage/usr/bin/huashu"
strip "$stage/usr/bin/huashu"
install -Dm644 packaging/huashu.desktop "$stage/usr/share/applications/huashu.desktop"
install -Dm644 assets/icon.png "$stage/usr/share/icons/hicolor/256x256/apps/huashu.png"
for f in data/*.ron; do
  install -Dm644 "$f" "$stage/usr/share/huashu/data/$(basename "$f")"
done
install -Dm644 docs/editing.md "$stage/usr/share/doc/huashu/editing.md"
install -Dm644 README.md "$stage/usr/share/doc/huashu/README.md"
install -Dm644 assets/fonts/OFL.txt "$stage/usr/share/doc/huashu/OFL.txt"
cat > "$stage/usr/share/doc/huashu/copyright" <<COPY
huashu (话术助手). The bundled font is a subset of Noto Sans SC,
SIL Open Font License 1.1: /usr/share/doc/huashu/OFL.txt
COPY
size=$(du -sk "$stage/usr" | cut -f1)
mkdir -p "$stage/DEBIAN"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: huashu
Version: $version
Section: utils
Priority: optional
Architecture: amd64
Installed-Size: $size
Depends: libc6 (>= 2.31), libgcc-s1, libxkbcommon0, libxkbcommon-x11-0, libx11-6, libxcursor1, libxrandr2, libxi6, libegl1, libgl1
Recommends: libegl-mesa0, libglx-mesa0, libgl1-mesa-dri, mesa-vulkan-drivers
Maintainer: huashu developers <huashu@localhost>
Description: 话术助手 — speech scripts for bank lobby managers
 Type a few characters or pinyin initials and see the scenario card:
 场景再现, the numbered 解决方案 steps and the speech scripts to copy.
 Content from RON files trainers edit; see /usr/share/doc/huashu.
CONTROL
dpkg-deb --root-owner-group --build "$stage" "target/huashu_${version}_amd64.deb"
ls -l "target/huashu_${version}_amd64.deb"
