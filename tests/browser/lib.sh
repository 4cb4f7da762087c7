# Shared by the browser tests' scripts (run.sh, meeting.sh); sourced, not run.
# Before sourcing: BUILD, MEETING, WORK (absolute) and HERE (this directory).
# Gives: PHIEU, CHROMIUM, P (the participants' profiles), PORT, and
# start_tellers / start_app. Every process started here ends with the script.
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

# Certificates, the server on loopback (port chosen by the system), profiles.
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

# start_tellers ID...: each teller's client runs in the background, as in examples/demo.sh.
start_tellers() {
  for t in "$@"; do
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$WORK/$t.pass"
    "$PHIEU" teller run --profile "$P/$t" --passphrase-file "$WORK/$t.pass" --seconds 900 > "$WORK/teller-$t.log" 2>&1 &
    PIDS+=($!)
  done
}

# start_app NAME PROFILE: one `phieu app` per person; prints its one-time link.
# Not in a subshell: the app's pid must reach PIDS.
start_app() {
  "$PHIEU" app --profile "$2" --no-browser --port 0 --seconds 900 > "$WORK/app-$1.out" 2> "$WORK/app-$1.err" &
  PIDS+=($!)
  for _ in $(seq 1 100); do grep -q "open?token=" "$WORK/app-$1.out" 2>/dev/null && break; sleep 0.1; done
  APP_URL=$(grep -o 'http://127.0.0.1:[0-9]*/open?token=[0-9a-f]*' "$WORK/app-$1.out") || { cat "$WORK/app-$1.err"; exit 1; }
}

# app_errors: the last lines of each app's errors, after a failure.
app_errors() { for f in "$WORK"/app-*.err; do echo "== $f"; tail -5 "$f"; done; }
