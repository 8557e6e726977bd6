#!/usr/bin/env bash
# A real Chinese input method (fcitx5 pinyin over XIM) typing into the
# window under Xvfb: real key presses (xdotool key, never `type` with
# Chinese, never --window), the search box read back through the
# clipboard, the shown card identified by the script Alt+N copies.
#
#   scripts/ime-smoke.sh [-b BINARY] [-o SHOTS_DIR]
#
# fcitx5 as installed: Chinese mode is switched on once (Ctrl+Space) and
# must survive every Esc (a reset input context would fall back to English).
# Runs both XIM styles: off the spot (fcitx5's default: the preedit is in
# fcitx5's own popup) and on the spot (the preedit is sent to the app, as
# Microsoft Pinyin and Sogou do on Windows). Installs what it needs
# (Debian packages) when missing. Prints one line per check and exits 1 if
# any failed; screenshots go to SHOTS_DIR (default target/ime-smoke).
set -u
cd "$(dirname "$0")/.."
BIN=target/debug/huashu
OUT=target/ime-smoke
# shellcheck source=lib/x11-test.sh
. scripts/lib/x11-test.sh
smoke_options 2,13p "$@"
ready_binary
install_missing xvfb xdotool xclip x11-utils dbus dbus-x11 locales imagemagick \
  fcitx5 fcitx5-chinese-addons fcitx5-pinyin
if ! locale -a | grep -qi '^zh_CN.utf8$'; then
  sed -i 's/^# *zh_CN.UTF-8/zh_CN.UTF-8/' /etc/locale.gen && locale-gen >/dev/null
fi

# shellcheck source=lib/bundled.sh
. scripts/lib/bundled.sh

failures=0
check() { # name expected actual
  if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected [$2], got [$3]"; failures=$((failures + 1)); fi
}

