#!/usr/bin/env bash
# make bench: the crypto benchmark beside the machine's own limits, measured
# in the same run. Writes bench/results.md and bench/crypto.json.
set -euo pipefail
BUILD=${1:-build}
OUT=bench
{
  echo "# Benchmark results"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "- commands: \`openssl speed -seconds 3 ecdsap256 ecdhp256\`, \`$BUILD/bin/crypto_bench\`"
  echo
  echo "## openssl speed (the machine's limit)"
  echo
  echo '```'
  openssl speed -seconds 3 ecdsap256 ecdhp256 2>/dev/null | tail -6
  echo '```'
  echo
  echo "## crypto_bench (ratios to the raw EC_POINT_mul rates measured in the same run)"
  echo
  echo '```'
  "$BUILD/bin/crypto_bench" --benchmark_out="$OUT/crypto.json" --benchmark_out_format=json 2>&1
  echo '```'
} > "$OUT/results.md"
cat "$OUT/results.md"
