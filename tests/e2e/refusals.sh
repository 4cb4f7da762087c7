#!/usr/bin/env bash
# What a meeting relies on being refused, over loopback mutual TLS:
# a second cast, a cast to a closed ballot, a delegate opening or closing,
# an unknown certificate, TLS 1.2; and a server restart keeps every
# receipted ballot (the resend gets the original receipt). Also the audit
# steps a delegate takes: checking an encryption (Benaloh challenge, decided
# only once the encryption is printed) on a second device before casting, and checking its receipts live and against
# the exported record.
set -uo pipefail
BUILD=$1 MEETING=$2 WORK=$3
source "$(dirname "$0")/checks.sh"

"$PHIEU" certs init "$MEETING" --out "$WORK/m" > /dev/null
P="$WORK/m/participants"
start_server() {
  rm -f "$WORK/port"
  "$BIN/phieu-server" --certs "$WORK/m" --listen "127.0.0.1:${1:-0}" --port-file "$WORK/port" >> "$WORK/server.log" 2>&1 &
  SERVER=$!; PIDS+=($SERVER)
  for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
  PORT=$(cat "$WORK/port")
}
start_server
for d in "$P"/*/; do "$PHIEU" certs profile --out "$WORK/m" --id "$(basename "$d")" --server "127.0.0.1:$PORT" > /dev/null; done
CHAIR=nguyen-huy-hoang
for t in dai-bieu-lao-cai dai-bieu-ha-giang dai-bieu-dien-bien; do
  echo "passphrase-$t" > "$WORK/$t.pass"
  "$PHIEU" teller run --profile "$P/$t" --passphrase-file "$WORK/$t.pass" --seconds 500 > "$WORK/teller-$t.log" 2>&1 &
  PIDS+=($!)
done
check "ceremony" 0 "$PHIEU" ceremony start --profile "$P/$CHAIR" --wait 120
check "a delegate cannot open before quorum either way" 3 "$PHIEU" open co-thi-dua --profile "$P/nguyen-ngoc-thu"
for d in nguyen-huy-hoang nguyen-ngoc-thu dai-bieu-lao-cai dai-bieu-ha-giang dai-bieu-lang-son; do
  "$PHIEU" checkin --profile "$P/$d" > /dev/null
done
check "a delegate cannot open a ballot" 3 "$PHIEU" open co-thi-dua --profile "$P/nguyen-ngoc-thu"
contains "  ...and is told why" "only the chair"
check "the chair opens" 0 "$PHIEU" open co-thi-dua --profile "$P/$CHAIR"
# Cast-as-intended (Benaloh): `phieu vote` encrypts first, prints the tracking
# code, and only then reads the decision on stdin: c cast, kt check, k neither.
answer() { local input=$1; shift; printf '%b' "$input" | "$@"; }
check "--challenge is gone, and says what replaced it" 2 "$PHIEU" vote co-thi-dua --profile "$P/nguyen-ngoc-thu" --choice son-la --challenge
contains "  ...the decision comes after the encryption" "encrypts first, prints the tracking code"
check "a check casts nothing" 0 answer 'kt\nk\n' "$PHIEU" vote co-thi-dua --profile "$P/nguyen-ngoc-thu" --choice son-la
contains "  ...and says so" "THIS ONE IS NOT CAST"
SHOWN=$(grep -o 'tracking code): [0-9a-f]*' "$WORK/last.out" | head -1 | awk '{print $3}')
CODE_LINE=$(grep -n 'tracking code): ' "$WORK/last.out" | head -1 | cut -d: -f1)
ASK_LINE=$(grep -n 'check this encryption (kt)' "$WORK/last.out" | head -1 | cut -d: -f1)
if [ -n "$CODE_LINE" ] && [ -n "$ASK_LINE" ] && [ "$CODE_LINE" -lt "$ASK_LINE" ]; then passes=$((passes+1)); echo "ok     ...the code was printed before the question"
else fails=$((fails+1)); echo "FAIL the tracking code must be printed before the cast/check question"; cat "$WORK/last.out"; fi
SPOIL=$(grep -o 'phieu spoiled [0-9a-f]*' "$WORK/last.out" | awk '{print $3}')
case "$SHOWN" in "$SPOIL"*) passes=$((passes+1)); echo "ok     ...the checked encryption is the one shown";;
  *) fails=$((fails+1)); echo "FAIL the checked code $SPOIL is not the shown $SHOWN";; esac
check "a second device checks the spoiled ballot" 0 "$PHIEU" spoiled "$SPOIL" --profile "$P/dai-bieu-lang-son"
contains "  ...and names the choice" "    Sơn La"
check "status counts no spoiled ballot" 0 "$PHIEU" status --profile "$P/$CHAIR"
contains "  ...0 ballots" "co-thi-dua: open, 0 ballots"
check "no answer casts nothing" 1 answer '' "$PHIEU" vote co-thi-dua --profile "$P/dai-bieu-lang-son" --choice son-la
contains "  ...and says so" "not cast"
check "k casts nothing" 1 answer 'k\n' "$PHIEU" vote co-thi-dua --profile "$P/dai-bieu-lang-son" --choice son-la
if [ -z "$(ls "$P/dai-bieu-lang-son/ballots" 2>/dev/null)" ]; then passes=$((passes+1)); echo "ok     ...and stores no ballot"
else fails=$((fails+1)); echo "FAIL a ballot not cast was stored"; fi
check "check, then a fresh encryption cast" 0 answer 'kt\nc\nc\n' "$PHIEU" vote co-thi-dua --profile "$P/nguyen-ngoc-thu" --choice son-la
contains "  ...with a receipt" "mã theo dõi phiếu"
CHECKED=$(grep -o 'tracking code): [0-9a-f]*' "$WORK/last.out" | sed -n 1p | awk '{print $3}')
FRESH=$(grep -o 'tracking code): [0-9a-f]*' "$WORK/last.out" | sed -n 2p | awk '{print $3}')
CODE=$(grep -o 'tracking code): [0-9a-f]*' "$WORK/last.out" | tail -1 | awk '{print $3}')
if [ -n "$FRESH" ] && [ "$FRESH" != "$CHECKED" ] && [ "$FRESH" = "$CODE" ]; then passes=$((passes+1)); echo "ok     ...the fresh encryption, not the checked one"
else fails=$((fails+1)); echo "FAIL checked $CHECKED, fresh $FRESH, receipt $CODE"; cat "$WORK/last.out"; fi
check "the checked encryption is on the board, never counted" 0 "$PHIEU" spoiled "$CHECKED" --profile "$P/dai-bieu-lang-son"
check "status counts the cast ballot only" 0 "$PHIEU" status --profile "$P/$CHAIR"
contains "  ...1 ballot" "co-thi-dua: open, 1 ballots"
check "an identical resend gets the original receipt" 0 "$PHIEU" vote co-thi-dua --profile "$P/nguyen-ngoc-thu" --yes
contains "  ...the same tracking code" "$CODE"
check "--yes and --review together are refused" 2 "$PHIEU" vote co-thi-dua --profile "$P/dai-bieu-lang-son" --choice son-la --yes --review
check "receipts, live, run open" 0 "$PHIEU" receipts check --profile "$P/nguyen-ngoc-thu"
contains "  ...recorded, run still open" "run still open"
mv "$P/nguyen-ngoc-thu/ballots" "$WORK/ballots-saved"
check "a second, different cast is refused" 3 "$PHIEU" vote co-thi-dua --profile "$P/nguyen-ngoc-thu" --choice lao-cai --yes
contains "  ...as already voted" "already voted"
rm -rf "$P/nguyen-ngoc-thu/ballots"; mv "$WORK/ballots-saved" "$P/nguyen-ngoc-thu/ballots"
check "self-vote is refused by the client" 2 "$PHIEU" vote co-thi-dua --profile "$P/dai-bieu-lang-son" --choice lang-son --yes
check "an absent unit cannot vote" 3 "$PHIEU" vote co-thi-dua --profile "$P/dai-bieu-lai-chau" --choice son-la --yes
check "a delegate cannot close" 3 "$PHIEU" close co-thi-dua --profile "$P/dai-bieu-lang-son"
# The projector: `watch` prints each new entry with the chain head after it.
"$PHIEU" watch --seconds 60 --profile "$P/dai-bieu-lang-son" > "$WORK/watch.log" 2>&1 &
WATCH=$!; PIDS+=($WATCH)
for _ in $(seq 1 300); do grep -q "watching" "$WORK/watch.log" && break; sleep 0.1; done
for d in nguyen-huy-hoang dai-bieu-lao-cai; do
  check "cast by $d" 0 "$PHIEU" vote co-thi-dua --profile "$P/$d" --choice cao-bang --yes
done
for _ in $(seq 1 300); do [ "$(grep -c ' ballot  head ' "$WORK/watch.log")" -ge 2 ] && break; sleep 0.1; done
kill "$WATCH" 2>/dev/null; wait "$WATCH" 2>/dev/null
cp "$WORK/watch.log" "$WORK/last.out"
contains "the projector shows each ballot with the live chain head" "^#[0-9]* ballot  head [0-9a-f]\{16\}$"

# A restart keeps every receipted ballot.
kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null
start_server "$PORT"
check "after a restart the resend still gets its receipt" 0 "$PHIEU" vote co-thi-dua --profile "$P/nguyen-ngoc-thu" --yes
contains "  ...the same tracking code" "$CODE"
check "status after restart" 0 "$PHIEU" status --profile "$P/$CHAIR"
contains "  ...3 ballots kept" "co-thi-dua: open, 3 ballots"

check "the chair closes" 0 "$PHIEU" close co-thi-dua --profile "$P/$CHAIR"
# (The tellers left at the restart: the run is tallied, not decrypted.)
check "the projector follows the board" 0 "$PHIEU" watch --seconds 2 --profile "$P/dai-bieu-lang-son"
contains "  ...with the live chain head" "chain head [0-9a-f]\{16\}"
check "receipts, live, counted" 0 "$PHIEU" receipts check --profile "$P/nguyen-ngoc-thu"
contains "  ...counted" "1 counted, 0 pending"
check "record export" 0 "$PHIEU" record export --profile "$P/nguyen-ngoc-thu" --out "$WORK/record.pb"
check "receipts against the record, offline" 0 "$PHIEU" receipts check --record "$WORK/record.pb" --profile "$P/nguyen-ngoc-thu"
contains "  ...listed in the tally" "listed in the tally"
cp -r "$P/nguyen-ngoc-thu" "$WORK/thu-copy"
for f in "$WORK/thu-copy/receipts/"*.receipt; do head -c 40 "$f" > "$f.cut"; mv "$f.cut" "$f"; done
check "a damaged receipt fails the check" 4 "$PHIEU" receipts check --record "$WORK/record.pb" --profile "$WORK/thu-copy"
contains "  ...and says so" "FAILED"
check "a cast to a closed ballot is refused" 3 "$PHIEU" vote co-thi-dua --profile "$P/dai-bieu-ha-giang" --choice son-la --yes

# A certificate from another meeting's CA is refused at the handshake.
"$PHIEU" certs init "$MEETING" --out "$WORK/other" > /dev/null
"$PHIEU" certs profile --out "$WORK/other" --id nguyen-ngoc-thu --server "127.0.0.1:$PORT" > /dev/null
check "a certificate from another CA is refused" 5 "$PHIEU" status --profile "$WORK/other/participants/nguyen-ngoc-thu"
# TLS 1.2 is refused.
if command -v openssl > /dev/null; then
  check "TLS 1.2 is refused" 1 bash -c "echo | timeout 10 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 \
    -cert $P/nguyen-ngoc-thu/cert.pem -key $P/nguyen-ngoc-thu/key.pem -CAfile $P/nguyen-ngoc-thu/ca.pem"
else
  echo "skip TLS 1.2 check: no openssl command"
fi
echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
