#!/usr/bin/env bash
# make bench: the figures of issue 7 beside the machine's own limits, measured
# in the same run with `openssl speed`. Writes bench/results.md and
# bench/results.json (and bench/crypto.json from crypto_bench).
#
#   bench/run.sh [BUILD_DIR]        PHIEU_BENCH_QUICK=1: small sizes (a check
#                                   of the script, not figures to publish)
set -euo pipefail
BUILD=${1:-build}
OUT=bench
BIN="$BUILD/bin"
WORK=$(mktemp -d /tmp/phieu-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

S=100 M=1000 L=10000 IDLE=10000 HS=1000
if [ "${PHIEU_BENCH_QUICK:-0}" = 1 ]; then S=10 M=30 L=60 IDLE=200 HS=50; fi

started=$(date +%s)
echo "bench: openssl speed" >&2
openssl speed -seconds 3 ecdsap256 ecdhp256 ed25519 2> /dev/null > "$WORK/speed.txt"
others_before=$(ps -e -o comm= | sort | uniq -c | sort -rn | head -5 | awk '{printf "%s×%s ", $2, $1}')
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

echo "bench: crypto_bench" >&2
"$BIN/crypto_bench" --benchmark_out="$OUT/crypto.json" --benchmark_out_format=json > "$WORK/crypto_bench.txt" 2>&1

run() {  # run NAME ARGS...: one phieu-loadgen run, its JSON in $WORK/NAME.json
  local name=$1; shift
  echo "bench: phieu-loadgen $name: $*" >&2
  local t0; t0=$(date +%s)
  "$BIN/phieu-loadgen" --bin "$BIN" --work "$WORK/$name" --json "$WORK/$name.json" "$@" > "$WORK/$name.out" 2>&1 || {
    echo "bench: phieu-loadgen $name failed:" >&2; tail -20 "$WORK/$name.out" >&2; exit 1; }
  echo "$name $(( $(date +%s) - t0 )) s: $*" >> "$WORK/commands.txt"
  rm -rf "$WORK/$name"
}
run small  --delegates $S --handshakes $HS --concurrency 16 --cast held --close
run medium --delegates $M --idle $IDLE --concurrency 32 --cast held --close
run large  --delegates $L --concurrency 64 --cast rolling --close --verify
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
elapsed=$(( $(date +%s) - started ))

python3 - "$WORK" "$OUT" "$elapsed" "$load_before" "$load_after" "$others_before" <<'EOF'
import json, re, subprocess, sys, platform, os
work, out, elapsed, load_before, load_after, others = sys.argv[1:7]
speed = open(f"{work}/speed.txt").read()
def rates(pattern):
    m = re.search(pattern + r"\s+([\d.]+)s\s+([\d.]+)s\s+([\d.]+)\s+([\d.]+)", speed)
    return float(m.group(3)), float(m.group(4))
ecdsa_sign_s, ecdsa_verify_s = rates(r"ecdsa \(nistp256\)")
ed_sign_s, ed_verify_s = rates(r"EdDSA \(Ed25519\)")
ecdh_s = float(re.search(r"ecdh \(nistp256\)\s+[\d.]+s\s+([\d.]+)", speed).group(1))
t_verify, t_sign, t_ecdh, t_ed_sign = 1 / ecdsa_verify_s, 1 / ecdsa_sign_s, 1 / ecdh_s, 1 / ed_sign_s
runs = {n: json.load(open(f"{work}/{n}.json")) for n in ("small", "medium", "large")}

def curve_ms(r):
    # The curve operations the server must do per ballot: the proofs (counted
    # by crypto::Counters: a·G+b·P ≈ one ECDSA verify, k·G ≈ one ECDSA sign,
    # k·P ≈ one ECDH), the entry signature (ECDSA P-256 verify) and the
    # receipt signature (Ed25519 sign).
    return 1e3 * (r["ballot_verify_double_base"] * t_verify + r["ballot_verify_fixed_base"] * t_sign +
                  r["ballot_verify_variable_base"] * t_ecdh + t_verify + t_ed_sign)

# mTLS handshake, ECDHE P-256 + ECDSA P-256 certificates on both sides. Per
# side: key share (≈ one sign: a fixed-base multiplication), ECDH, one
# CertificateVerify signature, two verifies (the peer's certificate by the CA,
# its CertificateVerify).
hs_side = 2 * t_sign + t_ecdh + 2 * t_verify
hs_predicted = 2 / (2 * hs_side)  # both sides on this machine's 2 cores
s, m, l = runs["small"], runs["medium"], runs["large"]
fig = []
def add(name, value, unit, limit, ratio, target, met, note=""):
    fig.append(dict(name=name, value=value, unit=unit, limit=limit, ratio=ratio, target=target, met=met, note=note))

for key, r in (("small", s), ("medium", m), ("large", l)):
    c = curve_ms(r)
    v = r["cast_server_cpu_ms_per_ballot"]
    add(f"server CPU per accepted ballot, {r['delegates']} delegates ({r['cast']})", round(v, 3), "ms",
        f"{c:.3f} ms of curve operations", round(v / c, 2), "≤ 1.3×", v / c <= 1.3,
        "rolling: each ballot also pays its delegate's handshake" if r["cast"] == "rolling" else
        f"each ballot is pushed to {r['delegates']} connected delegates")
hs = s["handshakes_per_s"]
add(f"mTLS handshakes per second ({s['handshakes']} connections, 16 at a time)", round(hs, 1), "/s",
    f"{hs_predicted:.1f}/s predicted for both sides on 2 cores", round(hs / hs_predicted, 2), "≥ 0.5", hs / hs_predicted >= 0.5,
    f"server CPU {s['handshake_server_cpu_ms']:.3f} ms per handshake vs {1e3*hs_side:.3f} ms of curve operations per side")
kib = m["idle_kib_per_connection"]
add(f"server memory per idle connection ({int(m['idle_connections'])} held)", round(kib, 1), "KiB", "50 KiB",
    round(kib / 50, 2), "≤ 1", kib <= 50, f"{m['delegates']} certificates, each used by {int(m['idle_connections']) // m['delegates']} connections")
p99 = m["cast_latency_p99_s"]
add(f"{m['delegates']} delegates casting at once: p99 latency", round(p99, 3), "s", "3 s", round(p99 / 3, 2), "≤ 1 and none lost",
    p99 <= 3 and m["cast_lost"] == 0 and m["cast_accepted"] == m["delegates"],
    f"accepted {int(m['cast_accepted'])}, lost {int(m['cast_lost'])}, p50 {m['cast_latency_p50_s']:.3f} s, max {m['cast_latency_max_s']:.3f} s, {m['cast_per_s']:.1f} ballots/s")
cr = l["close_to_result_s"]
add(f"close of {int(l['close_ballots'])} ballots to the signed result", round(cr, 3), "s", "1 s", round(cr, 2), "≤ 1", cr <= 1,
    f"to the tally {l['close_to_tally_s']:.3f} s; server CPU {l['close_server_cpu_s']:.2f} s, tellers' CPU {l['close_tellers_cpu_s']:.2f} s")

# phieu verify: every ballot's proofs (34 double multiplications for
# elect-one-of-7 with the key table) and every entry's signature, on 2 cores.
entries, ballots = l["verify_entries"], l["close_ballots"]
verify_curve_s = ballots * l["ballot_verify_double_base"] * t_verify + entries * t_verify
verify_limit = ballots / (verify_curve_s / 2)
verify_rate = ballots / l["verify_wall_s"]
add(f"`phieu verify` of a {int(ballots)}-ballot record ({int(entries)} entries)", round(verify_rate, 1), "ballots/s",
    f"{verify_limit:.1f} ballots/s (curve operations on 2 cores)", round(verify_rate / verify_limit, 2), "≥ 0.8",
    verify_rate / verify_limit >= 0.8,
    f"wall {l['verify_wall_s']:.2f} s, CPU {l['verify_cpu_s']:.2f} s: {l['verify_cores_used']:.2f} cores used")

machine = dict(cores=os.cpu_count(), cpu=re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read()).group(1),
               load_before=load_before, load_after=load_after, busiest_processes_before=others.strip())
