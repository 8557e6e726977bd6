# Wine 8 has no bcryptprimitives.dll (Rust's std needs ProcessPrng): a
# stand-in, for tests only, found through WINEPATH. Source it, then
# `stand_in DIR` builds DIR/bcryptprimitives.dll (when missing or older
# than its source).
stand_in() {
  mkdir -p "$1"
  if [ ! -f "$1/bcryptprimitives.dll" ] || [ scripts/wine/bcryptprimitives.c -nt "$1/bcryptprimitives.dll" ]; then
    x86_64-w64-mingw32-gcc -shared -O2 -o "$1/bcryptprimitives.dll" \
      scripts/wine/bcryptprimitives.c -ladvapi32 -Wl,--kill-at
  fi
}
