#!/usr/bin/env bash
# Runs both fuzz targets side by side (needs the nightly toolchain and
# `cargo install cargo-fuzz`). Seeds: the real cards, the broken-file
# fixtures, the manual excerpt and the import fixtures. Usage:
#   fuzz/run.sh [SECONDS]        (default 600 each)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
mkdir -p fuzz/corpus/loader fuzz/corpus/import
cp tests/fixtures/manual-excerpt.txt fuzz/corpus/import/
cargo +nightly fuzz build -O loader
cargo +nightly fuzz build -O import
cargo +nightly fuzz run -O loader fuzz/corpus/loader data tests/fixtures/broken tests/fixtures/multi/a \
  -- -dict=fuzz/ron.dict -max_total_time="$secs" -max_len=65536 -rss_limit_mb=4096 > fuzz/loader.log 2>&1 &
a=$!
cargo +nightly fuzz run -O import fuzz/corpus/import tests/fixtures/import \
  -- -dict=fuzz/import.dict -max_total_time="$secs" -max_len=65536 -rss_limit_mb=4096 > fuzz/import.log 2>&1 &
b=$!
status=0
wait $a || status=1
wait $b || status=1
tail -n 3 fuzz/loader.log fuzz/import.log
exit $status
