#!/usr/bin/env bash
# make demo: a whole meeting on this machine, over mutual TLS on loopback.
#
#   examples/demo.sh BUILD_DIR MEETING_FILE
#
# Every participant is a separate `phieu` process with its own profile and
# its own TLS connection: the chair, each unit's delegate, each teller (the
# tellers run `phieu teller run` in the background for the whole meeting).
# The certificates are made the quick way (`phieu certs init`): every key on
# one machine, which is right for a demo and wrong for a real meeting.
set -euo pipefail

BUILD=${1:-build}
MEETING=${2:-examples/cum4-2024.textproto}
BIN="$BUILD/bin"
NAME=$(basename "$MEETING" .textproto)
WORK="${PHIEU_DEMO_WORK:-demo-run/$NAME}"
PHIEU="$BIN/phieu"
WAIT=${PHIEU_DEMO_WAIT:-120}

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

[ -x "$PHIEU" ] && [ -x "$BIN/phieu-server" ] || { echo "demo: build first (make build)"; exit 1; }
[ -f "$MEETING" ] || { echo "demo: no meeting file $MEETING"; exit 2; }

rm -rf "$WORK"
mkdir -p "$WORK"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

say "1. Certificates and the signed roster (demo mode: all keys on this machine)"
"$PHIEU" certs init "$MEETING" --out "$WORK/meeting"
P="$WORK/meeting/participants"

say "2. Server on loopback (port chosen by the system)"
"$BIN/phieu-server" --certs "$WORK/meeting" --listen 127.0.0.1:0 \
  --port-file "$WORK/port" > "$WORK/server.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || { cat "$WORK/server.log"; echo "demo: server did not start"; exit 1; }
PORT=$(cat "$WORK/port")
cat "$WORK/server.log"
# Each participant's profile names the server's address.
for dir in "$P"/*/; do
  "$PHIEU" certs profile --out "$WORK/meeting" --id "$(basename "$dir")" --server "127.0.0.1:$PORT" > /dev/null
done

# The plan: who is chair, who are tellers, which delegate votes what.
"$PHIEU" demo plan "$MEETING" > "$WORK/plan.txt"
CHAIR=$(awk '$1=="chair"{print $2}' "$WORK/plan.txt")
TELLERS=$(awk '$1=="teller"{print $2}' "$WORK/plan.txt")
DELEGATES=$(awk '$1=="delegate"{print $2}' "$WORK/plan.txt")
BALLOTS=$(awk '$1=="ballot"{print $2}' "$WORK/plan.txt")

say "3. Tellers start their clients (Ban kiểm phiếu): $(echo $TELLERS)"
for t in $TELLERS; do
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$WORK/$t.passphrase"
  "$PHIEU" teller run --profile "$P/$t" --passphrase-file "$WORK/$t.passphrase" \
    --seconds 900 > "$WORK/teller-$t.log" 2>&1 &
  PIDS+=($!)
done

say "4. Key ceremony (khóa chung của Ban kiểm phiếu)"
"$PHIEU" ceremony start --profile "$P/$CHAIR" --wait "$WAIT"

say "5. Check-in (điểm danh)"
for d in $DELEGATES; do "$PHIEU" checkin --profile "$P/$d"; done
"$PHIEU" status --profile "$P/$CHAIR"

for b in $BALLOTS; do
  say "6. Ballot $b: open, vote, close, decrypt"
  "$PHIEU" open "$b" --profile "$P/$CHAIR"
  # Each delegate votes on its own connection, all at once.
  VPIDS=()
  while read -r _ ballot who choices; do
    [ "$ballot" = "$b" ] || continue
    args=()
    if [ "$choices" = "-" ]; then args+=(--blank); else
      for c in ${choices//,/ }; do args+=(--choice "$c"); done
    fi
    "$PHIEU" vote "$b" --profile "$P/$who" --yes "${args[@]}" > "$WORK/vote-$b-$who.log" 2>&1 &
    VPIDS+=($!)
  done < <(awk '$1=="vote"' "$WORK/plan.txt")
  failed=0
  for pid in "${VPIDS[@]}"; do wait "$pid" || failed=1; done
  grep -h "mã theo dõi" "$WORK"/vote-"$b"-*.log | sed 's/^/  /' || true
  if [ $failed -ne 0 ]; then cat "$WORK"/vote-"$b"-*.log; echo "demo: a vote failed"; exit 1; fi
  "$PHIEU" close "$b" --profile "$P/$CHAIR" --wait "$WAIT"
  expect=$(awk -v b="$b" '$1=="expect" && $2==b {print $3}' "$WORK/plan.txt")
  "$PHIEU" result "$b" --profile "$P/$CHAIR" ${expect:+--expect "$expect"}
done

say "7. Closing the meeting"
"$PHIEU" close-meeting --profile "$P/$CHAIR"
"$PHIEU" record export --profile "$P/$CHAIR" --out "$WORK/record.pb"
say "8. Anyone checks the record offline against the meeting CA (phieu verify)"
"$PHIEU" verify "$WORK/record.pb" --ca "$WORK/meeting/ca/ca.pem" --quiet
"$PHIEU" result --all --profile "$P/$CHAIR" --html "$WORK/minutes.html" > /dev/null
echo "election record: $WORK/record.pb; minutes: $WORK/minutes.html"
echo "The demo's votes are illustrative: the published reports give outcomes, not counts."
say "Demo finished: every result reproduced the meeting's published outcome."
