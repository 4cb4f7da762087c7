# Sourced by the end-to-end shell tests (after setting BUILD, WORK): the
# binaries, a fresh work directory, background processes killed on exit,
# and the check / contains helpers that count passes and failures.
BIN="$BUILD/bin"; PHIEU="$BIN/phieu"
rm -rf "$WORK"; mkdir -p "$WORK"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT
fails=0; passes=0
check() {  # check NAME EXPECTED_EXIT COMMAND...
  local name=$1 want=$2; shift 2
  "$@" > "$WORK/last.out" 2>&1; local got=$?
  if [ "$got" = "$want" ]; then passes=$((passes+1)); echo "ok   $name"
  else fails=$((fails+1)); echo "FAIL $name: exit $got, expected $want"; sed 's/^/     /' "$WORK/last.out"; fi
}
contains() {  # contains NAME TEXT: the last output contains TEXT
  if grep -q -- "$2" "$WORK/last.out"; then passes=$((passes+1)); echo "ok   $1"
  else fails=$((fails+1)); echo "FAIL $1: output lacks '$2'"; sed 's/^/     /' "$WORK/last.out"; fi
}
