# Shared by the scripts that drive the window under Xvfb (ime-smoke,
# hotkey-smoke, wine-hotkey). Source it; it defines functions only.

# Installs the Debian packages given that are missing (exits 2 if it cannot).
install_missing() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}") >/dev/null || { echo "cannot install ${missing[*]}"; exit 2; }
}

# Starts Xvfb on a free display: sets DISPLAY and XVFB_PID. $1: its log.
start_xvfb() {
  local d=90
  while [ -e /tmp/.X11-unix/X$d ] || [ -e /tmp/.X$d-lock ]; do d=$((d + 1)); done
  Xvfb :$d -screen 0 1280x800x24 -nolisten tcp -noreset >"${1:-/dev/null}" 2>&1 &
  XVFB_PID=$!
  export DISPLAY=:$d
  for _ in $(seq 50); do [ -e /tmp/.X11-unix/X$d ] && break; sleep 0.1; done
}

# The first visible window `xdotool search --onlyvisible "$@"` finds,
# waiting up to 60 s; empty if none.
wait_window() {
  local w="" _
  for _ in $(seq 300); do
    w=$(xdotool search --onlyvisible "$@" 2>/dev/null | head -1)
    [ -n "$w" ] && break
    sleep 0.2
  done
  printf '%s' "$w"
}

# The focused text box's text, through the clipboard (select all, copy),
# the cursor put back at the end.
read_box() {
  printf '<none>' | xclip -selection clipboard >/dev/null 2>&1
  xdotool key ctrl+a; sleep 0.2; xdotool key ctrl+c; sleep 0.7
  local b; b=$(xclip -o -selection clipboard)
  xdotool key End; sleep 0.3
  [ "$b" = '<none>' ] && b=''
  printf '%s' "$b"
}

# Real key presses, then time for the window to draw.
keys() { xdotool key --delay 150 "$@"; sleep 0.8; }

# What Alt+$1 copies (the clipboard cleared first; `CLEAR` if nothing).
copy() {
  printf CLEAR | xclip -selection clipboard >/dev/null 2>&1
  xdotool key "alt+$1"; sleep 0.8
  xclip -o -selection clipboard 2>/dev/null
}

# A smoke script's $BIN (the program) and $OUT (its screenshots), as its
# options set them: exits 2 without the program; both absolute afterwards.
ready_binary() {
  [ -x "$BIN" ] || { echo "no binary at $BIN (cargo build first)"; exit 2; }
  BIN=$(realpath "$BIN")
  mkdir -p "$OUT"
  OUT=$(realpath "$OUT")
}

# A smoke script's options: -b BINARY and -o SHOTS_DIR (the defaults are
# $BIN and $OUT as set before); any other prints lines $1 (a sed range such
# as 2,16p) of the script as its usage and exits 2. Then `ready_binary`.
smoke_options() {
  local usage=$1 o OPTIND=1
  shift
  while getopts b:o: o; do
    case $o in
      b) BIN=$OPTARG ;;
      o) OUT=$OPTARG ;;
      *) sed -n "$usage" "$0"; exit 2 ;;
    esac
  done
}
