#!/usr/bin/env bash
# Installs the .deb into a clean Debian (a debootstrap directory, made once)
# and starts it there in a private virtual display (screenshot).
#   scripts/package-deb.sh && scripts/deb-smoke.sh [OUT.png]
# The Debian mirror is the one this machine's apt already uses (a bank's
# own mirror, usually); DEB_MIRROR overrides it.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
out=$(realpath -m "${1:-target/deb-smoke.png}")
root=${DEB_ROOT:-$repo/target/debian-root}
deb=$(ls target/huashu_*_amd64.deb | head -1)
if [ ! -x "$root/usr/bin/apt-get" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  mirror=${DEB_MIRROR:-$(apt-cache policy | awk -v s="$codename/main" '$3 == s && $1 ~ /^[0-9]+$/ {print $2; exit}')}
  if [ -z "$mirror" ]; then
    echo "no Debian mirror for $codename/main in this machine's apt sources (set DEB_MIRROR)" >&2
    exit 2
  fi
  echo "== debootstrap $codename from $mirror"
  debootstrap --variant=minbase "$codename" "$root" "$mirror"
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
