#!/usr/bin/env bash
# Runs one libFuzzer target on its seed corpus for a set time.
#
#   tests/fuzz/run_fuzzer.sh FUZZER_BINARY SEED_CORPUS_DIR WORK_DIR SECONDS
#
# New inputs go to WORK_DIR/corpus (the seed corpus in the source tree is only
# read); a crashing, leaking or timing-out input is saved under
# WORK_DIR/crashes/ and the script fails with libFuzzer's exit status. Keep
# such an input: fix the bug, then copy it into tests/fuzz/corpus/<target>/ so
# that the corpus replay in `make test` guards against the regression.
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 FUZZER SEED_CORPUS WORK_DIR SECONDS" >&2; exit 2; }
BIN=$1 SEEDS=$2 WORK=$3 SECONDS_=$4
[ -x "$BIN" ] || { echo "$0: no fuzzer binary $BIN" >&2; exit 2; }
[ -d "$SEEDS" ] || { echo "$0: no seed corpus $SEEDS" >&2; exit 2; }
mkdir -p "$WORK/corpus" "$WORK/crashes"
set +e
"$BIN" -max_total_time="$SECONDS_" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
  -artifact_prefix="$WORK/crashes/" "$WORK/corpus" "$SEEDS"
rc=$?
set -e
if [ $rc -ne 0 ]; then
  echo "$0: $(basename "$BIN") failed (exit $rc); crash inputs in $WORK/crashes/:" >&2
  ls -l "$WORK/crashes" >&2
fi
exit $rc
