#!/usr/bin/env bash
# A whole example meeting run from the browser pages (ctest browser_meeting_*):
# the server and the tellers (`phieu teller run`, as in examples/demo.sh) on
# loopback, one `phieu app` per delegate present, and tests/browser/
# meeting.test.mjs driving every page through Debian's chromium: the chair's
# key ceremony, check-in, quorum and proxy; every delegate's ballots as the
# meeting file's demo_votes script them; close, result, minutes, close of the
# meeting; then `phieu verify` on the exported record.
#
#   tests/browser/meeting.sh BUILD_DIR MEETING_FILE WORK_DIR [ABSENT_UNIT HOLDER]
# With ABSENT_UNIT and HOLDER, that unit's delegate stays away and the chair
# records on the board that HOLDER (another delegate) carries its vote.
# Exit 77 (ctest: skipped) when chromium or tests/browser/node_modules is missing.
set -uo pipefail
BUILD=$(cd "$1" && pwd) MEETING=$(realpath "$2") WORK=$(realpath -m "$3")
export ABSENT=${4:-} HOLDER=${5:-}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"

"$PHIEU" demo plan "$MEETING" > "$WORK/plan.txt" || exit 1
start_tellers $(awk '$1=="teller"{print $2}' "$WORK/plan.txt")
CHAIR=$(awk '$1=="chair"{print $2; exit}' "$WORK/plan.txt")
# One app per person in the hall: the chair and every delegate but the absent unit's.
ABSENT_DELEGATE=
if [ -n "$ABSENT" ]; then
  ABSENT_DELEGATE=$(awk -v u="$ABSENT" '$1=="delegate"&&$3==u{print $2}' "$WORK/plan.txt")
fi
: > "$WORK/apps.txt"
for who in $( (echo "$CHAIR"; awk '$1=="delegate"{print $2}' "$WORK/plan.txt") | awk '!seen[$0]++'); do
  [ -n "$ABSENT_DELEGATE" ] && [ "$who" = "$ABSENT_DELEGATE" ] && continue
  start_app "$who" "$P/$who"
  echo "$who $APP_URL" >> "$WORK/apps.txt"
done

export PHIEU WORK CHROMIUM CHAIR CHAIR_PROFILE="$P/$CHAIR" CA="$WORK/m/ca/ca.pem" \
  PLAN="$WORK/plan.txt" APPS="$WORK/apps.txt" SCREENSHOTS="$WORK/screenshots"
cd "$HERE" && timeout 540 node --test --test-reporter=spec meeting.test.mjs
rc=$?
[ $rc -ne 0 ] && app_errors
echo "screenshots: $WORK/screenshots"
exit $rc
