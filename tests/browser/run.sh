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
BIN="$BUILD/bin"; PHIEU="$BIN/phieu"
CHROMIUM=${PHIEU_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ] || [ ! -d "$HERE/node_modules/playwright-core" ] || ! command -v node > /dev/null; then
  echo "browser tests skipped: need $CHROMIUM, node and tests/browser/node_modules (make test installs them)"
  exit 77
fi
rm -rf "$WORK"; mkdir -p "$WORK/screenshots"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT

"$PHIEU" certs init "$MEETING" --out "$WORK/m" > /dev/null || exit 1
P="$WORK/m/participants"
"$BIN/phieu-server" --certs "$WORK/m" --listen 127.0.0.1:0 --port-file "$WORK/port" > "$WORK/server.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || { cat "$WORK/server.log"; echo "server did not start"; exit 1; }
PORT=$(cat "$WORK/port")
for d in "$P"/*/; do
  "$PHIEU" certs profile --out "$WORK/m" --id "$(basename "$d")" --server "127.0.0.1:$PORT" > /dev/null || exit 1
done
for t in dai-bieu-lao-cai dai-bieu-ha-giang dai-bieu-dien-bien; do
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$WORK/$t.pass"
  "$PHIEU" teller run --profile "$P/$t" --passphrase-file "$WORK/$t.pass" --seconds 900 > "$WORK/teller-$t.log" 2>&1 &
  PIDS+=($!)
done
"$PHIEU" ceremony start --profile "$P/nguyen-huy-hoang" --wait 120 > "$WORK/ceremony.log" 2>&1 || { cat "$WORK/ceremony.log"; exit 1; }
# Four units check in by the CLI; the others check in through the pages.
for d in dai-bieu-lao-cai dai-bieu-ha-giang dai-bieu-dien-bien; do
  "$PHIEU" checkin --profile "$P/$d" > /dev/null || exit 1
done

# One `phieu app` per person; each prints its one-time link.
start_app() {  # start_app NAME PROFILE
  "$PHIEU" app --profile "$2" --no-browser --port 0 --seconds 900 > "$WORK/app-$1.out" 2> "$WORK/app-$1.err" &
  PIDS+=($!)
  for _ in $(seq 1 100); do grep -q "open?token=" "$WORK/app-$1.out" 2>/dev/null && break; sleep 0.1; done
  grep -o 'http://127.0.0.1:[0-9]*/open?token=[0-9a-f]*' "$WORK/app-$1.out" || { cat "$WORK/app-$1.err"; exit 1; }
}
export CHAIR_URL DELEGATE_URL RELOAD_URL
CHAIR_URL=$(start_app chair "$P/nguyen-huy-hoang") || exit 1
DELEGATE_URL=$(start_app thu "$P/nguyen-ngoc-thu") || exit 1
RELOAD_URL=$(start_app langson "$P/dai-bieu-lang-son") || exit 1

export PHIEU WORK CHROMIUM CHAIR_PROFILE="$P/nguyen-huy-hoang" SCREENSHOTS="$WORK/screenshots"
cd "$HERE" && timeout 480 node --test --test-reporter=spec app.test.mjs
rc=$?
[ $rc -ne 0 ] && for f in "$WORK"/app-*.err; do echo "== $f"; tail -5 "$f"; done
echo "screenshots: $WORK/screenshots"
exit $rc
