#!/usr/bin/env bash
# IBus with libpinyin over XIM (the default input method of many Debian
# and UOS desktops) typing into the window under Xvfb: real key presses
# (xdotool key), the search box read back through the clipboard, the shown
# card identified by the script Alt+N copies, the candidate window's place
# read from the X server.
#
#   scripts/ibus-smoke.sh [-b BINARY] [-o SHOTS_DIR]
#
# libpinyin shows Chinese characters as the preedit from the first letter
# (h → 和), on the spot. Checked: a commit chooses the best match for the
# committed text and Enter opens it; Alt+1/Alt+2 copy while composing and
# leave the composition alone; the candidate window opens below the search
# box's text, not over it. Installs what it needs (Debian packages) when
# missing. One line per check; exits 1 if any failed; screenshots go to
# SHOTS_DIR (default target/ibus-smoke).
set -u
cd "$(dirname "$0")/.."
BIN=target/debug/huashu
OUT=target/ibus-smoke
# shellcheck source=lib/x11-test.sh
. scripts/lib/x11-test.sh
smoke_options 2,16p "$@"
ready_binary
# shellcheck source=lib/bundled.sh
. scripts/lib/bundled.sh
install_missing xvfb xdotool xclip x11-utils dbus dbus-x11 locales imagemagick \
  ibus ibus-libpinyin fonts-noto-cjk
if ! locale -a | grep -qi '^zh_CN.utf8$'; then
  sed -i 's/^# *zh_CN.UTF-8/zh_CN.UTF-8/' /etc/locale.gen && locale-gen >/dev/null
fi

W=$(mktemp -d /tmp/huashu-ibus.XXXX)
mkdir -p "$W/home" "$W/rt" "$W/app"
chmod 700 "$W/rt"
export XDG_CONFIG_HOME=$W/cfg XDG_DATA_HOME=$W/data XDG_CACHE_HOME=$W/cache \
  XDG_RUNTIME_DIR=$W/rt HOME=$W/home LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 XMODIFIERS=@im=ibus
start_xvfb "$W/xvfb.log"
read -r bus dbus_pid < <(dbus-daemon --session --fork --print-address=1 --print-pid=1 | paste -sd' ')
export DBUS_SESSION_BUS_ADDRESS=$bus
# ibus-daemon exits when its parent does: a shell that waits for it.
bash -c "ibus-daemon --xim >'$W/ibus.log' 2>&1 & echo \$! >'$W/ibus.pid'; wait" &
app=""
trap 'kill $app $(cat "$W/ibus.pid" 2>/dev/null) $dbus_pid $XVFB_PID 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT
for _ in $(seq 100); do ibus engine >/dev/null 2>&1 && break; sleep 0.1; done
# Exits 1 but sets the engine.
ibus engine libpinyin 2>/dev/null
# From an empty folder: the built-in cards, as at a counter.
(cd "$W/app" && exec "$BIN") >"$W/app.log" 2>&1 &
app=$!
win=$(wait_window --class huashu)
[ -n "$win" ] || { echo "FAIL: no window"; cat "$W/app.log"; exit 1; }
sleep 2
xdotool windowfocus --sync "$win"
sleep 0.5
ibus engine libpinyin 2>/dev/null
[ "$(ibus engine)" = libpinyin ] || { echo "FAIL: IBus has no libpinyin engine"; cat "$W/ibus.log"; exit 1; }

fails=0
n=0
shot() { n=$((n + 1)); import -window root "$(printf '%s/ibus-%02d-%s.png' "$OUT" $n "$1")"; }
t() { # name expected actual
  if [ "$2" = "$3" ]; then echo "ok   ibus: $1"; else echo "FAIL ibus: $1: expected [$2], got [$3]"; fails=$((fails + 1)); fi
}
# The top edge of the candidate window (the one IBus window mapped), in
# screen coordinates; empty if none is shown.
candidates_top() {
  local w
  for w in $(xdotool search --onlyvisible --name '.*' 2>/dev/null); do
    [ "$w" = "$win" ] && continue
    xprop -id "$w" WM_CLASS 2>/dev/null | grep -qi ibus || continue
    xdotool getwindowgeometry "$w" | sed -n 's/.*Position: [0-9]*,\([0-9]*\).*/\1/p'
    return
  done
}
win_top=$(xdotool getwindowgeometry "$win" | sed -n 's/.*Position: [0-9]*,\([0-9]*\).*/\1/p')

# 和, 哈, 号 while typing hao: the commit chooses what 号 finds first.
keys h a o; shot composing-hao
top=$(candidates_top)
# The search box ends about 55 px below the window's top at 100 %.
if [ -n "$top" ] && [ "$top" -ge $((win_top + 50)) ]; then
  echo "ok   ibus: the candidate window is below the search box (top $top, window $win_top)"
else
  echo "FAIL ibus: the candidate window covers the search box (top [$top], window $win_top)"; fails=$((fails + 1))
fi
keys space
t "hao + space commits 号" 号 "$(read_box)"
t "号 shows 客户取号错误" "$QUEUE_1" "$(copy 1)"
keys Return
t "Enter opens it" "$QUEUE_1" "$(copy 1)"
# Alt+2 while composing copies and leaves the composition alone.
keys c u o; shot composing-alt2
t "Alt+2 while composing copies script 2" "$QUEUE_2" "$(copy 2)"
keys space
t "the composition went on" 号错 "$(read_box)"
echo "screenshots: $OUT"
if [ $fails -gt 0 ]; then echo "$fails check(s) failed"; exit 1; fi
echo "all checks passed"
