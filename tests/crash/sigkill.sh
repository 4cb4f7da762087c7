#!/usr/bin/env bash
# Crash consistency under SIGKILL, with the real binaries over loopback mTLS.
#
#   tests/crash/sigkill.sh BUILD MEETING WORK
#
# Each round restores a meeting with a ballot open, starts phieu-server, and
# has every scripted delegate cast at once, each with its own `phieu vote`
# process (one connection each) that tries again while the server is away.
# Meanwhile the server is killed with SIGKILL 1 to 3 times at random moments
# and restarted on the same data directory; at the end of the round it is
# killed once more. Then crash_check checks the board as the crash left it:
# integrity_check, the hash chain, every receipt's entry at its seq with its
# hash, each delegate's stored ballot counted, nothing counted twice, and
# exactly one ballot per delegate. A delegate whose cast was in flight
# learns whether it counted by resending its stored ballot (the original
# receipt if it had counted).
#
# CRASH_ROUNDS (default 20), CRASH_SECONDS (0: no time limit; otherwise stop
# starting rounds after that many seconds), CRASH_SEED (replays the kill
# schedule; the seed is printed).
set -uo pipefail
BUILD=$1 MEETING=$2 WORK=$3
ROUNDS=${CRASH_ROUNDS:-20}
LIMIT=${CRASH_SECONDS:-0}
SEED=${CRASH_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
RANDOM=$SEED
here=$(cd "$(dirname "$0")" && pwd)
source "$here/meeting_lib.sh"
trap meeting_cleanup EXIT
echo "crash: seed $SEED, $ROUNDS rounds (replay: CRASH_SEED=$SEED)"
[ -x "$BIN/crash_check" ] && [ -x "$BIN/phieu-server" ] || { echo "crash: build first"; exit 1; }

meeting_prepare || exit 1
start=$(date +%s)
kills=0; in_flight=0; resent=0; round=0
while [ "$round" -lt "$ROUNDS" ]; do
  if [ "$LIMIT" -gt 0 ] && [ $(( $(date +%s) - start )) -ge "$LIMIT" ]; then break; fi
  round=$((round + 1))
  meeting_restore
  start_server "$PORT" || exit 1
  start_casts
  # 1 to 3 kills, each 20-520 ms after the last (re)start.
  n=$((1 + RANDOM % 3)); schedule=""
  for _ in $(seq 1 $n); do
    ms=$((20 + RANDOM % 500)); schedule="$schedule ${ms}ms"
    sleep "$(printf '0.%03d' "$ms")"
    kill_server KILL; kills=$((kills + 1))
    start_server "$PORT" || exit 1
  done
  failed=0
  wait_casts || failed=1
  kill_server KILL; kills=$((kills + 1))
  in_flight=$((in_flight + $(cat "$WORK"/vote-*.log | grep -c "cast in flight")))
  resent=$((resent + $(cat "$WORK"/vote-*.log | grep -c "resending the ballot stored")))
  out=$(check_board); rc=$?
  echo "crash: round $round, kills at$schedule: $out"
  if [ $rc != 0 ] || [ $failed != 0 ]; then
    echo "crash: FAILED in round $round (replay: CRASH_SEED=$SEED); server log:"
    tail -20 "$WORK/server.log"
    exit 1
  fi
done
echo "crash: $round rounds in $(( $(date +%s) - start )) s, $kills kills (SIGKILL), $in_flight casts cut off in flight, $resent stored ballots resent; every receipted ballot kept, none counted twice"
