#!/usr/bin/env bash
# The meeting rules through the whole network path (loopback mutual TLS, the
# real binaries), on tests/e2e/rules-meeting.textproto:
#  - truong-khoi: a unit of weight 3 (3 votes in the result), a remote member,
#    a proxy (recorded by the chair, accepted, cast separately), a paper batch
#    (Close refused until t tellers signed it; the unit cannot vote
#    electronically any more); the minutes say so; the PDF minutes;
#  - pho-khoi: a tie at the top, `runoff` opens round 2 among the tied, the
#    record links the rounds, round 2 elects;
#  - bang-khen: every ballot on paper (no electronic ballot at all) still gets
#    a tally and a result;
#  - thu-ky: too few electronic ballots: `close --wait` says why at once;
#  - the exported record passes `phieu verify`.
set -uo pipefail
BUILD=$1 MEETING=$2 WORK=$3
source "$(dirname "$0")/checks.sh"

"$PHIEU" certs init "$MEETING" --out "$WORK/m" > /dev/null || { echo "FAIL certs init"; exit 1; }
P="$WORK/m/participants"
"$BIN/phieu-server" --certs "$WORK/m" --listen "127.0.0.1:0" --port-file "$WORK/port" > "$WORK/server.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
PORT=$(cat "$WORK/port")
for d in "$P"/*/; do "$PHIEU" certs profile --out "$WORK/m" --id "$(basename "$d")" --server "127.0.0.1:$PORT" > /dev/null; done
for t in db-bac-ninh db-ca-mau db-da-nang; do
  echo "passphrase-$t" > "$WORK/$t.pass"
  "$PHIEU" teller run --profile "$P/$t" --passphrase-file "$WORK/$t.pass" --seconds 500 > "$WORK/teller-$t.log" 2>&1 &
  PIDS+=($!)
done
as() { local who=$1; shift; "$PHIEU" "$@" --profile "$P/$who"; }

check "ceremony" 0 as chu-tri ceremony start --wait 120
for d in db-an-giang db-bac-ninh db-ca-mau db-da-nang; do check "check-in $d" 0 as "$d" checkin; done
check "a remote check-in" 0 as db-ha-noi checkin --remote
contains "  ...says remote" "remote"
check "the chair records a proxy for the absent Huế" 0 as chu-tri proxy --unit hue --holder db-bac-ninh
check "the holder accepts it" 0 as db-bac-ninh accept-proxy --unit hue

# ---- truong-khoi: weight, remote, proxy, paper
check "open truong-khoi" 0 as chu-tri open truong-khoi
check "weight 3 votes" 0 as db-an-giang vote truong-khoi --choice bac-ninh --yes
check "vote" 0 as db-bac-ninh vote truong-khoi --choice an-giang --yes
check "vote" 0 as db-ca-mau vote truong-khoi --choice bac-ninh --yes
check "remote vote" 0 as db-ha-noi vote truong-khoi --choice bac-ninh --yes
check "the holder casts Huế's ballot separately" 0 as db-bac-ninh vote truong-khoi --for-unit hue --choice an-giang --yes
check "a paper self-vote is refused as on the screen" 2 as db-ca-mau teller paper truong-khoi --ballot ca-mau=ca-mau --yes
contains "  ...and is told why" "itself"
check "paper for a unit that voted electronically is refused" 3 as db-ca-mau teller paper truong-khoi --ballot an-giang=bac-ninh --yes
contains "  ...and is told why" "has an electronic ballot"
check "a teller enters Đà Nẵng's paper ballot" 0 as db-ca-mau teller paper truong-khoi --ballot da-nang=bac-ninh --yes
BATCH=$(grep -o 'paper batch: entry [0-9]* [0-9a-f]*' "$WORK/last.out" | awk '{print $5}')
check "the chair cannot close before t tellers signed" 3 as chu-tri close truong-khoi
contains "  ...and is told k of t" "1 of 2 teller signatures"
check "status shows the unsigned batch" 0 as chu-tri status
contains "  ...0 of 1 signed" "1 units on paper (0 of 1 batches signed by t tellers)"
check "the author cannot co-sign its own batch" 3 as db-ca-mau teller paper-sign "$BATCH" --yes
check "another teller co-signs" 0 as db-da-nang teller paper-sign "$BATCH" --yes
contains "  ...2 of 2" "2 of 2 teller signatures"
check "Đà Nẵng voted on paper: no electronic ballot" 3 as db-da-nang vote truong-khoi --choice bac-ninh --yes
contains "  ...and is told why" "voted on paper in this run"
check "close truong-khoi" 0 as chu-tri close truong-khoi --wait 180
check "result truong-khoi" 0 as chu-tri result truong-khoi --lang en --expect bac-ninh
contains "  ...weight 3: 6 votes for Bắc Ninh" "Bắc Ninh.* 6"
contains "  ...one unit voted remotely" "remote: 1"
contains "  ...one by proxy" "by proxy: 1"
contains "  ...one on paper" "on paper: 1"
contains "  ...the batch is flagged with its tellers" "entered by Đại biểu Cà Mau, co-signed by Đại biểu Đà Nẵng"
check "Vietnamese minutes" 0 as chu-tri result truong-khoi
contains "  ...flag the paper ballots" "phiếu giấy"
if [ -x /usr/bin/chromium ]; then
  check "PDF minutes" 0 as chu-tri result truong-khoi --pdf "$WORK/minutes.pdf"
  if head -c 4 "$WORK/minutes.pdf" 2>/dev/null | grep -q '%PDF'; then passes=$((passes+1)); echo "ok     ...the file is a PDF"
  else fails=$((fails+1)); echo "FAIL   ...$WORK/minutes.pdf is not a PDF"; fi
else
  check "PDF minutes without chromium say which package" 3 as chu-tri result truong-khoi --pdf "$WORK/minutes.pdf"
  contains "  ...names it" "chromium"
fi

# ---- pho-khoi: a tie, then the second round
check "open pho-khoi" 0 as chu-tri open pho-khoi
votes() {  # votes NAME BALLOT DELEGATE:CHOICE...
  local name=$1 ballot=$2; shift 2
  for v in "$@"; do check "$name ${v%%:*}" 0 as "${v%%:*}" vote "$ballot" --choice "${v#*:}" --yes; done
}
votes "vote" pho-khoi db-an-giang:bac-ninh db-ca-mau:an-giang db-ha-noi:an-giang db-bac-ninh:ca-mau db-da-nang:ca-mau
check "proxy vote" 0 as db-bac-ninh vote pho-khoi --for-unit hue --choice an-giang --yes
check "close pho-khoi" 0 as chu-tri close pho-khoi --wait 180
check "a tie: no one elected" 0 as chu-tri result pho-khoi --lang en --expect -
contains "  ...names the tied for a second round" "second round"
check "runoff opens round 2 in one step" 0 as chu-tri runoff pho-khoi
votes "round 2 vote" pho-khoi db-an-giang:bac-ninh db-ca-mau:bac-ninh db-ha-noi:bac-ninh db-bac-ninh:an-giang \
  db-da-nang:an-giang
check "round 2 is only between the tied" 2 as db-bac-ninh vote pho-khoi --for-unit hue --choice ca-mau --yes
check "round 2 proxy vote" 0 as db-bac-ninh vote pho-khoi --for-unit hue --choice an-giang --yes
check "close round 2" 0 as chu-tri close pho-khoi --wait 180
check "round 2 elects" 0 as chu-tri result pho-khoi --lang en --expect bac-ninh
contains "  ...and says it is round 2" "round 2"
check "export the record" 0 as chu-tri record export --out "$WORK/record.json" --json
FLAT=$(tr -d ' \n' < "$WORK/record.json")
ROUND1=$(grep -o '"hash":"[0-9a-f]*","author":"[0-9a-f]*","body":{"meeting_id":"e2e-rules","open":{"ballot_id":"pho-khoi","round":1,' <<< "$FLAT" | cut -d'"' -f4)
if [ -n "$ROUND1" ] && grep -q "\"open\":{\"ballot_id\":\"pho-khoi\",\"round\":2,\"previous_run\":\"$ROUND1\",\"candidate_ids\":\[\"an-giang\",\"bac-ninh\"\]" <<< "$FLAT"
then passes=$((passes+1)); echo "ok   the record links round 2 to round 1"
else fails=$((fails+1)); echo "FAIL the record does not link round 2 to round 1"; fi

# ---- bang-khen: all on paper
check "open bang-khen" 0 as chu-tri open bang-khen
check "one batch with every unit's paper ballot" 0 as db-ca-mau teller paper bang-khen --yes \
  --ballot an-giang=bac-ninh,ca-mau --ballot bac-ninh=an-giang --ballot ca-mau=an-giang,bac-ninh \
  --ballot da-nang=blank --ballot ha-noi=invalid --ballot hue=an-giang
BATCH=$(grep -o 'paper batch: entry [0-9]* [0-9a-f]*' "$WORK/last.out" | awk '{print $5}')
check "co-signed" 0 as db-bac-ninh teller paper-sign "${BATCH:0:12}" --yes
check "close: an all-paper run still gets its tally and result" 0 as chu-tri close bang-khen --wait 180
check "result bang-khen" 0 as chu-tri result bang-khen --lang en --expect bac-ninh
contains "  ...6 units on paper" "on paper: 6"
contains "  ...one seat unfilled" "unfilled"

# ---- thu-ky: too few electronic ballots
check "open thu-ky" 0 as chu-tri open thu-ky
check "one vote" 0 as db-an-giang vote thu-ky --choice ha-noi --yes
check "close --wait says the tellers will not decrypt" 3 as chu-tri close thu-ky --wait 60
contains "  ...and why" "will not decrypt"
check "the chair cancels it" 0 as chu-tri cancel thu-ky --reason "too few ballots"

# ---- the whole record (paper batches, proxy, weights, runoff, an all-paper
# run, a cancelled one) passes the offline verifier
check "export the binary record" 0 as chu-tri record export --out "$WORK/record.pb"
check "phieu verify passes it" 0 "$PHIEU" verify "$WORK/record.pb" --ca "$WORK/m/ca/ca.pem"
contains "  ...ALL CHECKS PASSED" "ALL CHECKS PASSED"
contains "  ...and lists the paper batches" "paper batch"

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