run_mode() {
  local mode=$1
  local W; W=$(mktemp -d /tmp/huashu-ime.XXXX)
  mkdir -p "$W/home" "$W/rt" "$W/app" "$W/cfg/fcitx5/conf"
  chmod 700 "$W/rt"
  printf '[Groups/0]\nName=Default\nDefault Layout=us\nDefaultIM=pinyin\n\n[Groups/0/Items/0]\nName=keyboard-us\nLayout=\n\n[Groups/0/Items/1]\nName=pinyin\nLayout=\n\n[GroupOrder]\n0=Default\n' >"$W/cfg/fcitx5/profile"
  printf '[Behavior]\nActiveByDefault=False\nShareInputState=No\n' >"$W/cfg/fcitx5/config"
  [ "$mode" = onspot ] && echo 'UseOnTheSpot=True' >"$W/cfg/fcitx5/conf/xim.conf"
  (
    export XDG_CONFIG_HOME=$W/cfg XDG_DATA_HOME=$W/data XDG_CACHE_HOME=$W/cache \
      XDG_RUNTIME_DIR=$W/rt HOME=$W/home LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 XMODIFIERS=@im=fcitx
    start_xvfb "$W/xvfb.log"
    local xvfb=$XVFB_PID
    local bus dbus_pid
    read -r bus dbus_pid < <(dbus-daemon --session --fork --print-address=1 --print-pid=1 | paste -sd' ')
    export DBUS_SESSION_BUS_ADDRESS=$bus
    fcitx5 --disable=wayland >"$W/fcitx5.log" 2>&1 &
    local fcitx=$!
    local app=""
    trap 'kill $app $fcitx $dbus_pid $xvfb 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT
    for _ in $(seq 100); do grep -q 'Loaded addon pinyin$' "$W/fcitx5.log" && break; sleep 0.1; done
    sleep 1
    # From an empty folder: the built-in cards, as at a counter.
    # huashu=debug: the log names each command the window got.
    (cd "$W/app" && RUST_LOG=huashu=debug exec "$BIN") >"$W/app.log" 2>&1 &
    app=$!
    local win; win=$(wait_window --class huashu)
    [ -n "$win" ] || { echo "FAIL $mode: no window"; cat "$W/app.log"; exit 1; }
    sleep 2
    xdotool windowfocus --sync "$win"
    sleep 0.5

    local n=0 fails=0
    shot() { n=$((n + 1)); import -window root "$(printf '%s/%s-%02d-%s.png' "$OUT" "$mode" $n "$1")"; }
    im() { fcitx5-remote 2>/dev/null; }  # 2 = Chinese (pinyin active)
    clear_box() { xdotool key Escape; sleep 0.7; xdotool key Escape; sleep 0.7; }
    t() { # name expected actual
      if [ "$2" = "$3" ]; then echo "ok   $mode: $1"; else echo "FAIL $mode: $1: expected [$2], got [$3]"; fails=$((fails + 1)); fi
    }

    [ "$(im)" = 2 ] || { xdotool key ctrl+space; sleep 0.5; }
    # fcitx5's first candidate for quhao is 区号: a wrong homophone.
    keys q u h a o; shot composing-quhao
    keys space
    t "quhao + space commits the first candidate" 区号 "$(read_box)"
    t "the wrong homophone 区号 shows 客户取号错误" "$QUEUE_1" "$(copy 1)"
    # Esc clears the box without resetting the input method.
    clear_box
    t "Chinese mode kept after Esc" 2 "$(im)"
    keys q u h a o space
    t "quhao right after Esc goes through the input method" 区号 "$(read_box)"
    # Enter opens the card; Alt+2 during a composition copies, types nothing.
    keys Return
    keys c u o; shot composing-alt2
    t "Alt+2 while composing copies script 2" "$QUEUE_2" "$(copy 2)"
    keys Escape
    t "Esc cancels only the composition" 区号 "$(read_box)"
    clear_box
    # Enter during a composition commits the letters and opens nothing.
    keys c h a p i n g Return
    t "Enter commits the letters" chaping "$(read_box)"
    t "chaping shows 客户给柜员差评" "$REVIEW_1" "$(copy 1)"
    clear_box
    # A description, phrase by phrase, as an input method commits it.
    keys x i n y u a n g o n g space
    keys c h a p i n g; shot composing-phrase
    keys space; shot phrase
    t "a phrase commits" 新员工差评 "$(read_box)"
    t "新员工差评 shows 客户给柜员差评" "$REVIEW_1" "$(copy 1)"
    # Every key of the window reaches it with the input method on (none is
    # one of its own) and leaves the input method in Chinese mode — 报告有误
    # too, whose reason is typed in the same box. The form's keys come last:
    # a form's fields take the keyboard, which on X11 gives the input method
    # a new context in its default mode.
    clear_box
    local key command before log=$W/data/huashu/huashu_rCURRENT.log
    for pair in ctrl+d:ToggleFavourite ctrl+t:TogglePin ctrl+equal:'Zoom(In)' \
      ctrl+minus:'Zoom(Out)' ctrl+0:'Zoom(Reset)' F8:ToggleProblems ctrl+l:FocusSearch \
      ctrl+f:FocusSearch Down:'Move(1)' Up:'Move(-1)' Next:'Move(5)' Prior:'Move(-5)' \
      alt+3:'CopyScript(2)' Return:OpenSelected ctrl+r:Flag Escape:Back \
      F2:Edit F5:ReloadEdit ctrl+s:SaveEdit ctrl+n:NewCard; do
      key=${pair%%:*} command=${pair#*:}
      before=$(grep -c "command $command\$" "$log")
      xdotool key "$key"; sleep 0.6
      t "$key reaches the window ($command)" 1 $(($(grep -c "command $command\$" "$log") - before))
      case $key in F2|F5|ctrl+s|ctrl+n) ;; *) t "Chinese mode kept after $key" 2 "$(im)" ;; esac
      [ "$key" = ctrl+r ] && shot flag-reason
    done
    shot window-keys
    kill $app 2>/dev/null
    exit $fails
  )
  local fails=$?
  failures=$((failures + fails))
}

for mode in offspot onspot; do run_mode $mode; done
echo "screenshots: $OUT"
if [ $failures -gt 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"
