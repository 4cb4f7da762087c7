#!/usr/bin/env bash
# `phieu verify` on the record of the demo run (e2e_demo_cum4-2024 leaves it in
# its PHIEU_DEMO_WORK): the record passes, with --expect-head its own head,
# --json is well formed; a copy with one byte flipped fails with exit code 4
# naming the check and the entry; a wrong head fails.
#
#   tests/e2e/verify_record.sh BUILD_DIR DEMO_WORK
set -euo pipefail
BUILD=$1
WORK=$2
PHIEU="$BUILD/bin/phieu"
REC="$WORK/record.pb"
CA="$WORK/meeting/ca/ca.pem"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
[ -s "$REC" ] || { echo "verify_record: no demo record at $REC (run e2e_demo_cum4-2024 first)"; exit 1; }

"$PHIEU" verify "$REC" --ca "$CA" > "$OUT/report.txt"
cat "$OUT/report.txt"
grep -q "ALL CHECKS PASSED" "$OUT/report.txt"
HEAD=$(sed -n 's/^ALL CHECKS PASSED: .* head \([0-9a-f]*\)$/\1/p' "$OUT/report.txt")
[ ${#HEAD} -eq 64 ] || { echo "verify_record: no head in the report"; exit 1; }
"$PHIEU" verify "$REC" --ca "$CA" --expect-head "$HEAD" --quiet
"$PHIEU" verify "$REC" --ca "$CA" --json | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r["ok"], r'

set +e
"$PHIEU" verify "$REC" --ca "$CA" --expect-head "$(printf '%064d' 0)" --quiet 2> "$OUT/head.err"
rc=$?
set -e
[ $rc -eq 4 ] || { echo "verify_record: wrong head exited $rc, want 4"; exit 1; }
grep -q "chain head" "$OUT/head.err"

# One byte flipped inside the last entry: its body names the meeting.
python3 - "$REC" "$OUT/tampered.pb" <<'PY'
import sys
data = bytearray(open(sys.argv[1], 'rb').read())
at = data.rfind(b"cum4-2024")
assert at > 0, "no meeting id in the record"
data[at] ^= 0x01
open(sys.argv[2], 'wb').write(bytes(data))
PY
set +e
"$PHIEU" verify "$OUT/tampered.pb" --ca "$CA" --quiet 2> "$OUT/tampered.err"
rc=$?
set -e
cat "$OUT/tampered.err"
[ $rc -eq 4 ] || { echo "verify_record: tampered record exited $rc, want 4"; exit 1; }
grep -q "FAILED: hash chain: entry [0-9]* (" "$OUT/tampered.err"
echo "verify_record: ok"
