#!/usr/bin/env bash
# Where the server's CPU goes: phieu-loadgen against a phieu-server running
# under valgrind's callgrind, which counts every instruction (`perf` sampling
# does not work in the development VM). The counters are zeroed when a
# measured phase begins (handshakes, cast) and dumped when it ends, so each
# profile holds that phase only.
#
#   bench/callgrind.sh [BUILD_DIR] [OUT_DIR] -- LOADGEN_ARGS...
#   e.g. bench/callgrind.sh build /tmp/cg -- --delegates 30 --handshakes 100 --cast held
#
# Writes OUT_DIR/callgrind.out.PID.N (one per phase) and OUT_DIR/PHASE.txt
# (callgrind_annotate, inclusive costs). Instruction counts, not time: a
# system call counts as one instruction, the kernel's work is not seen.
set -euo pipefail
BUILD=${1:-build}
OUT=${2:-/tmp/phieu-callgrind}
shift 2 || true
[ "${1:-}" = "--" ] && shift
BIN=$(cd "$BUILD/bin" && pwd)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WRAP=$(mktemp -d /tmp/phieu-callgrind-bin.XXXXXX)
trap 'rm -rf "$WRAP"' EXIT
for f in "$BIN"/*; do ln -s "$f" "$WRAP/$(basename "$f")"; done
rm "$WRAP/phieu-server"
cat > "$WRAP/phieu-server" <<WRAPPER
#!/bin/sh
exec valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=$OUT/callgrind.out.%p \
  --dump-instr=no "$BIN/phieu-server" "\$@"
WRAPPER
chmod +x "$WRAP/phieu-server"
cat > "$WRAP/mark" <<'MARK'
#!/bin/sh
# mark begin|end PHASE PID
case "$1" in
  begin) callgrind_control -i on "$3" > /dev/null && callgrind_control -z "$3" > /dev/null ;;
  end) callgrind_control -d "$2" "$3" > /dev/null && callgrind_control -i off "$3" > /dev/null ;;
esac
MARK
chmod +x "$WRAP/mark"
"$BIN/phieu-loadgen" --bin "$WRAP" --mark "$WRAP/mark" "$@" 2> "$OUT/loadgen.err"
for f in "$OUT"/callgrind.out.*; do
  phase=$(sed -n 's/^desc: Trigger: dump //p' "$f" | head -1)
  [ -n "$phase" ] || continue
  callgrind_annotate --inclusive=yes "$f" > "$OUT/${phase// /_}.txt" 2> /dev/null || true
done
ls "$OUT"