result = dict(machine=machine, elapsed_s=int(elapsed),
              openssl=dict(ecdsa_p256_sign_per_s=ecdsa_sign_s, ecdsa_p256_verify_per_s=ecdsa_verify_s,
                           ecdh_p256_per_s=ecdh_s, ed25519_sign_per_s=ed_sign_s),
              figures=fig, runs=runs)
json.dump(result, open(f"{out}/results.json", "w"), indent=1, ensure_ascii=False)

md = ["# Benchmark results", "",
      f"- date: {subprocess.run(['date','-u','+%Y-%m-%dT%H:%M:%SZ'],capture_output=True,text=True).stdout.strip()}; `make bench` took {elapsed} s",
      f"- machine: {machine['cores']} cores, {machine['cpu']}",
      f"- load average before/after: {load_before} / {load_after}. The machine is shared: other work "
      f"(busiest commands before the run: {machine['busiest_processes_before']}) ran beside these figures; wall-clock "
      "figures carry it. Server cost is the server process's own CPU time (/proc/PID/stat), not wall time.",
      "- the load generator, the server and three `phieu teller run` processes share the same cores; the tellers run at "
      "nice 19 while ballots are cast (their laptops are other machines in a meeting) and at nice 0 from the close on.",
      "", "## The machine's limit (`openssl speed -seconds 3 ecdsap256 ecdhp256 ed25519`)", "",
      f"ECDSA P-256 sign {ecdsa_sign_s:.0f}/s, verify {ecdsa_verify_s:.0f}/s; ECDH P-256 {ecdh_s:.0f}/s; Ed25519 sign {ed_sign_s:.0f}/s.",
      "", "## Figures", "", "| figure | measured | limit (same run) | ratio | target | met |", "|---|---|---|---|---|---|"]
for f in fig:
    md.append(f"| {f['name']} | {f['value']} {f['unit']} | {f['limit']} | {f['ratio']} | {f['target']} | {'yes' if f['met'] else '**no**'} |")
md += ["", "Notes:", ""] + [f"- {f['name']}: {f['note']}" for f in fig if f["note"]]
md += ["", "## Runs (phieu-loadgen; every field in results.json)", "", "```"] + open(f"{work}/commands.txt").read().splitlines() + ["```", ""]
md += ["| | " + " | ".join(f"{r['delegates']} delegates" for r in runs.values()) + " |", "|---|" + "---|" * len(runs)]
keys = sorted({k for r in runs.values() for k in r if isinstance(r[k], (int, float))}, key=lambda k: list(l.keys()).index(k) if k in l else 999)
for k in keys:
    md.append(f"| {k} | " + " | ".join(("%.4g" % r[k]) if k in r else "" for r in runs.values()) + " |")
md += ["", "## crypto_bench (ratios to the raw EC_POINT_mul rates measured in the same run)", "", "```",
       open(f"{work}/crypto_bench.txt").read().rstrip(), "```", ""]
open(f"{out}/results.md", "w").write("\n".join(md))
EOF
cat "$OUT/results.md"
