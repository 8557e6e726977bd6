#!/usr/bin/env bash
# Installs the .deb into a clean Debian (a debootstrap directory, made once)
# and starts it there in a private virtual display (screenshot).
#   scripts/package-deb.sh && scripts/deb-smoke.sh [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
out=$(realpath -m "${1:-target/deb-smoke.png}")
root=${DEB_ROOT:-$repo/target/debian-root}
deb=$(ls target/huashu_*_amd64.deb | head -1)
if [ ! -x "$root/usr/bin/apt-get" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/huashu.deb"
chroot "$root" apt-get update -qq
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/huashu.deb
echo "== installed"
chroot "$root" dpkg -L huashu | grep -E 'bin/|applications|icons|data/'
chroot "$root" huashu list | head -3
echo "== the window"
mkdir -p "$root/tmp/.X11-unix"
mount --bind /tmp/.X11-unix "$root/tmp/.X11-unix"
trap 'umount "$root/tmp/.X11-unix" 2>/dev/null || true' EXIT
"$repo/../shared/tools/gui-shot" -o "$out" -w 5 -k 'type qhcw' -- \
  chroot "$root" env HOME=/root XDG_RUNTIME_DIR=/tmp huashu
