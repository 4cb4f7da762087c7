#!/usr/bin/env bash
# Browser tests of `phieu app` (ctest browser_app): a meeting on loopback
# (server, three tellers, the key ceremony by the CLI), then three `phieu app`
# processes — the chair and two delegates — driven through Debian's chromium
# by playwright-core (tests/browser/app.test.mjs). Screenshots go to
# BUILD/browser/screenshots.
#
#   tests/browser/run.sh BUILD_DIR MEETING_FILE WORK_DIR
# Exit 77 (ctest: skipped) when chromium or tests/browser/node_modules is
# missing: `make test` installs both (DEB_PACKAGES and `npm ci`).
set -uo pipefail
BUILD=$(cd "$1" && pwd) MEETING=$(realpath "$2") WORK=$(realpath -m "$3")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"

start_tellers dai-bieu-lao-cai dai-bieu-ha-giang dai-bieu-dien-bien
"$PHIEU" ceremony start --profile "$P/nguyen-huy-hoang" --wait 120 > "$WORK/ceremony.log" 2>&1 || { cat "$WORK/ceremony.log"; exit 1; }
# Four units check in by the CLI; the others check in through the pages.
for d in dai-bieu-lao-cai dai-bieu-ha-giang dai-bieu-dien-bien; do
  "$PHIEU" checkin --profile "$P/$d" > /dev/null || exit 1
done

export CHAIR_URL DELEGATE_URL RELOAD_URL
start_app chair "$P/nguyen-huy-hoang"; CHAIR_URL=$APP_URL
start_app thu "$P/nguyen-ngoc-thu"; DELEGATE_URL=$APP_URL
start_app langson "$P/dai-bieu-lang-son"; RELOAD_URL=$APP_URL

export PHIEU WORK CHROMIUM CHAIR_PROFILE="$P/nguyen-huy-hoang" SCREENSHOTS="$WORK/screenshots"
cd "$HERE" && timeout 480 node --test --test-reporter=spec app.test.mjs
rc=$?
[ $rc -ne 0 ] && app_errors
echo "screenshots: $WORK/screenshots"
exit $rc
