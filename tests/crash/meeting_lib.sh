# Shared by the crash tests (sourced, not run): a meeting made ready for
# casting once (certificates, key ceremony, check-in, the first ballot
# open), saved, and restored before each round.
#
# The caller sets BUILD, MEETING, WORK (emptied here) and, optionally,
# LISTEN_HOST (default 127.0.0.1) and SANS (extra server certificate names).
# After meeting_prepare: PHIEU, P (participant profiles), PORT, BALLOT,
# VOTERS (lines "PARTICIPANT CHOICES" of BALLOT's scripted votes), NVOTERS,
# and $WORK/snapshot (the data directory with the ballot open).

BIN="$BUILD/bin"; PHIEU="$BIN/phieu"
LISTEN_HOST=${LISTEN_HOST:-127.0.0.1}
SANS=${SANS:-}
SERVER=""
BG_PIDS=()

# Kills what this script started (by pid) and waits for it.
meeting_cleanup() {
  [ -n "$SERVER" ] && kill -9 "$SERVER" 2>/dev/null
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
}

# start_server PORT: starts phieu-server on LISTEN_HOST:PORT (0: the system
# chooses), waits for its port file, sets SERVER and PORT.
start_server() {
  rm -f "$WORK/port"
  "$BIN/phieu-server" --certs "$WORK/m" --listen "$LISTEN_HOST:$1" --port-file "$WORK/port" \
    >> "$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 200); do [ -s "$WORK/port" ] && break; sleep 0.05; done
  if [ ! -s "$WORK/port" ]; then
    tail -5 "$WORK/server.log"; echo "crash: the server did not start"; return 1
  fi
  PORT=$(cat "$WORK/port")
}

# kill_server SIGNAL: stops the server and reaps it.
kill_server() {
  [ -n "$SERVER" ] || return 0
  kill "-$1" "$SERVER" 2>/dev/null
  wait "$SERVER" 2>/dev/null
  SERVER=""
}

meeting_prepare() {
  rm -rf "$WORK"; mkdir -p "$WORK"
  local san_args=()
  if [ -n "$SANS" ]; then for s in 127.0.0.1 $SANS; do san_args+=(--san "$s"); done; fi
  "$PHIEU" certs init "$MEETING" --out "$WORK/m" "${san_args[@]}" > "$WORK/setup.log" 2>&1 || {
    cat "$WORK/setup.log"; return 1; }
  P="$WORK/m/participants"
  start_server 0 || return 1
  for d in "$P"/*/; do
    "$PHIEU" certs profile --out "$WORK/m" --id "$(basename "$d")" --server "$LISTEN_HOST:$PORT" \
      > /dev/null || return 1
  done
  "$PHIEU" demo plan "$MEETING" > "$WORK/plan.txt" || return 1
  local chair tellers delegates t d
  chair=$(awk '$1=="chair"{print $2}' "$WORK/plan.txt")
  tellers=$(awk '$1=="teller"{print $2}' "$WORK/plan.txt")
  delegates=$(awk '$1=="delegate"{print $2}' "$WORK/plan.txt")
  BALLOT=$(awk '$1=="ballot"{print $2; exit}' "$WORK/plan.txt")
  VOTERS=$(awk -v b="$BALLOT" '$1=="vote" && $2==b {print $3, $4}' "$WORK/plan.txt")
  NVOTERS=$(printf '%s\n' "$VOTERS" | grep -c .)
  local teller_pids=()
  for t in $tellers; do
    echo "crash-test-passphrase-$t" > "$WORK/$t.pass"
    "$PHIEU" teller run --profile "$P/$t" --passphrase-file "$WORK/$t.pass" --seconds 300 \
      > "$WORK/teller-$t.log" 2>&1 &
    teller_pids+=($!); BG_PIDS+=($!)
  done
  (
    "$PHIEU" ceremony start --profile "$P/$chair" --wait 120 &&
    for d in $delegates; do "$PHIEU" checkin --profile "$P/$d" || exit 1; done &&
    "$PHIEU" open "$BALLOT" --profile "$P/$chair"
  ) >> "$WORK/setup.log" 2>&1 || { cat "$WORK/setup.log"; echo "crash: setup failed"; return 1; }
  for t in "${teller_pids[@]}"; do kill "$t" 2>/dev/null; wait "$t" 2>/dev/null; done
  BG_PIDS=()
  kill_server TERM
  cp -a "$WORK/m/data" "$WORK/snapshot"
  echo "crash: meeting $(basename "$MEETING" .textproto) ready: ballot $BALLOT open, $NVOTERS delegates to cast"
}

# Back to the saved meeting: the board with the ballot open, no ballot or
# receipt kept by any delegate.
meeting_restore() {
  rm -rf "$WORK/m/data"; cp -a "$WORK/snapshot" "$WORK/m/data"
  rm -rf "$P"/*/ballots "$P"/*/receipts
}

# cast_until_counted LOG PREFIX... -- PARTICIPANT CHOICES: runs `phieu vote`
# (after the PREFIX command, e.g. `ip netns exec NS`) until it exits 0. Exit
# 5 (server unavailable, cast possibly in flight) means try again: the
# client then resends the ballot it stored and gets the original receipt if
# it had counted. Any other exit is returned (e.g. 3, "already voted", would
# be a double vote). At most 80 attempts, 50-140 ms apart.
cast_until_counted() {
  local log=$1; shift
  local prefix=()
  while [ "$1" != "--" ]; do prefix+=("$1"); shift; done
  shift
  local who=$1 choices=$2 args=() rc attempt c
  if [ "$choices" = "-" ]; then args+=(--blank); else
    for c in ${choices//,/ }; do args+=(--choice "$c"); done
  fi
  for attempt in $(seq 1 80); do
    "${prefix[@]}" "$PHIEU" vote "$BALLOT" --profile "$P/$who" --yes "${args[@]}" >> "$log" 2>&1
    rc=$?
    echo "-- attempt $attempt: exit $rc" >> "$log"
    [ $rc = 0 ] && return 0
    [ $rc = 5 ] || return $rc
    sleep "$(printf '0.%02d' $((RANDOM % 10 + 5)))"
  done
  return 99
}

# start_casts PREFIX...: every scripted delegate casts at once, each with its
# own `phieu vote` (cast_until_counted, log $WORK/vote-WHO.log).
start_casts() {
  CAST_PIDS=(); CAST_NAMES=()
  rm -f "$WORK"/vote-*.log
  local who choices
  while read -r who choices; do
    cast_until_counted "$WORK/vote-$who.log" "$@" -- "$who" "$choices" &
    CAST_PIDS+=($!); CAST_NAMES+=("$who"); BG_PIDS+=($!)
  done <<< "$VOTERS"
}

# wait_casts: waits for them; prints the log of each that could not cast
# and returns 1 if any.
wait_casts() {
  local i rc failed=0
  for i in "${!CAST_PIDS[@]}"; do
    wait "${CAST_PIDS[$i]}"; rc=$?
    if [ $rc != 0 ]; then
      failed=1; echo "crash: ${CAST_NAMES[$i]} could not cast (exit $rc):"
      sed 's/^/    /' "$WORK/vote-${CAST_NAMES[$i]}.log"
    fi
  done
  BG_PIDS=()
  return $failed
}

# check_board: crash_check on the board as it is now: every delegate's
# ballot counted once, under its receipt.
check_board() {
  "$BIN/crash_check" "$WORK/m/data/board.sqlite" --profiles "$P" --all-counted \
    --expect-ballots "$NVOTERS" 2>&1
}
