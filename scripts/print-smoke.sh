#!/usr/bin/env bash
# The printable handouts in a real browser: `huashu export --html` of the
# bundled cards, each page printed to PDF by headless Chromium (A4, as a
# trainer prints from the browser), each PDF page turned into a PNG by
# pdftoppm. Checks: every PDF is A4, and every card's title is in the text
# of its chapter's PDF. Then the trainers' report page (`huashu report`
# over tests/fixtures/reports): A4, every section printed, a typed reason
# shown as typed. Look at the PNGs in target/print-smoke/.
#   scripts/print-smoke.sh [-b BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/debug/huashu
while getopts b: o; do
  case $o in
    b) BIN=$OPTARG ;;
    *) sed -n 2,7p "$0"; exit 2 ;;
  esac
done
[ -x "$BIN" ] || { echo "no binary at $BIN (cargo build first)"; exit 2; }
# shellcheck source=lib/x11-test.sh
. scripts/lib/x11-test.sh
install_missing chromium poppler-utils
OUT=$(realpath -m target/print-smoke)
rm -rf "$OUT" && mkdir -p "$OUT"
"$BIN" --data data export --html "$OUT/html"
fails=0
for page in "$OUT"/html/*.html; do
  name=$(basename "$page" .html)
  chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
    --print-to-pdf="$OUT/$name.pdf" "file://$page" >/dev/null 2>&1
  size=$(pdfinfo "$OUT/$name.pdf" | sed -n 's/^Page size: *\([0-9.]*\) x \([0-9.]*\).*/\1x\2/p')
  pages=$(pdfinfo "$OUT/$name.pdf" | sed -n 's/^Pages: *//p')
  case $size in
    594.9*x841.9*) echo "ok   $name.pdf: A4, $pages page(s)" ;;
    *) echo "FAIL $name.pdf: page size $size, not A4"; fails=$((fails + 1)) ;;
  esac
  pdftoppm -r 60 -png "$OUT/$name.pdf" "$OUT/$name"
done
# Every card's title is printed in its chapter's PDF.
while IFS=$'\t' read -r chapter title; do
  if pdftotext "$OUT/chapter-$chapter.pdf" - | tr -d ' \n' | grep -qF "$(printf %s "$title" | tr -d ' ')"; then
    echo "ok   chapter-$chapter.pdf has “$title”"
  else
    echo "FAIL chapter-$chapter.pdf lacks “$title”"; fails=$((fails + 1))
  fi
done < <("$BIN" --data data list --json | python3 -c '
import json, sys
chapters = []
for line in sys.stdin:
    card = json.loads(line)
    key = card["file"]
    if key not in chapters:
        chapters.append(key)
    print("%02d\t%s" % (chapters.index(key) + 1, card["title"]))
')
# The trainers' report page over counters' reports, printed the same way.
"$BIN" --data data report --html "$OUT/report" --from tests/fixtures/reports 2>/dev/null
chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
  --print-to-pdf="$OUT/report.pdf" "file://$OUT/report/index.html" >/dev/null 2>&1
size=$(pdfinfo "$OUT/report.pdf" | sed -n 's/^Page size: *\([0-9.]*\) x \([0-9.]*\).*/\1x\2/p')
case $size in
  594.9*x841.9*) echo "ok   report.pdf: A4" ;;
  *) echo "FAIL report.pdf: page size $size, not A4"; fails=$((fails + 1)) ;;
esac
for words in 全行柜台使用报告 最常用的卡片 从没打开过的卡片 搜索缺口 标记为有误或过时 各网点 "赔偿要按<新规定>&公告改"; do
  if pdftotext "$OUT/report.pdf" - | tr -d ' \n' | grep -qF "$words"; then
    echo "ok   report.pdf has “$words”"
  else
    echo "FAIL report.pdf lacks “$words”"; fails=$((fails + 1))
  fi
done
pdftoppm -r 60 -png "$OUT/report.pdf" "$OUT/report"
echo "PNGs in $OUT"
[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
