#!/usr/bin/env bash
# The Windows installer for IT's deployment tools (Group Policy, SCCM):
#   target/huashu-<version>-x64.msi
# built on Linux with wixl (Debian's msitools) from the same files as the
# zip (scripts/package-windows.sh stages them). Installed per machine into
# Program Files\huashu with a Start-menu entry; silently:
#   msiexec /i huashu-<version>-x64.msi /qn      msiexec /x … /qn
#   scripts/package-msi.sh [--version X.Y.Z] [--no-build]
# --version: the MSI's version (default: Cargo.toml's); --no-build: use the
# staged files of an earlier package-windows.sh run.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
stage_version=$version
build=yes
while [ $# -gt 0 ]; do
  case $1 in
    --version) version=$2; shift 2 ;;
    --no-build) build=no; shift ;;
    *) sed -n 2,11p "$0"; exit 2 ;;
  esac
done
command -v wixl >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wixl) >/dev/null
[ $build = yes ] && scripts/package-windows.sh >/dev/null
stage=target/windows/huashu-${stage_version}-windows-x64
[ -f "$stage/huashu.exe" ] || { echo "no staged files at $stage (run scripts/package-windows.sh)"; exit 2; }
work=target/msi
mkdir -p "$work"
# Every staged file as a component of INSTALLDIR.
(cd "$stage" && find . -type f | sed 's|^\./||' | sort) \
  | sed "s|^|$stage/|" \
  | wixl-heat -p "$stage/" --component-group Files --var var.SourceDir \
      --directory-ref INSTALLDIR --win64 \
  | awk '
      # wixl-heat puts top-level files in a directory named "." (once per
      # run of them); they belong to INSTALLDIR itself.
      /<Directory Id="[^"]*" Name="\.">/ { match($0, /^ */); close_at = RLENGTH; next }
      close_at && /<\/Directory>/ { match($0, /^ */); if (RLENGTH == close_at) { close_at = 0; next } }
      { print }' > "$work/files.wxs"
out=target/huashu-${version}-x64.msi
wixl -a x64 -D Version="$version" -D SourceDir="$stage" -D Win64=yes \
  -o "$out" packaging/huashu.wxs "$work/files.wxs"
# wixl leaves the database's code page unset and drops Chinese text: set
# code page 936, then write the Chinese names.
printf '\r\n\r\n936\t_ForceCodepage\r\n' > "$work/_ForceCodepage.idt"
msibuild "$out" -i "$work/_ForceCodepage.idt"
leaflet=$(sed -n 's|.*File Id="\([^"]*\)".*/使用说明\.txt".*|\1|p' "$work/files.wxs")
[ -n "$leaflet" ] || { echo "no 使用说明.txt among the staged files"; exit 1; }
sql() { LANG=C.UTF-8 msibuild "$out" -q "$1"; }
sql "UPDATE \`Property\` SET \`Value\`='话术助手' WHERE \`Property\`='ProductName'"
sql "UPDATE \`Directory\` SET \`DefaultDir\`='话术助手' WHERE \`Directory\`='MenuFolder'"
sql "UPDATE \`Shortcut\` SET \`Name\`='话术助手', \`Description\`='大堂经理的场景话术速查' WHERE \`Shortcut\`='MenuShortcut'"
sql "UPDATE \`File\` SET \`FileName\`='使用说明.txt' WHERE \`File\`='$leaflet'"
ls -l "$out"
